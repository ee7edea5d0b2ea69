// Lines of remote output as rows: styled segments in the theme's codes (no colour in mono),
// tabs expanded, cut to the pane's width with `…` at the edge where more is out of sight. The
// text is the sanitiser's: never raw bytes.
import type { Theme } from '../terminal/theme.js';
import { fit, textWidth, truncateStyled } from '../terminal/text-width.js';
import { expandTabs, type ShownLine } from './line-view.js';

/** One output line as a row exactly `width` columns wide; a shifted line starts with `…`. */
export function outputRow(line: ShownLine, width: number, theme: Theme): string {
  if (line.shifted && width > 1) return theme.paint('…', 'muted') + outputRow({ ...line, shifted: undefined }, width - 1, theme);
  if (!line.segments || !theme.color) {
    const text = expandTabs(line.text);
    return line.stream === 'stderr' && theme.color ? theme.paint(fit(text, width), 'warn') : fit(text, width);
  }
  let col = 0;
  let out = '';
  for (const seg of line.segments) {
    const text = expandTabs(seg.text, col);
    col += textWidth(text);
    out += theme.segment(text, seg.style);
    if (col > width) break;
  }
  return truncateStyled(out, width);
}
