// What a service's behaviour (zookeeper.ts, mesos-master.ts, mesos-agent.ts, cockroach.ts,
// dcos-net.ts, patch.ts) sees of the cluster, and what those files share: time units, journal
// lines, leader timelines, ids. ClusterModel implements the context and composes the services;
// the services know it only through this interface, so no file of the model imports cluster.ts.
import type { Rng } from '../rng.js';
import type { ScenarioFaults } from './faults.js';
import type { JournalEntry } from './journal.js';
import type { NodeInfo, NodeState } from './node.js';

export const S = 1000;
export const M = 60 * S;
export const INSTALL_TIME = Date.UTC(2018, 1, 28, 20, 10, 0);

/** Who led (a master's name, or nobody) from each time on, in time order. */
export type LeaderTimeline = { at: number; name: string | null }[];

export interface ClusterContext {
  readonly seed: number;
  readonly faults: ScenarioFaults;
  readonly masters: readonly NodeInfo[];
  readonly agents: readonly NodeInfo[];
  readonly bootstrap: NodeInfo;
  /** What the nodes ran at the start (differs from the installed version in the wrong-version scenario). */
  readonly runningVersion: string;
  /** Simulated time when the simulator started: routine log lines begin half an hour before. */
  readonly startedAt: number;
  /** Tasks on each agent at the start (by index in agents), and their sum. */
  readonly agentTasks: readonly number[];
  readonly totalTasks: number;
  readonly mesosLeader: LeaderTimeline;
  readonly zkLeader: LeaderTimeline;
  now(): number;
  /** The node's full state, built the first time it is needed. */
  state(name: string): NodeState;
  /** The node's state if it was built: an untouched node stays unbuilt when read. */
  built(name: string): NodeState | undefined;
  recordFault(id: string, node: string, text: string, at?: number): void;
  leaderAt(t: number): NodeInfo | null;
  zkLeaderAt(t: number): NodeInfo | null;
}

export function log(st: NodeState, unit: string, ident: string, pid: number, at: number, message: string, tag?: string): void {
  const entry: JournalEntry = { at, unit, ident, pid, message, ...(tag ? { tag } : {}) };
  st.journal.add(entry);
}

/** Routine lines a running daemon keeps logging (metrics polls), from `from` or the last half hour. */
export function chatter(
  ctx: ClusterContext,
  st: NodeState,
  unit: string,
  ident: string,
  pid: number,
  from: number,
  every: number,
  line: (at: number, n: number) => string,
): void {
  const start = Math.max(from, ctx.startedAt - 30 * M);
  st.journal.emit({
    unit,
    ident,
    pid,
    from: start + (every - ((start - from) % every)),
    every,
    until: Infinity,
    lines: (at, n) => [line(at, n)],
  });
}

/** Inserts an entry in a leader timeline, keeping it in time order. */
export function insertTimeline(line: LeaderTimeline, at: number, name: string | null): void {
  let i = line.length;
  while (i > 0 && (line[i - 1] as { at: number }).at > at) i--;
  line.splice(i, 0, { at, name });
}

export function uuid(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
