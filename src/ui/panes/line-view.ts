// How the output and troubleshooting panes show lines longer than they are wide: cut at the
// pane's edge and scrolled sideways from a column, or wrapped onto as many rows as they take;
// and, for a step whose gate reads a column of a table, that table with its first column and the
// named one in sight. Pure: lines in, the lines to draw out (each at most a row wide when
// wrapped). Measuring is by terminal columns and graphemes, so a CJK character is never split
// and a line's styles stay with their text. The text is the sanitiser's: it has no escapes.
//
// wrap-ansi and slice-ansi were weighed for this and not taken: both work on strings with ANSI
// codes where ours are segments already; slice-ansi drops a wide character that straddles the
// start without keeping its column (the rest of the line shifts left by one), and wrap-ansi
// takes about 100 ms to hard-wrap one 4,096-character line (the longest a line is kept).
import type { OutputLine, StyledSegment, TextStyle } from '../../transport/types.js';
import { textWidth } from '../terminal/text-width.js';

/** A line as a pane draws it: `shifted` when columns on its left are out of sight. */
export interface ShownLine extends OutputLine {
  shifted?: true;
}

export interface LineViewOptions {
  /** The pane's width in columns. */
  width: number;
  /** Rows the pane has for lines. */
  height: number;
  /** Rows (lines when not wrapped) scrolled up from the end; 0 follows new lines. */
  scroll: number;
  wrap: boolean;
  /** Columns scrolled to the right (not wrapped). */
  left: number;
  /** The column a gate of the step reads: its table keeps it in sight. */
  column?: string;
}

export interface LineView {
  lines: ShownLine[];
  /** Rows there are to scroll through (lines when not wrapped). */
  total: number;
  /** The scroll in effect (clamped to what there is). */
  scroll: number;
  /** The widest line, in columns (how far one can scroll right). */
  widest: number;
  /** A line in sight is cut at the pane's right edge (or its left one). */
  cut: boolean;
  /** The column kept in sight, when a table in sight was narrowed to it. */
  focused?: string;
  /** Columns scrolled to the right in effect: none when no line in sight is cut. */
  left: number;
}

// What a pane's title says about its long lines (words of the UI, for the catalog).
const HINT = {
  wrapped: 'wrapped: w cuts',
  shifted: (left: number) => `from col ${left + 1}: ← back`,
  focused: 'columns left out: → all',
  cut: 'cut: w wraps, → scrolls',
  cutTmux: 'cut: w wraps, O opens in tmux',
};

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Tabs to spaces (stops every 8 columns), counted from `from`. */
export function expandTabs(text: string, from = 0): string {
  if (!text.includes('\t')) return text;
  let out = '';
  let col = from;
  for (const ch of text) {
    if (ch === '\t') {
      const n = 8 - (col % 8);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col += textWidth(ch);
    }
  }
  return out;
}

/** The line's pieces with their styles, tabs expanded. */
function piecesOf(line: OutputLine): { text: string; style?: TextStyle }[] {
  if (!line.segments) return [{ text: expandTabs(line.text) }];
  let col = 0;
  return line.segments.map((s) => {
    const text = expandTabs(s.text, col);
    col += textWidth(text);
    return { text, style: s.style };
  });
}

/** Columns a line takes, tabs expanded. */
export function lineWidth(line: OutputLine): number {
  const text = expandTabs(line.text);
  return textWidth(text);
}

/**
 * Cuts a line into rows of at most `width` columns, dropping the first `from` columns (a wide
 * character across that edge becomes a space, so the rest keeps its columns), at most `max` rows.
 */
export function cutLine(line: OutputLine, width: number, from = 0, max = Infinity): OutputLine[] {
  if (width <= 0) return [];
  const plain = !line.segments && PRINTABLE_ASCII.test(line.text);
  if (plain) {
    const rows: OutputLine[] = [];
    for (let at = from; at < line.text.length && rows.length < max; at += width)
      rows.push({ stream: line.stream, text: line.text.slice(at, at + width) });
    return rows.length > 0 || from > 0 ? rows : [{ stream: line.stream, text: '' }];
  }
  const rows: OutputLine[] = [];
  let text = '';
  let segs: StyledSegment[] = [];
  let used = 0;
  let col = 0;
  const push = () => {
    rows.push({ stream: line.stream, text, ...(line.segments ? { segments: segs } : {}) });
    text = '';
    segs = [];
    used = 0;
  };
  const add = (s: string, style: TextStyle | undefined) => {
    text += s;
    if (!style) return;
    const last = segs[segs.length - 1];
    if (last && last.style === style) last.text += s;
    else segs.push({ text: s, style });
  };
  outer: for (const piece of piecesOf(line)) {
    const graphemes = PRINTABLE_ASCII.test(piece.text) ? piece.text : segmenter.segment(piece.text);
    for (const g of graphemes) {
      const segment = typeof g === 'string' ? g : g.segment;
      const w = textWidth(segment);
      if (col < from) {
        col += w;
        // A wide character across the left edge: its columns in sight stay, as blanks.
        if (col > from) {
          add(' '.repeat(col - from), piece.style);
          used += col - from;
        }
        continue;
      }
      col += w;
      if (used + w > width && used > 0) {
        push();
        if (rows.length >= max) break outer;
      }
      add(segment, piece.style);
      used += w;
    }
  }
  if (rows.length < max && (used > 0 || rows.length === 0)) {
    if (used > 0 || from === 0) push();
  }
  return rows;
}

