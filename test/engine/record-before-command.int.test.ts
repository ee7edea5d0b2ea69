// "Nothing runs before its records are on disk", with the runner opening a command's session
// while the records that announce it are being written. A real OpenSSH server on loopback and
// the real SSH transport (the local transport for this machine's steps), a real Journal on disk;
// between the runner and the journal a hand that holds a write back (as a slow disk would) or
// makes the journal fail under it.
//
// The commands witness for themselves: a step's command reads the journal file at the moment it
// runs and says whether its own step-started record was there.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { Journal, readJournal } from '../../src/engine/journal.js';
import { Runner, type RecordSink, type RunnerOptions } from '../../src/engine/runner.js';
import type { RunState } from '../../src/engine/state.js';
import type { Inventory, InventoryNode } from '../../src/inventory/types.js';
import type { Section } from '../../src/runbook/schema.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { createSshTransport, type SshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/types.js';
import { waitUntil } from '../helpers/real-shell.js';
import { commOf, descendantsOf, sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';
import { runbook, section, stateOf } from './fixtures.js';

const missing = sshdMissing();
let dir: string;
let sshd: Sshd;
let knownHosts: string;
const transports: SshTransport[] = [];
const journals: Journal[] = [];

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const noop = (): void => undefined;

/**
 * The run's journal behind a hand: each append reaches the real Journal only once `hold` lets it
 * through, and in the order the runner gave them (a held write holds back the later ones, as a
 * slow disk does). The promise the runner gets is the real Journal's.
 */
class HeldJournal implements RecordSink {
  readonly appends: JournalRecord[][] = [];
  private tail: Promise<void> = Promise.resolve();
  constructor(
    readonly journal: Journal,
    private readonly hold: (records: readonly JournalRecord[]) => Promise<void> | undefined,
  ) {}
  append(records: readonly JournalRecord[]): Promise<void> {
    this.appends.push([...records]);
    const held = this.hold(records) ?? Promise.resolve();
    const through = this.tail.then(() => held);
    this.tail = through.then(noop, noop);
    return through.then(() => this.journal.append(records));
  }
}

/** The journal's descriptor closed under it: every write from now on fails, as on a dead disk. */
const breakJournal = (journal: Journal): Promise<void> => (journal as unknown as { handle: { close(): Promise<void> } }).handle.close();

const startOf = (records: readonly JournalRecord[], step: string, node?: string): boolean =>
  records.some((r) => r.event === 'step-started' && r.step === step && (node === undefined || r.node === node));

/** Shells on the node that wait for their script (`eval "$(cat)"`): a session opened ahead of its records. */
const waitingCats = (): number[] => descendantsOf(sshd.pid).filter((pid) => commOf(pid) === 'cat');

function node(name: string): InventoryNode {
  return {
    name,
    address: sshd.host,
    ip: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFile: sshd.clientKey.privateKeyPath,
    roles: ['master'],
    vars: {},
  };
}

const inventory = (...names: string[]): Inventory => ({ source: 'inventory.yaml', nodes: names.map(node), simulated: false });

let runs = 0;
async function newJournal(): Promise<Journal> {
  const journal = await Journal.create(join(dir, 'state'), `20261206-150000-${(++runs).toString(16).padStart(4, '0')}`);
  journals.push(journal);
  return journal;
}

/** Why a run stopped to ask the operator (none of these runs should): said at once, not as a timeout. */
let asked: string | undefined;

function play(state: RunState, sink: RecordSink, options: Partial<RunnerOptions> = {}): Runner {
  const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000 });
  transports.push(t);
  const runner = new Runner({ state, transportFor: () => t, journal: sink, by: 'alice', ...options });
  runner.subscribe((s) => {
    if (s.prompts.length === 0 || asked !== undefined) return;
    asked = JSON.stringify(s.prompts[0]);
    runner.dispatch({ type: 'abort' });
  });
  return runner;
}

/**
 * A command that runs `touch <dir>/<name>-after` when the journal already holds the step-started
 * record of `step` (on this node), else `touch <dir>/<name>-before`.
 */
function witness(journal: Journal, step: string, name: string): string {
  const has = `grep -F '"step":"${step}"' ${journal.file} | grep -F '"node":"'{{node.name}}'"' | grep -qF '"event":"step-started"'`;
  return `if ${has}; then touch ${dir}/${name}-after; else touch ${dir}/${name}-before; fi`;
}

