// The status line says what the run is doing whenever nothing is asked: the step, where (a node,
// or n nodes), for how long, a gate's attempt and next try, a deadline's time left; and when a
// confirmation waits, that it waits and which key answers. Shown by the App through the screen
// writer in a headless terminal at 80x24 (and 120 columns where a line would be cut at 80).
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/engine/clock.js';
import { Runner } from '../../src/engine/runner.js';
import type { RunState } from '../../src/engine/state.js';
import { App } from '../../src/ui/app/App.js';
import { TuiController } from '../../src/ui/app/controller.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { Driver, atFirstConfirmation, masterPolling } from './fixtures.js';
import { renderScreen, type Size } from './terminal.js';

const mono = createTheme('mono');
let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

/** The status line (the row above the key bar) of the App over `state`, its clock at `now`. */
async function statusOf(state: RunState, now: number, size: Size = { columns: 80, rows: 24 }, lang?: string): Promise<string> {
  const t = new FakeTransport().expect(/.*/, {}, { times: Infinity });
  const runner = new Runner({ state, transportFor: () => t, by: 'alice' });
  const controller = new TuiController({
    runner,
    transportFor: () => t,
    size,
    health: false,
    target: 'sim:happy',
    wallClock: () => 0,
    clock: new FakeClock(now),
    ...(lang ? { lang } : {}),
  });
  const r = await renderScreen(<App controller={controller} theme={mono} />, { ...size, onResize: (s) => controller.resize(s) });
  cleanup.push(() => {
    controller.close();
    r.unmount();
  });
  await r.waitFor((f) => f.split('\n').length >= size.rows - 1);
  return r.lines()[size.rows - 2]!;
}

/** Every master patched and recovered: the agents' first batch is asked to confirm. */
function atAgents(agents: number): Driver {
  const d = atFirstConfirmation(3, agents);
  for (const m of ['master-1', 'master-2', 'master-3']) {
    d.act({ type: 'confirm', prompt: `confirm:masters/run-patch-script@${m}`, typed: m });
    d.advance(30_000);
    d.done(`masters/run-patch-script@${m}`);
    d.done(`masters/recovered@${m}`, { stdout: '{"registrar\\/log\\/recovered":1}' });
  }
  return d;
}

describe('the status line while nothing is asked', () => {
  it('a gate polling: its title, the node, how long, the attempt and the next try', async () => {
    const d = masterPolling(3, 5);
    const line = await statusOf(d.state, d.now + 3_000);
    expect(line).toMatch(/^ Mesos registrar recovered on master-1 for 00:\d\d · attempt 1, next try in [1-9]s$/);
  });

  it('a long command: its title, the node and how long it has run', async () => {
    const d = atFirstConfirmation(3, 5);
    d.act({ type: 'confirm', prompt: 'confirm:masters/run-patch-script@master-1', typed: 'master-1' });
    const line = await statusOf(d.state, d.now + 3 * 60_000 + 12_000);
    expect(line).toBe(' Run the node patch script on master-1 for 03:12');
  });

  it('a batch with a deadline: n nodes, and the nearest countdown', async () => {
    const d = atAgents(7);
    const first = d.state.prompts.find((p) => p.kind === 'confirm')!;
    d.act({
      type: 'confirm-group',
      prompts: d.state.prompts.filter((p) => p.kind === 'confirm' && p.step === first.step).map((p) => p.id),
    });
    const line = await statusOf(d.state, d.now + 61_000, { columns: 120, rows: 40 });
    expect(line).toBe(' Run the node patch script on 5 nodes for 01:01 · deadline in 03:59');
  });

  it('a confirmation waits: it says so, on which node, and which key answers', async () => {
    const d = atFirstConfirmation(3, 5);
    const line = await statusOf(d.state, d.now + 1000, { columns: 120, rows: 40 });
    expect(line).toBe(' ? Waiting for your confirmation on master-1: type the text and press enter, esc refuses');
    const group = atAgents(7);
    const more = await statusOf(group.state, group.now + 1000, { columns: 120, rows: 40 });
    expect(more).toBe(' ? Waiting for your confirmation on agent-1 (4 more waiting): y runs it, n refuses');
  });

  it('in Chinese: the same facts in the words of the run', async () => {
    const d = masterPolling(3, 5);
    const line = await statusOf(d.state, d.now + 3_000, { columns: 80, rows: 24 }, 'zh-CN');
    expect(line).toMatch(/^ Mesos registrar recovered：master-1，已用 00:\d\d · 第 1 次尝试，[1-9] 秒后重试$/);
  });
});
