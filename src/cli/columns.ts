// Plain text tables for the command line: columns padded by display width, so a Chinese title
// (two columns a character) lines up with English ones.
import stringWidth from 'string-width';

/** Pads a cell to `width` terminal columns. */
export const padCell = (text: string, width: number): string => text + ' '.repeat(Math.max(0, width - stringWidth(text)));

/**
 * The rows as lines, each cell padded to its column's widest; the last column is not padded
 * (no trailing blanks). `indent` goes before each line.
 */
export function alignColumns(rows: readonly (readonly string[])[], indent = '', gap = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, stringWidth(cell))));
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : padCell(cell, widths[i]!)))
        .join(gap)
        .trimEnd(),
  );
}
