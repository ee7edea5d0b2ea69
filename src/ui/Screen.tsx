// The whole screen as a pure function of its props: header, step list beside the node grid,
// then the output and troubleshooting panes (or a dialog in their place), the status line and
// the help bar. Every part is exactly as tall as the layout says, so the frame is the terminal's
// size, always. Each pane's rows are made again only when its own props changed, and the screen
// is put together from them as rows of text (see frame-output.ts for where they go).
import React, { useContext, useLayoutEffect, useMemo } from 'react';
import { useDialogLines } from './Dialog.js';
import type { DialogText } from './dialogs.js';
import { FrameOutputContext } from './frame-output.js';
import { headerLine } from './Header.js';
import { helpBarLine } from './HelpBar.js';
import { useHelpOverlayLines } from './HelpOverlay.js';
import type { Mode } from './keymap.js';
import type { Layout } from './layout.js';
import { Lines, trimRow } from './Lines.js';
import { useNodeGridLines, type NodeGridProps } from './NodeGrid.js';
import { useOutputPaneLines, type OutputPaneProps } from './OutputPane.js';
import { usePreflightPaneLines, type PreflightPaneProps } from './PreflightPane.js';
import { statusLine, type StatusLineProps } from './StatusLine.js';
import { useStepListLines, type StepListProps } from './StepList.js';
import type { Theme } from './theme.js';
import { fit, padEnd, wrap } from './text-width.js';
import { useTroubleshootPaneLines, type TroubleshootPaneProps } from './TroubleshootPane.js';
import type { HeaderView } from './view-model.js';

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
  dialog?: DialogText;
  help?: { scroll: number };
  status: Omit<StatusLineProps, 'width' | 'theme'>;
}

/** `n` rows of `rows`, each padded to `width` (a pane always gives its height; this is a guard). */
function block(rows: readonly string[], n: number, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(rows[i] ?? ' '.repeat(width));
  return out;
}

export function Screen(p: ScreenProps) {
  const { layout: l, theme } = p;
  const output = useContext(FrameOutputContext);
  const middle = l.body + l.output + l.troubleshoot + l.modal;
  const ts = p.troubleshoot && l.troubleshoot > 0 ? { ...p.troubleshoot, width: l.columns, height: l.troubleshoot, theme } : undefined;

  // Every hook runs on every frame (in a fixed order); a pane that is not shown gives no rows.
  const header = useMemo(() => headerLine({ view: p.header, width: l.columns, theme }), [p.header, l.columns, theme]);
  const steps = useStepListLines({ ...p.steps, width: l.stepsWidth, height: l.body, theme });
  const grid = useNodeGridLines({ ...p.grid, width: l.nodesWidth, height: l.body, theme });
  const out = useOutputPaneLines({ ...p.output, width: l.columns, height: l.output, theme });
  const report = usePreflightPaneLines(p.preflight ? { ...p.preflight, width: l.columns, height: l.output, theme } : undefined);
  const trouble = useTroubleshootPaneLines(ts);
  const dialog = useDialogLines(p.dialog, l.columns, l.modal, theme);
  const help = useHelpOverlayLines(p.help?.scroll, l.columns, middle, theme);
  const status = useMemo(() => statusLine({ ...p.status, width: l.columns, theme }), [p.status.phase, p.status.outcome, p.status.decision, p.status.waiting, p.status.filterInput, p.status.message, p.status.preflight, l.columns, theme]);
  const bar = useMemo(() => helpBarLine({ mode: p.mode, group: p.group ?? false, width: l.columns, theme }), [p.mode, p.group, l.columns, theme]);

  // The step list and the node grid side by side: the list's rows are exactly its width.
  const body = useMemo(() => {
    const rows: string[] = [];
    for (let i = 0; i < l.body; i++) rows.push(`${steps[i] === undefined ? ' '.repeat(l.stepsWidth) : padEnd(steps[i]!, l.stepsWidth)} ${grid[i] ?? ''}`);
    return rows;
  }, [steps, grid, l.body, l.stepsWidth]);

  const rows = useMemo(() => {
    if (l.tooSmall) return wrap(l.tooSmall, Math.max(1, l.columns)).slice(0, l.rows).map((t) => fit(t, l.columns));
    const all = [header];
    if (p.help) all.push(...block(help, middle, l.columns));
    else {
      all.push(...body);
      if (p.dialog) all.push(...block(dialog, l.modal, l.columns));
      else all.push(...block(p.preflight ? report : out, l.output, l.columns), ...block(trouble, ts ? l.troubleshoot : 0, l.columns));
    }
    all.push(status, bar);
    // Trailing blanks are not drawn: the screen writer erases the rest of each row it writes.
    return all.slice(0, l.rows).map(trimRow);
  }, [l, header, body, help, dialog, out, report, trouble, status, bar, p.help !== undefined, p.dialog !== undefined, p.preflight !== undefined, ts !== undefined]);

  // Straight to the screen writer when there is one; Ink then has nothing to lay out or draw.
  useLayoutEffect(() => {
    output?.(rows);
  }, [output, rows]);
  if (output) return null;
  return <Lines lines={rows} width={l.columns} height={l.rows} />;
}
