// The simulated DC/OS 1.11 cluster, reached over real SSH on loopback. startSimulator() builds
// the model, one SSH endpoint per node and the files a client needs (key, known_hosts).
import { mkdtemp, rm, writeFile, mkdir, readFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inventory, InventoryNode } from '../inventory/types.js';
import { SimClock } from './clock.js';
import { generateEd25519, knownHostsLine, loadEd25519, type Ed25519Key } from './keys.js';
import { ClusterModel } from './model/cluster.js';
import { nextPatch, parseVersion } from './model/versions.js';
import { findScenario, type Scenario, scenarioDefinitions } from './scenarios.js';
import { checkRange, suggestedParamsOf } from './training.js';
import { SimSshServers } from './server.js';
import { SNAPSHOT_FORMAT, type ClusterSnapshot } from './snapshot.js';

export type { Scenario } from './scenarios.js';
export type { ClusterModel, SimSummary } from './model/cluster.js';
export type { FaultRecord, ActionRecord } from './model/faults.js';
export type { SimClock } from './clock.js';
export { readSnapshot, writeSnapshot, type ClusterSnapshot } from './snapshot.js';

export interface SimOptions {
  /** A scenario name from `scenarios` (default 'happy'). */
  scenario?: string;
  /** Masters, 1 to 5 (default 3). */
  masters?: number;
  /** Private agents, 1 to 2,000 (default 5). */
  agents?: number;
  /** Public agents, 0 to 100 (default 1). */
  publicAgents?: number;
  /** Simulated time runs this many times faster than real time (default 1). */
  timeScale?: number;
  /** Only advance simulated time through clock.advance(): for deterministic tests. */
  manualClock?: boolean;
  /** Seed for every random choice (default 1). */
  seed?: number;
  /** The version the operator is told the cluster runs (default '1.11.4'); the installer builds the next patch. */
  installedVersion?: string;
  /** Overrides the scenario's security mode. */
  security?: 'disabled' | 'permissive' | 'strict';
  /** Loopback address to listen on (default 127.0.0.1); anything outside 127.0.0.0/8 is refused. */
  host?: string;
  /**
   * Where to write the client key, known_hosts and inventory. Default: a temporary directory,
   * removed on close. A directory given here is kept, and its keys are reused next time, so the
   * known_hosts lines stay the same from one start to the next.
   */
  dir?: string;
  /** Listen on basePort, basePort + 1, ... in inventory order (default: any free ports). */
  basePort?: number;
  /** The SSH user (default 'dcos'). */
  user?: string;
  /** Start from this snapshot (snapshot()): its shape and its time, with what happened to it. */
  from?: ClusterSnapshot;
}

export interface SimCluster {
  inventory: Inventory;
  clusterName: string;
  scenario: Scenario;
  model: ClusterModel;
  clock: SimClock;
  /** The superuser token a strict-mode cluster accepts (dcos config show core.dcos_acs_token on the bootstrap node). */
  token: string;
  /** Runbook parameters that match the briefing (what the operator is told, which may be wrong on purpose). */
  suggestedParams: Record<string, string>;
  /** Files written for clients. */
  files: { identityFile: string; knownHosts: string; inventory: string; dir: string };
  /** Programs that threw inside the simulator (bugs), with their command: tests assert this stays empty. */
  internalErrors: { node: string; command: string; error: string }[];
  /** The cluster now, for startSimulator({ from }) in another process (src/sim/snapshot.ts). */
  snapshot(): ClusterSnapshot;
  close(): Promise<void>;
}

export { scenarios } from './scenarios.js';
export { checkRange, parseNodesOption, simulatedNodes, simulatedTraining, suggestedParamsOf } from './training.js';

/** Temporary directories of running simulators, removed even if the process exits without close(). */
const liveTempDirs = new Set<string>();
let exitHookInstalled = false;
function removeOnExit(dir: string): void {
  liveTempDirs.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const d of liveTempDirs) rmSync(d, { recursive: true, force: true });
  });
}

