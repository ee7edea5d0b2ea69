// The pre-flight pane, in the output pane's place while the engine connects to every node before
// the first step, and after it refused some: every node it could not use, with the transport's
// whole sentence (the key's fingerprint, what to do), wrapped and never cut; scrollable.
import { outputTitle } from './output-pane.js';
import type { Theme } from '../terminal/theme.js';
import { fit, wrap } from '../terminal/text-width.js';
import type { PreflightView } from '../app/view-model.js';

/** The report's rows (its title not included), each exactly `width` columns. */
export function preflightRows(view: PreflightView, width: number, theme: Theme): string[] {
  const rows: string[] = [];
  const text = (line: string, tone: Parameters<Theme['paint']>[1] = 'plain', bold = false) =>
    rows.push(theme.paint(fit(line, width), tone, { bold }));
  const nodes = view.nodes === 1 ? 'the node' : `each of the ${view.nodes} nodes`;
  if (view.status === 'running') {
    for (const l of wrap(
      `Connecting to ${nodes} before the first step: its SSH host key must be known and unchanged, and the login must work. Nothing runs until every node has answered.`,
      width - 2,
    ))
      text(` ${l}`, 'muted');
    return rows;
  }
  if (view.failures.length === 0) {
    text(` Every node answered: the run goes on.`, 'ok');
    return rows;
  }
  view.failures.forEach((f, i) => {
    if (i > 0) rows.push(' '.repeat(width));
    text(` ✖ ${f.node}${f.address ? `  ${f.address}` : ''}  ${f.label}`, 'fail', true);
    for (const l of wrap(f.message, width - 4)) text(`   ${l}`);
  });
  rows.push(' '.repeat(width));
  const fix =
    'Nothing ran, on any node. Fix these nodes (or take them out of the inventory); then `runbook play --resume` checks every node again.';
  for (const l of wrap(fix, width - 2)) text(` ${l}`, 'muted');
  return rows;
}

export interface PreflightPaneProps {
  view: PreflightView;
  /** The report's rows (preflightRows). */
  rows: readonly string[];
  /** Rows scrolled down from the top. */
  scroll: number;
  width: number;
  /** Rows of the pane, its title included. */
  height: number;
  focused: boolean;
  theme: Theme;
}

export function preflightPaneLines(p: PreflightPaneProps): string[] {
  const room = Math.max(0, p.height - 1);
  const scroll = Math.max(0, Math.min(p.scroll, p.rows.length - room));
  const shown = p.rows.slice(scroll, scroll + room);
  const failed = p.view.failures.length;
  const what =
    p.view.status === 'running'
      ? `checking ${p.view.nodes === 1 ? '1 node' : `${p.view.nodes} nodes`}  ${p.view.elapsed}`
      : failed > 0
        ? `${failed} of ${p.view.nodes} ${p.view.nodes === 1 ? 'node' : 'nodes'} cannot be used: nothing ran`
        : 'passed';
  // Where the view is in a report taller than the pane.
  const where =
    p.rows.length > room && room > 0
      ? `${scroll + 1}-${scroll + shown.length} of ${p.rows.length}${scroll + shown.length < p.rows.length ? ' ↓' : ''}`
      : '';
  return [outputTitle('Pre-flight', [what], where, p.width, p.focused, p.theme), ...shown];
}
