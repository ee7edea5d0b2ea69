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
 * the screen writer erases the rest of a row anyway. Blanks drawn in inverse, underline or a
 * background colour (a selection, a focused title) are kept: they are part of the look.
 */
export function trimRow(line: string): string {
  if (!line.endsWith(' ') && !line.endsWith('m')) return line;
  const tail = / +((?:\x1b\[[0-9;]*m)*)$/.exec(line);
  if (!tail) return line;
  // The attributes in force where the blanks start (a colour's parameters may read as one: then
  // the blanks are kept, which only costs bytes).
  const on = new Set<string>();
  for (const m of line.slice(0, tail.index).matchAll(/\x1b\[([0-9;]*)m/g)) {
    for (const p of m[1]!.split(';')) {
      if (p === '' || p === '0') on.clear();
      else if (p === '4' || p === '7') on.add(p);
      else if (p === '24' || p === '27') on.delete(p.slice(1));
      else if (/^(4[0-8]|10[0-7])$/.test(p)) on.add('bg');
      else if (p === '49') on.delete('bg');
    }
  }
  const visible = on.size > 0;
  return visible ? line : line.slice(0, tail.index) + tail[1];
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
