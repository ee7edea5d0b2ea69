// runTui on fake terminal streams: the alternate screen, keys, the summary line and the exit
// status; a resumed run goes on by itself.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Runner } from '../../src/engine/runner.js';
import { createRunState, type RunState } from '../../src/engine/state.js';
import { buildPlan } from '../../src/engine/plan.js';
import { replay } from '../../src/engine/update.js';
import type { JournalRecord } from '../../src/engine/events.js';
import { runTui } from '../../src/ui/app/run-tui.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { runbook, section } from '../engine/fixtures.js';
import { TtyStdin } from '../helpers/tty-stdin.js';

class Stdout extends EventEmitter {
  isTTY = true;
  columns = 80;
  rows = 24;
  text = '';
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

const rb = runbook([section('check', [{ id: 'hello', title: 'Say hello', run: 'echo hello' }], { on: 'local', title: 'Check' })], {
  title: 'Hello',
});
const fresh = (): RunState =>
  createRunState({ plan: buildPlan(rb), runId: 'r1', file: 'hello.yaml', digest: 'd', params: {}, by: 'alice' });
const until = async (test: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

function io() {
  const stdin = new TtyStdin();
  const stdout = new Stdout();
  const stderr = new Stdout();
  return {
    stdin,
    stdout,
    stderr,
    all: {
      stdin: stdin as unknown as NodeJS.ReadStream,
      stdout: stdout as unknown as NodeJS.WriteStream,
      stderr: stderr as unknown as NodeJS.WriteStream,
      env: { NO_COLOR: '1' },
    },
  };
}

describe('runTui', () => {
  it('waits for enter, runs, stays until q, then leaves the alternate screen and prints the summary', async () => {
    const t = new FakeTransport().expect('echo hello', { stdout: 'hello\n' });
    const runner = new Runner({ state: fresh(), transportFor: () => t, by: 'alice' });
    const s = io();
    const done = runTui({ runner, transportFor: () => t, journalFile: '/state/runs/r1.jsonl' }, s.all);
    await until(() => s.stdout.text.includes('Press enter to start'));
    expect(s.stdout.text.startsWith('\x1b[?1049h')).toBe(true);
    expect(t.calls).toEqual([]);
    s.stdin.press('\r');
    await until(() => s.stdout.text.includes('The run passed'));
    s.stdin.press('q');
    expect(await done).toBe(0);
    t.verify();
    expect(s.stdout.text).toContain('\x1b[?1049l');
    expect(s.stdout.text.split('\x1b[?1049l').pop()).toBe(
      'runbook: run r1 passed: passed 1, failed 0, skipped 0, interrupted 0 in 00:00:00; journal /state/runs/r1.jsonl\n',
    );
  });

  it('a resumed run goes on by itself; quitting while it runs interrupts it (exit 130)', async () => {
    const started: JournalRecord[] = [
      {
        ts: '2026-11-25T17:18:00.000Z',
        run: 'r1',
        event: 'run-started',
        runbook: { id: 'test', title: 'Hello', file: 'hello.yaml', digest: 'd' },
        params: {},
        secrets: [],
        by: 'alice',
        header: {},
        total: 1,
      },
    ];
    const t = new FakeTransport().expect('echo hello', { hang: true });
    const runner = new Runner({ state: replay(fresh(), started), transportFor: () => t, by: 'alice', resume: { digest: 'd' } });
    const s = io();
    const done = runTui({ runner, transportFor: () => t }, s.all);
    await until(() => t.calls.length === 1);
    await until(() => s.stdout.text.includes('Say hello'));
    s.stdin.press('q');
    await until(() => s.stdout.text.includes('Quit?'));
    s.stdin.press('y');
    expect(await done).toBe(130);
    expect(s.stdout.text).toMatch(/runbook: run r1 interrupted: .*interrupted 1/);
  });
});
