// The player against the node side's floor, over real OpenSSH servers on loopback (issue 14).
//
// A patch-shaped runbook: a bootstrap step, 3 masters one at a time (stop, patch, gate on the
// output), then the agents in batches (the same three steps). The floor is what a client with no
// overhead of its own takes for the same node-side work, measured in the same run with ssh2 and
// nothing else: every connection opened at once; the serial commands (bootstrap, each master's
// steps in turn) one after another over warm connections; each batch of agents as waves of N
// commands at once. Each command does what the player's does on the node: a session channel,
// the fixed shell line, the script on its input, then end of input. Its packets leave as the
// player's do, a burst in one write (src/transport/coalesce.ts).
//
// Target: 3 + 200 in batches of 50 at most 1.2x the floor, 3 + 20 in batches of 5 at most 1.1x.
// Ratios are medians over `rounds`, floor and player alternating, each round with new connections.
//
// And the pre-flight of a simulated cluster of 3 masters and 2,000 agents (`runbook train --nodes
// 3,2000`: the simulator in the player's process) against opening as many bare connections to it,
// all at once: at most 1.2x.
//
// And where the player's time above the floor goes, at 3 + 20 over connections already open, in one
// process, the three alternating each round: the same commands through the SSH transport alone
// (each agent's steps one after another, the batches in turn: no reducer, no runner, no journal);
// the runner without a journal; the runner with its journal on disk. Wall time and this process's
// CPU for each (part `split-20`, not in the default set).
//
// FLOOR_ROUNDS (default 15 for 3 + 20, 5 for 3 + 200, at most 3 for the simulated cluster, 20 for the
// split) and FLOOR_PARTS (default agents-20,agents-200,sim-2006) choose what runs:
// `FLOOR_PARTS=agents-20 npm run bench -- floor`. The whole takes minutes on a quiet machine of 2
// cores; sshd and the simulator are stopped after.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { Journal, newRunId } from '../src/engine/journal.js';
import { buildPlan } from '../src/engine/plan.js';
import { Runner } from '../src/engine/runner.js';
import { createRunState } from '../src/engine/state.js';
import type { JournalRecord } from '../src/engine/events.js';
import type { Inventory, InventoryNode } from '../src/inventory/types.js';
import type { Runbook } from '../src/runbook/schema.js';
import { deliveredScript, STDIN_BOOTSTRAP } from '../src/transport/delivery.js';
import { coalescingConnection } from '../src/transport/coalesce.js';
import { createSshTransport } from '../src/transport/ssh.js';
import type { Transport } from '../src/transport/types.js';
import { startSimulator, type SimCluster } from '../src/sim/index.js';
import { childrenOf, descendantsOf, makeKey, startSshd, type Sshd } from '../test/helpers/sshd.js';

export interface FloorOptions {
  masters?: number;
  agents: number;
  batch: number;
  /** sshd instances the nodes are spread over (127.0.0.30, .31, ...). */
  servers?: number;
  rounds?: number;
}

/** The three steps every master and agent goes through: the last is a gate on the output. */
const STEPS = [
  { id: 'stop', run: 'true' },
  { id: 'patch', run: 'true' },
  { id: 'gate', run: 'echo registered=1', expect: { regex: '^registered=1$' } },
] as const;

function patchRunbook(batch: number): Runbook {
  const steps = STEPS.map((s) => ({ ...s }));
  return {
    id: 'floor',
    title: 'floor',
    sections: [
      { id: 'bootstrap', title: 'bootstrap', on: 'bootstrap', steps: [{ id: 'serve', run: 'true' }] },
      { id: 'masters', title: 'masters', on: 'master', strategy: 'serial', steps },
      { id: 'agents', title: 'agents', on: 'agent', strategy: { batch }, steps },
    ],
  } as Runbook;
}

