// `runbook watch [RUN]`: a read-only live view of a run, from its journal, for a trainer, a lead or
// the change board in another terminal of the same host. The same screen as the player's (the
// state rebuilt from the journal through the same reducer), or in plain mode the lines the player
// prints. A watcher takes no lock and writes nothing: no key acts on the run.
import { tallyOfState } from '../engine/tally.js';
import path from 'node:path';
import type { CommandInput } from './command-types.js';
import { InputError } from '../input/problem.js';
import { UsageError } from './errors.js';
import { parseTheme } from './settings-flags.js';
import type { JournalRecord, RunStartedRecord } from '../engine/events.js';
import type { Inventory, InventoryNode } from '../inventory/types.js';
import type { RunLockOwner } from '../engine/run-lock.js';
import type { FollowStop } from '../engine/journal-follow.js';
import type { WatchedRun } from '../engine/watched-run.js';
import { stripControls } from '../input/controls.js';

// ---- the words of this command (English; the catalog of words takes them at merge) ----
const WORDS = {
  noneRunning: (dir: string) =>
    `no run is being played in ${dir} now. \`runbook runs\` lists the runs; \`runbook watch RUN\` shows one, finished or not.`,
  several: (dir: string) => `several runs are being played in ${dir} now; name the one to watch: runbook watch RUN`,
  pick: 'Which run to watch? Number: ',
  noSuchRun: (id: string, dir: string) => `no run ${id} in ${dir} (\`runbook runs\` lists them)`,
  notRunId: (text: string) => `"${text}" is not a run id such as 20261125-171800-ab12 (\`runbook runs\` lists them)`,
  readOnly: (owner: RunLockOwner | undefined) =>
    owner ? `read-only: the player at ${owner.user}@${owner.host} (pid ${owner.pid}) answers` : 'read-only: a watcher acts on nothing',
  header: (owner: RunLockOwner | undefined, target: string) =>
    `WATCHING (read-only)${owner ? ` ${owner.user}@${owner.host} pid ${owner.pid}` : ''}  ${target}`,
  finished: (id: string, outcome: string) => `run ${id} has finished (${outcome}): this is its final state.`,
  gone: (id: string, owner: RunLockOwner | undefined, training: boolean) =>
    `the player of run ${id}${owner ? ` (${owner.user}@${owner.host}, pid ${owner.pid})` : ''} is gone: the run stopped without finishing, and nobody plays it now. ` +
    `To go on with it: ${training ? `runbook train --resume ${id}` : `runbook play --resume ${id}`}.`,
  stopped: (message: string) => `stopped watching: ${message}`,
  changedRunbook: (file: string) => `${file}: warning: the runbook changed since the run started; the screen shows the file as it is now`,
  summary: (id: string, outcome: string) => `runbook watch: run ${id} ${outcome}`,
};

/** How often the lock is looked at, to tell a player gone (kill -9) from a quiet one. */
const HOLDER_CHECK_MS = 1000;

