// The whole screen as a pure function of its props: header, step list beside the node grid,
// then the output and troubleshooting panes (or a dialog in their place), the status line and
// the help bar. Every part is exactly as tall as the layout says, so the frame is the terminal's
// size, always. Each pane's rows are made again only when one of its props changed (compared
// one by one), and the frame is handed to the screen writer as rows of text (frame-output.ts).
// It renders nothing through Ink: see docs/architecture.md.
import { useContext, useLayoutEffect, useMemo, useRef } from 'react';
import { dialogLines } from '../panes/dialog.js';
import { explainPaneLines, type ExplainPaneProps } from '../panes/explain-pane.js';
import type { DialogText } from '../panes/dialogs.js';
import { headerLine } from '../panes/header.js';
import { helpBarLine } from '../panes/help-bar.js';
import { helpOverlayLines } from '../panes/help-overlay.js';
import { nodeGridLines, type NodeGridProps } from '../panes/node-grid.js';
import { outputPaneLines, type OutputPaneProps } from '../panes/output-pane.js';
import { preflightPaneLines, type PreflightPaneProps } from '../panes/preflight-pane.js';
import { statusLine, type StatusLineProps } from '../panes/status-line.js';
import { stepListLines, type StepListProps } from '../panes/step-list.js';
import { troubleshootPaneLines, type TroubleshootPaneProps } from '../panes/troubleshoot-pane.js';
import type { Layout } from '../terminal/layout.js';
import { trimRow } from '../terminal/screen-writer.js';
import type { Theme } from '../terminal/theme.js';
import { fit, padEnd, wrap } from '../terminal/text-width.js';
import { FrameOutputContext } from './frame-output.js';
import type { Mode } from './keymap.js';
import type { HeaderView } from './view-model.js';
import type { UiWords } from '../../words/words.js';

type Sized<T> = Omit<T, 'width' | 'height' | 'theme'>;

export interface ScreenProps {
  layout: Layout;
  theme: Theme;
  mode: Mode;
  /** Several nodes wait on the confirmation's step and are listed: `a` applies. */
  group?: boolean;
  header: HeaderView;
  steps: Sized<StepListProps>;
  grid: Sized<NodeGridProps>;
  output: Sized<OutputPaneProps>;
  /** The pre-flight, shown in the output pane's place while it runs and once it refused nodes. */
  preflight?: Sized<PreflightPaneProps>;
  troubleshoot?: Sized<TroubleshootPaneProps>;
  /** The selected step's explanation whole, in the output pane's place. */
  explain?: Sized<ExplainPaneProps>;
  dialog?: DialogText;
  help?: { scroll: number };
  status: Omit<StatusLineProps, 'width' | 'theme'>;
  /** The UI's own words, in the run's language. */
  words: UiWords;
}

/** `n` rows of `rows`, each padded to `width` (a pane always gives its height; this is a guard). */
function block(rows: readonly string[], n: number, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rows[i] ?? ' '.repeat(width));
  return out;
}

/** Whether two props objects have the same keys with the same values (compared with Object.is). */
export function shallowEqual(a: object | undefined, b: object | undefined): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka)
    if (!Object.prototype.hasOwnProperty.call(b, k) || !Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
      return false;
  return true;
}

/**
 * A pane's rows, made again only when one of its props changed. Props are compared one by one,
 * so a prop added to a pane is taken into account without a list of dependencies to keep up.
 * Mutable inputs (the health map) come with a version prop that changes with them.
 */
export function usePane<P extends object>(render: (props: P) => string[], props: P | undefined): string[] {
  const memo = useRef<{ props: P | undefined; rows: string[] }>({ props: undefined, rows: [] });
  if (!shallowEqual(memo.current.props, props)) memo.current = { props, rows: props ? render(props) : [] };
  return memo.current.rows;
}

/** A one-row pane as a pane of rows. */
const one =
  <P extends object>(render: (props: P) => string) =>
  (props: P): string[] => [render(props)];
const headerRows = one(headerLine);
const statusRows = one(statusLine);
const helpBarRows = one(helpBarLine);

export function Screen(p: ScreenProps) {
  const { layout: l, theme, words } = p;
  const output = useContext(FrameOutputContext);
  const middle = l.body + l.output + l.troubleshoot + l.modal;

  // Every hook runs on every frame (in a fixed order); a pane that is not shown gives no rows.
  const [header] = usePane(headerRows, { view: p.header, width: l.columns, theme, words });
  const steps = usePane(stepListLines, { ...p.steps, width: l.stepsWidth, height: l.body, theme, words });
  const grid = usePane(nodeGridLines, { ...p.grid, width: l.nodesWidth, height: l.body, theme, words });
  const out = usePane(outputPaneLines, { ...p.output, width: l.columns, height: l.output, theme, words });
  const report = usePane(
    preflightPaneLines,
    p.preflight ? { ...p.preflight, width: l.columns, height: l.output, theme, words } : undefined,
  );
  const explain = usePane(explainPaneLines, p.explain ? { ...p.explain, width: l.columns, height: l.output, theme, words } : undefined);
  const ts = p.troubleshoot && l.troubleshoot > 0;
  const trouble = usePane(
    troubleshootPaneLines,
    ts ? { ...p.troubleshoot!, width: l.columns, height: l.troubleshoot, theme, words } : undefined,
  );
  const dialog = usePane(dialogLines, p.dialog ? { dialog: p.dialog, width: l.columns, height: l.modal, theme } : undefined);
  const help = usePane(helpOverlayLines, p.help ? { scroll: p.help.scroll, width: l.columns, height: middle, theme, words } : undefined);
  const [status] = usePane(statusRows, { ...p.status, width: l.columns, theme, words });
  const [bar] = usePane(helpBarRows, {
    mode: p.mode,
    group: p.group ?? false,
    phase: p.status.phase,
    ...(p.status.decision ? { decision: p.status.decision } : {}),
    width: l.columns,
    theme,
    words,
  });

  // The step list and the node grid side by side: the list's rows are exactly its width.
  const body = useMemo(() => {
    const rows: string[] = [];
    for (let i = 0; i < l.body; i++)
      rows.push(`${steps[i] === undefined ? ' '.repeat(l.stepsWidth) : padEnd(steps[i]!, l.stepsWidth)} ${grid[i] ?? ''}`);
    return rows;
  }, [steps, grid, l.body, l.stepsWidth]);

  const rows = useMemo(() => {
    if (l.tooSmall)
      return wrap(l.tooSmall, Math.max(1, l.columns))
        .slice(0, l.rows)
        .map((t) => fit(t, l.columns));
    const all = [header!];
    if (p.help) all.push(...block(help, middle, l.columns));
    else {
      all.push(...body);
      if (p.dialog) all.push(...block(dialog, l.modal, l.columns));
      else
        all.push(
          ...block(p.explain ? explain : p.preflight ? report : out, l.output, l.columns),
          ...block(trouble, ts ? l.troubleshoot : 0, l.columns),
        );
    }
    all.push(status!, bar!);
    // Trailing blanks are not drawn: the screen writer erases the rest of each row it writes.
    return all.slice(0, l.rows).map(trimRow);
  }, [
    l,
    header,
    body,
    help,
    dialog,
    out,
    report,
    explain,
    trouble,
    status,
    bar,
    p.help !== undefined,
    p.dialog !== undefined,
    p.preflight !== undefined,
    p.explain !== undefined,
    ts,
  ]);

  // The frame goes to the screen writer; Ink has nothing to lay out or draw.
  useLayoutEffect(() => {
    output?.(rows);
  }, [output, rows]);
  return null;
}
