// A snapshot of a simulated cluster: what the trainee's steps changed on it (files, units, logs,
// leaders, versions, the generated scripts), as JSON, so a training resumed in a new process meets
// the cluster its journal describes (docs/state-dir.md, "Resuming a training"). What the model
// builds by itself from its seed (base files, first unit starts, routine logs) is built again.
import { createHash } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { SimEntry } from './fs.js';
import type { JournalEntry, Emitter } from './model/journal.js';
import type { NodeState } from './model/node.js';
import type { UnitPhase } from './model/units.js';
import type { Container, GeneratedScript } from './model/bootstrap.js';
import type { ActionRecord, FaultRecord } from './model/faults.js';

/** Bumped when the shape changes: an older snapshot is refused, not misread. */
export const SNAPSHOT_FORMAT = 1;

export interface NodeSnapshot {
  version: string;
  baked: NodeState['baked'];
  ipv6Strict: boolean;
  master: NodeState['master'];
  agent: NodeState['agent'];
  pid: number;
  rng: number;
  fs: { upper: [string, SimEntry][]; removed: string[] };
  units: [string, UnitPhase[]][];
  journal: { entries: JournalEntry[]; emitters: Omit<Emitter, 'lines'>[] };
  zookeeperLog: { entries: JournalEntry[]; emitters: Omit<Emitter, 'lines'>[] };
}

export interface ModelSnapshot {
  startedAt: number;
  security: 'disabled' | 'permissive' | 'strict';
  faultsMet: FaultRecord[];
  actions: ActionRecord[];
  scripts: [string, GeneratedScript][];
  containers: Container[];
  mesosLeader: { at: number; name: string | null }[];
  zkLeader: { at: number; name: string | null }[];
  windows: { node: string; down: number; up: number | null; converge: number; peak: number }[];
  firstMasterPatched: boolean;
  firstAgentPatched: boolean;
  nodes: [string, NodeSnapshot][];
}

/** What a simulator must be started with to take a snapshot back: its shape, and its time. */
export interface ClusterSnapshot {
  format: number;
  /** Simulated time when it was taken: the new cluster's clock starts here. */
  now: number;
  /** How many step-finished records the player's journal held when it was taken (set by the player). */
  finished?: number;
  shape: {
    scenario: string;
    masters: number;
    agents: number;
    publicAgents: number;
    seed: number;
    installedVersion: string;
    security: string;
  };
  model: ModelSnapshot;
}

export function snapshotNode(st: NodeState, t: number): NodeSnapshot {
  return {
    version: st.version,
    baked: st.baked,
    ipv6Strict: st.ipv6Strict,
    master: st.master,
    agent: st.agent,
    pid: st.lastPid(),
    rng: st.rng.position(),
    fs: st.fs.dump(),
    units: [...st.units].map(([name, u]) => [name, u.phases]),
    journal: st.journal.dump(t),
    zookeeperLog: st.zookeeperLog.dump(t),
  };
}

/**
 * A digest of what a node holds now (its logs by their count of writes): equal to the one taken when
 * the model built it when nothing happened to the node since. Such a node is left out of a
 * snapshot: the new cluster builds it again from its seed, as it builds a node never built.
 */
export function nodeFingerprint(st: NodeState): string {
  const hash = createHash('sha1');
  hash.update(
    JSON.stringify([
      st.version,
      st.baked,
      st.ipv6Strict,
      st.master,
      st.agent,
      st.lastPid(),
      st.rng.position(),
      st.fs.dump(),
      [...st.units].map(([name, u]) => [name, u.phases]),
      // The logs by their count of writes: their lines are most of a node, and a snapshot of a
      // large cluster digests every built node (docs/architecture.md, issue 14).
      st.journal.writes(),
      st.zookeeperLog.writes(),
    ]),
  );
  return hash.digest('base64');
}

/** Lays a node's snapshot over the node as the model just built it. */
export function restoreNode(st: NodeState, s: NodeSnapshot, t: number): void {
  st.version = s.version;
  st.baked = s.baked;
  st.ipv6Strict = s.ipv6Strict;
  st.master = s.master;
  st.agent = s.agent;
  st.setLastPid(s.pid);
  st.rng.restore(s.rng);
  st.fs.load(s.fs);
  for (const [name, phases] of s.units) {
    const unit = st.units.get(name);
    // A unit only the snapshot has would be one the model never defines: nothing to lay it on.
    if (unit) unit.phases = phases;
  }
  st.journal.load(s.journal, t);
  st.zookeeperLog.load(s.zookeeperLog, t);
}

/**
 * Writes a snapshot so that a reader, or a kill -9 at any instant, finds the previous one or this
 * one whole: a private temporary file, synced, then renamed over the old one.
 */
export async function writeSnapshot(file: string, snapshot: ClusterSnapshot): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    // A node at a time: 2,006 nodes make about 40 MB of JSON, which as one string (and its bytes)
    // would sit in memory beside the cluster while it is written (docs/architecture.md, issue 14).
    for (const chunk of snapshotChunks(snapshot)) await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
}

/** The JSON text of a snapshot in pieces of about 64 KB, a node at a time: together, the snapshot's JSON. */
export function* snapshotChunks(snapshot: ClusterSnapshot): Generator<string> {
  const { model, ...top } = snapshot;
  const { nodes, ...rest } = model;
  // The model comes last and its nodes last in it, so the text ends with `[]}}`: the nodes go there.
  const frame = JSON.stringify({ ...top, model: { ...rest, nodes: [] } });
  let pending = frame.slice(0, -']}}'.length);
  for (let i = 0; i < nodes.length; i++) {
    pending += (i > 0 ? ',' : '') + JSON.stringify(nodes[i]);
    if (pending.length >= 64 * 1024) {
      yield pending;
      pending = '';
    }
  }
  yield `${pending}]}}`;
}

/** The snapshot in a file; undefined when there is none; a TypeError (worded for the user) when it is not one. */
export async function readSnapshot(file: string): Promise<ClusterSnapshot | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: Partial<ClusterSnapshot>;
  try {
    value = JSON.parse(text) as Partial<ClusterSnapshot>;
  } catch {
    throw new TypeError('it is not JSON (cut short or changed)');
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    value.format !== SNAPSHOT_FORMAT ||
    typeof value.now !== 'number' ||
    typeof value.shape !== 'object' ||
    typeof value.model !== 'object' ||
    !Array.isArray(value.model?.nodes)
  ) {
    throw new TypeError(`it is not a snapshot of a simulated cluster in format ${SNAPSHOT_FORMAT}`);
  }
  return value as ClusterSnapshot;
}
