// `runbook train`: the DC/OS patch runbook against a fresh simulated cluster, reached over real
// SSH like any other; afterwards, the trainee's report. `npm start` runs this.
// `runbook train --resume [RUN]` goes on with a training that stopped: its cluster went with its
// player, so a new one of the same scenario and size starts, in its first state (see resumeNote).
import path from 'node:path';
import type { CommandInput } from './command-types.js';
import { InputError } from '../input/problem.js';
import { readTrainingFile, writeTrainingFile, type TrainingFile } from './training-file.js';
import { UsageError } from './errors.js';
import { drive } from './play.js';
import { openSession } from './session.js';
import { shippedRunbook } from './package-files.js';
import { parseTimeScale } from './sim.js';
import { parseTheme } from './settings-flags.js';

/** The training --resume goes on with: RUN, or the latest training that did not pass. Its lock is checked before a cluster starts. */
async function trainingToResume(stateDir: string, runId: string | undefined): Promise<{ id: string; training: TrainingFile }> {
  const [{ listRuns, runsDir }, { runHolder, describeOwner, lockDirOf }] = await Promise.all([import('../engine/journal.js'), import('../engine/run-lock.js')]);
  const runs = await listRuns(stateDir);
  const bad = (file: string, message: string) => new InputError([{ file, severity: 'error', message }]);
  let found: { id: string; file: string; resumable: boolean; training: TrainingFile } | undefined;
  if (runId) {
    const run = runs.find((r) => r.id === runId);
    if (!run) throw bad(runsDir(stateDir), `no run ${runId} in ${runsDir(stateDir)} (\`runbook runs\` lists them)`);
    const training = await readTrainingFile(run.file);
    if (!training) throw bad(run.file, `run ${runId} was not a training (it was played against an inventory): \`runbook play --resume ${runId}\` goes on with it`);
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
    if (!found) throw bad(runsDir(stateDir), `no training to resume in ${runsDir(stateDir)} (none stopped before the end); \`runbook train\` starts one`);
  }
  if (!found.resumable) throw bad(found.file, `training ${found.id} finished and passed; there is nothing to resume (\`runbook train --scenario ${found.training.scenario}\` starts it again)`);
  const holder = runHolder(stateDir, found.id);
  if (holder) throw bad(found.file, describeOwner(holder.owner, lockDirOf(stateDir, found.id), holder.checkable));
  return { id: found.id, training: found.training };
}

/** What resuming a training means, said before it starts. */
function resumeNote(id: string, t: TrainingFile, masters: number, agents: number): string {
  return [
    `Resuming training ${id} (scenario ${t.scenario}, ${masters} masters, ${agents} agents).`,
    'Its simulated cluster stopped with its player, so a new one like it starts now, in its first state.',
    'The steps the journal marks done are not run again, and the new cluster does not show what they did:',
    'a later check of their effect may fail. Interrupted steps are yours to verify, run again or mark done.',
    `To start over instead: runbook train --scenario ${t.scenario}.`,
  ].join('\n');
}