/** Splits wall time by the journal's records: pre-flight, the serial part, the agents. */
interface Phases {
  wallMs: number;
  connectMs: number;
  serialMs: number;
  agentsMs: number;
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Waits until every sshd has let go of the sessions of the last phase (at most 3 s): closing 23 or
 * 203 connections keeps their server processes busy for a while, and the next phase, floor or
 * player, would pay for the previous one's.
 */
async function settled(servers: readonly Sshd[]): Promise<void> {
  const until = performance.now() + 3000;
  while (performance.now() < until && servers.some((s) => childrenOf(s.pid).length > 0)) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The bootstrap's step, then each master's steps in turn, through `exec`; gives back the agents. */
async function serialPart(nodes: InventoryNode[], exec: (n: InventoryNode, command: string) => Promise<void>): Promise<InventoryNode[]> {
  await exec(
    nodes.find((n) => n.roles.includes('bootstrap'))!,
    'true',
  );
  for (const m of nodes.filter((n) => n.roles.includes('master'))) for (const s of STEPS) await exec(m, s.run);
  return nodes.filter((n) => n.roles.includes('agent'));
}

/** The floor: ssh2 alone, the node side's work and nothing more. */
async function floor(nodes: InventoryNode[], privateKey: Buffer, batch: number): Promise<Phases> {
  const clients = new Map<string, Client>();
  const t0 = performance.now();
  try {
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise<void>((resolve, reject) => {
            const c = new Client();
            clients.set(n.name, c);
            c.on('ready', () => resolve());
            c.on('error', reject);
            // The same socket as the player's: a floor that paid a write per packet would flatter it.
            c.connect({ sock: coalescingConnection(n.address, n.port!), username: n.user!, privateKey, readyTimeout: 60_000 });
            c.setNoDelay(true);
          }),
      ),
    );
    const t1 = performance.now();
    const exec = (n: InventoryNode, command: string): Promise<void> =>
      new Promise((resolve, reject) => {
        clients.get(n.name)!.exec(STDIN_BOOTSTRAP, (err, ch) => {
          if (err) return reject(err);
          let code: number | null = null;
          ch.on('exit', (c: number | null) => (code = c));
          ch.on('data', () => undefined);
          ch.stderr.resume();
          ch.on('close', () => (code === 0 ? resolve() : reject(new Error(`${n.name}: exit ${code}`))));
          ch.end(deliveredScript(command));
        });
      });
    const agents = await serialPart(nodes, exec);
    const t2 = performance.now();
    for (let i = 0; i < agents.length; i += batch) {
      const wave = agents.slice(i, i + batch);
      for (const s of STEPS) await Promise.all(wave.map((a) => exec(a, s.run)));
    }
    const t3 = performance.now();
    return { wallMs: t3 - t0, connectMs: t1 - t0, serialMs: t2 - t1, agentsMs: t3 - t2 };
  } finally {
    for (const c of clients.values()) c.end();
  }
}

/** The player: plan, reducer, runner, journal on disk, SSH transport with its pre-flight. */
async function player(nodes: InventoryNode[], knownHosts: string, dir: string, batch: number): Promise<Phases> {
  const transport = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 60_000 });
  try {
    return await play(nodes, transport, dir, batch, true);
  } finally {
    await transport.close();
  }
}

/** One run of the patch through the runner, over `transport`; with its journal on disk or none. */
async function play(nodes: InventoryNode[], transport: Transport, dir: string, batch: number, journalled: boolean): Promise<Phases> {
  const inventory: Inventory = { source: 'bench', nodes, simulated: false };
  const runId = newRunId();
  const journal = journalled ? await Journal.create(join(dir, 'state'), runId) : undefined;
  try {
    const state = createRunState({
      plan: buildPlan(patchRunbook(batch), inventory),
      runId,
      file: 'floor.yaml',
      digest: 'bench',
      params: {},
      by: 'bench',
    });
    const runner = new Runner({ state, transportFor: () => transport, ...(journal ? { journal } : {}), by: 'bench' });
    const t0 = performance.now();
    let connected = 0;
    let serialDone = 0;
    runner.subscribe((_s, change) => {
      for (const r of change.records as JournalRecord[]) {
        const e = r as JournalRecord & { event: string; section?: string };
        if (e.event === 'preflight-finished') connected = performance.now();
        if (e.event === 'section-started' && e.section === 'agents') serialDone = performance.now();
      }
    });
    runner.start();
    const outcome = await runner.done;
    const t3 = performance.now();
    if (outcome !== 'passed') throw new Error(`the player's run ended ${outcome}`);
    return { wallMs: t3 - t0, connectMs: connected - t0, serialMs: serialDone - connected, agentsMs: t3 - serialDone };
  } finally {
    await journal?.close();
  }
}

/** sshd on loopback for `masters` + `agents` nodes, a client key they trust and a known_hosts file for them. */
interface Cluster {
  dir: string;
  servers: Sshd[];
  nodes: InventoryNode[];
  knownHosts: string;
  privateKey: Buffer;
}

