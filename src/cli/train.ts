// `runbook train`: the DC/OS patch runbook against a fresh simulated cluster, reached over real
// SSH like any other; afterwards, the trainee's report. `npm start` runs this.
// `runbook train --resume [RUN]` goes on with a training that stopped: its cluster went with its
// player, so a new one starts from the snapshot the player kept beside the journal (runs/<run>.sim.json,
// taken after every finished step and on the way out), in the state the journal describes.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CommandInput } from './command-types.js';
import { InputError } from '../input/problem.js';
import { readTrainingFile, simSnapshotFileOf, writeTrainingFile, type TrainingFile } from './training-file.js';
import { UsageError } from './errors.js';
import { drive } from './play.js';
import { openSession } from './session.js';
import { shippedRunbook } from './package-files.js';
import { parseTimeScale } from './sim.js';
import { chosenLang, parseTheme } from './settings-flags.js';
import { drawTrainingFrame, leaveTrainingFrame } from './train-frame.js';
import type { DrawnScreen } from '../ui/app/first-frame.js';
import { uiWordsFor, type UiWords } from '../words/words.js';

/** The trainee's report, beside the run's journal: `runs/<run>.trainee.md`. */
export const traineeReportFile = (journalFile: string): string => journalFile.replace(/\.jsonl$/, '') + '.trainee.md';

/** The training --resume goes on with: RUN, or the latest training that did not pass. Its lock is checked before a cluster starts. */
async function trainingToResume(
  stateDir: string,
  runId: string | undefined,
): Promise<{ id: string; training: TrainingFile; secrets: string[]; finished: string[] }> {
  const [{ listRuns, runsDir }, { runHolder, describeOwner, lockDirOf }] = await Promise.all([
    import('../engine/journal.js'),
    import('../engine/run-lock.js'),
  ]);
  const runs = await listRuns(stateDir);
  const bad = (file: string, message: string) => new InputError([{ file, severity: 'error', message }]);
  let found: { id: string; file: string; resumable: boolean; training: TrainingFile } | undefined;
  if (runId) {
    const run = runs.find((r) => r.id === runId);
    if (!run) throw bad(runsDir(stateDir), `no run ${runId} in ${runsDir(stateDir)} (\`runbook runs\` lists them)`);
    const training = await readTrainingFile(run.file);
    if (!training)
      throw bad(
        run.file,
        `run ${runId} was not a training (it was played against an inventory): \`runbook play --resume ${runId}\` goes on with it`,
      );
    found = { ...run, training };
  } else {
    // The latest training that did not pass: one that passed has nothing left to play.
    for (const run of [...runs].reverse().filter((r) => r.resumable)) {
      const training = await readTrainingFile(run.file);
      if (training) {
        found = { ...run, training };
        break;
      }
    }
    if (!found)
      throw bad(
        runsDir(stateDir),
        `no training to resume in ${runsDir(stateDir)} (none stopped before the end); \`runbook train\` starts one`,
      );
  }
  if (!found.resumable)
    throw bad(
      found.file,
      `training ${found.id} finished and passed; there is nothing to resume (\`runbook train --scenario ${found.training.scenario}\` starts it again)`,
    );
  const holder = runHolder(stateDir, found.id);
  if (holder) throw bad(found.file, describeOwner(holder.owner, lockDirOf(stateDir, found.id), holder.checkable));
  // The journal masks secret params; a training takes them from its cluster again, not from a prompt.
  const { readJournal } = await import('../engine/journal.js');
  const { records } = await readJournal(found.file);
  const first = records[0];
  // Every step-finished record, in order, to tell which ones the cluster's snapshot came after.
  const finished = records.flatMap((r) => (r.event === 'step-finished' ? [`${r.section}/${r.step}@${r.node}`] : []));
  return { id: found.id, training: found.training, secrets: first?.event === 'run-started' ? first.secrets : [], finished };
}

