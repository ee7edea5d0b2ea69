// Lines of remote output as rows: styled segments in the theme's codes (no colour in mono),
// tabs expanded, cut to the pane's width. The text is the sanitiser's: never raw bytes.
import type { OutputLine } from '../../transport/types.js';
import type { Theme } from '../terminal/theme.js';
import { fit, textWidth, truncateStyled } from '../terminal/text-width.js';

function expandTabs(text: string, from = 0): string {
  if (!text.includes('\t')) return text;
  let out = '';
  let col = from;
  for (const ch of text) {
    if (ch === '\t') {
      const n = 8 - (col % 8);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col += textWidth(ch);
    }
  }
  return out;
}

/** One output line as a row exactly `width` columns wide. */
export function outputRow(line: OutputLine, width: number, theme: Theme): string {
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
