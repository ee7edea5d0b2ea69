// Long lines in the output and troubleshooting panes: wrapped (every character kept, none split,
// CJK at two columns, styles kept with their text), scrolled sideways, and a table narrowed to the
// column a gate reads. Pure functions, checked on the shapes the simulator prints.
import { describe, expect, it } from 'vitest';
import { NODE_STATUS_COLUMNS, NODE_STATUS_RANGES_COLUMNS, prettyTable } from '../../src/sim/programs/dcos.js';
import type { OutputLine } from '../../src/transport/types.js';
import { cutLine, lineHint, narrowTables, toggledScroll, viewLines } from '../../src/ui/panes/line-view.js';
import { outputRow } from '../../src/ui/panes/output-lines.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { stripStyle, textWidth } from '../../src/ui/terminal/text-width.js';
import { boundedLine } from '../../src/engine/output.js';

const out = (text: string): OutputLine => ({ stream: 'stdout', text });
const JOURNAL =
  'Mar 08 13:56:13 master-1 mesos-master[4402]: W0308 13:56:13.201223  4420 recover.cpp:264] Unable to finish the recover protocol in 10secs, retrying';

describe('wrapping', () => {
  it('keeps every character, each row at most the width; the newest rows are in sight', () => {
    const lines = [out('first'), out(JOURNAL)];
    const v = viewLines(lines, { width: 40, height: 3, scroll: 0, wrap: true, left: 0 });
    expect(v.total).toBe(1 + Math.ceil(JOURNAL.length / 40));
    expect(v.lines.map((l) => l.text).join('')).toBe(JOURNAL.slice(-v.lines.map((l) => l.text).join('').length));
    expect(v.lines.at(-1)!.text).toBe(JOURNAL.slice(120));
    for (const l of v.lines) expect(textWidth(l.text)).toBeLessThanOrEqual(40);
    // Scrolled up by rows, the start of the long line comes into sight.
    const up = viewLines(lines, { width: 40, height: 3, scroll: 2, wrap: true, left: 0 });
    expect(up.lines.map((l) => l.text)).toEqual(['first', JOURNAL.slice(0, 40), JOURNAL.slice(40, 80)]);
  });

  it('Chinese at two columns a character: at an odd width no character is split and none is lost', () => {
    const zh = '主节点的注册表没有恢复：重启 dcos-mesos-master 之后再看这一项检查，直到它通过为止。';
    for (const width of [7, 10, 11, 80]) {
      const rows = cutLine(out(zh), width);
      expect(rows.map((r) => r.text).join('')).toBe(zh);
      for (const r of rows) expect(textWidth(r.text)).toBeLessThanOrEqual(width);
      // A full row is the width or one short of it (a wide character that did not fit).
      for (const r of rows.slice(0, -1)) expect(textWidth(r.text)).toBeGreaterThanOrEqual(width - 1);
    }
  });

  it('a hostile line (10,000 characters, no spaces, styles) as kept: rows of the width, styles kept, the marker of what was not kept at the end', () => {
    const text = 'x'.repeat(5000) + '界'.repeat(2500);
    const kept = boundedLine({
      stream: 'stdout',
      text,
      segments: [
        { text: 'x'.repeat(5000), style: { fg: 1 } },
        { text: '界'.repeat(2500), style: { bold: true } },
      ],
    });
    const rows = cutLine(kept, 79);
    const dark = createTheme('dark');
    for (const r of rows) {
      expect(textWidth(r.text)).toBeLessThanOrEqual(79);
      expect(r.segments!.map((s) => s.text).join('')).toBe(r.text);
      expect(textWidth(stripStyle(outputRow(r, 79, dark)))).toBe(79);
    }
    expect(rows.map((r) => r.text).join('')).toBe(kept.text);
    expect(rows.map((r) => r.text).join('')).toMatch(/ more characters of this line not kept\]$/);
    expect(rows[0]!.segments![0]!.style).toEqual({ fg: 1 });
  });

  it('the wrap key keeps the line at the bottom of the pane: rows <-> lines', () => {
    const lines = [out('a'), out(JOURNAL), out('b'), out('c')];
    // Cut, scrolled 2 lines up: the journal line is at the bottom; wrapped that is 2 rows up (b, c).
    expect(toggledScroll(lines, 40, 2, false)).toBe(2);
    const rows = toggledScroll(lines, 40, 3, false);
    expect(rows).toBe(2 + Math.ceil(JOURNAL.length / 40));
    expect(toggledScroll(lines, 40, rows, true)).toBe(3);
    // A row inside the long line: the line itself is at the bottom once cut.
    expect(toggledScroll(lines, 40, 3, true)).toBe(2);
    expect(toggledScroll(lines, 40, 0, true)).toBe(0);
  });
});

