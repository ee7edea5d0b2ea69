// `runbook train --resume` as a trainee meets it (the built binary, the simulator over real SSH):
// a training stopped by Ctrl-C once the masters are being patched says how to go on; `train
// --resume` starts a new cluster from the snapshot kept beside the journal, so the patched master,
// the checked configuration and the node patch script are there, keeps the finished steps done
// and plays the rest to the end. A kill -9 in the middle of a master loses only the step that was
// running, shown as interrupted. A run being played (its lock held) is refused before any cluster
// starts; so is a run that was no training.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { Journal, listRuns } from '../../src/engine/journal.js';
import { acquireRunLock } from '../../src/engine/run-lock.js';
import { buildBinary, spawnCli, type Spawned } from '../engine/binary.js';
import { tempDir } from '../helpers/real-shell.js';
import { runMain } from '../helpers/cli-io.js';
import { loadRunbook } from '../../src/runbook/load.js';

let cli: string;
let removeBinary: () => void;
let dir: string;
let removeDir: () => void;
const spawned: Spawned[] = [];
beforeAll(async () => {
  ({ cli, remove: removeBinary } = await buildBinary());
  ({ dir, remove: removeDir } = tempDir('runbook-train-resume-'));
}, 60_000);
afterAll(() => {
  // A player a failed assertion left running is killed here.
  for (const p of spawned) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  removeBinary?.();
  removeDir?.();
});

const stateDir = () => path.join(dir, 'state');
const env = () => ({ PATH: process.env.PATH, HOME: dir, TMPDIR: dir, RUNBOOK_CONFIG_DIR: path.join(dir, 'config'), TZ: 'UTC' });
const train = (args: string[], input = '') => {
  const p = spawnCli(cli, ['train', ...args, '--plain', '--yes', '--state-dir', stateDir()], { cwd: dir, env: env(), input });
  spawned.push(p);
  return p;
};
const records = (file: string): JournalRecord[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalRecord);
const simDirs = () => readdirSync(dir).filter((n) => n.startsWith('runbook-sim-'));
const runbookFile = path.join(import.meta.dirname, '..', '..', 'runbooks', 'dcos-1.11-patch.yaml');
type Finished = Extract<JournalRecord, { event: 'step-finished' }>;
const passed = (rs: JournalRecord[]): Finished[] => rs.filter((r): r is Finished => r.event === 'step-finished' && r.status === 'passed');
/** The journal of the only run started in `runs` since `known` was listed, once a record matches. */
const newJournal = (known: string[]) => readdirSync(path.join(stateDir(), 'runs')).find((n) => n.endsWith('.jsonl') && !known.includes(n));
const runsNow = () => {
  try {
    return readdirSync(path.join(stateDir(), 'runs'));
  } catch {
    return [];
  }
};
const journalSays = (known: string[], test: (rs: JournalRecord[]) => boolean) => () => {
  try {
    const run = newJournal(known);
    return run !== undefined && test(records(path.join(stateDir(), 'runs', run)));
  } catch {
    return false;
  }
};

