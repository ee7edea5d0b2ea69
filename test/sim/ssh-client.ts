// Talks to simulated nodes over real SSH with ssh2's Client, checking each host key against the
// known_hosts lines the simulator published (never skipping the check).
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { SimCluster } from '../../src/sim/index.js';

const { Client } = ssh2;

export interface RunResult {
  exit: number | null;
  stdout: string;
  stderr: string;
}

export interface Session {
  run(command: string, options?: { timeoutMs?: number; pty?: boolean }): Promise<RunResult>;
  /** Starts a command and hands its channel to `use`; closing the channel ends the command. */
  stream(command: string): Promise<ssh2.ClientChannel>;
  close(): void;
}

/** The host key a node must present, from the simulator's known_hosts lines. */
function expectedKey(sim: SimCluster, port: number): string {
  const line = sim.inventory.knownHosts?.find((l) => l.startsWith(`[${sim.inventory.nodes[0]?.address}]:${port} `));
  if (!line) throw new Error(`no known_hosts line for port ${port}`);
  return line.split(' ')[2] as string;
}

/** Opens one SSH connection to a node by name. */
export function connect(sim: SimCluster, name: string, options: { key?: string; user?: string } = {}): Promise<Session> {
  const node = sim.inventory.nodes.find((n) => n.name === name);
  if (!node || node.port === undefined) throw new Error(`no node ${name}`);
  const client = new Client();
  const want = expectedKey(sim, node.port);
  return new Promise((resolve, reject) => {
    client.once('error', reject);
    client.once('ready', () => {
      client.removeListener('error', reject);
      client.on('error', () => {});
      resolve({
        run: (command, o = {}) => run(client, command, o.timeoutMs ?? 20_000, o.pty ?? false),
        stream: (command) =>
          new Promise((res, rej) => {
            client.exec(command, (err, channel) => (err ? rej(err) : res(channel)));
          }),
        close: () => client.end(),
      });
    });
    client.connect({
      host: node.address,
      port: node.port,
      username: options.user ?? node.user ?? 'dcos',
      privateKey: options.key ?? readFileSync(node.identityFile as string, 'utf8'),
      hostVerifier: (key: Buffer) => key.toString('base64') === want,
      readyTimeout: 10_000,
    });
  });
}

function run(client: ssh2.Client, command: string, timeoutMs: number, pty: boolean): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const go = (err: Error | undefined, channel: ssh2.ClientChannel): void => {
      if (err) {
        reject(err);
        return;
      }
      let stdout = '';
      let stderr = '';
      let exit: number | null = null;
      const timer = setTimeout(() => {
        channel.close();
        reject(new Error(`timed out after ${timeoutMs} ms: ${command}\n${stdout}${stderr}`));
      }, timeoutMs);
      channel.on('data', (d: Buffer) => {
        stdout += d.toString('utf8');
      });
      channel.stderr.on('data', (d: Buffer) => {
        stderr += d.toString('utf8');
      });
      channel.on('exit', (code: number | null) => {
        exit = code;
      });
      channel.on('close', () => {
        clearTimeout(timer);
        resolve({ exit, stdout, stderr });
      });
    };
    if (pty) client.exec(command, { pty: true }, go);
    else client.exec(command, go);
  });
}

/** Runs one command on a node over a fresh connection. */
export async function sshRun(sim: SimCluster, name: string, command: string, timeoutMs = 20_000): Promise<RunResult> {
  const s = await connect(sim, name);
  try {
    return await s.run(command, { timeoutMs });
  } finally {
    s.close();
  }
}

/** Re-runs a command until check(result) holds; fails with the last output after timeoutMs. */
export async function pollUntil(
  session: Session,
  command: string,
  check: (r: RunResult) => boolean,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<RunResult> {
  const end = Date.now() + timeoutMs;
  let last: RunResult | undefined;
  while (Date.now() < end) {
    last = await session.run(command);
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met for: ${command}\nlast exit ${last?.exit}\n${last?.stdout}\n${last?.stderr}`);
}

/** POSIX single quoting, as the runbook player quotes interpolated values. */
export function sq(value: string): string {
  return `'${value.replace(/'/g, "'\\''")}'`;
}
