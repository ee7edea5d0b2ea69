// The promise of the journal, tested on the real binary: kill -9 in the middle of a run, then
// --resume. Nothing that finished runs again (marker files the commands append to prove it),
// nothing is lost from the journal, and the step that was running waits for the operator.
// And Ctrl-C: exit 130, the interrupted record, the remote command stopped, resumable.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { listRuns, readJournal } from '../../src/engine/journal.js';
import { processAlive, tempDir } from '../helpers/real-shell.js';
import { buildBinary, spawnCli } from './binary.js';

let cli: string;
let removeBinary: () => void;
beforeAll(async () => {
  ({ cli, remove: removeBinary } = await buildBinary());
}, 60_000);
afterAll(() => removeBinary?.());

let dir: string;
let removeDir: () => void;
const groups: number[] = [];
beforeEach(() => {
  ({ dir, remove: removeDir } = tempDir('runbook-kill-'));
});
afterEach(() => {
  // The long step's shell wrote its pid: end its process group if it outlived the test.
  for (const pid of groups.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  removeDir();
});

const env = (extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH,
  HOME: dir,
  RUNBOOK_CONFIG_DIR: join(dir, 'config'),
  TZ: 'UTC',
  ...extra,
});
const stateDir = () => join(dir, 'state');
const play = (args: string[], input?: string, extra: Record<string, string> = {}) =>
  spawnCli(cli, ['play', ...args, '--state-dir', stateDir()], { cwd: dir, env: env(extra), ...(input !== undefined ? { input } : {}) });

async function until(predicate: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function journal(): Promise<{ file: string; records: JournalRecord[] }> {
  const runs = await listRuns(stateDir());
  if (runs.length !== 1) throw new Error(`expected one run, found ${runs.length}`);
  const { records } = await readJournal(runs[0]!.file);
  return { file: runs[0]!.file, records };
}

const started = (records: JournalRecord[], step: string) => records.some((r) => r.event === 'step-started' && r.step === step);
const marks = () => (existsSync(join(dir, 'marks')) ? readFileSync(join(dir, 'marks'), 'utf8') : '');

// Three nodes' worth of work on this machine: quick steps, then one that runs long and records
// its shell's pid (its own process group), then a last one.
const RUNBOOK = `id: kill-test
title: Survive kill -9
sections:
  - id: prepare
    title: Prepare
    steps:
      - { id: one, run: echo one >> marks }
      - { id: two, run: echo two >> marks }
  - id: patch
    title: Patch
    steps:
      - { id: long, run: 'echo $$ > long.pid; echo long-start >> marks; sleep \${NAP:-30}; echo long-end >> marks' }
      - { id: last, run: echo last >> marks }
`;

describe('the binary survives kill -9 and Ctrl-C', () => {
  it('kill -9 mid-run, then --resume: nothing that finished runs again, nothing is lost, the running step waits', async () => {
    writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
    const first = play(['rb.yaml']);
    await until(async () => existsSync(join(dir, 'long.pid')) && started((await journal().catch(() => ({ records: [] }))).records, 'long'));
    groups.push(Number(readFileSync(join(dir, 'long.pid'), 'utf8')));
    const before = (await journal()).records;
    first.child.kill('SIGKILL');
    expect(await first.exit).toEqual({ code: null, signal: 'SIGKILL' });
    expect(marks()).toBe('one\ntwo\nlong-start\n');

    // The operator is not there (stdin closed): the interrupted step is never run by itself.
    const unattended = play(['rb.yaml', '--resume'], '');
    expect((await unattended.exit).code).toBe(1);
    expect(unattended.stderr()).toContain(
      '? patch/long@local was interrupted while running: echo $$ > long.pid; echo long-start >> marks; sleep ${NAP:-30}; echo long-end >> marks [r=run again, d=mark done, s=skip, a=abort] (end of input)',
    );
    expect(marks()).toBe('one\ntwo\nlong-start\n');

    // The operator's word: mark it done, with a reason.
    const resumed = play(['rb.yaml', '--resume'], 'd\nchecked by hand: the patch ran\n');
    expect((await resumed.exit).code).toBe(0);
    expect(resumed.stdout()).toContain('patch/long@local marked done by');
    expect(resumed.stdout().trimEnd().split('\n').at(-1)).toMatch(
      /^summary: passed 4, failed 0, skipped 0, interrupted 0 in \d\d:\d\d:\d\d; journal /,
    );
    expect(marks()).toBe('one\ntwo\nlong-start\nlast\n');

    // Nothing lost: every record written before the kill is still there, in order, then the resumes.
    const after = (await journal()).records;
    expect(after.slice(0, before.length)).toEqual(before);
    const events = after
      .slice(before.length)
      .map((r) => `${r.event}${'step' in r ? ` ${r.step}` : ''}${'status' in r ? ` ${r.status}` : ''}`);
    expect(events).toEqual([
      'resumed',
      'interrupted long interrupted',
      'aborted',
      'run-finished aborted',
      'resumed',
      'step-finished long passed',
      'step-started last',
      'output last',
      'step-finished last passed',
      'node-finished passed',
      'section-finished passed',
      'run-finished passed',
    ]);
    expect(after.filter((r) => r.event === 'step-started' && r.step === 'one')).toHaveLength(1);
  });

  it('Ctrl-C: exit 130, the running step recorded as interrupted, its command stopped; the run resumes', async () => {
    writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
    const first = play(['rb.yaml']);
    await until(async () => existsSync(join(dir, 'long.pid')) && started((await journal().catch(() => ({ records: [] }))).records, 'long'));
    const pid = Number(readFileSync(join(dir, 'long.pid'), 'utf8'));
    groups.push(pid);
    first.child.kill('SIGINT');
    expect((await first.exit).code).toBe(130);
    const { records } = await journal();
    expect(records.slice(-2)).toMatchObject([
      { event: 'interrupted', section: 'patch', step: 'long', node: 'local', status: 'interrupted', reason: 'interrupted by SIGINT' },
      { event: 'run-finished', status: 'interrupted' },
    ]);
    expect(first.stdout()).toContain('patch/long@local interrupted: interrupted by SIGINT');
    expect(first.stdout().trimEnd().split('\n').at(-1)).toMatch(
      /^summary: passed 2, failed 0, skipped 0, interrupted 1, not reached 1 in /,
    );
    // The command was stopped where it ran: its shell is gone and it never finished.
    await until(() => !processAlive(pid), 5000);
    expect(marks()).toBe('one\ntwo\nlong-start\n');

    // Run again, this time with a short nap (the step reads NAP from the environment).
    const resumed = play(['rb.yaml', '--resume'], 'r\n', { NAP: '0.2' });
    const exit = await resumed.exit;
    groups.push(Number(readFileSync(join(dir, 'long.pid'), 'utf8')));
    expect(exit.code).toBe(0);
    expect(marks()).toBe('one\ntwo\nlong-start\nlong-start\nlong-end\nlast\n');
  }, 60_000);
});