/** Whether `records` hold the start of the troubleshooting command titled `title`. */
const sideStartOf = (records: readonly JournalRecord[], title: string): boolean =>
  records.some((r) => r.event === 'command-started' && r.title === title);

/** A troubleshooting command that touches <dir>/<name>-after when its own command-started record is on disk, else -before. */
function sideWitness(journal: Journal, title: string, name: string): string {
  const has = `grep -F '"event":"command-started"' ${journal.file} | grep -qF '"title":"${title}"'`;
  return `if ${has}; then touch ${dir}/${name}-after; else touch ${dir}/${name}-before; fi`;
}

/** A run that waits for the operator at its first step, so that troubleshooting happens mid-run. */
const waitingRun = (where: 'master' | 'local'): Section[] => [
  section(where === 'master' ? 'm' : 'l', [{ id: 'ack', text: 'Read the notes.', confirm: true }], { on: where }),
];

/** A run on master-1 over SSH, started and waiting at its confirmation (it asks on purpose: not through play()). */
async function waitingOnMaster(sink: RecordSink): Promise<Runner> {
  const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000 });
  transports.push(t);
  const runner = new Runner({
    state: stateOf(runbook(waitingRun('master')), inventory('master-1')),
    transportFor: () => t,
    journal: sink,
    by: 'alice',
  });
  runner.start();
  expect(await waitUntil(() => runner.getState().prompts.length > 0, 10_000)).toBe(true);
  return runner;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-record-first-'));
  if (missing) return;
  sshd = await startSshd({ host: '127.0.0.52' });
  knownHosts = sshd.writeKnownHosts();
});

