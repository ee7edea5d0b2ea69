// The screen as a terminal shows it: the App renders through the product's screen writer into a
// headless xterm (test/ui/terminal.ts), and these tests read the terminal's cells back. Golden
// screens at three sizes, the Chinese runbook aligned, NO_COLOR, a resize, 2,000 nodes, and the
// bytes one node's change costs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/engine/clock.js';
import { Runner } from '../../src/engine/runner.js';
import type { NodeState, RunState } from '../../src/engine/state.js';
import { loadRunbookText } from '../../src/runbook/load.js';
import { App } from '../../src/ui/app/App.js';
import { TuiController } from '../../src/ui/app/controller.js';
import { computeLayout } from '../../src/ui/terminal/layout.js';
import { stripStyle, textWidth } from '../../src/ui/terminal/text-width.js';
import { chooseTheme, createTheme, type Theme } from '../../src/ui/terminal/theme.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { stateOf } from '../engine/fixtures.js';
import { T0, freshState, masterPolling, patchCluster } from './fixtures.js';
import { colourCodes, renderScreen, type Size, type TermScreen } from './terminal.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const mono = createTheme('mono');

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

/** A runner as the container reads it, whose state the test sets: one node's change, nothing else. */
function stubRunner(initial: RunState) {
  let state = initial;
  const listeners = new Set<(s: RunState, c: { records: []; rejected: [] }) => void>();
  const runner = {
    getState: () => state,
    subscribe: (l: (s: RunState, c: { records: []; rejected: [] }) => void) => (listeners.add(l), () => listeners.delete(l)),
    output: { lines: () => [] },
    redact: (t: string) => t,
    dispatch: () => undefined,
    start: () => undefined,
    interrupt: async () => 'interrupted',
  } as unknown as Runner;
  return {
    runner,
    set(next: RunState) {
      state = next;
      for (const l of listeners) l(state, { records: [], rejected: [] });
    },
  };
}

interface Shown {
  r: TermScreen;
  controller: TuiController;
  /** The rows of the last frame the Screen handed to the writer. */
  presented: () => readonly string[];
}

/** The App over `state` at a size, in a headless terminal; the clocks stand still. */
async function show(state: RunState | Runner, size: Size, theme: Theme = mono, lang?: string): Promise<Shown> {
  const t = new FakeTransport();
  const runner =
    state instanceof Runner || 'getState' in state ? (state as Runner) : new Runner({ state, transportFor: () => t, by: 'alice' });
  const controller = new TuiController({
    runner,
    transportFor: () => t,
    size,
    health: false,
    target: 'sim:happy',
    wallClock: () => 0,
    clock: new FakeClock(T0 + 60_000),
    ...(lang ? { lang } : {}),
  });
  let presented: readonly string[] = [];
  const r = await renderScreen(<App controller={controller} theme={theme} />, {
    ...size,
    onResize: (s) => controller.resize(s),
    onFrame: (rows) => (presented = rows),
  });
  cleanup.push(() => {
    controller.close();
    r.unmount();
  });
  return { r, controller, presented: () => presented };
}

/** The text of a terminal row from a column on (cells, so a wide character is one column pair). */
function from(r: TermScreen, row: number, column: number): string {
  const buffer = r.terminal.buffer.active;
  return buffer.getLine(buffer.viewportY + row)?.translateToString(true, column) ?? '';
}

describe('golden screens: one run state at three sizes', () => {
  it.each([
    [80, 24],
    [120, 40],
    [250, 70],
  ])('%ix%i', async (columns, rows) => {
    const { r } = await show(masterPolling(3, 20).state, { columns, rows });
    const lines = r.lines();
    expect(lines).toHaveLength(rows);
    for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(columns);
    await expect(lines.join('\n') + '\n').toMatchFileSnapshot(path.join(here, '__screens__', `master-polling-${columns}x${rows}.txt`));
  });
});

describe('the Chinese runbook', () => {
  const load = (rel: string) => loadRunbookText(readFileSync(path.resolve(here, '../..', rel), 'utf8'), rel).runbook;

  it.each([
    [80, 24],
    [120, 40],
  ])('%ix%i: wide characters take two columns, so the node grid beside the step list is where it is in English', async (columns, rows) => {
    const inventory = patchCluster(3, 5);
    // The UI's own words in English (--lang en), so the grid's cells compare one for one.
    const zh = await show(stateOf(load('runbooks/dcos-1.11-patch.zh-CN.yaml'), inventory), { columns, rows }, mono, 'en');
    const en = await show(stateOf(load('runbooks/dcos-1.11-patch.yaml'), inventory), { columns, rows });
    // Chinese is on screen (the step list's sections), and the screen is the terminal's size.
    expect(zh.r.frame()).toMatch(/[\u4e00-\u9fff]/);
    expect(zh.r.lines()).toHaveLength(rows);
    const layout = computeLayout({ columns, rows, troubleshoot: false, modal: false });
    // The grid's side, read from the cells: the same in both editions, row by row.
    let compared = 0;
    for (let row = 1; row <= layout.body; row++) {
      expect(from(zh.r, row, layout.stepsWidth), `row ${row}`).toBe(from(en.r, row, layout.stepsWidth));
      if (from(en.r, row, layout.stepsWidth).trim()) compared += 1;
    }
    expect(compared).toBeGreaterThan(4);
    // No row of the Chinese screen runs past the terminal's width (the writer's rows, measured).
    for (const l of zh.presented()) expect(textWidth(stripStyle(l))).toBeLessThanOrEqual(columns);
  });
});

