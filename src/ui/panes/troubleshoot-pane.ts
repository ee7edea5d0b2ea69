// The troubleshooting pane: the role's commands for the selected node, numbered (each one key
// away), and the output of the one running, streamed live.
import type { ShownLine } from './line-view.js';
import { outputRow } from './output-lines.js';
import { outputTitle } from './output-pane.js';
import type { Theme } from '../terminal/theme.js';
import { fit, truncateStyled } from '../terminal/text-width.js';
import type { TroubleshootStatus } from '../../diagnostics/troubleshoot.js';

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
}

const STATUS_WORD: Record<TroubleshootStatus, string> = {
  idle: '',
  running: 'running',
  done: 'done',
  stopped: 'stopped',
  failed: 'failed',
};

export function troubleshootPaneLines(p: TroubleshootPaneProps): string[] {
  const { theme, width } = p;
  const state = p.status === 'running' && p.commands[p.index ?? -1]?.live ? 'live' : STATUS_WORD[p.status];
  const right = [p.hint ?? '', p.scroll > 0 ? `↑${p.scroll}` : '', state, p.ended && p.status !== 'running' ? p.ended : '']
    .filter(Boolean)
    .join(' ');
  const title = outputTitle('Troubleshoot', [p.node ?? 'no node selected'], right, width, p.focused, theme);
  if (p.commands.length === 0)
    return [title, theme.paint(fit(`  the runbook has no troubleshooting commands for ${p.node ?? 'this node'}'s role`, width), 'muted')];
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
  if (p.lines.length === 0 && p.status === 'idle')
    rows.push(theme.paint(fit('  press a number to run that command on this node', width), 'muted'));
  return rows;
}