export async function run({ positionals, options, io }: CommandInput): Promise<number> {
  const { scenarios, startSimulator, parseNodesOption } = await import('../sim/index.js');
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const out = (text: string) => io.stdout.write(`${text}\n`);

  if (options['list-scenarios']) {
    for (const s of scenarios) out(`${s.name.padEnd(18)} ${s.title}\n${''.padEnd(18)} ${s.description}`);
    return 0;
  }
  parseTheme(str('theme'), 'train');
  const resume = options.resume === true;
  if (positionals[0] !== undefined && !resume) throw new UsageError(`unexpected argument "${positionals[0]}" (a run id goes with --resume)`, 'train');
  if (resume) {
    const given = ['scenario', 'nodes', 'runbook'].filter((o) => options[o] !== undefined);
    if (given.length > 0) throw new UsageError(`--resume starts the training's own scenario and size; ${given.map((o) => `--${o}`).join(', ')} go${given.length === 1 ? 'es' : ''} with a new training`, 'train');
  }
  const { loadSettings } = await import('../config/settings.js');
  const stateDir = path.resolve(io.cwd, str('state-dir') ?? loadSettings(io.env).stateDir);
  const resumed = resume ? await trainingToResume(stateDir, positionals[0]) : undefined;
  const scenario = resumed?.training.scenario ?? str('scenario') ?? 'happy';
  if (!scenarios.some((s) => s.name === scenario)) {
    throw new UsageError(`unknown scenario "${scenario}"; scenarios: ${scenarios.map((s) => s.name).join(', ')}`, 'train');
  }
  let size: { masters?: number; agents?: number } = resumed ? { ...(resumed.training.masters ? { masters: resumed.training.masters } : {}), ...(resumed.training.agents ? { agents: resumed.training.agents } : {}) } : {};
  if (str('nodes')) {
    try {
      size = parseNodesOption(str('nodes')!);
    } catch (error) {
      throw new UsageError((error as Error).message, 'train');
    }
  }
  const timeScale = parseTimeScale(str('time-scale'), 'train') ?? resumed?.training.timeScale;
  const file = resumed ? undefined : str('runbook') ?? shippedRunbook('dcos-1.11-patch.yaml');

  const sim = await startSimulator({ scenario, ...size, ...(timeScale !== undefined ? { timeScale } : {}) });
  try {
    const briefing = sim.scenario.description;
    // The superuser token the bootstrap node's CLI holds; the runbook's jwt param reads it from
    // $DCOS_AUTH_TOKEN, so a trainee who finds out the cluster is strict can go on.
    const env = { ...io.env, DCOS_AUTH_TOKEN: sim.token };
    const given = Array.isArray(options.param) ? options.param.map(String) : [];
    // A resumed training keeps the params its journal holds.
    const suggested = resumed ? [] : Object.entries(sim.suggestedParams)
      .filter(([name]) => !given.some((g) => g.startsWith(`${name}=`)))
      .map(([name, value]) => `${name}=${value}`);
    const plainBriefing = !io.interactive || options.plain === true;
    const masters = sim.inventory.nodes.filter((n) => n.roles.includes('master')).length;
    if (resumed) out(resumeNote(resumed.id, resumed.training, masters, size.agents ?? sim.inventory.nodes.filter((n) => n.roles.includes('agent')).length));
    else if (plainBriefing) {
      out(`Training: ${sim.scenario.title}. ${briefing}`);
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
    });
    if (opened.kind === 'dry-run') return opened.status;
    const { session } = opened;
    const runId = session.runner.getState().run.id;
    if (!resumed) await writeTrainingFile(session.journalFile, { scenario, ...size, ...(timeScale !== undefined ? { timeScale } : {}) });
    // Cluster time and player time run at the same scale from slightly different origins.
    const offset = session.clock.now() - sim.clock.now();
    session.handleSignals();
    let status: number;
    try {
      status = await drive(session, io, { plain: options.plain === true, ...(str('theme') ? { theme: str('theme')! } : {}), noColor: options['no-color'] === true, training: true });
    } finally {
      await session.close();
    }
    const outcome = session.runner.getState().outcome ?? 'not finished';
    const { readJournal } = await import('../engine/journal.js');
    const { traineeReport } = await import('../export/trainee-report.js');
    const summary = sim.model.summary();
    const shift = <T extends { at: number }>(x: T): T => ({ ...x, at: x.at + offset });
    const { records } = await readJournal(session.journalFile);
    io.stdout.write(
      `\n${traineeReport({
        scenario: sim.scenario,
        records,
        summary: { ...summary, faultsMet: summary.faultsMet.map(shift), actions: summary.actions.map(shift) },
        outcome,
      })}`,
    );
    if (outcome !== 'passed') {
      const where = str('state-dir') ? ` --state-dir ${str('state-dir')}` : '';
      out(`\nTo continue this training: runbook train --resume ${runId}${where}`);
    }
    return status;
  } finally {
    await sim.close();
  }
}
