import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { trimRow } from '../../src/ui/terminal/screen-writer.js';
import { ScreenWriter, safeRow, spinnerCells } from '../../src/ui/terminal/screen-writer.js';
import { SPINNER_MARK } from '../../src/ui/terminal/theme.js';

class Terminal {
  writes: string[] = [];
  write(text: string) {
    this.writes.push(text);
    return true;
  }
  take(): string {
    const all = this.writes.join('');
    this.writes = [];
    return all;
  }
}

let now = 0;
beforeEach(() => {
  vi.useFakeTimers();
  now = 1000;
});
afterEach(() => vi.useRealTimers());

function writer(size = { columns: 10, rows: 3 }, maxFps = 20) {
  const t = new Terminal();
  const w = new ScreenWriter(t, () => size, { maxFps, now: () => now, synchronized: false });
  w.enter();
  t.take();
  return { t, w, size };
}

describe('the screen writer', () => {
  it('draws every row at its place, then only the rows that changed', () => {
    const { t, w } = writer();
    w.frame('one\ntwo\nthree');
    expect(t.take()).toBe('\x1b[1;1Hone\x1b[0m\x1b[K\x1b[2;1Htwo\x1b[0m\x1b[K\x1b[3;1Hthree\x1b[0m\x1b[K');
    now += 100;
    w.frame('one\nTWO\nthree');
    expect(t.take()).toBe('\x1b[2;1HTWO\x1b[0m\x1b[K');
    now += 100;
    w.frame('one\nTWO\nthree');
    expect(t.take()).toBe('');
  });

  it('does not erase after a full row (the cursor waits on its last column)', () => {
    const { t, w } = writer({ columns: 4, rows: 1 });
    w.frame('abcd');
    expect(t.take()).toBe('\x1b[1;1Habcd\x1b[0m');
  });

  it('caps frames: a burst draws once now and once at the end of the window', () => {
    const { t, w } = writer();
    w.frame('a');
    w.frame('b');
    w.frame('c');
    expect(t.take()).toBe('\x1b[1;1Ha\x1b[0m\x1b[K\x1b[2;1H\x1b[0m\x1b[K\x1b[3;1H\x1b[0m\x1b[K');
    vi.advanceTimersByTime(49);
    expect(t.take()).toBe('');
    now += 50;
    vi.advanceTimersByTime(1);
    expect(t.take()).toBe('\x1b[1;1Hc\x1b[0m\x1b[K');
    expect(w.stats.frames).toBe(2);
  });

  it('after a resize, clears the screen and draws every row again', () => {
    const { t, w, size } = writer();
    w.frame('x\ny');
    t.take();
    size.rows = 2;
    now += 100;
    w.invalidate();
    expect(t.take()).toBe('');
    w.frame('x\ny');
    expect(t.take()).toBe('\x1b[H\x1b[2J\x1b[1;1Hx\x1b[0m\x1b[K\x1b[2;1Hy\x1b[0m\x1b[K');
  });

  it('turns spinners by itself: a few bytes per step, at the mark, in its colours', () => {
    const { t, w } = writer({ columns: 20, rows: 2 });
    w.frame(`\x1b[1mStep\x1b[0m \x1b[36m${SPINNER_MARK}\x1b[0m go\nrest`);
    expect(t.take()).toContain('\x1b[36m⠋\x1b[0m');
    vi.advanceTimersByTime(80);
    expect(t.take()).toBe('\x1b[1;6H\x1b[36m⠙\x1b[0m');
    vi.advanceTimersByTime(80);
    expect(t.take()).toBe('\x1b[1;6H\x1b[36m⠹\x1b[0m');
    // No mark left: the spinner stops.
    now += 100;
    w.frame('done\nrest');
    t.take();
    vi.advanceTimersByTime(400);
    expect(t.take()).toBe('');
  });

  it('takes a frame as rows too, and lets nothing but text and colour codes through', () => {
    const { t, w } = writer({ columns: 40, rows: 2 });
    w.frame(['\x1b[32mok\x1b[0m \x1b]52;c;ZXZpbA==\x07title\x1b[2J\x1b[6n', 'a\rb\x08c\td\u009b31m']);
    expect(t.take()).toBe('\x1b[1;1H\x1b[32mok\x1b[0m ]52;c;ZXZpbA==title[2J[6n\x1b[0m\x1b[K\x1b[2;1Habcd31m\x1b[0m\x1b[K');
    expect(safeRow('plain \x1b[1;36mstyled\x1b[0m ○ 修补')).toBe('plain \x1b[1;36mstyled\x1b[0m ○ 修补');
    expect(safeRow('sudo rm -rf /tmp/\u202eatad\u202c x')).toBe('sudo rm -rf /tmp/atad x');
  });

  it('finds spinner marks after wide characters', () => {
    expect(spinnerCells(`修补 ${SPINNER_MARK}`, 3)).toEqual([{ row: 3, column: 6, sgr: '' }]);
  });

  it('leaves the alternate screen and shows the cursor', () => {
    const { t, w } = writer();
    w.leave();
    expect(t.take()).toBe('\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l');
  });
});

describe('the screen writer and keys', () => {
  it('draws the answer to a key at once, inside the frame window', () => {
    const { t, w } = writer();
    w.frame('a');
    t.take();
    now += 10;
    w.urgent();
    w.frame('b');
    expect(t.take()).toBe('\x1b[1;1Hb\x1b[0m\x1b[K');
    now += 10;
    w.frame('c');
    expect(t.take()).toBe('');
  });
});

describe('rows without their trailing blanks', () => {
  it.each([
    ['plain   ', 'plain'],
    ['\x1b[90mmuted   \x1b[0m', '\x1b[90mmuted\x1b[0m'],
    ['\x1b[7m› sel\x1b[0m a ○        \x1b[0m', '\x1b[7m› sel\x1b[0m a ○\x1b[0m'],
    ['\x1b[7m› selected row   \x1b[0m', '\x1b[7m› selected row   \x1b[0m'],
    ['\x1b[1;4m Steps ◂    \x1b[0m', '\x1b[1;4m Steps ◂    \x1b[0m'],
    ['\x1b[4mu\x1b[24m x   ', '\x1b[4mu\x1b[24m x'],
    ['\x1b[7;4mu\x1b[27m x   ', '\x1b[7;4mu\x1b[27m x   '],
    ['\x1b[41mbg   ', '\x1b[41mbg   '],
  ])('%j -> %j', (row, want) => {
    expect(trimRow(row)).toBe(want);
  });
});
