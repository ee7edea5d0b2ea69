// The troubleshooting pane: the role's commands for the selected node, numbered (each one key
// away), and the output of the one running, streamed live.
import React, { memo, useMemo } from 'react';
import type { OutputLine } from '../transport/types.js';
import { Lines } from './Lines.js';
import { outputRow } from './output-lines.js';
import { outputTitle } from './OutputPane.js';
import type { Theme } from './theme.js';
import { truncateStyled } from './grid.js';
import { fit } from './text-width.js';
import type { TroubleshootStatus } from './troubleshoot.js';

export interface TroubleshootPaneProps {
  node?: string;
  commands: readonly { title: string; live: boolean }[];
  /** The command shown (its output below). */
  index?: number;
  display?: string;
  status: TroubleshootStatus;
  ended?: string;
  lines: readonly OutputLine[];
  scroll: number;
  width: number;
  height: number;
  focused: boolean;
  theme: Theme;
  version: number;
}

const STATUS_WORD: Record<TroubleshootStatus, string> = { idle: '', running: 'running', done: 'done', stopped: 'stopped', failed: 'failed' };

export function troubleshootPaneLines(p: TroubleshootPaneProps): string[] {
  const { theme, width } = p;
  const state = p.status === 'running' && p.commands[p.index ?? -1]?.live ? 'live' : STATUS_WORD[p.status];
  const right = [p.scroll > 0 ? `↑${p.scroll}` : '', state, p.ended && p.status !== 'running' ? p.ended : ''].filter(Boolean).join(' ');
  const title = outputTitle('Troubleshoot', [p.node ?? 'no node selected'], right, width, p.focused, theme);
  if (p.commands.length === 0) return [title, theme.paint(fit(`  the runbook has no troubleshooting commands for ${p.node ?? 'this node'}'s role`, width), 'muted')];
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
  if (p.lines.length === 0 && p.status === 'idle') rows.push(theme.paint(fit('  press a number to run that command on this node', width), 'muted'));
  return rows;
}

/** The rows (none while the pane is closed), made again only when what they show changed. */
export function useTroubleshootPaneLines(props: TroubleshootPaneProps | undefined): string[] {
  const p = props;
  return useMemo(
    () => (p ? troubleshootPaneLines(p) : []),
    [p === undefined, p?.version, p?.lines, p?.node, p?.index, p?.display, p?.status, p?.ended, p?.scroll, p?.width, p?.height, p?.focused, p?.theme, p?.commands],
  );
}

export const TroubleshootPane = memo(function TroubleshootPane(props: TroubleshootPaneProps) {
  return <Lines lines={useTroubleshootPaneLines(props)} width={props.width} height={props.height} />;
});
