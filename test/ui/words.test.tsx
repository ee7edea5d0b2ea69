// The UI's own words in the run's language: the Chinese runbook played through the real reducer
// and shown by the App through the product's screen writer in a headless terminal at 80x24. In
// every state an operator meets (ready, a confirmation, a typed confirmation, a failure, an
// interruption, the help, the end), no English word of the UI's own may be on screen: every
// ASCII word of three letters or more must come from the runbook itself (its text, ids, commands),
// the inventory (node names), the values the run was given, or be a key's name.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import React from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/engine/clock.js';
import { Runner } from '../../src/engine/runner.js';
import type { RunState } from '../../src/engine/state.js';
import { replay } from '../../src/engine/update.js';
import { loadRunbookText } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/schema.js';
import { App } from '../../src/ui/app/App.js';
import { TuiController } from '../../src/ui/app/controller.js';
import { BINDINGS, keyLabel } from '../../src/ui/app/keymap.js';
import { stripStyle, textWidth } from '../../src/ui/terminal/text-width.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { Driver, T0, cluster, stateOf } from '../engine/fixtures.js';
import { renderScreen, type TermScreen } from './terminal.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const mono = createTheme('mono');
const SIZE = { columns: 80, rows: 24 };
/** A node's own output: not the UI's words. */
const NODE_SAYS = 'No such file or directory';

const load = (rel: string): Runbook => loadRunbookText(readFileSync(path.resolve(here, '../..', rel), 'utf8'), rel).runbook;
const zhRunbook = load('runbooks/dcos-1.11-patch.zh-CN.yaml');
const inventory = cluster(3, 4);
const PARAMS = {
  installed_version: '1.11.1',
  target_version: '1.11.2',
  security: 'permissive',
  security_change: 'keep',
  ipv6_overlay: 'remove',
};

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

/** The state a session makes: the runbook's header filled in with the params. */
function fresh(rb: Runbook = zhRunbook): RunState {
  const s = stateOf(rb, inventory, PARAMS);
  const header = Object.fromEntries(
    Object.entries(rb.header ?? {}).map(([k, v]) => [
      k,
      v.replace(/\{\{params\.(\w+)\}\}/g, (_, p: string) => String((PARAMS as Record<string, string>)[p] ?? '')),
    ]),
  );
  return { ...s, run: { ...s.run, header } };
}

