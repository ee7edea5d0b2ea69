// The step list: every section with its state and progress, the steps of the current section
// (and of the one holding the cursor) with theirs, a spinner on running steps, and
// in training the selected step's `why` (or, once it failed, its hint) under the list.
import { Box, Text } from 'ink';
import React, { memo, useContext, useMemo } from 'react';
import { AnimationContext } from './animation.js';
import { GLYPH, SPINNER_FRAMES, SPINNER_MARK, type DisplayState, type Theme } from './theme.js';
import { fit, padEnd, textWidth, truncate, wrap } from './text-width.js';
import type { StepRow } from './view-model.js';

export interface StepListProps {
  rows: readonly StepRow[];
  /** The row key the cursor is on. */
  cursor?: string;
  width: number;
  height: number;
  focused: boolean;
  training: boolean;
  theme: Theme;
}

export interface StepLine {
  /** The cursor mark and the indent. */
  prefix: string;
  state: DisplayState;
  /** After the glyph, to the row's end: title and detail. */
  rest: string;
  selected: boolean;
}

/** The rows that fit (the cursor kept in view) and the `why` lines under them. Pure. */
export function stepListLayout(props: Pick<StepListProps, 'rows' | 'cursor' | 'width' | 'height' | 'training'>): { lines: StepLine[]; why: string[] } {
  const { rows, cursor, width, height, training } = props;
  const selected = rows.find((r) => r.key === cursor);
  const explain = training && selected ? (selected.state === 'failed' && selected.hint ? `hint: ${selected.hint}` : selected.why) : undefined;
  const why = explain ? wrap(explain, width - 2).slice(0, 3).map((l) => ` ${l}`) : [];
  const listHeight = Math.max(0, height - 1 - why.length);
  const at = Math.max(0, rows.findIndex((r) => r.key === cursor));
  const start = Math.max(0, Math.min(at - Math.floor(listHeight / 3), rows.length - listHeight));
  return {
    why,
    lines: rows.slice(start, start + listHeight).map((r): StepLine => {
      const isCursor = r.key === cursor;
      const prefix = `${isCursor ? '›' : ' '}${r.kind === 'step' ? '  ' : ''}`;
      const body = width - textWidth(prefix) - 2;
      const detail = r.detail ? truncate(r.detail, Math.max(0, Math.floor(body * 0.5))) : '';
      const title = fit(r.title, Math.max(0, body - (detail ? textWidth(detail) + 1 : 0)));
      return { prefix, state: r.state, rest: padEnd(` ${title}${detail ? ` ${detail}` : ''}`, width - textWidth(prefix) - 1), selected: isCursor };
    }),
  };
}

export const StepList = memo(function StepList({ rows, cursor, width, height, focused, training, theme }: StepListProps) {
  const { animate } = useContext(AnimationContext);
  const layout = useMemo(() => stepListLayout({ rows, cursor, width, height, training }), [rows, cursor, width, height, training]);
  const title = theme.paint(fit(focused ? ' Steps ◂' : ' Steps', width), 'title', { underline: focused });
  const blank = Math.max(0, height - 1 - layout.lines.length - layout.why.length);
  return (
    <Box flexDirection="column" width={width} height={height} flexShrink={0}>
      <Text wrap="truncate">{title}</Text>
      {layout.lines.map((l, i) => {
        const inverse = l.selected && focused;
        const tone = theme.tone(l.state);
        const prefix = theme.paint(l.prefix, 'plain', { inverse });
        const rest = theme.paint(l.rest, l.state === 'pending' && !inverse ? 'muted' : 'plain', { inverse });
        // A running step's spinner: the screen writer animates the mark (frozen in tests).
        const glyph = l.state === 'running' ? (animate ? SPINNER_MARK : SPINNER_FRAMES[0]) : GLYPH[l.state];
        return (
          <Text key={i} wrap="truncate">
            {prefix}
            {theme.paint(glyph, tone, { inverse })}
            {rest}
          </Text>
        );
      })}
      {Array.from({ length: blank }, (_, i) => (
        <Text key={`blank${i}`}> </Text>
      ))}
      {layout.why.map((l, i) => (
        <Text key={`why${i}`} wrap="truncate">
          {theme.paint(fit(l, width), 'muted')}
        </Text>
      ))}
    </Box>
  );
});
