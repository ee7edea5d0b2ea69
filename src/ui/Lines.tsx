// A pane as rows of text: one Text per row, each row a string already cut and padded to the
// pane's width by the pane. Few elements per frame, whatever the number of nodes.
import { Box, Text } from 'ink';
import React, { memo } from 'react';

export interface LinesProps {
  lines: readonly string[];
  width: number;
  height: number;
}

export const Lines = memo(function Lines({ lines, width, height }: LinesProps) {
  const rows: string[] = [];
  for (let i = 0; i < height; i++) rows.push(lines[i] ?? '');
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      {rows.map((line, i) => (
        <Text key={i} wrap="truncate">
          {line === '' ? ' ' : line}
        </Text>
      ))}
    </Box>
  );
});