export async function run({ positionals, options, io }: CommandInput): Promise<number> {
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  parseTheme(str('theme'), 'watch');
  const [{ listRuns, runsDir, journalPath, readJournal, RUN_ID }, { runHolder }, { loadSettings }] = await Promise.all([
    import('../engine/journal.js'),
    import('../engine/run-lock.js'),
    import('../config/settings.js'),
  ]);
  const stateDir = path.resolve(io.cwd, str('state-dir') ?? loadSettings(io.env).stateDir);
  const dir = runsDir(stateDir);
  const bad = (file: string, message: string) => new InputError([{ file, severity: 'error', message }]);

  // ---- which run ----
  let runId = positionals[0];
  if (runId !== undefined && !RUN_ID.test(runId)) throw new UsageError(WORDS.notRunId(runId), 'watch');
  if (runId === undefined) {
    const live = (await listRuns(stateDir)).filter((r) => runHolder(stateDir, r.id)).reverse();
    if (live.length === 0) throw bad(dir, WORDS.noneRunning(dir));
    if (live.length === 1) runId = live[0]!.id;
    else {
      const { alignColumns } = await import('./columns.js');
      const rows = alignColumns([
        ['', 'RUN', 'RUNBOOK', 'PLAYER'],
        ...live.map((r, i) => {
          const o = runHolder(stateDir, r.id)?.owner;
          return [`${i + 1}.`, r.id, r.runbook.title, o ? `${o.user}@${o.host} pid ${o.pid}` : ''];
        }),
      ]);
      if (!io.interactive) throw bad(dir, `${WORDS.several(dir)}\n${rows.join('\n')}`);
      io.stderr.write(`${rows.join('\n')}\n`);
      const { readTerminalLine } = await import('../plain/line-reader.js');
      io.stderr.write(WORDS.pick);
      const answer = await readTerminalLine(io.stdin as NodeJS.ReadStream, io.stderr, { echo: true }).catch(() => undefined);
      const picked = live[Number(answer?.trim()) - 1];
      if (!picked) throw bad(dir, `${WORDS.several(dir)}\n${rows.join('\n')}`);
      runId = picked.id;
    }
  }
  const file = journalPath(stateDir, runId);
  const { records } = await readJournal(file).catch((error: unknown) => {
    if (error instanceof InputError && error.problems[0]?.message === 'no such journal') throw bad(file, WORDS.noSuchRun(runId!, dir));
    throw error;
  });
  const first = records[0];
  if (!first || first.event !== 'run-started')
    throw bad(file, 'this journal has no run-started record yet; its player may be starting: try again');

  // ---- the run's plan, as its player built it ----
  const { readTrainingFile } = await import('./training-file.js');
  const training = await readTrainingFile(file);
  const inventory = await inventoryOf(first, training);
  const [{ loadRunbook }, { buildPlan }, { createRunState }, { WatchedRun, FollowClock }, { JournalFollower }] = await Promise.all([
    import('../runbook/load.js'),
    import('../engine/plan.js'),
    import('../engine/state.js'),
    import('../engine/watched-run.js'),
    import('../engine/journal-follow.js'),
  ]);
  const loaded = await loadRunbook(first.runbook.file, inventory ? { inventory } : {});
  const digest = records.findLast((r) => r.event === 'resumed')?.digest ?? first.runbook.digest;
  if (loaded.digest !== digest) io.stderr.write(`${WORDS.changedRunbook(first.runbook.file)}\n`);
  const plan = buildPlan(loaded.runbook, inventory, { file: first.runbook.file });
  const watched = new WatchedRun(
    createRunState({
      plan,
      runId: first.run,
      file: first.runbook.file,
      digest: first.runbook.digest,
      ...(first.inventory ? { inventory: first.inventory } : {}),
      params: first.params,
      secrets: first.secrets,
      by: first.by,
      header: first.header,
      ...(first.timeScale !== undefined ? { timeScale: first.timeScale } : {}),
    }),
  );
  const clock = new FollowClock(first.timeScale ?? 1);
  const owner = runHolder(stateDir, first.run)?.owner;

  // ---- following: records in, stops out ----
  let stopped: { message: string; status: number } | undefined;
  let resolveStop!: () => void;
  const stop = new Promise<void>((resolve) => (resolveStop = resolve));
  const end = (message: string, status: number) => {
    if (stopped) return;
    stopped = { message, status };
    resolveStop();
  };
  const finished = () => watched.getState().phase === 'finished';
  const follower = new JournalFollower(file, {
    onRecords: (batch, at) => {
      const last = batch.at(-1);
      if (last) clock.mark(Date.parse(last.ts), at.mtimeMs);
      try {
        watched.apply(batch);
      } catch (error) {
        end(WORDS.stopped(`${file}: a record does not fit the runbook as it is now (${(error as Error).message})`), 1);
      }
    },
    onStop: (s: FollowStop) => end(WORDS.stopped(s.message), 1),
  });

  const plain = !io.interactive || options.plain === true;
  const printed = plain ? printLines(io, watched, file, await import('../plain/format.js')) : undefined;
  await follower.start();
  // Already over: its final state, said so. Already without a player: said so, nothing to follow.
  const wasFinished = finished();
  if (!wasFinished && !stopped && !runHolder(stateDir, first.run)) end(WORDS.gone(first.run, owner, Boolean(training)), 1);
  const holderTimer = setInterval(() => {
    if (finished() || stopped || runHolder(stateDir, first.run)) return;
    // The lock went: the player finished (its last records are there now) or died.
    void follower.check().then(() => {
      if (!finished()) end(WORDS.gone(first.run, owner, Boolean(training)), 1);
    });
  }, HOLDER_CHECK_MS);
  const onFinish = watched.subscribe((state) => {
    if (state.phase === 'finished' && plain) end('', 0);
  });

  try {
    if (plain) {
      if (wasFinished) io.stdout.write(`${WORDS.finished(first.run, watched.getState().outcome ?? 'finished')}\n`);
      if (!wasFinished && !stopped) await stop;
      printed?.summary();
    } else if (!stopped) {
      const { runWatchTui } = await import('../ui/app/run-tui.js');
      const target = inventory ? (inventory.simulated ? inventory.source : (inventory.name ?? inventory.source)) : 'local';
      const screen = runWatchTui(
        {
          run: watched,
          clock,
          target: WORDS.header(owner, target),
          ...(training ? { training: true } : {}),
          readOnly: WORDS.readOnly(owner),
        },
        {
          stdin: io.stdin as NodeJS.ReadStream,
          stdout: io.stdout as NodeJS.WriteStream,
          stderr: io.stderr as NodeJS.WriteStream,
          env: io.env,
          ...(str('theme') ? { theme: str('theme')! } : {}),
          noColor: options['no-color'] === true,
        },
        stop,
      );
      await screen;
      const state = watched.getState();
      if (state.phase === 'finished' && !stopped) io.stdout.write(`${WORDS.summary(first.run, state.outcome ?? 'finished')}\n`);
    }
  } finally {
    clearInterval(holderTimer);
    onFinish();
    follower.close();
  }
  if (stopped && stopped.message) io.stderr.write(`runbook watch: ${stopped.message}\n`);
  return stopped?.status ?? 0;
}

