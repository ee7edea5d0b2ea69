// The production screen in a headless terminal emulator (xterm.js, as in VS Code's terminal):
// a React tree (the App) is mounted by Ink as in run-tui.ts, its Screen hands each frame to the
// real ScreenWriter, and the writer's bytes go into an xterm Terminal of the size asked for.
// Tests read back what a terminal shows (its lines, and its cells for colour), not the rows we
// meant to draw. Keys go in through a TTY-like stdin, as Ink reads them from a terminal.
import { EventEmitter } from 'node:events';
import { createElement, type ReactElement } from 'react';
import { render } from 'ink';
import xterm from '@xterm/headless';
import { AnimationContext } from '../../src/ui/app/animation.js';
import { FrameOutputContext } from '../../src/ui/app/frame-output.js';
import { ScreenWriter } from '../../src/ui/terminal/screen-writer.js';
import { TtyStdin } from '../helpers/tty-stdin.js';

const { Terminal } = xterm;
type XTerm = InstanceType<typeof Terminal>;

const SEQUENCES: Record<string, string> = {
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  'shift+tab': '\x1b[Z',
  up: '\x1b[A',
  down: '\x1b[B',
  right: '\x1b[C',
  left: '\x1b[D',
  pageup: '\x1b[5~',
  pagedown: '\x1b[6~',
  home: '\x1b[H',
  end: '\x1b[F',
  backspace: '\x7f',
  'ctrl+c': '\x03',
};

export interface Size {
  columns: number;
  rows: number;
}

/** One cell as the terminal holds it. */
export interface Cell {
  char: string;
  /** Default colours, or the palette index (0-255) / RGB number of a set colour. */
  fg: 'default' | number;
  bg: 'default' | number;
  bold: boolean;
  inverse: boolean;
}

export interface TermScreen {
  terminal: XTerm;
  writer: ScreenWriter;
  size: Size;
  /** Every row the terminal shows, trailing blanks removed. */
  lines(): string[];
  /** The lines joined by newlines. */
  frame(): string;
  cell(row: number, column: number): Cell;
  /** Every byte written to the terminal so far. */
  bytes(): string;
  /** What each write carried, in order (frames and spinner steps). */
  writes: string[];
  /** Waits until what was written has been parsed by the terminal. */
  settle(): Promise<void>;
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  waitFor(want: string | ((frame: string) => boolean), ms?: number): Promise<string>;
  /**
   * The terminal is resized, as a window is: the writer redraws all, the tree is told (onResize).
   * `terminalDoes`: bytes played into the terminal right after its resize, for what a terminal
   * may do to its content then (scroll it, reflow it) before our next frame.
   */
  resize(columns: number, rows: number, terminalDoes?: string): Promise<void>;
  /** Renders another tree in place of the first (new props), as a state change would. */
  rerender(tree: ReactElement): Promise<void>;
  unmount(): void;
}

export interface TermOptions extends Partial<Size> {
  /** Spinners move (false: frozen, frames are the same every time). Default false. */
  animate?: boolean;
  /** The writer's frame cap. Default 1000, so a test does not wait for frame windows. */
  maxFps?: number;
  /** Sees each frame's rows as the Screen hands them to the writer. */
  onFrame?: (rows: readonly string[]) => void;
  /** Told of a resize (the controller's resize, in the product). */
  onResize?: (size: Size) => void;
}

const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Reads a terminal's visible rows. */
export function terminalLines(terminal: XTerm): string[] {
  const buffer = terminal.buffer.active;
  const out: string[] = [];
  for (let y = 0; y < terminal.rows; y++) out.push(buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? '');
  return out;
}

/** Mounts `tree` under Ink with the product's frame output: the ScreenWriter, into a headless terminal. */
export async function renderScreen(tree: ReactElement, options: TermOptions = {}): Promise<TermScreen> {
  const size: Size = { columns: options.columns ?? 80, rows: options.rows ?? 24 };
  const terminal = new Terminal({ cols: size.columns, rows: size.rows, allowProposedApi: true, scrollback: 0 });
  const writes: string[] = [];
  const out = {
    write(text: string) {
      writes.push(text);
      terminal.write(text);
      return true;
    },
  };
  const writer = new ScreenWriter(out, () => size, { maxFps: options.maxFps ?? 1000 });
  // Ink's stdout as in run-tui.ts: it gives the size, and Ink's own (empty) output is dropped.
  const sink = Object.assign(new EventEmitter(), {
    isTTY: false,
    get columns() {
      return size.columns;
    },
    get rows() {
      return size.rows;
    },
    write: () => true,
  });
  const stdin = new TtyStdin();
  writer.enter();
  const present = (rows: readonly string[]) => {
    options.onFrame?.(rows);
    writer.frame(rows);
  };
  const wrap = (t: ReactElement) =>
    createElement(
      FrameOutputContext.Provider,
      { value: present },
      createElement(AnimationContext.Provider, { value: { animate: options.animate ?? false } }, t),
    );
  const ink = render(wrap(tree), {
    stdout: sink as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  const settle = async () => {
    await wait(5);
    writer.flush();
    await new Promise<void>((r) => terminal.write('', r));
  };
  const lines = () => terminalLines(terminal).map((l) => l.trimEnd());
  const frame = () => lines().join('\n');
  let mounted = true;
  const screen: TermScreen = {
    terminal,
    writer,
    size,
    lines,
    frame,
    cell(row, column) {
      const c = terminal.buffer.active.getLine(terminal.buffer.active.viewportY + row)?.getCell(column);
      if (!c) throw new Error(`no cell at row ${row}, column ${column} of a ${size.columns}x${size.rows} terminal`);
      return {
        char: c.getChars(),
        fg: c.isFgDefault() ? 'default' : c.getFgColor(),
        bg: c.isBgDefault() ? 'default' : c.getBgColor(),
        bold: c.isBold() !== 0,
        inverse: c.isInverse() !== 0,
      };
    },
    bytes: () => writes.join(''),
    writes,
    settle,
    async press(...keys) {
      for (const k of keys) {
        stdin.press(SEQUENCES[k] ?? k);
        await settle();
      }
    },
    async type(text) {
      for (const ch of text) {
        stdin.press(ch);
        await settle();
      }
    },
    async waitFor(want, ms = 3000) {
      const test = typeof want === 'string' ? (f: string) => f.includes(want) : want;
      const until = Date.now() + ms;
      for (;;) {
        await settle();
        const f = frame();
        if (test(f)) return f;
        if (Date.now() > until)
          throw new Error(`waited ${ms} ms for ${typeof want === 'string' ? JSON.stringify(want) : 'a condition'}; the screen:\n${f}`);
      }
    },
    async resize(columns, rows, terminalDoes) {
      size.columns = columns;
      size.rows = rows;
      terminal.resize(columns, rows);
      if (terminalDoes) terminal.write(terminalDoes);
      writer.invalidate();
      options.onResize?.({ ...size });
      sink.emit('resize');
      await settle();
    },
    async rerender(next) {
      ink.rerender(wrap(next));
      await settle();
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      ink.unmount();
      writer.leave();
      terminal.dispose();
    },
  };
  await settle();
  return screen;
}

/** The SGR parameters in `bytes` that set a colour (foreground, background, 256-colour, RGB). */
export function colourCodes(bytes: string): string[] {
  const found: string[] = [];
  for (const m of bytes.matchAll(/\x1b\[([0-9;:]*)m/g)) {
    const params = m[1]!.split(/[;:]/);
    for (const p of params) if (/^(3[0-9]|4[0-9]|9[0-7]|10[0-7])$/.test(p)) found.push(m[0]);
  }
  return found;
}