// Wrapped rows are kept per line (a line never changes once stored): a new line costs its own
// wrapping, not the wrapping of every line kept.
const wrapped = new WeakMap<OutputLine, { width: number; rows: OutputLine[] }>();
function wrapLine(line: OutputLine, width: number): OutputLine[] {
  const hit = wrapped.get(line);
  if (hit && hit.width === width) return hit.rows;
  const rows = lineWidth(line) <= width ? [line] : cutLine(line, width);
  wrapped.set(line, { width, rows });
  return rows;
}

const widths = new WeakMap<OutputLine, number>();
function widthOf(line: OutputLine): number {
  let w = widths.get(line);
  if (w === undefined) widths.set(line, (w = lineWidth(line)));
  return w;
}

/** Anything that holds lines: an array, or the runner's bounded ring. */
export interface LineSource {
  readonly length: number;
  slice(from: number, to?: number): OutputLine[];
}

/** The lines a pane shows, its scroll range and what is cut, from all the lines kept. */
export function viewLines(source: LineSource, o: LineViewOptions): LineView {
  const width = Math.max(1, o.width);
  const height = Math.max(0, o.height);
  if (o.wrap) {
    const rows = source.slice(0).flatMap((l) => wrapLine(l, width));
    const scroll = Math.min(o.scroll, Math.max(0, rows.length - height));
    const lines = rows.slice(Math.max(0, rows.length - height - scroll), rows.length - scroll);
    return { lines, total: rows.length, scroll, widest: width, cut: false, left: 0 };
  }
  const scroll = Math.min(o.scroll, Math.max(0, source.length - height));
  const from = Math.max(0, source.length - height - scroll);
  let lines: ShownLine[] = source.slice(from, source.length - scroll);
  let widest = 0;
  for (const l of lines) widest = Math.max(widest, widthOf(l));
  // Scrolled further than the lines in sight go (another node's, a new command's): as far as they go.
  const left = widest <= width ? 0 : Math.min(o.left, widest - (width - 1));
  let focused: string | undefined;
  if (o.column && left === 0 && widest > width) {
    // The table's header may be above the lines in sight: look from the start.
    const narrowed = narrowTables(source.slice(0), o.column, width);
    if (narrowed) {
      lines = narrowed.slice(from, source.length - scroll);
      focused = o.column;
    }
  }
  let cut = false;
  if (left > 0) {
    lines = lines.map((l) => {
      if (widthOf(l) <= left) return { stream: l.stream, text: '' };
      const [row] = cutLine(l, Infinity, left, 1);
      return { ...row!, shifted: true };
    });
    cut = lines.some((l) => l.shifted);
  }
  if (!cut) cut = lines.some((l) => widthOf(l) > width);
  else cut = true;
  return { lines, total: source.length, scroll, widest, cut, left, ...(focused ? { focused } : {}) };
}

/** What a pane's title says about its long lines: how they are shown, and the keys to read them whole. */
export function lineHint(view: LineView, o: { wrap: boolean; tmux: boolean }): string {
  if (o.wrap) return view.total > 0 ? HINT.wrapped : '';
  if (view.left > 0) return HINT.shifted(view.left);
  if (view.focused) return HINT.focused;
  if (view.cut) return o.tmux ? HINT.cutTmux : HINT.cut;
  return '';
}

/** Where a table's cells are: the columns each starts and ends at, from its header. */
interface TableShape {
  /** Start columns of the cells (for `|` tables, the column of the bar before each). */
  starts: number[];
  /** The cell index of the column read. */
  index: number;
  pipe: boolean;
}

