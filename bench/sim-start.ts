// Simulator benchmark: time and memory to start a simulated cluster of 3 masters and 2,000
// agents (each node its own SSH listener and host key), then the cost of the first and later
// commands over real SSH on the last agent, of touching 100 agents, and of close().
// Targets: start under 5 s; under 300 MB of RSS for the idle cluster; a command under 50 ms.
// Measured in a child process so the numbers do not include what other benchmarks left behind.
import { fork } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import { startSimulator, type SimCluster } from '../src/sim/index.js';

const CHILD_FLAG = '--sim-start-bench-child';
const MB = 1024 * 1024;

function exec(client: ssh2.Client, command: string): Promise<{ exit: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, ch) => {
      if (err) return reject(err);
      let stdout = '';
      let exit: number | null = null;
      ch.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      ch.stderr.on('data', () => {});
      ch.on('exit', (c: number) => {
        exit = c;
      });
      ch.on('close', () => resolve({ exit, stdout }));
    });
  });
}

function connect(sim: SimCluster, name: string): Promise<ssh2.Client> {
  const node = sim.inventory.nodes.find((n) => n.name === name);
  const want = sim.inventory.knownHosts?.find((l) => l.startsWith(`[127.0.0.1]:${node?.port} `))?.split(' ')[2];
  return new Promise((resolve, reject) => {
    const c = new ssh2.Client();
    c.once('ready', () => resolve(c));
    c.once('error', reject);
    // A socket without Nagle's delay, as an interactive client would use.
    const sock = tcpConnect({ host: '127.0.0.1', port: node?.port ?? 0, noDelay: true });
    c.connect({
      sock,
      username: 'dcos',
      privateKey: readFileSync(sim.files.identityFile),
      hostVerifier: (k: Buffer) => k.toString('base64') === want,
    });
  });
}

async function measure(): Promise<Record<string, number>> {
  global.gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const sim = await startSimulator({ masters: 3, agents: 2000, publicAgents: 1, timeScale: 1 });
  const startMs = performance.now() - t0;
  global.gc?.();
  const after = process.memoryUsage();
  const t1 = performance.now();
  const client = await connect(sim, 'agent-2000');
  const first = await exec(client, 'curl -fsS http://10.0.10.250:5051/metrics/snapshot');
  const firstMs = performance.now() - t1;
  if (first.exit !== 0) throw new Error(`the first command failed with ${first.exit}`);
  const t2 = performance.now();
  for (let i = 0; i < 20; i++) await exec(client, 'systemctl is-active dcos-mesos-slave');
  const commandMs = (performance.now() - t2) / 20;
  client.end();
  // Touch 100 agents: each builds its state (files, units, journal) on first use.
  const touchedBefore = process.memoryUsage().rss;
  for (let i = 1; i <= 100; i++) sim.model.state(`agent-${i}`);
  global.gc?.();
  const perNodeKb = (process.memoryUsage().rss - touchedBefore) / 100 / 1024;
  const t3 = performance.now();
  await sim.close();
  const closeMs = performance.now() - t3;
  return {
    nodes: sim.inventory.nodes.length,
    start_ms: Math.round(startMs),
    rss_before_mb: Math.round(before.rss / MB),
    rss_after_start_mb: Math.round(after.rss / MB),
    rss_added_by_start_mb: Math.round((after.rss - before.rss) / MB),
    heap_added_by_start_mb: Math.round((after.heapUsed - before.heapUsed) / MB),
    first_command_on_agent_2000_ms: Math.round(firstMs),
    later_command_ms: Number(commandMs.toFixed(1)),
    rss_per_touched_agent_kb: Math.round(perNodeKb),
    close_ms: Math.round(closeMs),
  };
}

/** Runs the measurement in a fresh Node process (with --expose-gc) and returns its numbers. */
export async function run(): Promise<Record<string, number>> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = fork(self, [CHILD_FLAG], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as Record<string, number>));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`benchmark child exited with ${code}`));
    });
  });
}

if (process.argv.includes(CHILD_FLAG)) {
  measure().then(
    (r) => process.send?.(r, () => process.exit(0)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