describe('NO_COLOR', () => {
  it('no colour in the bytes and none in any cell; the same screen in colour has both', async () => {
    const size = { columns: 120, rows: 40 };
    const plain = await show(masterPolling(3, 20).state, size, chooseTheme({ env: { NO_COLOR: '1' } }));
    const colour = await show(masterPolling(3, 20).state, size, chooseTheme({ env: {} }));
    const coloured = (r: TermScreen) => {
      let n = 0;
      for (let y = 0; y < size.rows; y++)
        for (let x = 0; x < size.columns; x++) if (r.cell(y, x).fg !== 'default' || r.cell(y, x).bg !== 'default') n += 1;
      return n;
    };
    expect(colourCodes(plain.r.bytes())).toEqual([]);
    expect(coloured(plain.r)).toBe(0);
    expect(colourCodes(colour.r.bytes()).length).toBeGreaterThan(0);
    expect(coloured(colour.r)).toBeGreaterThan(0);
    // Same text either way.
    expect(plain.r.lines()).toEqual(colour.r.lines());
  });
});

describe('a resize', () => {
  it('120x40 -> 80x24 redraws the whole screen: what the terminal shows is what a fresh 80x24 start shows', async () => {
    const big = await show(masterPolling(3, 20).state, { columns: 120, rows: 40 });
    const before = big.r.lines();
    // What the terminal did with the old content as it shrank (reflowed it, scrolled it) is left
    // on a row that is blank in both frames: the redraw after a resize must not trust old rows.
    const mark = big.r.writes.length;
    await big.r.resize(80, 24, '\x1b[12;5Hleft over from the old frame');
    const small = await show(masterPolling(3, 20).state, { columns: 80, rows: 24 });
    const after = await big.r.waitFor(() => big.r.lines().join('\n') === small.r.lines().join('\n'), 2000).catch(() => big.r.frame());
    expect(after).toBe(small.r.lines().join('\n'));
    expect(before.join('\n')).not.toBe(after);
    expect(after).not.toContain('left over');
    expect(big.r.writes.slice(mark).join('')).toContain('\x1b[2J');
    // And back: no row of the small layout is left behind in the big one.
    await big.r.resize(120, 40);
    await big.r.waitFor(() => big.r.lines().join('\n') === before.join('\n'), 2000);
  });
});

describe('2,000 nodes', () => {
  it.each([
    [120, 40],
    [250, 70],
  ])('%ix%i: the grid summarises them in the pane; a filter finds one', async (columns, rows) => {
    const { r, presented } = await show(freshState(3, 2000), { columns, rows });
    const frame = r.frame();
    expect(r.lines()).toHaveLength(rows);
    expect(frame).toContain('2004 nodes');
    expect(frame).toContain('Agents 2000  ○2000 not started');
    for (const l of presented()) expect(textWidth(stripStyle(l))).toBeLessThanOrEqual(columns);
    await r.type('/agent-1500');
    await r.press('enter');
    const filtered = await r.waitFor('filter: agent-1500 (1/2004)');
    expect(filtered).toMatch(/agent-1500 +10\.0\.7\.0 /);
  });
});

describe('bytes per frame', () => {
  const key = 'agents/run-patch-script';
  const starts = (state: RunState, name: string): RunState => {
    const node = state.nodes.get(name)!;
    const changed: NodeState = {
      ...node,
      summary: 'running',
      current: key,
      tasks: new Map([[key, { status: 'running', startedAt: T0, attempt: 1, mode: 'run' }]]),
    };
    const nodes = new Map(state.nodes);
    nodes.set(name, changed);
    return { ...state, nodes, seq: state.seq + 1 };
  };

  it.each([
    [1000, 120, 40],
    [2000, 120, 40],
    [2000, 250, 70],
  ])(
    'one node of %i starting its step, at %ix%i: a few rows rewritten, under 2 KB, and the terminal shows it',
    async (agents, columns, rows) => {
      const base = freshState(3, agents);
      const stub = stubRunner(base);
      const { r } = await show(stub.runner, { columns, rows });
      const frames = r.writer.stats.frames;
      const mark = r.writes.length;
      stub.set(starts(base, 'agent-777'));
      await r.waitFor((f) => f.includes('agent-777'));
      const sent = r.writes.slice(mark).join('');
      expect(r.writer.stats.frames).toBeGreaterThan(frames);
      expect(Buffer.byteLength(sent)).toBeLessThan(2048);
      // Only rows that changed: each row written is addressed on its own.
      const rowsWritten = new Set([...sent.matchAll(/\x1b\[(\d+);1H/g)].map((m) => m[1]));
      expect(rowsWritten.size).toBeLessThan(rows / 3);
    },
  );
});
