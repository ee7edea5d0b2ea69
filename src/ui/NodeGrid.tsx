// The node grid pane: its title (with the filter and how many nodes it shows) over the rows
// that grid.ts builds as strings.
import React, { memo, useMemo } from 'react';
import { renderGrid, type GridInput } from './grid.js';
import { Lines } from './Lines.js';
import { fit } from './text-width.js';

export interface NodeGridProps extends Omit<GridInput, 'height'> {
  /** Rows of the pane, its title included. */
  height: number;
  /** Changes whenever health facts change (they are read from a mutable map). */
  healthVersion: number;
}

export function nodeGridLines(props: NodeGridProps): string[] {
  const grid = renderGrid({ ...props, height: props.height - 1 });
  const filter = props.filter ? `  filter: ${props.filter} (${grid.shown}/${grid.total})` : grid.total > 20 ? `  ${grid.total} nodes` : '';
  const title = props.theme.paint(fit(`${props.focused ? ' Nodes ◂' : ' Nodes'}${filter}`, props.width), 'title', { underline: props.focused });
  return [title, ...grid.lines];
}

/** The rows, made again only when what they show changed. */
export function useNodeGridLines(props: NodeGridProps): string[] {
  // health is a mutable map: healthVersion says when it changed; probed and roleTitles change with the plan only.
  return useMemo(() => nodeGridLines(props), [props.views, props.selected, props.filter, props.focused, props.width, props.height, props.now, props.spinner, props.healthVersion, props.theme, props.version]);
}

export const NodeGrid = memo(function NodeGrid(props: NodeGridProps) {
  return <Lines lines={useNodeGridLines(props)} width={props.width} height={props.height} />;
});