async function until(predicate: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('runbook train --resume', () => {
  let runId = '';
  let journal = '';

  it('Ctrl-C stops a training and says how to continue it; train --resume does, to the end', async () => {
    // The runbook of this checkout, named: the test binary is bundled under node_modules/.cache,
    // and where node_modules is a link to another checkout's, its shipped runbook is that one's.
    const first = train(['--nodes', '2,2', '--time-scale', '200', '--runbook', runbookFile]);
    // The first master patched, the run still in the masters: the cluster has changed a lot by now.
    await until(
      journalSays([], (rs) => passed(rs).some((r) => r.section === 'masters' && r.step === 'run-patch-script')),
      120_000,
    );
    first.child.kill('SIGINT');
    expect(await first.exit).toEqual({ code: 130, signal: null });
    const said = /To continue this training: runbook train --resume (\S+) --state-dir (\S+)$/m.exec(first.stdout());
    expect(said, first.stdout()).not.toBeNull();
    runId = said![1]!;
    expect(said![2]).toBe(stateDir());
    journal = path.join(stateDir(), 'runs', `${runId}.jsonl`);
    const before = records(journal);
    const passedBefore = passed(before);
    expect(passedBefore.some((r) => r.step === 'run-patch-script' && r.node === 'master-1')).toBe(true);
    expect(readdirSync(path.join(stateDir(), 'runs'))).toContain(`${runId}.sim.json`);

    // As printed, with "run again" for every step the interrupt cut.
    const second = train(['--resume', runId], 'r\n'.repeat(20));
    const exit = await second.exit;
    expect(exit, `${second.stdout()}\n${second.stderr()}`).toEqual({ code: 0, signal: null });
    expect(second.stdout()).toContain(`Resuming training ${runId} (scenario happy, 2 masters, 2 agents).`);
    expect(second.stdout()).toContain('a new one starts now as it was after the last step that finished');
    // The secret params come from the cluster again: nothing asked for them.
    expect(second.stdout()).not.toContain('(not shown)');
    // The new cluster has the training's size: every one of its nodes reached the target.
    expect(second.stdout()).toMatch(/Nodes at 1\.11\.5: (\d+) of \1/);
    expect(second.stdout()).not.toContain('To continue this training');
    const after = records(journal);
    expect(after.filter((r) => r.event === 'resumed')).toHaveLength(1);
    // What passed before the interrupt was not run again.
    for (const p of passedBefore) {
      expect(
        after.filter((r) => r.event === 'step-started' && r.section === p.section && r.step === p.step && r.node === p.node),
        `${p.section}/${p.step}@${p.node}`,
      ).toHaveLength(1);
    }
    expect(after.at(-1)).toMatchObject({ event: 'run-finished', status: 'passed' });
    expect(simDirs()).toEqual([]);
  }, 240_000);

  it('refuses a training being played by another player, before any cluster starts', async () => {
    const lock = acquireRunLock(stateDir(), runId, { user: 'trainer', command: 'train' });
    try {
      // A training that passed has nothing to resume, whoever holds it; without RUN none is left.
      const { status, err } = await runMain(['train', '--resume', runId, '--plain', '--state-dir', stateDir()], env(), dir);
      expect(status).toBe(2);
      expect(err).toContain('finished and passed; there is nothing to resume');
      const latest = await runMain(['train', '--resume', '--plain', '--state-dir', stateDir()], env(), dir);
      expect(latest).toMatchObject({ status: 2, err: expect.stringContaining('no training to resume in') });
    } finally {
      lock.release();
    }
    // An unfinished training, its journal and training record written as a training writes them.
    const file = path.join(dir, 'rb.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, 'id: t\ntitle: T\nsections:\n  - { id: s, title: S, steps: [{ id: a, run: "true" }] }\n');
    const loaded = await loadRunbook(file);
    const id = '20261206-100000-beef';
    const j = await Journal.create(stateDir(), id);
    await j.append([
      {
        event: 'run-started',
        ts: new Date().toISOString(),
        run: id,
        runbook: { id: 't', title: 'T', file, digest: loaded.digest },
        inventory: { source: 'sim:happy', simulated: true },
        params: {},
        secrets: [],
        by: 'bob',
        header: {},
        total: 1,
      },
    ]);
    await j.close();
    writeFileSync(path.join(stateDir(), 'runs', `${id}.training.json`), '{"scenario":"happy"}\n');
    const held = acquireRunLock(stateDir(), id, { user: 'trainer', command: 'train' });
    try {
      const started = Date.now();
      const { status, err } = await runMain(['train', '--resume', '--plain', '--state-dir', stateDir()], env(), dir);
      expect(status).toBe(2);
      expect(err).toMatch(new RegExp(`run ${id} is being played by trainer@\\S+, pid ${process.pid} \\(runbook train\\)`));
      expect(simDirs()).toEqual([]);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      held.release();
    }
    expect((await listRuns(stateDir())).find((r) => r.id === id)?.status).toBeUndefined();
    // `play --resume` of a training (what quitting one used to suggest) points at train --resume.
    const viaPlay = await runMain(['play', '--resume', id, '--plain', '--state-dir', stateDir()], env(), dir);
    expect(viaPlay).toMatchObject({
      status: 2,
      err: expect.stringContaining(
        `run ${id} was a training on the simulated cluster (sim:happy), which stopped with its player: \`runbook train --resume ${id}\``,
      ),
    });
  }, 30_000);

  it('refuses a run that was no training, a damaged training record, and --scenario with --resume', async () => {
    const { writeFileSync } = await import('node:fs');
    const id = '20261206-100000-beef';
    const record = path.join(stateDir(), 'runs', `${id}.training.json`);
    writeFileSync(record, '{"scenario": 7}\n');
    const damaged = await runMain(['train', '--resume', id, '--plain', '--state-dir', stateDir()], env(), dir);
    expect(damaged).toMatchObject({
      status: 2,
      err: expect.stringContaining(`${record}:1:1: error: this is not the record of a training`),
    });
    // A snapshot cut short (a full disk, an editor) or of another cluster is refused, naming it.
    writeFileSync(record, '{"scenario":"happy"}\n');
    const snapshot = path.join(stateDir(), 'runs', `${id}.sim.json`);
    writeFileSync(snapshot, '{"format":1,"now":15205');
    const cut = await runMain(['train', '--resume', id, '--plain', '--state-dir', stateDir()], env(), dir);
    expect(cut).toMatchObject({
      status: 2,
      err: expect.stringContaining(
        `${snapshot}: error: the simulated cluster's snapshot cannot be used: it is not JSON (cut short or changed)`,
      ),
    });
    const shape = {
      scenario: 'happy',
      masters: 5,
      agents: 5,
      publicAgents: 1,
      seed: 1,
      installedVersion: '1.11.4',
      security: 'permissive',
    };
    writeFileSync(snapshot, JSON.stringify({ format: 1, now: 1520516400000, shape, model: { nodes: [] } }));
    const other = await runMain(['train', '--resume', id, '--plain', '--state-dir', stateDir()], env(), dir);
    expect(other).toMatchObject({
      status: 2,
      err: expect.stringContaining(`${snapshot}: error: the snapshot is of another cluster (masters 5, not 3)`),
    });
    expect(simDirs()).toEqual([]);
    rmSync(snapshot);
    rmSync(record);
    const notTraining = await runMain(['train', '--resume', id, '--plain', '--state-dir', stateDir()], env(), dir);
    expect(notTraining).toMatchObject({
      status: 2,
      err: expect.stringContaining(`run ${id} was not a training (it was played against an inventory): \`runbook play --resume ${id}\``),
    });
    const both = await runMain(['train', '--resume', '--scenario', 'libltdl', '--state-dir', stateDir()], env(), dir);
    expect(both).toMatchObject({
      status: 2,
      err: expect.stringContaining("--resume starts the training's own scenario and size; --scenario goes with a new training"),
    });
    const stray = await runMain(['train', id, '--state-dir', stateDir()], env(), dir);
    expect(stray).toMatchObject({ status: 2, err: expect.stringContaining('a run id goes with --resume') });
  });

  it('kill -9 in the middle of the masters: the resume shows the step that was running as interrupted, and goes on after the decision', async () => {
    const known = runsNow();
    const first = train(['--nodes', '3,1', '--time-scale', '200', '--runbook', runbookFile]);
    // master-2's patch running: its start journalled, its end not.
    const master2Patching = (rs: JournalRecord[]) =>
      rs.some((r) => r.event === 'step-started' && r.section === 'masters' && r.step === 'run-patch-script' && r.node === 'master-2') &&
      !rs.some((r) => r.event === 'step-finished' && r.section === 'masters' && r.step === 'run-patch-script' && r.node === 'master-2');
    await until(journalSays(known, master2Patching), 120_000);
    first.child.kill('SIGKILL');
    expect(await first.exit).toEqual({ code: null, signal: 'SIGKILL' });
    const id = newJournal(known)!.replace(/\.jsonl$/, '');
    const file = path.join(stateDir(), 'runs', `${id}.jsonl`);
    const passedBefore = passed(records(file));
    expect(passedBefore.some((r) => r.step === 'run-patch-script' && r.node === 'master-1')).toBe(true);
    // A killed player cleans nothing up: its cluster's directory stays, as after any kill -9.
    for (const d of simDirs()) rmSync(path.join(dir, d), { recursive: true, force: true });

    // A snapshot older than the journal's last finished steps (a kill -9 while a large cluster's
    // write rested): the resume names those steps, whose effect the cluster may not show.
    const snapshotFile = path.join(stateDir(), 'runs', `${id}.sim.json`);
    const kept = JSON.parse(readFileSync(snapshotFile, 'utf8')) as { finished: number };
    const finishedNames = records(file).flatMap((r) => (r.event === 'step-finished' ? [`${r.section}/${r.step}@${r.node}`] : []));
    // The snapshot is written after the journal, so a kill -9 can land between the two.
    expect(kept.finished).toBeGreaterThan(0);
    expect(kept.finished).toBeLessThanOrEqual(finishedNames.length);
    const older = kept.finished - 2;
    writeFileSync(snapshotFile, JSON.stringify({ ...kept, finished: older }));

    // "r" answers the interrupted step's question: run it again.
    const second = train(['--resume', id], 'r\n'.repeat(20));
    const exit = await second.exit;
    expect(exit, `${second.stdout()}\n${second.stderr()}`).toEqual({ code: 0, signal: null });
    expect(second.stdout()).toMatch(/masters\/run-patch-script@master-2 interrupted: the player stopped while the step was running/);
    expect(second.stdout()).toContain(
      `These steps finished after the cluster was last kept, so the new cluster may not show what they did (check them): ${finishedNames.slice(older).join(', ')}.`,
    );
    expect(second.stdout()).toMatch(/Nodes at 1\.11\.5: (\d+) of \1/);
    const after = records(file);
    // The operator's decision is journalled: run the interrupted step again.
    expect(
      after.filter((r) => r.event === 'retry' && r.kind === 'rerun' && r.step === 'run-patch-script' && r.node === 'master-2'),
    ).toHaveLength(1);
    for (const p of passedBefore) {
      expect(
        after.filter((r) => r.event === 'step-started' && r.section === p.section && r.step === p.step && r.node === p.node),
        `${p.section}/${p.step}@${p.node}`,
      ).toHaveLength(1);
    }
    expect(after.filter((r) => r.event === 'step-started' && r.step === 'run-patch-script' && r.node === 'master-2')).toHaveLength(2);
    expect(after.at(-1)).toMatchObject({ event: 'run-finished', status: 'passed' });
  }, 240_000);
});
