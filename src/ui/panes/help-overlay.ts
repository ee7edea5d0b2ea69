// The `?` overlay: every key, by where it works, from the keymap.
import { keyWords } from '../key-words.js';
import { BINDINGS, FOCUS_ORDER, keyLabel, type Mode } from '../app/keymap.js';
import { boxed } from '../terminal/box.js';
import type { Theme } from '../terminal/theme.js';
import { fit, wrap } from '../terminal/text-width.js';
import { en, type UiWords } from '../../words/words.js';

export interface HelpOverlayProps {
  scroll: number;
  width: number;
  height: number;
  theme: Theme;
  words?: UiWords;
}

const GROUPS: readonly (readonly Mode[])[] = [FOCUS_ORDER, ['confirm'], ['typed'], ['quit'], ['reason', 'filter'], ['help']];

/** Every row of the help, before scrolling. */
export function helpRows(width: number, theme: Theme, words: UiWords = en): string[] {
  const rows: string[] = [];
  const keyWidth = 16;
  for (const group of GROUPS) {
    const bindings = BINDINGS.filter((b) => b.modes.some((m) => group.includes(m)));
    if (bindings.length === 0) continue;
    rows.push(
      theme.paint(group === FOCUS_ORDER ? words.inPanes : group.map((m) => keyWords(words).modeTitles[m]).join(words.comma), 'title'),
    );
    for (const b of bindings) {
      const keys = fit(b.keys.map(keyLabel).join(' '), keyWidth);
      const text = wrap(keyWords(words).commands[b.id].help, Math.max(10, width - keyWidth - 6));
      text.forEach((t, i) => rows.push(`  ${i === 0 ? theme.paint(keys, 'accent', { bold: true }) : ' '.repeat(keyWidth)} ${t}`));
    }
    rows.push('');
  }
  return rows;
}

/** The overlay's rows: the help scrolled by `scroll`, in a box. */
export function helpOverlayLines({ scroll, width, height, theme, words = en }: HelpOverlayProps): string[] {
  const rows = helpRows(width - 4, theme, words);
  const body = rows.slice(scroll, scroll + height - 2);
  return boxed(
    words.helpTitle,
    body.map((l) => ` ${l}`),
    width,
    height,
    theme,
  );
}
