// Puts the Screen's frames on the terminal: each frame comes as rows of text (or one string of
// them); this writer draws it on the alternate screen, rewriting only the rows that
// changed, each at an absolute position. Absolute positions make a resize harmless (after a
// resize the whole screen is cleared and redrawn once, whatever the terminal did to the cursor),
// and rewriting changed rows only keeps a frame small over a slow SSH session. Frames are capped
// at `maxFps`: a burst of changes draws once at the start of a window and once at its end.
import { SPINNER_FRAMES, SPINNER_INTERVAL_MS, SPINNER_MARK } from './theme.js';
import { stripStyle, textWidth } from './text-width.js';

/** A spinner on screen: its row and column (1-based) and the colour codes in force there. */
interface SpinnerCell {
  row: number;
  column: number;
  sgr: string;
}

/** Where the spinner marks of a line are, and the colour codes in force at each. */
export function spinnerCells(line: string, row: number): SpinnerCell[] {
  const cells: SpinnerCell[] = [];
  let at = line.indexOf(SPINNER_MARK);
  while (at >= 0) {
    const before = line.slice(0, at);
    let sgr = '';
    for (const m of before.matchAll(/\x1b\[([0-9;]*)m/g)) sgr = m[1] === '0' || m[1] === '' ? '' : sgr + m[0];
    cells.push({ row, column: textWidth(stripStyle(before).replaceAll(SPINNER_MARK, ' ')) + 1, sgr });
    at = line.indexOf(SPINNER_MARK, at + SPINNER_MARK.length);
  }
  return cells;
}

// Anything in a row that is not text or one of our colour codes: C0 and C1 controls, escape
// sequences other than SGR, and bidirectional controls (which could show a command in another
// order than it runs). Rows are built from sanitised output and our own strings, so this finds
// nothing; it is the last guard before the terminal (Ink's drawing used to be one too).
const UNSAFE = /[\x00-\x1a\x1c-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\x1b(?!\[[0-9;]*m)/;
const UNSAFE_ALL = /\x1b\[[0-9;]*m|([\x00-\x1a\x1c-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\x1b)/g;

/** A row with every control character and non-SGR escape removed (an ESC alone goes, the rest of its sequence shows as text). */
export function safeRow(line: string): string {
  return UNSAFE.test(line) ? line.replace(UNSAFE_ALL, (m, bad: string | undefined) => (bad === undefined ? m : '')) : line;
}

/**
 * A row without its trailing blanks: Ink reads every character of every row on every frame, and
 * the screen writer erases the rest of a row anyway. Blanks drawn in inverse, underline or a
 * background colour (a selection, a focused title) are kept: they are part of the look.
 */
export function trimRow(line: string): string {
  if (!line.endsWith(' ') && !line.endsWith('m')) return line;
  const tail = / +((?:\x1b\[[0-9;]*m)*)$/.exec(line);
  if (!tail) return line;
  // The attributes in force where the blanks start (a colour's parameters may read as one: then
  // the blanks are kept, which only costs bytes).
  const on = new Set<string>();
  for (const m of line.slice(0, tail.index).matchAll(/\x1b\[([0-9;]*)m/g)) {
    for (const p of m[1]!.split(';')) {
      if (p === '' || p === '0') on.clear();
      else if (p === '4' || p === '7') on.add(p);
      else if (p === '24' || p === '27') on.delete(p.slice(1));
      else if (/^(4[0-8]|10[0-7])$/.test(p)) on.add('bg');
      else if (p === '49') on.delete('bg');
    }
  }
  const visible = on.size > 0;
  return visible ? line : line.slice(0, tail.index) + tail[1];
}

export interface TerminalOut {
  write(text: string): unknown;
}

export interface ScreenWriterOptions {
  /** Frames per second at most. Default 20. */
  maxFps?: number;
  /** Wrap each frame in DEC mode 2026 (synchronized output) so a terminal shows it whole. Default true. */
  synchronized?: boolean;
  now?: () => number;
}

export interface ScreenStats {
  /** Frames written, bytes written in all and in the last frame. */
  frames: number;
  bytes: number;
  lastBytes: number;
}

// Alternate screen, cursor hidden, and no autowrap: a row written wider than the terminal (a frame
// laid out for the size before a resize) is clipped at the margin instead of wrapping and
// scrolling the whole screen.
const ENTER = '\x1b[?1049h\x1b[?25l\x1b[?7l\x1b[H\x1b[2J';
const LEAVE = '\x1b[0m\x1b[?7h\x1b[?25h\x1b[?1049l';
const BSU = '\x1b[?2026h';
const ESU = '\x1b[?2026l';

export class ScreenWriter {
  readonly stats: ScreenStats = { frames: 0, bytes: 0, lastBytes: 0 };
  private previous: string[] = [];
  private pending: string | readonly string[] | undefined;
  private clear = false;
  private lastFlush = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private active = false;
  private urgentFrame = false;
  private spinners: SpinnerCell[] = [];
  private spinTimer: ReturnType<typeof setInterval> | undefined;
  private spinFrame = 0;
  private readonly minInterval: number;
  private readonly now: () => number;

  constructor(
    private readonly out: TerminalOut,
    private readonly size: () => { columns: number; rows: number },
    private readonly options: ScreenWriterOptions = {},
  ) {
    this.minInterval = 1000 / Math.max(1, options.maxFps ?? 20);
    this.now = options.now ?? (() => performance.now());
  }

  /** Switches to the alternate screen and hides the cursor. */
  enter(): void {
    this.active = true;
    this.out.write(ENTER);
    this.previous = [];
  }

  /** Draws what is pending, shows the cursor and returns to the normal screen. */
  leave(): void {
    if (!this.active) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.spinTimer) clearInterval(this.spinTimer);
    this.spinTimer = undefined;
    this.active = false;
    this.out.write(LEAVE);
  }

  /** A new frame (its rows, or one string of them joined by newlines); drawn now, or at the end of the current frame window. */
  frame(text: string | readonly string[]): void {
    this.pending = text;
    if (this.urgentFrame) {
      // The answer to a key: drawn at once, whatever the frame window says.
      this.urgentFrame = false;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.flush();
      return;
    }
    this.schedule();
  }

  /** The next frame answers a key: it is drawn at once (input never waits behind output). */
  urgent(): void {
    this.urgentFrame = true;
  }

  /** After a resize: the next frame (laid out for the new size) clears the screen and draws every row. */
  invalidate(): void {
    this.clear = true;
    this.previous = [];
  }

  private schedule(): void {
    if (!this.active || this.timer) return;
    const wait = this.lastFlush + this.minInterval - this.now();
    if (wait <= 0) this.flush();
    else
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, wait);
  }

  /** Writes the pending frame now. */
  flush(): void {
    if (this.pending === undefined || !this.active) return;
    const text = this.pending;
    this.pending = undefined;
    this.lastFlush = this.now();
    const { columns, rows } = this.size();
    const lines = typeof text === 'string' ? text.split('\n') : text;
    if (typeof text === 'string' && lines.length > 0 && lines[lines.length - 1] === '') (lines as string[]).pop();
    let buf = this.clear ? '\x1b[H\x1b[2J' : '';
    this.clear = false;
    const next: string[] = [];
    const spinners: SpinnerCell[] = [];
    const glyph = SPINNER_FRAMES[this.spinFrame % SPINNER_FRAMES.length]!;
    for (let row = 0; row < rows; row++) {
      const line = lines[row] ?? '';
      next.push(line);
      const marked = line.includes(SPINNER_MARK);
      if (marked) spinners.push(...spinnerCells(line, row + 1));
      if (line === this.previous[row]) continue;
      const safe = safeRow(line);
      buf += `\x1b[${row + 1};1H${marked ? safe.replaceAll(SPINNER_MARK, glyph) : safe}${safe.endsWith('\x1b[0m') ? '' : '\x1b[0m'}`;
      // Erase the rest of the row, unless the row is full: at the last column, erasing would
      // take the last character with it (the cursor waits there to wrap).
      if (safe === '' || textWidth(stripStyle(safe)) < columns) buf += '\x1b[K';
    }
    this.previous = next;
    this.spinners = spinners;
    this.animate();
    if (buf === '') return;
    this.write(buf, true);
  }

  private write(buf: string, frame: boolean): void {
    const payload = this.options.synchronized === false ? buf : BSU + buf + ESU;
    this.out.write(payload);
    this.stats.bytes += Buffer.byteLength(payload);
    if (frame) {
      this.stats.frames += 1;
      this.stats.lastBytes = Buffer.byteLength(payload);
    }
  }

  /** Spinners turn on their own: a few bytes every 80 ms, no frame. Stops when none is on screen. */
  private animate(): void {
    if (this.spinners.length === 0) {
      if (this.spinTimer) clearInterval(this.spinTimer);
      this.spinTimer = undefined;
      return;
    }
    if (this.spinTimer) return;
    this.spinTimer = setInterval(() => {
      if (!this.active || this.spinners.length === 0) return;
      this.spinFrame += 1;
      const glyph = SPINNER_FRAMES[this.spinFrame % SPINNER_FRAMES.length]!;
      let buf = '';
      for (const s of this.spinners) buf += `\x1b[${s.row};${s.column}H${s.sgr}${glyph}\x1b[0m`;
      this.write(buf, false);
    }, SPINNER_INTERVAL_MS);
    this.spinTimer.unref?.();
  }
}
