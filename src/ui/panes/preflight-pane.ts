// The pre-flight pane, in the output pane's place while the engine connects to every node before
// the first step, and after it refused some: every node it could not use, with the transport's
// whole sentence (the key's fingerprint, what to do), wrapped and never cut; scrollable.
import { outputTitle } from './output-pane.js';
import type { Theme } from '../terminal/theme.js';
import { fit, wrap } from '../terminal/text-width.js';
import type { PreflightView } from '../app/view-model.js';
import { en, type UiWords } from '../../words/words.js';

/** The report's rows (its title not included), each exactly `width` columns. */
export function preflightRows(view: PreflightView, width: number, theme: Theme, words: UiWords = en): string[] {
  const w = words.preflight;
  const rows: string[] = [];
  const text = (line: string, tone: Parameters<Theme['paint']>[1] = 'plain', bold = false) =>
    rows.push(theme.paint(fit(line, width), tone, { bold }));
  if (view.status === 'running') {
    for (const l of wrap(w.connecting(view.nodes), width - 2)) text(` ${l}`, 'muted');
    return rows;
  }
  if (view.failures.length === 0) {
    text(` ${w.allAnswered}`, 'ok');
    return rows;
  }
  view.failures.forEach((f, i) => {
    if (i > 0) rows.push(' '.repeat(width));
    text(` ✖ ${f.node}${f.address ? `  ${f.address}` : ''}  ${w.label(f.failure)}`, 'fail', true);
    for (const l of wrap(f.message, width - 4)) text(`   ${l}`);
  });
  rows.push(' '.repeat(width));
  for (const l of wrap(w.fix, width - 2)) text(` ${l}`, 'muted');
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
  words?: UiWords;
}

export function preflightPaneLines(p: PreflightPaneProps): string[] {
  const room = Math.max(0, p.height - 1);
  const scroll = Math.max(0, Math.min(p.scroll, p.rows.length - room));
  const shown = p.rows.slice(scroll, scroll + room);
  const failed = p.view.failures.length;
  const w = (p.words ?? en).preflight;
  const what =
    p.view.status === 'running' ? w.checking(p.view.nodes, p.view.elapsed) : failed > 0 ? w.cannotUse(failed, p.view.nodes) : w.passed;
  // Where the view is in a report taller than the pane.
  const where =
    p.rows.length > room && room > 0
      ? `${w.rowsOf(scroll + 1, scroll + shown.length, p.rows.length)}${scroll + shown.length < p.rows.length ? ' ↓' : ''}`
      : '';
  return [outputTitle(w.title, [what], where, p.width, p.focused, p.theme), ...shown];
}
