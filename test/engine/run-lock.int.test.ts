// One run, one player, tested as operators would break it: the built binary, real processes,
// steps on a node over real SSH (an OpenSSH sshd on loopback). A second player started while the
// first is in the middle of a step is refused with exit 2 and runs nothing; kill -9 of the first
// leaves no lock behind; two resumes started at the same instant: exactly one plays.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { listRuns, readJournal } from '../../src/engine/journal.js';
import { tempDir } from '../helpers/real-shell.js';
import { sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';
import { buildBinary, spawnCli } from './binary.js';

const missing = sshdMissing();
let cli: string;
let removeBinary: () => void;
let sshd: Sshd;

let dir: string;
let removeDir: () => void;
const pids: number[] = [];

const env = () => ({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config'), TZ: 'UTC', NO_COLOR: '1' });
const stateDir = () => join(dir, 'state');
const players: ReturnType<typeof spawnCli>[] = [];
const play = (args: string[], input = '') =>
  track(spawnCli(cli, ['play', ...args, '--state-dir', stateDir()], { cwd: dir, env: env(), input }));
/** Every player started, so one a failed assertion left running is killed after the test. */
function track(p: ReturnType<typeof spawnCli>): ReturnType<typeof spawnCli> {
  players.push(p);
  return p;
}

async function until(predicate: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function journal(): Promise<JournalRecord[]> {
  const runs = await listRuns(stateDir());
  if (runs.length !== 1) throw new Error(`expected one run, found ${runs.length}`);
  return (await readJournal(runs[0]!.file)).records;
}
const startedOn = async (step: string) =>
  (await journal().catch(() => [] as JournalRecord[])).some((r) => r.event === 'step-started' && r.step === step);
const marks = () => (existsSync(join(dir, 'marks')) ? readFileSync(join(dir, 'marks'), 'utf8') : '');
const count = (records: JournalRecord[], event: string, step?: string) =>
  records.filter((r) => r.event === event && (step === undefined || ('step' in r && r.step === step))).length;

// Every step runs on the node over SSH; the node is this machine, so the marks land in `dir`.
// `long` and `last` wait for a file the test creates, so the test decides when they end.
const runbook = () => `id: lock-test
title: One player
sections:
  - id: patch
    title: Patch
    on: master
    steps:
      - { id: one, run: 'cd ${dir} && echo one >> marks' }
      - { id: long, run: 'cd ${dir} && echo $$ >> pids && echo long-start >> marks && while [ ! -e go-long ]; do sleep 0.05; done && echo long-end >> marks' }
      - { id: last, run: 'cd ${dir} && echo $$ >> pids && while [ ! -e go-last ]; do sleep 0.05; done && echo last >> marks' }
`;

describe.skipIf(missing)('a run has one player (the binary, over real SSH)', () => {
  beforeAll(async () => {
    [sshd, { cli, remove: removeBinary }] = await Promise.all([startSshd(), buildBinary()]);
  }, 60_000);
  afterAll(async () => {
    await sshd?.stop();
    removeBinary?.();
  });

  beforeEach(() => {
    ({ dir, remove: removeDir } = tempDir('runbook-lock-'));
    mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
    writeFileSync(join(dir, '.ssh', 'known_hosts'), `${sshd.knownHostsLine()}\n`);
    writeFileSync(
      join(dir, 'inventory.yaml'),
      `nodes:\n  - { name: master-1, address: ${sshd.host}, port: ${sshd.port}, user: ${sshd.user}, identity_file: ${sshd.clientKey.privateKeyPath}, roles: [master] }\n`,
    );
    writeFileSync(join(dir, 'rb.yaml'), runbook());
  });
  afterEach(() => {
    // The remote shells wrote their pids (the node is this machine): end any that outlived the test.
    if (existsSync(join(dir, 'pids'))) pids.push(...readFileSync(join(dir, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number));
    for (const p of players.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removeDir();
  });

  const holder = (pid: number) =>
    new RegExp(
      `run \\d{8}-\\d{6}-[0-9a-f]+ is being played by ${userInfo().username}@${hostname().replace(/\./g, '\\.')}, pid ${pid} \\(runbook play\\), since \\d{4}-\\d\\d-\\d\\dT`,
    );

  it('a second player while the first is mid-step: exit 2, told who holds the run; nothing runs twice, one run-finished', async () => {
    const first = play(['rb.yaml', '--inventory', 'inventory.yaml']);
    await until(async () => (await startedOn('long')) && marks().includes('long-start'));

    // The same run, three ways: the latest run of the file, by id, and by id with --run.
    const runId = (await listRuns(stateDir()))[0]!.id;
    for (const args of [
      ['rb.yaml', '--resume'],
      ['--resume', runId],
      ['rb.yaml', '--resume', '--run', runId],
    ]) {
      const second = play(args, 'r\nd\nr\n');
      expect((await second.exit).code).toBe(2);
      expect(second.stderr()).toMatch(holder(first.child.pid!));
      expect(second.stdout()).toBe('');
    }
    expect(marks()).toBe('one\nlong-start\n');

    writeFileSync(join(dir, 'go-long'), '');
    writeFileSync(join(dir, 'go-last'), '');
    expect((await first.exit).code).toBe(0);
    const records = await journal();
    expect(count(records, 'run-finished')).toBe(1);
    expect(count(records, 'resumed')).toBe(0);
    for (const step of ['one', 'long', 'last']) expect(count(records, 'step-started', step)).toBe(1);
    expect(marks()).toBe('one\nlong-start\nlong-end\nlast\n');
    // The lock went with its player: nothing is left beside the journal.
    expect(existsSync(join(stateDir(), 'runs', `${runId}.lock`))).toBe(false);
  }, 60_000);

  it('kill -9 of the player frees the run; of two resumes started at the same instant exactly one plays', async () => {
    const first = play(['rb.yaml', '--inventory', 'inventory.yaml']);
    await until(async () => (await startedOn('long')) && marks().includes('long-start'));
    first.child.kill('SIGKILL');
    await first.exit;
    const runId = (await listRuns(stateDir()))[0]!.id;
    // The dead player's lock is still on disk: it names a process that is gone.
    expect(existsSync(join(stateDir(), 'runs', `${runId}.lock`))).toBe(true);

    // Both mark the interrupted step done and go on to `last`, which waits: the winner is still
    // playing when the loser looks, whichever of the two that is.
    const a = play(['rb.yaml', '--resume'], 'd\nchecked by hand\n');
    const b = play(['rb.yaml', '--resume'], 'd\nchecked by hand\n');
    await until(async () => (await startedOn('last')) || a.child.exitCode !== null || b.child.exitCode !== null);
    const loserExit = await Promise.race([
      a.exit.then((e) => ({ who: a, other: b, ...e })),
      b.exit.then((e) => ({ who: b, other: a, ...e })),
    ]);
    expect(loserExit.code).toBe(2);
    expect(loserExit.who.stderr()).toMatch(holder(loserExit.other.child.pid!));
    await until(() => startedOn('last'));
    writeFileSync(join(dir, 'go-last'), '');
    expect((await loserExit.other.exit).code).toBe(0);

    const records = await journal();
    expect(count(records, 'resumed')).toBe(1);
    expect(count(records, 'run-finished')).toBe(1);
    expect(count(records, 'step-started', 'long')).toBe(1);
    expect(count(records, 'step-started', 'last')).toBe(1);
    expect(marks()).toBe('one\nlong-start\nlast\n');
  }, 60_000);
});
