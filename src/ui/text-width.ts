// Text measured in terminal columns, not UTF-16 units: a CJK character takes two columns, a
// combining mark none. Every pane builds its rows as strings of an exact width with these, so
// the Chinese runbook lines up and no row ever wraps (a wrapped row would push the screen past
// the terminal's height).
import stringWidth from 'string-width';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const SGR = /\x1b\[[0-9;]*m/g;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The glyphs the panes draw (states, marks, box lines, the spinner's braille frames and the mark
 * the screen writer turns): one UTF-16 unit and one column each, checked against string-width in
 * test/ui/text-width.test.ts. Rows made of these, ASCII and colour codes are measured by counting,
 * without string-width's grapheme segmentation (most of a frame's measuring at 2,000 nodes).
 */
export const NARROW_GLYPHS = '○◐◔●✔✖⊘♥·›◂…█↑↓→□─│┌┐└┘⏲\u{E000}';
const SIMPLE = new RegExp(`^(?:[\\x20-\\x7e${NARROW_GLYPHS}\\u2800-\\u28ff]|\\x1b\\[[0-9;]*m)*$`, 'u');

/** Columns a string takes; our own colour codes (SGR) take none. */
export function textWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  if (SIMPLE.test(text)) return text.includes('\x1b') ? text.replace(SGR, '').length : text.length;
  return stringWidth(text);
}

/** Removes our colour codes (SGR), for tests and width checks. */
export const stripStyle = (text: string): string => text.replace(SGR, '');

/**
 * Cuts a plain string (no colour codes) to at most `width` columns, ending with `…` when cut.
 * A wide character that would straddle the edge is dropped whole.
 */
export function truncate(text: string, width: number, ellipsis = '…'): string {
  if (width <= 0) return '';
  if (PRINTABLE_ASCII.test(text)) return text.length <= width ? text : width === 1 ? ellipsis : text.slice(0, width - 1) + ellipsis;
  if (stringWidth(text) <= width) return text;
  const room = width - 1;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = stringWidth(segment);
    if (used + w > room) break;
    out += segment;
    used += w;
  }
  return out + ellipsis;
}

/** Pads a string (colour codes allowed) with spaces to `width` columns; never cuts. */
export function padEnd(text: string, width: number): string {
  const w = textWidth(text);
  return w >= width ? text : text + ' '.repeat(width - w);
}

/** Right-aligns a string in `width` columns; never cuts. */
export function padStart(text: string, width: number): string {
  const w = textWidth(text);
  return w >= width ? text : ' '.repeat(width - w) + text;
}

/** Exactly `width` columns: cut with `…` or padded with spaces. Plain text only. */
export const fit = (text: string, width: number): string => padEnd(truncate(text, width), width);

/**
 * Wraps plain text to lines of at most `width` columns, breaking at spaces where it can and
 * inside a word (or between CJK characters) where it must.
 */
export function wrap(text: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    const push = () => {
      out.push(line.trimEnd());
      line = '';
      lineWidth = 0;
    };
    for (const word of paragraph.split(/(\s+)/)) {
      if (word === '') continue;
      const isSpace = /^\s+$/.test(word);
      const w = isSpace ? 1 : textWidth(word);
      if (isSpace) {
        if (lineWidth > 0 && lineWidth < width) {
          line += ' ';
          lineWidth += 1;
        }
        continue;
      }
      if (lineWidth + w <= width) {
        line += word;
        lineWidth += w;
        continue;
      }
      if (w <= width && lineWidth > 0) {
        push();
        line = word;
        lineWidth = w;
        continue;
      }
      // Longer than a line (or CJK without spaces): break between graphemes.
      for (const { segment } of segmenter.segment(word)) {
        const sw = textWidth(segment);
        if (lineWidth + sw > width) push();
        line += segment;
        lineWidth += sw;
      }
    }
    push();
  }
  return out;
}

/** Cuts text into lines of at most `width` columns, keeping every character (spaces included). */
export function hardWrap(text: string, width: number): string[] {
  if (width <= 0) return [];
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    let used = 0;
    for (const { segment } of segmenter.segment(paragraph)) {
      const w = segment === '\t' ? 1 : textWidth(segment);
      if (used + w > width) {
        out.push(line);
        line = '';
        used = 0;
      }
      line += segment === '\t' ? ' ' : segment;
      used += w;
    }
    out.push(line);
  }
  return out;
}
