// The node grid pane: its title (with the filter and how many nodes it shows) over the rows
// that grid.ts builds as strings.
import { renderGrid, type GridInput } from './grid.js';
import { fit } from '../terminal/text-width.js';
import { en } from '../../words/words.js';

export interface NodeGridProps extends Omit<GridInput, 'height'> {
  /** Rows of the pane, its title included. */
  height: number;
  /** Changes whenever health facts change (they are read from a mutable map). */
  healthVersion: number;
}

export function nodeGridLines(props: NodeGridProps): string[] {
  const w = props.words ?? en;
  const grid = renderGrid({ ...props, height: props.height - 1 });
  const filter = props.filter
    ? `  ${w.gridFilter(props.filter, grid.shown, grid.total)}`
    : grid.total > 20
      ? `  ${w.nodes(grid.total)}`
      : '';
  const title = props.theme.paint(fit(`${props.focused ? ` ${w.nodesPane} ◂` : ` ${w.nodesPane}`}${filter}`, props.width), 'title', {
    underline: props.focused,
  });
  return [title, ...grid.lines];
}
