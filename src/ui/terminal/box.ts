// A bordered box as rows of text, for the dialogs: exactly `width` x `height`, the title in the
// top border. Content rows are cut to fit; callers size the box so that what must be read whole
// (a command about to run) is never cut.
import type { Theme, Tone } from './theme.js';
import { padEnd, textWidth, truncate, truncateStyled } from './text-width.js';

export function boxed(
  title: string,
  body: readonly string[],
  width: number,
  height: number,
  theme: Theme,
  tone: Tone = 'accent',
): string[] {
  if (width < 4 || height < 2) return [];
  const inner = width - 2;
  const head = truncate(` ${title} `, inner);
  const top = theme.paint(`┌${head}${'─'.repeat(Math.max(0, inner - textWidth(head)))}┐`, tone, { bold: true });
  const bottom = theme.paint(`└${'─'.repeat(inner)}┘`, tone);
  const side = theme.paint('│', tone);
  const rows: string[] = [top];
  for (let i = 0; i < height - 2; i++) {
    const line = body[i] ?? '';
    rows.push(`${side}${textWidth(line) > inner ? truncateStyled(line, inner) : padEnd(line, inner)}${side}`);
  }
  rows.push(bottom);
  return rows;
}
