// The `?` overlay: every key, by where it works, from the keymap.
import React, { memo, useMemo } from 'react';
import { BINDINGS, FOCUS_ORDER, MODE_TITLES, keyLabel, type Mode } from './keymap.js';
import { boxed } from './box.js';
import { Lines } from './Lines.js';
import type { Theme } from './theme.js';
import { fit, wrap } from './text-width.js';

export interface HelpOverlayProps {
  scroll: number;
  width: number;
  height: number;
  theme: Theme;
}

const GROUPS: readonly (readonly Mode[])[] = [FOCUS_ORDER, ['confirm'], ['typed'], ['quit'], ['reason', 'filter'], ['help']];

/** Every row of the help, before scrolling. */
export function helpRows(width: number, theme: Theme): string[] {
  const rows: string[] = [];
  const keyWidth = 16;
  for (const group of GROUPS) {
    const bindings = BINDINGS.filter((b) => b.modes.some((m) => group.includes(m)));
    if (bindings.length === 0) continue;
    rows.push(theme.paint(group === FOCUS_ORDER ? 'In the panes' : group.map((m) => MODE_TITLES[m]).join(', '), 'title'));
    for (const b of bindings) {
      const keys = fit(b.keys.map(keyLabel).join(' '), keyWidth);
      const text = wrap(b.help, Math.max(10, width - keyWidth - 6));
      text.forEach((t, i) => rows.push(`  ${i === 0 ? theme.paint(keys, 'accent', { bold: true }) : ' '.repeat(keyWidth)} ${t}`));
    }
    rows.push('');
  }
  return rows;
}

/** The overlay's rows (none while the help is closed: scroll undefined). */
export function useHelpOverlayLines(scroll: number | undefined, width: number, height: number, theme: Theme): string[] {
  return useMemo(() => {
    if (scroll === undefined) return [];
    const rows = helpRows(width - 4, theme);
    const body = rows.slice(scroll, scroll + height - 2);
    return boxed('Keys  (↑↓ scroll, ? or esc closes)', body.map((l) => ` ${l}`), width, height, theme);
  }, [scroll, width, height, theme]);
}

export const HelpOverlay = memo(function HelpOverlay({ scroll, width, height, theme }: HelpOverlayProps) {
  return <Lines lines={useHelpOverlayLines(scroll, width, height, theme)} width={width} height={height} />;
});
