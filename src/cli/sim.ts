// `runbook sim`: the simulated DC/OS cluster alone, its inventory written to a file (its own
// temporary directory's, or -o FILE) and the exact play command printed, running until
// interrupted, so any runbook can be played against it.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { shippedRunbook } from './package-files.js';
import { shellQuote } from '../shell/quote.js';
import type { CommandInput } from './command-types.js';
import { UsageError } from './errors.js';

/** --time-scale N: a positive number, or undefined when not given. */
export function parseTimeScale(text: string | undefined, command: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`--time-scale must be a positive number, not "${text}"`, command);
  return n;
}

export async function run({ options, io }: CommandInput): Promise<number> {
  const { scenarios, startSimulator, parseNodesOption, inventoryToYaml } = await import('../sim/index.js');
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  if (options['list-scenarios']) {
    for (const s of scenarios) io.stdout.write(`${s.name.padEnd(18)} ${s.title}\n`);
    return 0;
  }
  const scenario = str('scenario') ?? 'happy';
  if (!scenarios.some((s) => s.name === scenario)) {
    throw new UsageError(`unknown scenario "${scenario}"; scenarios: ${scenarios.map((s) => s.name).join(', ')}`, 'sim');
  }
  let size: { masters?: number; agents?: number } = {};
  if (str('nodes')) {
    try {
      size = parseNodesOption(str('nodes')!);
    } catch (error) {
      throw new UsageError((error as Error).message, 'sim');
    }
  }
  const timeScale = parseTimeScale(str('time-scale'), 'sim');
  // SIGHUP too: the terminal it runs in was closed. Its private key and known_hosts go with it.
  // Listened for before the cluster starts: a Ctrl-C while it starts, or just as the command is
  // printed, still stops it and removes its files.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      for (const s of signals) process.off(s, stop);
      resolve();
    };
    for (const s of signals) process.on(s, stop);
  });
  const sim = await startSimulator({ scenario, ...size, ...(timeScale !== undefined ? { timeScale } : {}) });
  const output = str('output');
  // Without -o the simulator's own copy is used: it goes with the cluster when it stops.
  const inventoryFile = output ? path.resolve(io.cwd, output) : sim.files.inventory;
  if (output) await writeFile(inventoryFile, inventoryToYaml(sim.inventory));
  // Paths as this terminal reaches them: relative to here when below it, absolute otherwise.
  const shown = (file: string) => {
    const rel = path.relative(io.cwd, file);
    return shellQuote(rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file);
  };
  const params = Object.entries(sim.suggestedParams)
    .map(([k, v]) => `--param ${k}=${shellQuote(v)}`)
    .join(' ');
  // The cluster's clock runs N times faster: the player's waits must too, or every poll and
  // deadline is N times too long for it.
  const scale = timeScale !== undefined ? ` --time-scale ${timeScale}` : '';
  io.stderr.write(
    [
      `Simulated cluster ${sim.clusterName} (scenario ${scenario}) is running on loopback; Ctrl-C stops it.`,
      `Its host keys: ${sim.files.knownHosts} (runbook checks them; with ssh: -o UserKnownHostsFile=${sim.files.knownHosts}).`,
      `Its inventory: ${inventoryFile}${output ? '' : ' (removed when it stops; -o FILE keeps one)'}.`,
      `Play against it: runbook play ${shown(shippedRunbook('dcos-1.11-patch.yaml'))} --inventory ${shown(inventoryFile)}${scale} ${params}`,
      '',
    ].join('\n'),
  );
  await stopped;
  await sim.close();
  return 130;
}