afterEach(async () => {
  expect(asked).toBeUndefined();
  asked = undefined;
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(journals.splice(0).map((j) => j.close()));
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing)(`records before commands, over a real sshd${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it("a step's command never runs before its step-started record is on disk, although its session is open", async () => {
    const journal = await newJournal();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const sink = new HeldJournal(journal, (records) => (startOf(records, 'touch') ? released : undefined));
    const sections: Section[] = [
      section(
        'm',
        [
          { id: 'first', run: 'true' },
          { id: 'touch', run: witness(journal, 'touch', 'touch') },
        ],
        { on: 'master' },
      ),
    ];
    const runner = play(stateOf(runbook(sections), inventory('master-1')), sink);
    runner.start();
    // The write of touch's start is held; its session is open meanwhile, its shell waiting.
    const ran = () => existsSync(join(dir, 'touch-before')) || existsSync(join(dir, 'touch-after'));
    await waitUntil(() => waitingCats().length === 1 || ran(), 10_000);
    await pause(300);
    expect(existsSync(join(dir, 'touch-before'))).toBe(false);
    expect(existsSync(join(dir, 'touch-after'))).toBe(false);
    expect(waitingCats()).toHaveLength(1);
    release();
    expect(await runner.done).toBe('passed');
    // The command looked at the journal when it ran, and its record was there.
    expect(existsSync(join(dir, 'touch-before'))).toBe(false);
    expect(existsSync(join(dir, 'touch-after'))).toBe(true);
    await journal.close();
    const { records } = await readJournal(journal.file);
    expect(records.filter((r) => r.event === 'step-finished').map((r) => [r.step, r.status])).toEqual([
      ['first', 'passed'],
      ['touch', 'passed'],
    ]);
  });

  it('a write that fails stops the run with the journal’s message; the commands started ahead of it (two nodes) never ran', async () => {
    const journal = await newJournal();
    let failure: unknown;
    // master-1's start of touch is held, then the journal breaks under it; master-2 reaches touch meanwhile.
    const sink = new HeldJournal(journal, (records) => (startOf(records, 'touch', 'master-1') ? held() : undefined));
    let sessionsWhileHeld = 0;
    const held = async (): Promise<void> => {
      // Both touch sessions open, both waiting: master-2's record waits behind master-1's.
      await waitUntil(() => waitingCats().length === 2, 5000);
      sessionsWhileHeld = waitingCats().length;
      await pause(200);
      await breakJournal(journal);
    };
    const sections: Section[] = [
      section(
        'm',
        [
          {
            id: 'wait',
            run: `case "$ME" in master-1) sleep 0.05;; *) sleep 0.6;; esac; touch ${dir}/waited-$ME`,
            env: { ME: '{{node.name}}' },
          },
          { id: 'touch', run: `touch ${dir}/ran-{{node.name}}` },
          { id: 'last', run: `touch ${dir}/last-{{node.name}}` },
        ],
        { on: 'master', strategy: 'parallel' },
      ),
    ];
    const fatal: string[] = [];
    const seen: RecordSink = {
      append: (records) =>
        sink.append(records).catch((error: unknown) => {
          failure ??= error;
          throw error;
        }),
    };
    const runner = play(stateOf(runbook(sections), inventory('master-1', 'master-2')), seen, { onFatal: (m) => fatal.push(m) });
    runner.start();
    expect(await runner.done).toBe('interrupted');
    for (const f of ['ran-master-1', 'ran-master-2']) expect(existsSync(join(dir, f))).toBe(false);
    expect(sessionsWhileHeld).toBe(2);
    expect(failure).toBeInstanceOf(Error);
    expect(runner.fatal).toBe(`the journal cannot be written, so the run stops here: ${(failure as Error).message}`);
    expect(fatal).toEqual([runner.fatal]);
    // Both nodes ran wait; neither ran touch, now or later, and no shell is left waiting.
    expect(existsSync(join(dir, 'waited-master-1'))).toBe(true);
    expect(existsSync(join(dir, 'waited-master-2'))).toBe(true);
    expect(await waitUntil(() => waitingCats().length === 0, 5000)).toBe(true);
    await pause(300);
    for (const f of ['ran-master-1', 'ran-master-2', 'last-master-1', 'last-master-2']) expect(existsSync(join(dir, f))).toBe(false);
    // What the journal could not take is saved at close, without the starts that never happened.
    await journal.close();
    expect(journal.salvage).toEqual({ kind: 'rewritten' });
    const { records } = await readJournal(journal.file);
    expect(startOf(records, 'touch')).toBe(false);
    // Both nodes' ends of wait are facts: the first was in the write that failed, the second after it.
    expect(records.flatMap((r) => (r.event === 'step-finished' && r.step === 'wait' ? [r.node] : []))).toEqual(['master-1', 'master-2']);
  });

  it('a troubleshooting command never runs before its command-started record is on disk, although its session is open', async () => {
    const journal = await newJournal();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const runner = await waitingOnMaster(new HeldJournal(journal, (records) => (sideStartOf(records, 'look') ? released : undefined)));
    const result = runner.troubleshoot(
      'master-1',
      { title: 'look', run: sideWitness(journal, 'look', 'look'), display: 'look' },
      { by: 'bob' },
    );
    await waitUntil(() => waitingCats().length === 1, 10_000);
    await pause(300);
    expect(existsSync(join(dir, 'look-before'))).toBe(false);
    expect(existsSync(join(dir, 'look-after'))).toBe(false);
    expect(waitingCats()).toHaveLength(1);
    release();
    expect(await result).toMatchObject({ ok: true, exit: 0 });
    expect(existsSync(join(dir, 'look-before'))).toBe(false);
    expect(existsSync(join(dir, 'look-after'))).toBe(true);
    runner.dispatch({ type: 'abort' });
    await runner.done;
  });

  it('a troubleshooting command whose record cannot be written is not started, and says why', async () => {
    const journal = await newJournal();
    const runner = await waitingOnMaster(
      new HeldJournal(journal, (records) => (sideStartOf(records, 'poke') ? breakJournal(journal) : undefined)),
    );
    const r = await runner.troubleshoot('master-1', { title: 'poke', run: `touch ${dir}/poked`, display: 'touch poked' }, { by: 'bob' });
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'aborted' });
    expect(r.message).toMatch(/^The command on master-1 was not started: /);
    expect(await runner.done).toBe('interrupted');
    await pause(300);
    expect(existsSync(join(dir, 'poked'))).toBe(false);
    expect(await waitUntil(() => waitingCats().length === 0, 5000)).toBe(true);
  });
});

describe.skipIf(missing)(`listeners hear only what is on disk${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('several nodes at once, writes held back at random: every record heard is in the journal file, and the state agrees with what was heard', async () => {
    const journal = await newJournal();
    // A slow disk that is slower at some moments than at others (a fixed sequence: the test repeats).
    const delays = [40, 5, 90, 20, 60, 0, 120, 30];
    let n = 0;
    const sink = new HeldJournal(journal, () => pause(delays[n++ % delays.length]!));
    const names = ['master-1', 'master-2', 'master-3', 'master-4'];
    const sections: Section[] = [
      section(
        'm',
        [
          {
            id: 'stream',
            run: 'case "$ME" in master-1) n=4;; master-2) n=7;; master-3) n=10;; *) n=13;; esac; for i in $(seq 1 $n); do echo line $i; sleep 0.03; done',
            env: { ME: '{{node.name}}' },
          },
          { id: 'after', run: 'echo {{node.name}}' },
          { id: 'end', run: 'true' },
        ],
        { on: 'master', strategy: 'parallel' },
      ),
    ];
    const runner = play(stateOf(runbook(sections), inventory(...names)), sink);
    const heard: JournalRecord[] = [];
    const problems: string[] = [];
    let outputTicks = 0;
    runner.subscribe((state, change) => {
      // A listener's exceptions are swallowed by the runner: keep what is wrong, and say it after.
      const onDisk = new Set(readFileSync(journal.file, 'utf8').split('\n'));
      for (const r of change.records) {
        const line = JSON.stringify(r);
        if (!onDisk.has(line)) problems.push(`heard before it was on disk: ${line}`);
      }
      heard.push(...change.records);
      if (change.records.length === 0) outputTicks++;
      for (const name of names) {
        for (const [key, task] of state.nodes.get(name)?.tasks ?? []) {
          const step = key.split('/')[1]!;
          const started = heard.some((r) => r.event === 'step-started' && r.step === step && r.node === name);
          const finished = heard.some((r) => r.event === 'step-finished' && r.step === step && r.node === name);
          if (task.status !== 'pending' && !started) problems.push(`${key}@${name} shown ${task.status}, its start not heard`);
          if ((task.status === 'passed' || task.status === 'failed') && !finished)
            problems.push(`${key}@${name} shown ${task.status}, its end not heard`);
        }
      }
    });
    runner.start();
    expect(await runner.done).toBe('passed');
    await journal.close();
    expect(problems).toEqual([]);
    // Rounds really overlapped (records were handed on while earlier ones waited) and output came between.
    expect(sink.appends.length).toBeGreaterThan(names.length * 3);
    expect(outputTicks).toBeGreaterThan(0);
    // Every record heard once, in the journal's order.
    const { records } = await readJournal(journal.file);
    expect(heard.map((r) => JSON.stringify(r))).toEqual(records.map((r) => JSON.stringify(r)));
    for (const name of names) expect(startOf(records, 'end', name)).toBe(true);
  });
});