/** What resuming a training means, said before it starts. */
function resumeNote(
  id: string,
  t: TrainingFile,
  masters: number,
  agents: number,
  restored: boolean,
  unkept: string[],
  w: UiWords['train'],
): string {
  return [
    w.resuming(id, t.scenario, masters, agents),
    w.restored(restored),
    w.notAgain,
    ...(unkept.length > 0 ? [w.unkept(unkept.join(', '))] : []),
    w.startOver(t.scenario),
  ].join('\n');
}

async function readSnapshotOrExplain(read: (file: string) => Promise<import('../sim/index.js').ClusterSnapshot | undefined>, file: string) {
  try {
    return await read(file);
  } catch (error) {
    throw new InputError([
      { file, severity: 'error', message: `the simulated cluster's snapshot cannot be used: ${(error as Error).message}` },
    ]);
  }
}

/**
 * Runs `write` on request, never two at once; requests made meanwhile make one more run, with the
 * latest state. After a write that took d ms the next waits 4d, so keeping a large cluster (100 ms
 * at 3+200 nodes) takes at most a fifth of the player's time; a small one is kept after every step.
 * settled() writes what is pending at once (the way out).
 */
function snapshotKeeper(write: () => Promise<void>, onFirstFailure: (error: Error) => void): { request(): void; settled(): Promise<void> } {
  let running: Promise<void> | undefined;
  let resting: ReturnType<typeof setTimeout> | undefined;
  let again = false;
  let failed = false;
  const start = (): void => {
    again = false;
    const began = performance.now();
    running = write()
      .catch((error: unknown) => {
        if (!failed) onFirstFailure(error as Error);
        failed = true;
      })
      .finally(() => {
        running = undefined;
        resting = setTimeout(
          () => {
            resting = undefined;
            if (again) start();
          },
          4 * (performance.now() - began),
        );
      });
  };
  return {
    request() {
      if (running || resting) again = true;
      else start();
    },
    async settled() {
      while (running) await running;
      clearTimeout(resting);
      resting = undefined;
      if (again) start();
      while (running) await running;
      clearTimeout(resting);
      resting = undefined;
    },
  };
}

