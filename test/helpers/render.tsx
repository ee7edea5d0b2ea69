// The one helper for component tests, on ink-testing-library: a fixed terminal size, keys sent by
// name, waiting for content, and the last frame without styles. Spinners are frozen so that
// frames are the same every time.
import { render as inkRender } from 'ink-testing-library';
import React, { type ReactElement } from 'react';
import { AnimationContext } from '../../src/ui/animation.js';
import { stripStyle } from '../../src/ui/text-width.js';

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

export interface Rendered {
  /** The last frame, styles removed, trailing spaces of each row removed. */
  frame(): string;
  /** The last frame as written (with colour codes). */
  raw(): string;
  frames: string[];
  /** Presses a key by name (`y`, `enter`, `ctrl+c`, `pagedown`); waits for Ink to take it. */
  press(...keys: string[]): Promise<void>;
  /** Types text, one character at a time. */
  type(text: string): Promise<void>;
  /** Waits until the frame contains `text` (or the predicate holds); fails with the frame after `ms`. */
  waitFor(text: string | ((frame: string) => boolean), ms?: number): Promise<string>;
  resize(columns: number, rows: number): Promise<void>;
  rerender(tree: ReactElement): void;
  unmount(): void;
}

const tick = () => new Promise<void>((r) => setTimeout(r, 5));

export async function renderUi(tree: ReactElement, options: { columns?: number; rows?: number; animate?: boolean } = {}): Promise<Rendered> {
  const size = { columns: options.columns ?? 80, rows: options.rows ?? 24 };
  const wrapped = (t: ReactElement) => <AnimationContext.Provider value={{ animate: options.animate ?? false }}>{t}</AnimationContext.Provider>;
  let current = tree;
  const r = inkRender(wrapped(tree));
  // ink-testing-library's terminal is 100 columns; this one is the size the test asks for.
  Object.defineProperty(r.stdout, 'columns', { get: () => size.columns, configurable: true });
  Object.defineProperty(r.stdout, 'rows', { get: () => size.rows, configurable: true });
  r.rerender(wrapped(tree));
  await tick();
  const frame = () =>
    stripStyle(r.lastFrame() ?? '')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  const api: Rendered = {
    frame,
    raw: () => r.lastFrame() ?? '',
    frames: r.frames,
    async press(...keys) {
      for (const k of keys) {
        r.stdin.write(SEQUENCES[k] ?? k);
        await tick();
      }
    },
    async type(text) {
      for (const ch of text) {
        r.stdin.write(ch);
        await tick();
      }
    },
    async waitFor(want, ms = 3000) {
      const test = typeof want === 'string' ? (f: string) => f.includes(want) : want;
      const until = Date.now() + ms;
      for (;;) {
        const f = frame();
        if (test(f)) return f;
        if (Date.now() > until) throw new Error(`waited ${ms} ms for ${typeof want === 'string' ? JSON.stringify(want) : 'a condition'}; the last frame:\n${f}`);
        await tick();
      }
    },
    async resize(columns, rows) {
      size.columns = columns;
      size.rows = rows;
      r.stdout.emit('resize');
      r.rerender(wrapped(current));
      await tick();
    },
    rerender(t) {
      current = t;
      r.rerender(wrapped(t));
    },
    unmount: () => r.unmount(),
  };
  return api;
}