describe('sideways', () => {
  it('from a column: `…` says the left is out of sight, the row is the width, a wide character across the edge leaves a blank', () => {
    const lines = [out(JOURNAL), out('short'), out('日本語のテキスト')];
    const v = viewLines(lines, { width: 40, height: 5, scroll: 0, wrap: false, left: 3 });
    expect(v.widest).toBe(JOURNAL.length);
    expect(v.lines[0]!.text).toBe(JOURNAL.slice(3));
    expect(v.lines[0]!.shifted).toBe(true);
    expect(v.lines[1]!.text).toBe('shorts'.slice(3, 5));
    expect(v.lines[2]!.text).toBe(' 語のテキスト');
    const mono = createTheme('mono');
    const row = outputRow(v.lines[0]!, 40, mono);
    expect(row).toBe(`…${JOURNAL.slice(3, 41)}…`);
    expect(textWidth(outputRow(v.lines[2]!, 40, mono))).toBe(40);
    expect(lineHint(v, { wrap: false, tmux: false })).toBe('from col 4: ← back');
    // Scrolled past what the lines in sight have (another node's were wider): as far as they go.
    const past = viewLines([out(JOURNAL)], { width: 40, height: 5, scroll: 0, wrap: false, left: 500 });
    expect(past.left).toBe(JOURNAL.length - 39);
    expect(outputRow(past.lines[0]!, 40, mono)).toBe(`…${JOURNAL.slice(-39)}`);
    expect(viewLines([out('short')], { width: 40, height: 5, scroll: 0, wrap: false, left: 500 }).lines[0]).toEqual(out('short'));
  });

  it('says when a line is cut, and offers O inside tmux', () => {
    const v = viewLines([out(JOURNAL)], { width: 80, height: 5, scroll: 0, wrap: false, left: 0 });
    expect(v.cut).toBe(true);
    expect(lineHint(v, { wrap: false, tmux: false })).toBe('cut: w wraps, → scrolls');
    expect(lineHint(v, { wrap: false, tmux: true })).toBe('cut: w wraps, O opens in tmux');
    const fits = viewLines([out('short')], { width: 80, height: 5, scroll: 0, wrap: false, left: 0 });
    expect(lineHint(fits, { wrap: false, tmux: true })).toBe('');
  });
});

describe('a gate that reads a column', () => {
  const table = prettyTable(
    [...NODE_STATUS_COLUMNS, ...NODE_STATUS_RANGES_COLUMNS],
    [1, 2, 3].map((i) => [
      String(i),
      `10.0.4.${i}:26257`,
      'v1.1.4',
      '2018-03-08 13:56:01.123456+00:00',
      '2018-03-08 13:50:01.123456+00:00',
      '12',
      '12',
      '40',
      '0',
      i === 2 ? '7' : '0',
    ]),
  );
  const lines = [out('$ cockroach node status --ranges'), ...table.trimEnd().split('\n').map(out)];

  it.each([80, 120])('at %i columns: the first column and the named one, every row, `…` where columns are left out', (width) => {
    const narrowed = narrowTables(lines, 'ranges_underreplicated', width)!;
    expect(narrowed[0]!.text).toBe(lines[0]!.text);
    expect(narrowed.at(-1)!.text).toBe('(3 rows)');
    const body = narrowed.slice(1, -1).map((l) => l.text);
    for (const l of body) {
      expect(l.length).toBeLessThanOrEqual(width);
      expect(l).toContain(' … ');
    }
    expect(body[1]).toMatch(/^\| id \| … \|.* ranges_underreplicated \|$/);
    expect(body[0]).toMatch(/^\+----\+ … \+.*-\+$/);
    // The under-replicated master's 7 is in sight, in its row.
    expect(body[4]).toMatch(/^\| +2 \| … \|.*\| +7 \|$/);
    if (width === 120) expect(body[1]).toContain('ranges_unavailable');
    const v = viewLines(lines, { width, height: 10, scroll: 0, wrap: false, left: 0, column: 'ranges_underreplicated' });
    expect(v.focused).toBe('ranges_underreplicated');
    expect(v.lines.map((l) => l.text)).toEqual(narrowed.map((l) => l.text));
    expect(lineHint(v, { wrap: false, tmux: false })).toBe('columns left out: → all');
  });

  it('only the table with that column, only when it is wider than the pane; scrolled sideways, the table is whole', () => {
    expect(narrowTables(lines, 'ranges_underreplicated', 300)).toBeUndefined();
    expect(narrowTables(lines, 'no_such_column', 80)).toBeUndefined();
    const v = viewLines(lines, { width: 80, height: 10, scroll: 0, wrap: false, left: 8, column: 'ranges_underreplicated' });
    expect(v.focused).toBeUndefined();
    expect(v.lines[2]!.text).toBe(lines[2]!.text.slice(8));
  });
});
