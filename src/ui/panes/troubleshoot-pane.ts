// The troubleshooting pane: the role's commands for the selected node, numbered (each one key
// away), and the output of the one running, streamed live.
import type { ShownLine } from './line-view.js';
import { outputRow } from './output-lines.js';
import { outputTitle } from './output-pane.js';
import type { Theme } from '../terminal/theme.js';
import { fit, truncateStyled } from '../terminal/text-width.js';
import type { TroubleshootStatus } from '../../diagnostics/troubleshoot.js';
import { en, type UiWords } from '../../words/words.js';

export interface TroubleshootPaneProps {
  node?: string;
  commands: readonly { title: string; live: boolean }[];
  /** The command shown (its output below). */
  index?: number;
  display?: string;
  status: TroubleshootStatus;
  ended?: string;
  /** The lines in view (rows of lines when wrapped). */
  lines: readonly ShownLine[];
  scroll: number;
  /** How long lines are shown and the keys to read them whole (line-view.ts's lineHint). */
  hint?: string;
  width: number;
  height: number;
  focused: boolean;
  theme: Theme;
  version: number;
  words?: UiWords;
}

export function troubleshootPaneLines(p: TroubleshootPaneProps): string[] {
  const { theme, width } = p;
  const w = p.words ?? en;
  const state =
    p.status === 'running' && p.commands[p.index ?? -1]?.live ? w.tsStatus.live : p.status === 'idle' ? '' : w.tsStatus[p.status];
  const right = [p.hint ?? '', p.scroll > 0 ? `↑${p.scroll}` : '', state, p.ended && p.status !== 'running' ? w.reason(p.ended) : '']
    .filter(Boolean)
    .join(' ');
  const title = outputTitle(w.troubleshoot, [p.node ?? w.noNodeSelected], right, width, p.focused, theme);
  if (p.commands.length === 0) return [title, theme.paint(fit(`  ${w.tsNone(p.node)}`, width), 'muted')];
  const menu = p.commands
    .slice(0, 9)
    .map((c, i) => {
      const label = `${i + 1} ${c.title}`;
      return i === p.index ? theme.paint(label, 'accent', { inverse: true }) : label;
    })
    .join('  ');
  const rows = [title, truncateStyled(` ${menu}`, width)];
  if (p.display) rows.push(theme.paint(fit(`  $ ${p.display}`, width), 'muted'));
  for (const l of p.lines) rows.push(outputRow(l, width, theme));
  if (p.lines.length === 0 && p.status === 'idle') rows.push(theme.paint(fit(`  ${w.tsPick}`, width), 'muted'));
  return rows;
}
