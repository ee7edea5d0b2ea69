// Text measured in terminal columns, not UTF-16 units: a CJK character takes two columns, a
// combining mark none. Every pane builds its rows as strings of an exact width with these, so
// the Chinese runbook lines up and no row ever wraps (a wrapped row would push the screen past
// the terminal's height). Ours rather than cli-truncate and wrap-ansi: on the panes' work they
// are 2 to 5 times slower here, and wrap-ansi breaks lines elsewhere (bench/text.ts; the numbers
// and the rule in docs/architecture.md, "Text code: ours or a library's").
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
  // Blanks before the ellipsis would read as a gap ("Patch …"): the ellipsis follows the text.
  // ASCII and the panes' own one-column glyphs: a column per UTF-16 unit, no segmenting.
  if (PRINTABLE_ASCII.test(text) || (SIMPLE.test(text) && !text.includes('\x1b')))
    return text.length <= width ? text : width === 1 ? ellipsis : text.slice(0, width - 1).trimEnd() + ellipsis;
  if (stringWidth(text) <= width) return text;
  const room = width - 1;
  let out = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = textWidth(segment);
    if (used + w > room) break;
    out += segment;
    used += w;
  }
  return out.trimEnd() + ellipsis;
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

// Chinese and Japanese text breaks between any two characters, except that a closing mark
// (，。、：）」 ...) never starts a line and an opening one (（「 ...) never ends one.
const CLOSING = new Set([...'，。、；：？！）」』】》〉〕］｝’”…‥・ー々〜%,.;:!?)]}']);
const OPENING = new Set([...'（「『【《〈〔［｛‘“([{']);

/** A piece of a line that is never broken (unless longer than a line), and whether a space came before it. */
interface Atom {
  text: string;
  width: number;
  space: boolean;
}

function atomsOf(paragraph: string): Atom[] {
  const atoms: Atom[] = [];
  if (PRINTABLE_ASCII.test(paragraph)) {
    // ASCII: words between spaces.
    let space = false;
    for (const word of paragraph.split(/( +)/)) {
      if (word === '') continue;
      if (word.startsWith(' ')) space = true;
      else {
        atoms.push({ text: word, width: word.length, space });
        space = false;
      }
    }
    return atoms;
  }
  let text = '';
  let width = 0;
  let space = false;
  let prev = '';
  let prevWide = false;
  const flush = () => {
    if (text !== '') atoms.push({ text, width, space });
    text = '';
    width = 0;
    space = false;
  };
  for (const { segment } of segmenter.segment(paragraph)) {
    if (/^\s+$/.test(segment)) {
      flush();
      space = true;
      prev = '';
      prevWide = false;
      continue;
    }
    const w = textWidth(segment);
    const wide = w > 1;
    // A break between two characters when one of them is wide (CJK), unless a mark forbids it.
    if (text !== '' && (wide || prevWide) && !CLOSING.has(segment) && !OPENING.has(prev)) flush();
    text += segment;
    width += w;
    prev = segment;
    prevWide = wide;
  }
  flush();
  return atoms;
}

/**
 * Wraps plain text to lines of at most `width` columns, breaking at spaces, between CJK
 * characters (never before a closing mark or after an opening one), and inside a word where it
 * must (one longer than a line).
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
    for (const atom of atomsOf(paragraph)) {
      const sep = atom.space && lineWidth > 0 ? 1 : 0;
      if (lineWidth + sep + atom.width <= width) {
        line += (sep ? ' ' : '') + atom.text;
        lineWidth += sep + atom.width;
        continue;
      }
      if (atom.width <= width && lineWidth > 0) {
        push();
        line = atom.text;
        lineWidth = atom.width;
        continue;
      }
      // Longer than a line: cut between graphemes.
      if (sep && lineWidth < width) {
        line += ' ';
        lineWidth += 1;
      }
      for (const { segment } of segmenter.segment(atom.text)) {
        const sw = textWidth(segment);
        if (lineWidth + sw > width && lineWidth > 0) push();
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

/** Cuts a styled string (our SGR codes) to a width, keeping its codes balanced. */
export function truncateStyled(text: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return padEnd(text, width);
  let out = '';
  let used = 0;
  const re = /(\x1b\[[0-9;]*m)|([^\x1b]+)/g;
  for (const m of text.matchAll(re)) {
    if (m[1]) {
      out += m[1];
      continue;
    }
    const piece = m[2]!;
    const w = textWidth(piece);
    if (used + w <= width - 1) {
      out += piece;
      used += w;
      continue;
    }
    out += truncate(piece, width - used);
    used = width;
    break;
  }
  return padEnd(`${out}\x1b[0m`, width);
}
