// The help bar: the keys of the mode the operator is in, from the keymap.
import { BINDINGS, keyLabel, type Mode } from '../app/keymap.js';
import type { Theme } from '../terminal/theme.js';
import { padEnd, textWidth } from '../terminal/text-width.js';
import { en, type UiWords } from '../words.js';

export interface HelpBarProps {
  mode: Mode;
  /** Several nodes wait on the confirmation's step (its `a` applies). */
  group?: boolean;
  width: number;
  theme: Theme;
  words?: UiWords;
}

/** The bar's items for a mode: `key label`, in keymap order. */
export function helpItems(mode: Mode, group = false, words: UiWords = en): string[] {
  const out: string[] = [];
  for (const b of BINDINGS) {
    if (!b.bar || !b.modes.includes(mode)) continue;
    if (b.barWhen === 'group' && !group) continue;
    const keys = b.id === 'confirm.yes' || b.id === 'confirm.no' ? b.keys[0]! : b.keys.slice(0, 1).map(keyLabel).join('/');
    out.push(`${keys} ${words.commands[b.id].label}`);
  }
  return out;
}

export function helpBarLine({ mode, group, width, theme, words }: HelpBarProps): string {
  const items = helpItems(mode, group, words);
  let line = ' ';
  for (const item of items) {
    if (textWidth(line) + textWidth(item) + 2 > width) break;
    const [key, ...rest] = item.split(' ');
    line += `${theme.paint(key!, 'accent', { bold: true })} ${rest.join(' ')}  `;
  }
  return padEnd(line, width);
}
