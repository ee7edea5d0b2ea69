// A pane as rows of text, each row a string already cut to the pane's width by the pane: one
// element per pane, whatever the number of nodes.
import { Box, Text } from 'ink';
import React, { memo } from 'react';

export interface LinesProps {
  lines: readonly string[];
  width: number;
  height: number;
}

/**
 * A row without its trailing blanks: Ink reads every character of every row on every frame, and
 * the screen writer erases the rest of a row anyway. Rows with inverse or underline (a selection,
 * a focused title) keep theirs: they are part of the look.
 */
export function trimRow(line: string): string {
  if (!line.endsWith(' ') && !line.endsWith('m')) return line;
  for (const m of line.matchAll(/\x1b\[([0-9;]*)m/g)) {
    if (m[1]!.split(';').some((p) => p === '4' || p === '7')) return line;
  }
  return line.replace(/ +((?:\x1b\[[0-9;]*m)*)$/, '$1');
}

export const Lines = memo(function Lines({ lines, width, height }: LinesProps) {
  const rows: string[] = [];
  for (let i = 0; i < height; i++) rows.push(trimRow(lines[i] ?? ''));
  // One Text for the whole pane: Ink measures, lays out and draws each element on every frame,
  // so fewer elements make a cheaper frame. Rows are cut to the width already (no clipping box:
  // Ink would slice every row of it on every frame).
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <Text wrap="truncate">{rows.join('\n')}</Text>
    </Box>
  );
});
