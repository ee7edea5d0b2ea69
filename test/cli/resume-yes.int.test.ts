// `train --resume --plain --yes` of a training stopped while a confirmation waited (the built
// binary, the simulator over real SSH): every resume runs the pre-flight again, and --yes must
// answer the waiting confirmation once it passed, so the run goes on to its end instead of hanging.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { ZK_SUPER } from '../../src/sim/programs/backups.js';
import { buildBinary } from '../engine/binary.js';
import { tempDir } from '../helpers/real-shell.js';

let cli: string;
let removeBinary: () => void;
let dir: string;
let removeDir: () => void;
const children: ChildProcess[] = [];
beforeAll(async () => {
  ({ cli, remove: removeBinary } = await buildBinary());
  ({ dir, remove: removeDir } = tempDir('runbook-resume-yes-'));
}, 60_000);
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  removeBinary?.();
  removeDir?.();
});

const stateDir = () => path.join(dir, 'state');
// A secret is never journalled: a resume takes it again, here from its param's environment variable.
const env = () => ({
  PATH: process.env.PATH,
  HOME: dir,
  TMPDIR: dir,
  RUNBOOK_CONFIG_DIR: path.join(dir, 'config'),
  TZ: 'UTC',
  NO_COLOR: '1',
  ZK_SUPER_PASSWORD: ZK_SUPER.password,
});
/** A player whose standard input stays open: a question it asks waits, as at a terminal. */
function train(args: string[]) {
  const child = spawn(process.execPath, [cli, 'train', ...args, '--plain', '--state-dir', stateDir()], {
    cwd: dir,
    env: env(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  child.stderr!.on('data', (c) => (err += String(c)));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}
const journalRecords = (): JournalRecord[] => {
  try {
    const [run] = readdirSync(path.join(stateDir(), 'runs')).filter((n) => n.endsWith('.jsonl'));
    return readFileSync(path.join(stateDir(), 'runs', run!), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JournalRecord);
  } catch {
    return [];
  }
};
async function until(predicate: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('train --resume --plain --yes', () => {
  it('a training stopped with a confirmation waiting goes on to its end: the confirmation is answered once the pre-flight passed', async () => {
    const first = train([
      '--nodes',
      '1,1',
      '--time-scale',
      '200',
      '--runbook',
      path.join(import.meta.dirname, '..', '..', 'runbooks', 'dcos-1.11-patch.yaml'),
    ]);
    await until(() => journalRecords().some((r) => r.event === 'confirmation-asked'), 90_000);
    first.child.kill('SIGINT');
    expect(await first.exit).toEqual({ code: 130, signal: null });
    const runId = /To continue this training: runbook train --resume (\S+)/m.exec(first.stdout())?.[1];
    expect(runId, first.stdout()).toBeDefined();
    const before = journalRecords().length;

    const second = train(['--resume', runId!, '--yes']);
    // A step the interrupt cut is run again, asked when it is the last thing said; the
    // confirmation is --yes's to answer, so no other question may be left waiting.
    let answered = 0;
    second.child.stderr!.on('data', () => {
      const asked = (second.stderr().match(/was interrupted.*\] $/gm) ?? []).length;
      if (asked > answered && / \] ?$|\] $/.test(second.stderr())) {
        answered = asked;
        second.child.stdin!.write('r\n');
      }
    });
    const exit = await Promise.race([second.exit, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 100_000))]);
    if (exit === 'hung') second.child.kill('SIGKILL');
    expect(exit, `${second.stdout()}\n${second.stderr()}`).toEqual({ code: 0, signal: null });
    const after = journalRecords().slice(before);
    const passed = after.findIndex((r) => r.event === 'preflight-finished' && r.status === 'passed');
    const firstAnswer = after.findIndex((r) => r.event === 'confirmation-answered');
    expect(passed).toBeGreaterThan(-1);
    expect(firstAnswer).toBeGreaterThan(passed);
    expect(
      after
        .filter((r) => r.event === 'confirmation-answered')
        .every((r) => r.event === 'confirmation-answered' && r.by === '--yes (simulator)'),
    ).toBe(true);
    expect(after.at(-1)).toMatchObject({ event: 'run-finished', status: 'passed' });
  }, 300_000);
});