/** Every ASCII word the runbook, the inventory and the run's values may put on screen, and the keys' names. */
function allowed(rb: Runbook): Set<string> {
  const words = new Set<string>();
  const add = (text: string) => {
    for (const w of text.match(/[A-Za-z]{3,}/g) ?? []) words.add(w.toLowerCase());
  };
  const walk = (v: unknown): void => {
    if (typeof v === 'string') add(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(rb);
  for (const n of inventory.nodes) add(`${n.name} ${n.roles.join(' ')}`);
  walk(PARAMS);
  for (const b of BINDINGS) for (const k of b.keys) add(keyLabel(k));
  // The target the header names (the simulator's scenario) and the command that resumes a run.
  add('sim:happy runbook play train --resume');
  // Programs the help names (a proper name in any language), and what the failing node printed.
  add('tmux');
  add(NODE_SAYS);
  return words;
}

/** The English words of the UI's own on the screen: ASCII words the allowlist does not hold. */
function strangers(frame: string, allow: ReadonlySet<string>): string[] {
  const known = (w: string): boolean => {
    // A runbook word cut short to fit ("lic…") is the start of an allowed word.
    if (w.endsWith('…')) return [...allow].some((a) => a.startsWith(w.slice(0, -1).toLowerCase()));
    return allow.has(w.toLowerCase());
  };
  return [...new Set((frame.match(/[A-Za-z]{3,}…?/g) ?? []).filter((w) => !known(w)))];
}

async function show(state: RunState, lang?: string): Promise<TermScreen> {
  // Troubleshooting commands (opened on a failure) answer with nothing.
  const t = new FakeTransport().expect(/.*/, {}, { times: Infinity });
  const runner = new Runner({ state, transportFor: () => t, by: 'alice' });
  const controller = new TuiController({
    runner,
    transportFor: () => t,
    size: SIZE,
    health: false,
    target: 'sim:happy',
    training: true,
    wallClock: () => 0,
    clock: new FakeClock(T0 + 60_000),
    ...(lang ? { lang } : {}),
  });
  const r = await renderScreen(<App controller={controller} theme={mono} />, { ...SIZE, onResize: (s) => controller.resize(s) });
  cleanup.push(() => {
    controller.close();
    r.unmount();
  });
  return r;
}

/**
 * Plays the run until `stop` holds: each command answers with exit 0 and each confirmation is
 * given (a typed one with its text); a step that fails on the empty output is skipped.
 */
function playUntil(d: Driver, stop: (s: RunState) => boolean, limit = 400): Driver {
  for (let i = 0; i < limit && !stop(d.state); i++) {
    const prompt = d.state.prompts[0];
    if (prompt?.kind === 'confirm') {
      d.act({ type: 'confirm', prompt: prompt.id, ...(prompt.typed !== undefined ? { typed: prompt.typed } : {}) });
      continue;
    }
    // A gate this test's empty output cannot pass: skipped, as the operator may.
    if (prompt?.kind === 'failure') {
      d.act({ type: 'skip', task: prompt.task, reason: '跳过' });
      continue;
    }
    const pending = [...d.lastExec.values()].find((e) => {
      const [key, node] = e.task.split('@');
      const task = d.state.nodes.get(node!)?.tasks.get(key!);
      return task?.status === 'running' || task?.status === 'polling';
    });
    if (!pending) break;
    d.done(pending.task, { stdout: '' });
    d.lastExec.delete(pending.task);
  }
  if (!stop(d.state)) throw new Error(`the run never got there: ${d.state.phase}, prompts ${d.state.prompts.map((p) => p.id).join(', ')}`);
  return d;
}

describe('the Chinese runbook at 80x24 says nothing in English of its own', () => {
  const allow = allowed(zhRunbook);
  const expectChinese = (r: TermScreen, what: string) => {
    const frame = r.frame();
    expect(r.lines()).toHaveLength(SIZE.rows);
    for (const l of r.lines()) expect(textWidth(stripStyle(l)), `${what}: ${l}`).toBeLessThanOrEqual(SIZE.columns);
    expect(strangers(frame, allow), `${what}:\n${frame}`).toEqual([]);
    expect(frame).toMatch(/[\u4e00-\u9fff]/);
  };

  it('the allowlist is made from the runbook: an English word of the UI would be caught', () => {
    expect(strangers('Press enter to start; waiting for you', allow)).toEqual(['Press', 'start', 'waiting', 'for', 'you']);
    expect(strangers('master-1 dcos_node_upgrade.sh enter', allow)).toEqual([]);
  });

  it('ready, a key with nothing to do, then the help overlay', async () => {
    const r = await show(fresh());
    await r.waitFor('就绪');
    expectChinese(r, 'ready');
    // A key that has nothing to do says why, in Chinese too.
    await r.press('r');
    await r.waitFor('无可重试');
    expectChinese(r, 'a key refused');
    await r.press('?');
    await r.waitFor('按键');
    expectChinese(r, 'help');
  });

  it('a confirmation', async () => {
    const d = new Driver(fresh());
    d.start();
    playUntil(d, (s) => s.prompts.some((p) => p.kind === 'confirm'));
    const r = await show(d.state);
    await r.waitFor('确认');
    expectChinese(r, 'confirmation');
  });

  it('a typed confirmation', async () => {
    const d = new Driver(fresh());
    d.start();
    playUntil(d, (s) => s.prompts.some((p) => p.kind === 'confirm' && p.typed !== undefined));
    const r = await show(d.state);
    await r.type('remove');
    await r.waitFor('remove█');
    expectChinese(r, 'typed confirmation');
  });
});

describe('the Chinese runbook at 80x24 when things go wrong and at the end', () => {
  const allow = allowed(zhRunbook);
  const expectChinese = (r: TermScreen, what: string) => {
    const frame = r.frame();
    for (const l of r.lines()) expect(textWidth(stripStyle(l)), `${what}: ${l}`).toBeLessThanOrEqual(SIZE.columns);
    expect(strangers(frame, allow), `${what}:\n${frame}`).toEqual([]);
  };

  it('a failure: the status line, the step list and the grid say it in Chinese', async () => {
    const d = new Driver(fresh());
    d.start();
    // The first command on the bootstrap node exits 1.
    playUntil(d, (s) => s.nodes.get('bootstrap')?.summary === 'running');
    const running = [...d.lastExec.values()].find((e) => e.task.endsWith('@bootstrap'))!;
    d.done(running.task, { exit: 1, stderr: `${NODE_SAYS}\n` });
    expect(d.state.prompts.some((p) => p.kind === 'failure')).toBe(true);
    const r = await show(d.state);
    await r.waitFor('失败');
    expectChinese(r, 'failure');
    expect(r.lines()[SIZE.rows - 1]).toMatch(/r 重试 +s 跳过 +t 排障.* q 退出/);
  });

  it('an interrupted step after a resume: v/r/d/s each with a word', async () => {
    const d = new Driver(fresh());
    d.start();
    playUntil(d, (s) => [...s.nodes.values()].some((n) => n.summary === 'running' && n.current?.startsWith('configuration/')));
    // The player died with the step running: the journal replayed, then resumed.
    const back = new Driver(replay(fresh(), d.records));
    back.send({ type: 'resume', at: T0 + 1000, by: 'alice', digest: 'd1' });
    expect(back.state.prompts.some((p) => p.kind === 'interrupted')).toBe(true);
    const r = await show(back.state);
    await r.waitFor('中断');
    expectChinese(r, 'interrupted');
    // The key bar: each decision key with what it does, and q.
    expect(r.lines()[SIZE.rows - 1]).toMatch(/r 重新运行 +d 标记完成 +s 跳过.* q 退出/);
  });

  it('the pre-flight: checking the nodes, then one refused (its label and the advice in Chinese)', async () => {
    const d = new Driver(fresh());
    d.send({ type: 'start', at: T0, preflight: inventory.nodes.map((n) => n.name) });
    const r = await show(d.state);
    await r.waitFor('运行前检查');
    expectChinese(r, 'pre-flight running');
    // The transport's own sentence about the key is not the UI's words (it stays as the transport says it).
    const sentence = 'The SSH host key of master-1 is not known';
    d.send({ type: 'preflight-done', at: T0 + 2000, failures: [{ node: 'master-1', failure: 'host-key-unknown', message: sentence }] });
    const failed = await show(d.state);
    await failed.waitFor('主机密钥未知');
    expect(
      strangers(failed.frame(), new Set([...allow, ...(sentence.match(/[A-Za-z]{3,}/g) ?? []).map((w) => w.toLowerCase())])),
      failed.frame(),
    ).toEqual([]);
  });

  it('the end: aborted, the quit dialog before it', async () => {
    const d = new Driver(fresh());
    d.start();
    playUntil(d, (s) => s.prompts.some((p) => p.kind === 'confirm'));
    const r = await show(d.state);
    await r.press('q');
    await r.waitFor('退出？');
    expectChinese(r, 'quit dialog');
    d.act({ type: 'abort' });
    const end = await show(d.state);
    await end.waitFor('运行结束');
    expectChinese(end, 'finished');
  });
});
