// The selected step's explanation whole, in the output pane's place while `e` holds it open: the
// step list has room for its first lines only (they end with … e more when cut).
import type { Theme } from '../terminal/theme.js';
import { fit, wrap } from '../terminal/text-width.js';
import { outputTitle } from './output-pane.js';
import { explanation } from './step-list.js';

export interface ExplainPaneProps {
  /** The step's title. */
  step: string;
  text: string;
  width: number;
  height: number;
  theme: Theme;
}

// Words of the UI, for the catalog.
const TITLE = 'Why';
const CLOSE = 'e closes';

export function explainPaneLines(p: ExplainPaneProps): string[] {
  const room = Math.max(0, p.height - 1);
  // Longer than even this room: cut, and said so, as under the list.
  const rows = wrap(p.text, p.width - 2).length <= room ? wrap(p.text, p.width - 2) : explanation(p.text, p.width - 2, room);
  return [outputTitle(TITLE, [p.step], CLOSE, p.width, false, p.theme), ...rows.map((l) => fit(` ${l}`, p.width))];
}