function shapeOf(header: string, column: string): TableShape | undefined {
  if (!PRINTABLE_ASCII.test(header)) return undefined;
  if (header.includes('|')) {
    const bars = [...header.matchAll(/\|/g)].map((m) => m.index);
    // A cell is between two bars; a header without the leading bar starts at column 0.
    const starts = header.trimStart().startsWith('|') ? bars : [0, ...bars];
    const cells = starts.map((s, i) =>
      header
        .slice(s, starts[i + 1] ?? header.length)
        .replace(/^\|/, '')
        .trim(),
    );
    const index = cells.indexOf(column);
    return index > 0 ? { starts, index, pipe: true } : undefined;
  }
  const starts = [...header.matchAll(/\S+/g)];
  const index = starts.findIndex((m) => m[0] === column);
  return index > 0 ? { starts: starts.map((m) => m.index), index, pipe: false } : undefined;
}

const RULE_LINE = /^\s*\+[-+=]+\+?\s*$/;
const TABLE_END = /^\s*$|^\s*\(?\d+ rows?\)?\s*$/;

/**
 * The lines with every table that has the column narrowed to fit: its first column, then ` … `,
 * then the named column with as many of its neighbours as fit. Undefined when there is none.
 */
export function narrowTables(lines: readonly OutputLine[], column: string, width: number): ShownLine[] | undefined {
  let out: ShownLine[] | undefined;
  let shape: TableShape | undefined;
  let keep: [number, number][] = [];
  const narrow = (line: OutputLine, s: TableShape): ShownLine => {
    const [first, rest] = keep as [[number, number], [number, number]];
    const bar = s.pipe ? (line.text[first[1]] ?? ' ') : '';
    const text = line.text.slice(first[0], first[1]) + bar + ' … ' + line.text.slice(rest[0], rest[1]);
    return { stream: line.stream, text: text.trimEnd() };
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.text.includes(column)) {
      const s = shapeOf(line.text, column);
      if (s && line.text.length > width) {
        shape = s;
        keep = spansToKeep(s, line.text.length, width);
        // The rule above a `|` table's header belongs to it.
        const above = lines[i - 1];
        if (s.pipe && above && RULE_LINE.test(above.text)) (out ??= lines.slice())[i - 1] = narrow(above, s);
      }
    }
    if (!shape) continue;
    if (TABLE_END.test(line.text) || !PRINTABLE_ASCII.test(line.text) || (shape.pipe && !/[|+]/.test(line.text))) {
      shape = undefined;
      continue;
    }
    (out ??= lines.slice())[i] = narrow(line, shape);
  }
  return out;
}

/** The first column's span, and the span of the named column with neighbours, to fit `width`. */
function spansToKeep(s: TableShape, length: number, width: number): [number, number][] {
  const end = (i: number) => (i + 1 < s.starts.length ? s.starts[i + 1]! : length);
  const first: [number, number] = [0, s.starts[1] ?? length];
  // `| id ` + `|` + ` … ` for a pipe table, `id   ` + ` … ` for an aligned one.
  const head = first[1] + (s.pipe ? 1 : 0) + 3;
  let lo = s.index;
  let hi = s.index;
  // The named column (with its closing bar), then neighbours to its right, then to its left.
  const span = () => end(hi) - s.starts[lo]! + (s.pipe && hi + 1 < s.starts.length ? 1 : 0);
  while (hi + 1 < s.starts.length - (s.pipe ? 1 : 0) && head + span() + (end(hi + 1) - end(hi)) <= width) hi++;
  while (lo - 1 > 1 && head + span() + (s.starts[lo]! - s.starts[lo - 1]!) <= width) lo--;
  const close = s.pipe && hi + 1 < s.starts.length ? 1 : 0;
  return [first, [s.starts[lo]!, end(hi) + close]];
}

/**
 * The scroll that keeps the same line at the bottom of the pane once the `wrap` key is pressed:
 * `scroll` counts rows when `wrapped` (now) and lines when not; the answer counts the other.
 */
export function toggledScroll(source: LineSource, width: number, scroll: number, wrapped: boolean): number {
  if (scroll <= 0) return 0;
  const w = Math.max(1, width);
  if (!wrapped) {
    let rows = 0;
    for (const l of source.slice(Math.max(0, source.length - scroll))) rows += wrapLine(l, w).length;
    return rows;
  }
  // Whole lines below the row at the bottom.
  let rows = 0;
  let lines = 0;
  for (let i = source.length - 1; i >= 0; i--) {
    rows += wrapLine(source.slice(i, i + 1)[0]!, w).length;
    if (rows > scroll) break;
    lines++;
  }
  return lines;
}
