// `runbook sim`: the simulated DC/OS cluster alone, its inventory printed (or written with -o),
// running until interrupted, so any runbook can be played against it.
import { writeFile } from 'node:fs/promises';
import type { CommandInput } from './commands.js';
import { UsageError } from './main.js';

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
  const sim = await startSimulator({ scenario, ...size, ...(timeScale !== undefined ? { timeScale } : {}) });
  const yaml = inventoryToYaml(sim.inventory);
  const output = str('output');
  if (output) await writeFile(output, yaml);
  else io.stdout.write(yaml);
  const params = Object.entries(sim.suggestedParams).map(([k, v]) => `--param ${k}=${v}`).join(' ');
  // The cluster's clock runs N times faster: the player's waits must too, or every poll and
  // deadline is N times too long for it.
  const scale = timeScale !== undefined ? ` --time-scale ${timeScale}` : '';
  io.stderr.write(
    [
      `Simulated cluster ${sim.clusterName} (scenario ${scenario}) is running on loopback; Ctrl-C stops it.`,
      `Its host keys: ${sim.files.knownHosts} (runbook checks them; with ssh: -o UserKnownHostsFile=${sim.files.knownHosts}).`,
      `Play against it: runbook play runbooks/dcos-1.11-patch.yaml --inventory ${output ?? '<this inventory>'}${scale} ${params}`,
      '',
    ].join('\n'),
  );
  // SIGHUP too: the terminal it runs in was closed. Its private key and known_hosts go with it.
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  await new Promise<void>((resolve) => {
    const stop = () => {
      for (const s of signals) process.off(s, stop);
      resolve();
    };
    for (const s of signals) process.on(s, stop);
  });
  await sim.close();
  return 130;
}