/** Plain mode: a line per record as the player prints it, from the first; the summary line at the end. */
function printLines(io: CommandInput['io'], watched: WatchedRun, file: string, format: typeof import('../plain/format.js')) {
  const tails = new Map<string, readonly string[]>();
  let finishedRecord: Extract<JournalRecord, { event: 'run-finished' }> | undefined;
  const healthNews = format.healthNewsFilter();
  watched.subscribe((state, change) => {
    for (const r of change.records) {
      if (r.event === 'output') tails.set(`${r.section}/${r.step}@${r.node}`, r.tail);
      if (r.event === 'run-finished') finishedRecord = r;
      if (r.event === 'health' && !healthNews(r)) continue;
      const tail = r.event === 'step-finished' && r.status === 'failed' ? tails.get(`${r.section}/${r.step}@${r.node}`) : undefined;
      const lines = format.formatRecord(r, state, tail);
      // The journal is the player's, but the file may have been edited: no control character reaches the terminal.
      if (lines.length > 0) io.stdout.write(stripControls(`${lines.join('\n')}\n`));
    }
  });
  return {
    summary() {
      const state = watched.getState();
      if (state.phase !== 'finished') return;
      // The same counts the player printed (tally.ts), from the state the journal rebuilt.
      io.stdout.write(
        `${format.summaryLine(tallyOfState(state), finishedRecord?.durationMs ?? format.runDuration(state, state.now), file)}\n`,
      );
    },
  };
}

/** The nodes the run was planned over: a training's simulated cluster, the inventory file, or the nodes the journal lists. */
async function inventoryOf(
  first: RunStartedRecord,
  training: { scenario: string; masters?: number; agents?: number } | undefined,
): Promise<Inventory | undefined> {
  const recorded = first.inventory;
  if (!recorded) return undefined;
  if (training) {
    const { simulatedNodes } = await import('../sim/index.js');
    return { source: recorded.source, name: `sim-${training.scenario}`, nodes: simulatedNodes(training), simulated: true };
  }
  // The file as it is now, for its node vars; the nodes the journal lists when it cannot be read.
  try {
    const { loadInventory } = await import('../inventory/load.js');
    const inventory = await loadInventory(recorded.source, {});
    return { ...inventory, source: recorded.source };
  } catch {
    if (!recorded.nodes)
      throw new InputError([
        {
          file: recorded.source,
          severity: 'error',
          message: 'the inventory of this run cannot be read, and its journal does not list its nodes',
        },
      ]);
    const nodes: InventoryNode[] = recorded.nodes.map((n) => ({
      name: n.name,
      address: n.address,
      ip: n.ip ?? n.address,
      roles: [...n.roles],
      ...(n.port !== undefined ? { port: n.port } : {}),
      vars: {},
    }));
    return { source: recorded.source, nodes, simulated: recorded.simulated };
  }
}