describe('records before commands on this machine', () => {
  /** The local transport as one that knows nothing of startAfter would be: it runs what it is given at once. */
  const withoutStartAfter = (inner: Transport, calls: { onDisk: boolean }[], journal: Journal): Transport => ({
    exec(node, command, options = {}) {
      const { startAfter: _ignored, ...rest } = options;
      calls.push({
        onDisk: readFileSync(journal.file, 'utf8')
          .split('\n')
          .some((l) => l.includes('"event":"step-started"') && l.includes(`"step":"touch"`)),
      });
      return inner.exec(node, command, rest);
    },
    close: () => inner.close(),
  });

  it.each([
    ['the local transport (it waits on its own before it starts a shell)', 'local', true],
    ['a transport that cannot wait (the runner waits before calling it)', 'plain', false],
  ] as const)("%s: a step's command runs only once its step-started record is on disk", async (_, name, startsAfter) => {
    const journal = await newJournal();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const sink = new HeldJournal(journal, (records) => (startOf(records, 'touch') ? released : undefined));
    const local = createLocalTransport();
    const calls: { onDisk: boolean }[] = [];
    const transport = startsAfter ? local : withoutStartAfter(local, calls, journal);
    const sections: Section[] = [
      section(
        'l',
        [
          { id: 'first', run: 'true' },
          { id: 'touch', run: witness(journal, 'touch', name) },
        ],
        { on: 'local' },
      ),
    ];
    const runner = new Runner({ state: stateOf(runbook(sections)), transportFor: () => transport, journal: sink, by: 'alice' });
    try {
      runner.start();
      await waitUntil(() => sink.appends.some((a) => startOf(a, 'touch')), 5000);
      await pause(300);
      expect(existsSync(join(dir, `${name}-before`))).toBe(false);
      expect(existsSync(join(dir, `${name}-after`))).toBe(false);
      if (!startsAfter) expect(calls).toHaveLength(1); // only first's command so far
      release();
      expect(await runner.done).toBe('passed');
      expect(existsSync(join(dir, `${name}-before`))).toBe(false);
      expect(existsSync(join(dir, `${name}-after`))).toBe(true);
      if (!startsAfter) expect(calls.map((c) => c.onDisk)).toEqual([false, true]);
    } finally {
      await transport.close();
    }
  });
  it.each([
    ['the local transport', 'side-local', true],
    ['a transport that cannot wait', 'side-plain', false],
  ] as const)('%s: a troubleshooting command runs only once its command-started record is on disk', async (_, name, startsAfter) => {
    const journal = await newJournal();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const sink = new HeldJournal(journal, (records) => (sideStartOf(records, name) ? released : undefined));
    const local = createLocalTransport();
    const transport: Transport = startsAfter
      ? local
      : { exec: (node, command, { startAfter: _ignored, ...rest } = {}) => local.exec(node, command, rest), close: () => local.close() };
    const runner = new Runner({ state: stateOf(runbook(waitingRun('local'))), transportFor: () => transport, journal: sink, by: 'alice' });
    try {
      runner.start();
      expect(await waitUntil(() => runner.getState().prompts.length > 0, 5000)).toBe(true);
      const result = runner.troubleshoot('local', { title: name, run: sideWitness(journal, name, name), display: name });
      await waitUntil(() => sink.appends.some((a) => sideStartOf(a, name)), 5000);
      await pause(300);
      expect(existsSync(join(dir, `${name}-before`))).toBe(false);
      expect(existsSync(join(dir, `${name}-after`))).toBe(false);
      release();
      expect(await result).toMatchObject({ ok: true, exit: 0 });
      expect(existsSync(join(dir, `${name}-before`))).toBe(false);
      expect(existsSync(join(dir, `${name}-after`))).toBe(true);
      runner.dispatch({ type: 'abort' });
      await runner.done;
    } finally {
      await transport.close();
    }
  });

  it('an answer is taken (act resolves) only once its record is on disk, and the destructive command runs only after that', async () => {
    const journal = await newJournal();
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const answered = (records: readonly JournalRecord[]) => records.some((r) => r.event === 'confirmation-answered');
    const sink = new HeldJournal(journal, (records) => (answered(records) ? released : undefined));
    const local = createLocalTransport();
    const J = journal.file;
    const both = `grep -F '"event":"confirmation-answered"' ${J} | grep -qF '"by":"bob"' && grep -F '"step":"wipe"' ${J} | grep -qF '"event":"step-started"'`;
    const sections: Section[] = [
      section(
        'l',
        [{ id: 'wipe', run: `if ${both}; then touch ${dir}/wipe-after; else touch ${dir}/wipe-before; fi`, destructive: true }],
        {
          on: 'local',
        },
      ),
    ];
    const runner = new Runner({ state: stateOf(runbook(sections)), transportFor: () => local, journal: sink, by: 'alice' });
    try {
      runner.start();
      expect(await waitUntil(() => runner.getState().prompts.some((p) => p.kind === 'confirm'), 5000)).toBe(true);
      const prompt = runner.getState().prompts.find((p) => p.kind === 'confirm')!;
      let onDiskWhenTaken: boolean | undefined;
      const answer = runner.act({ type: 'confirm', prompt: prompt.id, by: 'bob' }).then((r) => {
        onDiskWhenTaken = answered(
          readFileSync(J, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as JournalRecord),
        );
        return r;
      });
      await pause(300);
      expect(onDiskWhenTaken).toBeUndefined();
      expect(existsSync(join(dir, 'wipe-before'))).toBe(false);
      expect(existsSync(join(dir, 'wipe-after'))).toBe(false);
      release();
      expect(await answer).toEqual({ taken: true });
      expect(onDiskWhenTaken).toBe(true);
      expect(await runner.done).toBe('passed');
      expect(existsSync(join(dir, 'wipe-before'))).toBe(false);
      expect(existsSync(join(dir, 'wipe-after'))).toBe(true);
    } finally {
      await local.close();
    }
  });
});
