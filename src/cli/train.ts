// `runbook train`: the DC/OS patch runbook against a fresh simulated cluster, reached over real
// SSH like any other; afterwards, the trainee's report. `npm start` runs this.
import type { CommandInput } from './commands.js';
import { UsageError } from './main.js';
import { drive } from './play.js';
import { openSession } from './session.js';
import { shippedRunbook } from './package-files.js';
import { parseTimeScale } from './sim.js';
import { parseTheme } from './settings-flags.js';

export async function run({ options, io }: CommandInput): Promise<number> {
  const { scenarios, startSimulator, parseNodesOption } = await import('../sim/index.js');
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const out = (text: string) => io.stdout.write(`${text}\n`);

  if (options['list-scenarios']) {
    for (const s of scenarios) out(`${s.name.padEnd(18)} ${s.title}\n${''.padEnd(18)} ${s.description}`);
    return 0;
  }
  parseTheme(str('theme'), 'train');
  const scenario = str('scenario') ?? 'happy';
  if (!scenarios.some((s) => s.name === scenario)) {
    throw new UsageError(`unknown scenario "${scenario}"; scenarios: ${scenarios.map((s) => s.name).join(', ')}`, 'train');
  }
  let size: { masters?: number; agents?: number } = {};
  if (str('nodes')) {
    try {
      size = parseNodesOption(str('nodes')!);
    } catch (error) {
      throw new UsageError((error as Error).message, 'train');
    }
  }
  const timeScale = parseTimeScale(str('time-scale'), 'train');
  const file = str('runbook') ?? shippedRunbook('dcos-1.11-patch.yaml');

  const sim = await startSimulator({ scenario, ...size, ...(timeScale !== undefined ? { timeScale } : {}) });
  try {
    const briefing = sim.scenario.description;
    // The superuser token the bootstrap node's CLI holds; the runbook's jwt param reads it from
    // $DCOS_AUTH_TOKEN, so a trainee who finds out the cluster is strict can go on.
    const env = { ...io.env, DCOS_AUTH_TOKEN: sim.token };
    const given = Array.isArray(options.param) ? options.param.map(String) : [];
    const suggested = Object.entries(sim.suggestedParams)
      .filter(([name]) => !given.some((g) => g.startsWith(`${name}=`)))
      .map(([name, value]) => `${name}=${value}`);
    const plainBriefing = !io.interactive || options.plain === true;
    if (plainBriefing) {
      out(`Training: ${sim.scenario.title}. ${briefing}`);
      out(`Cluster ${sim.clusterName}: ${sim.inventory.nodes.length} nodes on loopback (inventory: runbook sim prints one).`);
    }
    const opened = await openSession({
      io: { ...io, env },
      command: 'train',
      file,
      inventory: { ...sim.inventory, name: `sim:${scenario}` },
      params: [...suggested, ...given],
      ...(str('state-dir') ? { stateDir: str('state-dir')! } : {}),
      yes: options.yes === true,
      ...(timeScale !== undefined ? { timeScale } : {}),
    });
    if (opened.kind === 'dry-run') return opened.status;
    const { session } = opened;
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
    return status;
  } finally {
    await sim.close();
  }
}
