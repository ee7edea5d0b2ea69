// The screen is exactly the terminal's size, always: every pane gets a fixed number of rows
// computed here, and draws exactly that many. A frame taller than the terminal would make it
// scroll and the whole screen would have to be repainted every frame.

export const MIN_COLUMNS = 40;
export const MIN_ROWS = 12;

export interface LayoutInput {
  columns: number;
  rows: number;
  /** The troubleshooting pane is open. */
  troubleshoot: boolean;
  /** A modal (confirmation, quit dialog, reason) takes the lower part of the screen. */
  modal: boolean;
  /** Rows the modal wants (its borders included); it gets them as far as the screen allows. */
  modalRows?: number;
  /**
   * Rows the modal needs for what must be read (its question, a command, its keys): the step list
   * and the grid shrink to their titles before any of that is cut.
   */
  modalRequired?: number;
  /**
   * Rows a report in the output pane's place wants (its title included): the pre-flight's list of
   * refused nodes. It gets them as far as the step list and the grid keep a few rows.
   */
  reportRows?: number;
}

export interface Layout {
  columns: number;
  rows: number;
  /** Set when the terminal is too small to show anything useful; says what is needed. */
  tooSmall?: string;
  /** Rows of each part, each pane's title row included; they add up to `rows`. */
  header: number;
  body: number;
  output: number;
  troubleshoot: number;
  modal: number;
  status: number;
  help: number;
  /** Columns of the step list and of the node grid (a space between them). */
  stepsWidth: number;
  nodesWidth: number;
}

const clamp = (n: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, n));

/** Rows the step list and the grid keep when a report takes the rest (their titles, a few rows). */
const MIN_BODY = 6;

export function computeLayout(input: LayoutInput): Layout {
  const columns = Math.max(1, Math.floor(input.columns));
  const rows = Math.max(1, Math.floor(input.rows));
  const base = {
    columns,
    rows,
    header: 1,
    status: 1,
    help: 1,
    body: 0,
    output: 0,
    troubleshoot: 0,
    modal: 0,
    stepsWidth: 0,
    nodesWidth: 0,
  };
  if (columns < MIN_COLUMNS || rows < MIN_ROWS) {
    return {
      ...base,
      header: 0,
      status: 0,
      help: 0,
      tooSmall: `The terminal is ${columns}x${rows}; runbook needs at least ${MIN_COLUMNS}x${MIN_ROWS}.`,
    };
  }
  const available = rows - 3;
  const stepsWidth = clamp(Math.round(columns * 0.4), 24, 64);
  const nodesWidth = columns - stepsWidth - 1;
  if (input.modal) {
    const want = Math.max(input.modalRows ?? 0, Math.min(16, Math.round(available * 0.45)));
    let modal = clamp(want, Math.min(9, available - 3), available - 3);
    if ((input.modalRequired ?? 0) > modal) modal = Math.min(input.modalRequired!, available - 1);
    return { ...base, body: available - modal, modal, stepsWidth, nodesWidth };
  }
  if (input.troubleshoot) {
    const body = Math.max(4, Math.floor(available * 0.36));
    const output = Math.max(3, Math.floor((available - body) * 0.45));
    return { ...base, body, output, troubleshoot: available - body - output, stepsWidth, nodesWidth };
  }
  let body = Math.ceil(available / 2);
  if (input.reportRows !== undefined && input.reportRows > available - body)
    body = Math.max(Math.min(body, MIN_BODY), available - input.reportRows);
  return { ...base, body, output: available - body, stepsWidth, nodesWidth };
}