async function withCluster<T>(options: FloorOptions, use: (c: Cluster) => Promise<T>): Promise<T> {
  const masters = options.masters ?? 3;
  const serverCount = options.servers ?? Math.max(1, Math.ceil((masters + options.agents) / 50));
  const dir = mkdtempSync(join(tmpdir(), 'runbook-floor-'));
  const servers: Sshd[] = [];
  try {
    const clientKey = await makeKey(dir, 'client');
    for (let i = 0; i < serverCount; i++) {
      servers.push(await startSshd({ host: `127.0.0.${30 + i}`, authorizedKeys: [clientKey], maxSessions: 64 }));
    }
    const knownHosts = servers[0]!.writeKnownHosts(
      servers.map((s) => s.knownHostsLine()),
      'floor_known_hosts',
    );
    const nodes: InventoryNode[] = Array.from({ length: masters + options.agents }, (_, i) => {
      const s = servers[i % servers.length]!;
      const master = i < masters;
      return {
        name: master ? `master-${i + 1}` : `agent-${String(i - masters + 1).padStart(3, '0')}`,
        address: s.host,
        ip: s.host,
        port: s.port,
        user: s.user,
        identityFile: clientKey.privateKeyPath,
        roles: master ? (i === 0 ? ['master', 'bootstrap'] : ['master']) : ['agent'],
        vars: {},
      };
    });
    const privateKey = readFileSync(clientKey.privateKeyPath);
    return await use({ dir, servers, nodes, knownHosts, privateKey });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function measure(options: FloorOptions): Promise<Record<string, number>> {
  const rounds = options.rounds ?? 3;
  return withCluster(options, async ({ dir, servers, nodes, knownHosts, privateKey }) => {
    const floors: Phases[] = [];
    const players: Phases[] = [];
    for (let r = 0; r < rounds; r++) {
      await settled(servers);
      floors.push(await floor(nodes, privateKey, options.batch));
      await settled(servers);
      players.push(await player(nodes, knownHosts, dir, options.batch));
    }
    const pick = (xs: Phases[], k: keyof Phases): number => Math.round(median(xs.map((x) => x[k])));
    const ratios = players.map((p, i) => p.wallMs / floors[i]!.wallMs);
    return {
      nodes: nodes.length,
      batch: options.batch,
      servers: servers.length,
      rounds,
      ratio: round3(median(ratios)),
      ratioMin: round3(Math.min(...ratios)),
      ratioMax: round3(Math.max(...ratios)),
      floorMs: pick(floors, 'wallMs'),
      floorConnectMs: pick(floors, 'connectMs'),
      floorSerialMs: pick(floors, 'serialMs'),
      floorAgentsMs: pick(floors, 'agentsMs'),
      playerMs: pick(players, 'wallMs'),
      playerPreflightMs: pick(players, 'connectMs'),
      playerSerialMs: pick(players, 'serialMs'),
      playerAgentsMs: pick(players, 'agentsMs'),
    };
  });
}

/**
 * The same patch over connections already open, three ways, alternating: the transport alone, the
 * runner without a journal, the runner with its journal. The differences are what the reducer and
 * runner, then the journal, add; CPU is this process's, all threads.
 */
export async function measureSplit(options: FloorOptions): Promise<Record<string, number>> {
  const rounds = options.rounds ?? 20;
  return withCluster(options, async ({ dir, servers, nodes, knownHosts }) => {
    const transport = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 60_000 });
    try {
      const run = async (n: InventoryNode, command: string): Promise<void> => {
        const r = await transport.exec(n, command, { signal: new AbortController().signal, onOutput: () => undefined });
        if (!r.ok) throw new Error(`${n.name}: ${r.message ?? `exit ${r.exit}`}`);
      };
      const alone = async (): Promise<void> => {
        const agents = await serialPart(nodes, run);
        for (let i = 0; i < agents.length; i += options.batch) {
          await Promise.all(
            agents.slice(i, i + options.batch).map(async (a) => {
              for (const step of STEPS) await run(a, step.run);
            }),
          );
        }
      };
      const ways: Record<string, () => Promise<unknown>> = {
        transport: alone,
        runner: () => play(nodes, transport, dir, options.batch, false),
        player: () => play(nodes, transport, dir, options.batch, true),
      };
      await Promise.all(nodes.map((n) => run(n, 'true')));
      // Each connection keeps its server processes; a way starts once the last one's sessions are gone.
      const open = (): number => servers.reduce((sum, s) => sum + descendantsOf(s.pid).length, 0);
      const idle = open();
      const wall: Record<string, number[]> = {};
      const cpu: Record<string, number[]> = {};
      for (let r = 0; r < rounds; r++) {
        for (const [name, way] of Object.entries(ways)) {
          const until = performance.now() + 3000;
          while (performance.now() < until && open() > idle) await new Promise((resolve) => setTimeout(resolve, 10));
          const c0 = process.cpuUsage();
          const t0 = performance.now();
          await way();
          const c = process.cpuUsage(c0);
          (wall[name] ??= []).push(performance.now() - t0);
          (cpu[name] ??= []).push((c.user + c.system) / 1000);
        }
      }
      const out: Record<string, number> = { nodes: nodes.length, batch: options.batch, rounds };
      for (const name of Object.keys(ways)) {
        out[`${name}Ms`] = Math.round(median(wall[name]!));
        out[`${name}CpuMs`] = Math.round(median(cpu[name]!));
      }
      const ratio = (a: string, b: string): number => round3(median(wall[a]!.map((w, i) => w / wall[b]![i]!)));
      out.runnerOverTransport = ratio('runner', 'transport');
      out.playerOverRunner = ratio('player', 'runner');
      out.playerOverTransport = ratio('player', 'transport');
      return out;
    } finally {
      await transport.close();
    }
  });
}

