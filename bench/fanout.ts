// Fan-out benchmark: one command of a known length on many nodes, a fixed number at a time,
// over the SSH transport, against real sshd instances on loopback addresses (each node is its
// own inventory entry, so each gets its own connection, as on a real cluster).
//
// Target: `sleep 1` on 200 nodes at concurrency 50 finishes within 1.3x the ideal
// (200 / 50 x 1 s = 4 s), connections included.

import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Journal, newRunId } from '../src/engine/journal.js';
import { buildPlan } from '../src/engine/plan.js';
import { Runner } from '../src/engine/runner.js';
import { createRunState } from '../src/engine/state.js';
import type { Inventory, InventoryNode } from '../src/inventory/types.js';
import type { Runbook } from '../src/runbook/schema.js';
import { createSshTransport } from '../src/transport/ssh.js';
import type { ExecResult } from '../src/transport/types.js';
import { makeKey, startSshd, type Sshd } from '../test/helpers/sshd.js';

export interface FanoutOptions {
  /** Default 200. */
  nodes?: number;
  /** Commands running at once. Default 50. */
  concurrency?: number;
  /** How long the command sleeps. Default 1. */
  seconds?: number;
  /** sshd instances the nodes are spread over (127.0.0.20, .21, ...). Default 4. */
  servers?: number;
}

export interface FanoutRound {
  wallMs: number;
  idealMs: number;
  /** wallMs / idealMs. */
  ratio: number;
  failed: number;
  /** The first failure's message, if any. */
  firstFailure?: string;
  /** CPU time spent meanwhile by this process (the transport) and by the sshd processes (theirs and their children's). */
  cpu?: { playerMs: number; sshdMs: number };
}

export interface FanoutResult {
  nodes: number;
  concurrency: number;
  seconds: number;
  servers: number;
  /** New connections included. */
  cold: FanoutRound;
  /** Again, over the connections the first round opened. */
  warm: FanoutRound;
  /**
   * The same through the player (plan, reducer, runner, journal on disk) with a fresh transport:
   * its pre-flight opens every connection and checks every host key first, then the step runs.
   */
  player: FanoutRound & { preflightMs: number; stepRatio: number };
}

/** CPU time (user + system, own and reaped children's) of every sshd process alive now, in ms. */
function sshdCpuMs(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('sshd')) continue;
      // Fields after the command: state is 3rd; utime, stime, cutime, cstime are 14-17.
      const fields = stat.slice(close + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks * 10; // USER_HZ is 100 on Linux
}

/** Runs `task` on every item with at most `limit` running at once. */
async function pool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** `sleep` on every node through a Runner: wall time from start to done, and the pre-flight's share. */
async function throughPlayer(
  nodes: InventoryNode[],
  o: { knownHosts: string; dir: string; concurrency: number; seconds: number; idealMs: number },
): Promise<FanoutResult['player']> {
  const runbook: Runbook = {
    id: 'fanout',
    title: 'fanout',
    sections: [
      {
        id: 'agents',
        title: 'agents',
        on: 'agent',
        strategy: 'parallel',
        concurrency: o.concurrency,
        steps: [{ id: 'sleep', run: `sleep ${o.seconds}` }],
      },
    ],
  };
  const inventory: Inventory = { source: 'bench', nodes, simulated: false };
  const transport = createSshTransport({ knownHostsFiles: [o.knownHosts], agent: false, homeDir: o.dir, connectTimeoutMs: 30_000 });
  const runId = newRunId();
  const journal = await Journal.create(join(o.dir, 'state'), runId);
  try {
    const state = createRunState({
      plan: buildPlan(runbook, inventory),
      runId,
      file: 'fanout.yaml',
      digest: 'bench',
      params: {},
      by: 'bench',
    });
    const runner = new Runner({ state, transportFor: () => transport, journal, by: 'bench' });
    const t0 = performance.now();
    let preflightMs = 0;
    runner.subscribe((s) => {
      if (preflightMs === 0 && s.preflight && s.preflight.status !== 'running') preflightMs = performance.now() - t0;
    });
    runner.start();
    const outcome = await runner.done;
    const wallMs = performance.now() - t0;
    const failed = outcome === 'passed' ? 0 : nodes.length;
    return {
      wallMs: Math.round(wallMs),
      idealMs: o.idealMs,
      ratio: Math.round((wallMs / o.idealMs) * 1000) / 1000,
      failed,
      ...(failed ? { firstFailure: `the run ended ${outcome}` } : {}),
      preflightMs: Math.round(preflightMs),
      stepRatio: Math.round(((wallMs - preflightMs) / o.idealMs) * 1000) / 1000,
    };
  } finally {
    await journal.close();
    await transport.close();
  }
}

export async function run(options: FanoutOptions = {}): Promise<FanoutResult> {
  const nodes = options.nodes ?? 200;
  const concurrency = options.concurrency ?? 50;
  const seconds = options.seconds ?? 1;
  const serverCount = options.servers ?? 4;
  const dir = mkdtempSync(join(tmpdir(), 'runbook-fanout-'));
  const servers: Sshd[] = [];
  try {
    const clientKey = await makeKey(dir, 'client');
    for (let i = 0; i < serverCount; i++) {
      servers.push(await startSshd({ host: `127.0.0.${20 + i}`, authorizedKeys: [clientKey], maxSessions: 64 }));
    }
    const knownHosts = servers[0]!.writeKnownHosts(
      servers.map((s) => s.knownHostsLine()),
      'fanout_known_hosts',
    );
    const inventory: InventoryNode[] = Array.from({ length: nodes }, (_, i) => {
      const s = servers[i % servers.length]!;
      return {
        name: `node-${String(i + 1).padStart(3, '0')}`,
        address: s.host,
        ip: s.host,
        port: s.port,
        user: s.user,
        identityFile: clientKey.privateKeyPath,
        roles: ['agent'],
        vars: {},
      };
    });
    const transport = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 30_000 });
    const idealMs = Math.round(Math.ceil(nodes / concurrency) * seconds * 1000);
    const round = async (): Promise<FanoutRound> => {
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const sshd0 = sshdCpuMs();
      const results: ExecResult[] = await pool(inventory, concurrency, (node) => transport.exec(node, `sleep ${seconds}`));
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const failures = results.filter((r) => !r.ok);
      return {
        wallMs: Math.round(wallMs),
        idealMs,
        ratio: Math.round((wallMs / idealMs) * 1000) / 1000,
        failed: failures.length,
        ...(failures[0] ? { firstFailure: failures[0].message ?? `exit ${failures[0].exit}` } : {}),
        cpu: { playerMs: Math.round((cpu.user + cpu.system) / 1000), sshdMs: sshdCpuMs() - sshd0 },
      };
    };
    let cold: FanoutRound;
    let warm: FanoutRound;
    try {
      cold = await round();
      warm = await round();
    } finally {
      await transport.close();
    }
    const player = await throughPlayer(inventory, { knownHosts, dir, concurrency, seconds, idealMs });
    return { nodes, concurrency, seconds, servers: serverCount, cold, warm, player };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}