const LOOPBACK = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Starts a simulated cluster; every node listens on its own loopback port with its own host key. */
export async function startSimulator(options: SimOptions = {}): Promise<SimCluster> {
  const scenarioName = options.scenario ?? 'happy';
  const def = findScenario(scenarioName);
  if (!def)
    throw new TypeError(`unknown scenario "${scenarioName}"; known scenarios: ${scenarioDefinitions.map((s) => s.name).join(', ')}`);
  const masters = options.masters ?? 3;
  const agents = options.agents ?? 5;
  const publicAgents = options.publicAgents ?? def.shape?.publicAgents ?? 1;
  checkRange('masters', masters, 1, 5);
  checkRange('agents', agents, 1, 2000);
  checkRange('publicAgents', publicAgents, 0, 100);
  const host = options.host ?? '127.0.0.1';
  const m = LOOPBACK.exec(host);
  if (!m || m.slice(1).some((o) => Number(o) > 255))
    throw new TypeError(`host must be a loopback address in 127.0.0.0/8, not "${host}": the simulator never listens beyond this machine`);
  const installedVersion = options.installedVersion ?? '1.11.4';
  const parsed = parseVersion(installedVersion);
  if (!parsed || parsed[0] !== 1 || parsed[1] !== 11 || parsed[2] < 1)
    throw new TypeError(`installedVersion must be a DC/OS 1.11 release from 1.11.1, such as 1.11.4, not "${installedVersion}"`);
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new TypeError(`timeScale must be a positive number, not ${String(timeScale)}`);
  const seed = options.seed ?? 1;
  if (options.basePort !== undefined) checkRange('basePort', options.basePort, 1024, 65535 - (1 + masters + agents + publicAgents));
  const user = options.user ?? 'dcos';
  const security = options.security ?? def.security;
  const clusterName = `sim-${def.name}`;
  const from = options.from;
  const shape = { scenario: def.name, masters, agents, publicAgents, seed, installedVersion, security };
  if (from) {
    const differs = (Object.keys(shape) as (keyof typeof shape)[]).filter((k) => from.shape[k] !== shape[k]);
    if (from.format !== SNAPSHOT_FORMAT || differs.length > 0)
      throw new TypeError(
        `the snapshot is of another cluster (${differs.map((k) => `${k} ${String(from.shape[k])}, not ${String(shape[k])}`).join('; ') || `format ${from.format}`})`,
      );
  }
  const clock = new SimClock({ timeScale, manual: options.manualClock ?? false, ...(from ? { start: from.now } : {}) });
  const model = new ClusterModel({
    clock,
    seed,
    masters,
    agents,
    publicAgents,
    installedVersion,
    targetVersion: def.configOnly ? installedVersion : nextPatch(installedVersion),
    security,
    clusterName,
    faults: def.faults,
  });
  if (from) model.restore(from.model, from.now);

  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'runbook-sim-')));
  if (!ownDir) await mkdir(dir, { recursive: true });
  else removeOnExit(dir);
  const files = {
    dir,
    identityFile: join(dir, 'id_ed25519'),
    knownHosts: join(dir, 'known_hosts'),
    inventory: join(dir, 'inventory.yaml'),
  };
  const hostKeysFile = join(dir, 'host_keys.json');
  // A kept directory keeps its keys: the same known_hosts lines from one start to the next.
  const previous = ownDir ? undefined : await readKeys(files.identityFile, hostKeysFile);
  const clientKey = (previous?.client && loadEd25519(previous.client, `${user}@runbook-sim`)) || generateEd25519(`${user}@runbook-sim`);
  const internalErrors: SimCluster['internalErrors'] = [];
  const servers = new SimSshServers(model, clock, clientKey, user, (node, command, error) => {
    // A command may carry the token (curl -H 'Authorization: token=...'): never keep it.
    const redact = (text: string): string =>
      text
        .split(model.token)
        .join('••••••')
        .replace(/(token=)[^\s'"]+/g, '$1••••••');
    internalErrors.push({
      node,
      command: redact(command),
      error: redact(error instanceof Error ? (error.stack ?? error.message) : String(error)),
    });
  });
  const cleanup = async (): Promise<void> => {
    await servers.close();
    clock.dispose();
    if (ownDir) {
      await rm(dir, { recursive: true, force: true });
      liveTempDirs.delete(dir);
    }
  };
  try {
    const endpoints: { name: string; port: number; key: Ed25519Key }[] = [];
    const nodes = [...model.nodes];
    // Listen in batches: thousands of listen() calls at once only queue up in the kernel.
    for (let i = 0; i < nodes.length; i += 256) {
      const batch = nodes.slice(i, i + 256);
      const done = await Promise.all(
        batch.map((info, j) => {
          const kept = previous?.hosts[info.name];
          const key = (kept && loadEd25519(kept, `root@${info.hostname}`)) || generateEd25519(`root@${info.hostname}`);
          return servers.listen(info, host, key, options.basePort === undefined ? 0 : options.basePort + i + j);
        }),
      );
      for (const e of done) endpoints.push({ name: e.info.name, port: e.port, key: e.hostKey });
    }
    const byName = new Map(endpoints.map((e) => [e.name, e]));
    // unlistedAgent: the inventory the trainee is given misses the last private agent (Mesos still knows it).
    const privateAgents = model.agents.filter((a) => a.role === 'agent');
    const unlisted = def.faults.unlistedAgent && privateAgents.length > 1 ? privateAgents.at(-1)?.name : undefined;
    const inventoryNodes: InventoryNode[] = model.nodes
      .filter((info) => info.name !== unlisted)
      .map((info) => {
        const e = byName.get(info.name) as (typeof endpoints)[number];
        return {
          name: info.name,
          address: host,
          ip: info.ip,
          port: e.port,
          roles: [info.role],
          user,
          identityFile: files.identityFile,
          vars: {},
        };
      });
    const knownHosts = endpoints.map((e) => knownHostsLine(host, e.port, e.key));
    const inventory: Inventory = {
      source: `sim:${def.name}`,
      name: clusterName,
      nodes: inventoryNodes,
      simulated: true,
      knownHosts,
      knownHostsFiles: [files.knownHosts],
    };
    await writeFile(files.identityFile, clientKey.privateOpenSsh, { mode: 0o600 });
    await writeFile(`${files.identityFile}.pub`, `${clientKey.publicLine}\n`, { mode: 0o644 });
    await writeFile(files.knownHosts, `${knownHosts.join('\n')}\n`, { mode: 0o644 });
    await writeFile(files.inventory, inventoryToYaml(inventory), { mode: 0o644 });
    if (!ownDir)
      await writeFile(hostKeysFile, JSON.stringify(Object.fromEntries(endpoints.map((e) => [e.name, e.key.privateOpenSsh]))), {
        mode: 0o600,
      });
    const scenario: Scenario = {
      name: def.name,
      title: def.title,
      description: def.description.replace('{installed}', installedVersion),
      lesson: def.lesson,
    };
    const suggestedParams = suggestedParamsOf(def, installedVersion, model.targetVersion);
    let closed: Promise<void> | undefined;
    return {
      inventory,
      clusterName,
      scenario,
      model,
      clock,
      token: model.token,
      suggestedParams,
      files,
      internalErrors,
      snapshot: () => {
        const now = clock.now();
        return { format: SNAPSHOT_FORMAT, now, shape, model: model.serialise(now) };
      },
      close: () => (closed ??= cleanup()),
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Keys kept in a directory from an earlier start, if any. */
async function readKeys(
  identityFile: string,
  hostKeysFile: string,
): Promise<{ client?: string; hosts: Record<string, string> } | undefined> {
  try {
    const hosts = JSON.parse(await readFile(hostKeysFile, 'utf8')) as Record<string, string>;
    const client = await readFile(identityFile, 'utf8');
    return { client, hosts };
  } catch {
    return undefined;
  }
}

function yamlScalar(value: string): string {
  return /^[A-Za-z0-9_./@-]+$/.test(value) && !/^(true|false|null|yes|no|on|off|~)$/i.test(value) && !/^[0-9.]+$/.test(value)
    ? value
    : JSON.stringify(value);
}

/** The inventory as our YAML format, one node per line (what `runbook sim` prints). */
export function inventoryToYaml(inventory: Inventory): string {
  const lines = [
    `# ${inventory.simulated ? `Simulated DC/OS cluster (${inventory.source}); its host keys are in the known_hosts file it names.` : `Inventory from ${inventory.source}.`}`,
  ];
  if (inventory.name) lines.push(`name: ${yamlScalar(inventory.name)}`);
  if (inventory.knownHostsFiles?.length) lines.push(`known_hosts: [${inventory.knownHostsFiles.map(yamlScalar).join(', ')}]`);
  lines.push('nodes:');
  for (const n of inventory.nodes) {
    const parts = [`name: ${yamlScalar(n.name)}`, `address: ${n.address}`];
    if (n.port !== undefined) parts.push(`port: ${n.port}`);
    parts.push(`ip: ${n.ip}`, `roles: [${n.roles.map(yamlScalar).join(', ')}]`);
    if (n.user) parts.push(`user: ${yamlScalar(n.user)}`);
    if (n.identityFile) parts.push(`identity_file: ${yamlScalar(n.identityFile)}`);
    lines.push(`  - { ${parts.join(', ')} }`);
  }
  return `${lines.join('\n')}\n`;
}