/** Bare ssh2 connections to every node at once, each checking the host key it was told of. */
async function openAll(nodes: InventoryNode[], knownHosts: readonly string[], privateKey: Buffer): Promise<number> {
  const keyOf = new Map(knownHosts.map((l) => l.split(' ') as [string, string, string]).map(([name, , key]) => [name, key]));
  const clients: Client[] = [];
  const t0 = performance.now();
  try {
    await Promise.all(
      nodes.map(
        (n) =>
          new Promise<void>((resolve, reject) => {
            const c = new Client();
            clients.push(c);
            c.on('ready', () => resolve());
            c.on('error', reject);
            const want = keyOf.get(`[${n.address}]:${n.port}`);
            c.connect({
              sock: coalescingConnection(n.address, n.port!),
              username: n.user!,
              privateKey,
              readyTimeout: 120_000,
              hostVerifier: (key: Buffer) => key.toString('base64') === want,
            });
          }),
      ),
    );
    return performance.now() - t0;
  } finally {
    for (const c of clients) c.end();
  }
}

/** The Runner's pre-flight of a simulated cluster, as `runbook train` sets up its transport. */
async function simPreflight(sim: SimCluster, dir: string): Promise<number> {
  const inventory = sim.inventory;
  const transport = createSshTransport({
    knownHostsFiles: [sim.files.knownHosts, join(dir, 'known_hosts')],
    extraKnownHosts: inventory.knownHosts ?? [],
    agent: false,
    homeDir: dir,
    connectTimeoutMs: 120_000,
  });
  const runId = newRunId();
  const journal = await Journal.create(join(dir, 'state'), runId);
  try {
    const runbook = {
      id: 'sim-preflight',
      title: 'sim-preflight',
      sections: [
        { id: 'all', title: 'all', on: [...new Set(inventory.nodes.flatMap((n) => n.roles))], steps: [{ id: 'none', run: 'true' }] },
      ],
    } as Runbook;
    const state = createRunState({ plan: buildPlan(runbook, inventory), runId, file: 'x.yaml', digest: 'bench', params: {}, by: 'bench' });
    const runner = new Runner({ state, transportFor: () => transport, journal, by: 'bench' });
    const t0 = performance.now();
    const checked = new Promise<number>((resolve, reject) =>
      runner.subscribe((s) => {
        if (s.preflight?.status === 'passed') resolve(performance.now() - t0);
        else if (s.preflight?.status === 'failed') reject(new Error(`the pre-flight failed: ${s.preflight.failures[0]?.message}`));
      }),
    );
    runner.start();
    const ms = await checked;
    await runner.interrupt('SIGINT');
    return ms;
  } finally {
    await journal.close();
    await transport.close();
  }
}

export async function measureSim(rounds: number): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'runbook-floor-sim-'));
  const sim = await startSimulator({ masters: 3, agents: 2000 });
  try {
    const privateKey = readFileSync(sim.files.identityFile);
    const bare: number[] = [];
    const preflight: number[] = [];
    for (let r = 0; r < rounds; r++) {
      bare.push(await openAll(sim.inventory.nodes, sim.inventory.knownHosts ?? [], privateKey));
      preflight.push(await simPreflight(sim, dir));
    }
    const ratios = preflight.map((p, i) => p / bare[i]!);
    return {
      nodes: sim.inventory.nodes.length,
      rounds,
      ratio: round3(median(ratios)),
      ratioMin: round3(Math.min(...ratios)),
      ratioMax: round3(Math.max(...ratios)),
      openAllMs: Math.round(median(bare)),
      preflightMs: Math.round(median(preflight)),
    };
  } finally {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, Record<string, number>>> {
  // 3 + 20 takes about a second a round and moves most from round to round: more rounds.
  const rounds = (fallback: number): number => Number(process.env.FLOOR_ROUNDS ?? fallback);
  const parts = (process.env.FLOOR_PARTS ?? 'agents-20,agents-200,sim-2006').split(',');
  const out: Record<string, Record<string, number>> = {};
  if (parts.includes('agents-20')) out['agents-20'] = await measure({ agents: 20, batch: 5, rounds: rounds(15) });
  if (parts.includes('split-20')) out['split-20'] = await measureSplit({ agents: 20, batch: 5, rounds: rounds(20) });
  if (parts.includes('agents-200')) out['agents-200'] = await measure({ agents: 200, batch: 50, rounds: rounds(5) });
  if (parts.includes('sim-2006')) out['sim-2006'] = await measureSim(Math.min(rounds(3), 3));
  return out;
}