export async function run({ positionals, options, io }: CommandInput): Promise<number> {
  // The simulator itself (its SSH servers, ssh2) loads after the first frame is drawn.
  const [{ scenarios }, { parseNodesOption }] = await Promise.all([import('../sim/scenarios.js'), import('../sim/training.js')]);
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const out = (text: string) => io.stdout.write(`${text}\n`);

  if (options['list-scenarios']) {
    for (const s of scenarios) out(`${s.name.padEnd(18)} ${s.title}\n${''.padEnd(18)} ${s.description}`);
    return 0;
  }
  parseTheme(str('theme'), 'train');
  const lang = chosenLang(options, io.env, 'train');
  const resume = options.resume === true;
  if (positionals[0] !== undefined && !resume)
    throw new UsageError(`unexpected argument "${positionals[0]}" (a run id goes with --resume)`, 'train');
  if (resume) {
    const given = ['scenario', 'nodes', 'runbook'].filter((o) => options[o] !== undefined);
    if (given.length > 0)
      throw new UsageError(
        `--resume starts the training's own scenario and size; ${given.map((o) => `--${o}`).join(', ')} go${given.length === 1 ? 'es' : ''} with a new training`,
        'train',
      );
  }
  const { loadSettings } = await import('../config/settings.js');
  const stateDir = path.resolve(io.cwd, str('state-dir') ?? loadSettings(io.env).stateDir);
  const resumed = resume ? await trainingToResume(stateDir, positionals[0]) : undefined;
  const scenario = resumed?.training.scenario ?? str('scenario') ?? 'happy';
  if (!scenarios.some((s) => s.name === scenario)) {
    throw new UsageError(`unknown scenario "${scenario}"; scenarios: ${scenarios.map((s) => s.name).join(', ')}`, 'train');
  }
  let size: { masters?: number; agents?: number } = resumed
    ? {
        ...(resumed.training.masters ? { masters: resumed.training.masters } : {}),
        ...(resumed.training.agents ? { agents: resumed.training.agents } : {}),
      }
    : {};
  if (str('nodes')) {
    try {
      size = parseNodesOption(str('nodes')!);
    } catch (error) {
      throw new UsageError((error as Error).message, 'train');
    }
  }
  const timeScale = parseTimeScale(str('time-scale'), 'train') ?? resumed?.training.timeScale;
  const file = resumed ? undefined : (str('runbook') ?? shippedRunbook('dcos-1.11-patch.yaml'));

  // A fresh training on a terminal draws its first frame now, before the runbook is validated and
  // the simulator starts; both finish behind it, and nothing can run until they have.
  const stdin = io.stdin as NodeJS.ReadStream;
  let early: DrawnScreen | undefined;
  if (file && io.interactive && options.plain !== true) {
    early = await drawTrainingFrame(
      {
        file: path.resolve(io.cwd, file),
        scenario,
        size,
        params: Array.isArray(options.param) ? options.param.map(String) : [],
        env: io.env,
        ...(timeScale !== undefined ? { timeScale } : {}),
        ...(lang ? { lang } : {}),
      },
      {
        stdin,
        stdout: io.stdout as NodeJS.WriteStream,
        env: io.env,
        ...(str('theme') ? { theme: str('theme')! } : {}),
        noColor: options['no-color'] === true,
      },
    );
  }
  const leaveEarly = (): void => {
    if (early) leaveTrainingFrame(early, stdin);
    early = undefined;
  };

  const { readSnapshot, writeSnapshot, startSimulator } = await import('../sim/index.js');
  const snapshotFile = resumed ? simSnapshotFileOf(path.join(stateDir, 'runs', `${resumed.id}.jsonl`)) : undefined;
  const from = snapshotFile ? await readSnapshotOrExplain(readSnapshot, snapshotFile) : undefined;
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({ scenario, ...size, ...(timeScale !== undefined ? { timeScale } : {}), ...(from ? { from } : {}) });
  } catch (error) {
    leaveEarly();
    if (from && error instanceof TypeError)
      throw new InputError([
        { file: snapshotFile!, severity: 'error', message: `${error.message}; \`runbook train --scenario ${scenario}\` starts over` },
      ]);
    throw error;
  }
  try {
    const briefing = sim.scenario.description;
    // The superuser token the bootstrap node's CLI holds; the runbook's jwt param reads it from
    // $DCOS_AUTH_TOKEN, so a trainee who finds out the cluster is strict can go on.
    const env = { ...io.env, DCOS_AUTH_TOKEN: sim.token };
    const given = Array.isArray(options.param) ? options.param.map(String) : [];
    // A resumed training keeps the params its journal holds, but for the secrets it masks.
    const suggested = Object.entries(sim.suggestedParams)
      .filter(([name]) => !resumed || resumed.secrets.includes(name))
      .filter(([name]) => !given.some((g) => g.startsWith(`${name}=`)))
      .map(([name, value]) => `${name}=${value}`);
    const plainBriefing = !io.interactive || options.plain === true;
    const masters = sim.inventory.nodes.filter((n) => n.roles.includes('master')).length;
    const note = resumed
      ? resumeNote(
          resumed.id,
          resumed.training,
          masters,
          size.agents ?? sim.inventory.nodes.filter((n) => n.roles.includes('agent')).length,
          from !== undefined,
          from?.finished !== undefined ? resumed.finished.slice(from.finished) : [],
          // Before the runbook is read again: the language asked for, else English.
          uiWordsFor(lang).train,
        )
      : undefined;
    // Printed here too: a TUI's screen hides it, so it shows there again, in the dialog at start.
    if (note) out(note);
    else if (plainBriefing) {
      // The briefing, not the scenario's title: the title names the fault the trainee is to find.
      out(`Training: ${briefing}`);
      out(`Cluster ${sim.clusterName}: ${sim.inventory.nodes.length} nodes on loopback (inventory: runbook sim prints one).`);
    }
    const opened = await openSession({
      io: { ...io, env },
      command: 'train',
      // A resumed training plays the runbook its journal names, wherever this binary is.
      ...(resumed ? {} : { file }),
      inventory: { ...sim.inventory, name: `sim:${scenario}` },
      params: [...suggested, ...given],
      stateDir,
      ...(resumed ? { resume: resumed.id } : {}),
      yes: options.yes === true,
      ...(timeScale !== undefined ? { timeScale } : {}),
      beforeTerminal: leaveEarly,
    });
    if (opened.kind === 'dry-run') return opened.status;
    const { session } = opened;
    // What train says around the run speaks the run's language (--lang, the setting, the runbook's).
    const words = uiWordsFor(lang ?? session.runner.getState().plan.runbook.lang);
    const runId = session.runner.getState().run.id;
    if (!resumed) await writeTrainingFile(session.journalFile, { scenario, ...size, ...(timeScale !== undefined ? { timeScale } : {}) });
    // Cluster time and player time run at the same scale from slightly different origins.
    const offset = session.clock.now() - sim.clock.now();
    // The cluster is kept beside the journal after every finished step, so a resume (even after a
    // kill -9) meets it as the journal says; one write at a time, the latest state wins.
    let finished = resumed?.finished.length ?? 0;
    const keep = snapshotKeeper(
      () => writeSnapshot(simSnapshotFileOf(session.journalFile), { ...sim.snapshot(), finished }),
      // The training goes on; only a resume would miss what the cluster became.
      (error) => io.stderr.write(`${words.train.snapshotWarning(error.message)}\n`),
    );
    const unsubscribe = session.runner.subscribe((_state, change) => {
      const count = change.records.filter((r) => r.event === 'step-finished').length;
      finished += count;
      if (count > 0) keep.request();
    });
    session.handleSignals();
    // The driver takes the early frame's screen over (and gives the terminal back itself).
    const drawn = early;
    early = undefined;
    let status: number;
    try {
      status = await drive(session, io, {
        ...(drawn ? { drawn } : {}),
        plain: options.plain === true,
        ...(str('theme') ? { theme: str('theme')! } : {}),
        noColor: options['no-color'] === true,
        training: true,
        ...(lang ? { lang } : {}),
        // The header names no scenario: its name would give the fault away.
        target: words.train.target,
        // Plain mode printed the briefing before the session opened; a resumed training had its briefing.
        ...(note
          ? { briefing: note.replace(/\n/g, ' '), briefingTitle: uiWordsFor(lang).briefing.resumedTitle }
          : !plainBriefing
            ? { briefing: `${briefing} Cluster ${sim.clusterName}: ${sim.inventory.nodes.length} nodes.` }
            : {}),
      });
    } finally {
      unsubscribe();
      keep.request();
      await keep.settled();
      await session.close();
    }
    const outcome = session.runner.getState().outcome ?? 'not finished';
    const { readJournal } = await import('../engine/journal.js');
    const { traineeReport } = await import('../export/trainee-report.js');
    const summary = sim.model.summary();
    const shift = <T extends { at: number }>(x: T): T => ({ ...x, at: x.at + offset });
    const { records } = await readJournal(session.journalFile);
    // Commands the trainee typed on a node are in it: a token pasted there is masked like any secret.
    const report = traineeReport({
      scenario: sim.scenario,
      records,
      summary: { ...summary, faultsMet: summary.faultsMet.map(shift), actions: summary.actions.map(shift) },
      outcome,
      lang: words.lang,
    }).replaceAll(sim.token, '••••••');
    io.stdout.write(`\n${report}`);
    const reportFile = traineeReportFile(session.journalFile);
    try {
      await writeFile(reportFile, report, { mode: 0o600 });
      out(words.train.reportSaved(reportFile));
    } catch (error) {
      io.stderr.write(`${words.train.reportNotSaved(reportFile, (error as Error).message)}\n`);
    }
    if (outcome !== 'passed') {
      const where = str('state-dir') ? ` --state-dir ${str('state-dir')}` : '';
      out(`\n${words.train.toContinue(`runbook train --resume ${runId}${where}`)}`);
    }
    return status;
  } finally {
    leaveEarly();
    await sim.close();
  }
}
