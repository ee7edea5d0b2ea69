// One simulated machine: its files, units and journal. Built on first use, so a cluster of
// 2,000 agents costs only the agents someone actually touches.
import { SimFs, type SimEntry } from '../fs.js';
import type { Rng } from '../rng.js';
import type { BakedConfig } from './config.js';
import { Journal } from './journal.js';
import type { NodeRole, UnitRuntime } from './units.js';

/** What the inventory knows of a node; cheap, one per node. */
export interface NodeInfo {
  name: string;
  /** The private address the cluster knows it by (a label: nothing dials it). */
  ip: string;
  role: NodeRole;
  /** 1-based position within its role. */
  index: number;
  hostname: string;
}

/** Where the agent stands with the masters, over time. */
export interface AgentState {
  /** Registration changes in time order; registered at t is the last entry at or before t. */
  reg: { at: number; on: boolean }[];
  /** When its Mesos agent stopped answering the masters (null while registered). */
  disconnectedAt: number | null;
  /** Set once the masters removed it (away longer than 5 minutes). */
  removedAt: number | null;
  agentId: string;
  tasks: number;
  /** Extra time before it can reach the masters after its next start (the expiry scenario). */
  slowNextStart: number;
}

export interface MasterState {
  exhibitorServingAt: number | null;
  mesosListeningAt: number | null;
  recoveredAt: number | null;
  masterId: string;
  /** The registrar stays unrecovered after the next activation (the registrar scenario). */
  stuckNextActivation: boolean;
}

export class NodeState {
  readonly fs: SimFs;
  readonly units = new Map<string, UnitRuntime>();
  readonly journal = new Journal();
  /** ZooKeeper's own log (zookeeper.out), apart from journald. */
  readonly zookeeperLog = new Journal();
  version: string;
  /** The configuration its packages were built with (from the installer); null = as installed. */
  baked: BakedConfig | null = null;
  /** After a patch, dcos-net configures the IPv6 overlay and fails when the kernel has no IPv6. */
  ipv6Strict = false;
  master: MasterState | null = null;
  agent: AgentState | null = null;
  private pid: number;

  constructor(
    readonly info: NodeInfo,
    readonly rng: Rng,
    now: () => number,
    base: ReadonlyMap<string, SimEntry>,
    version: string,
  ) {
    this.fs = new SimFs(now, base);
    this.version = version;
    this.pid = 900 + rng.int(0, 400);
  }

  /** The last pid handed out, for a snapshot (src/sim/snapshot.ts). */
  lastPid(): number {
    return this.pid;
  }

  setLastPid(pid: number): void {
    this.pid = pid;
  }

  nextPid(): number {
    this.pid += 3 + Math.floor(this.rng.next() * 60);
    return this.pid;
  }

  /** A unit by name, with or without its .service suffix. */
  unit(name: string): UnitRuntime | undefined {
    return this.units.get(name) ?? this.units.get(`${name}.service`);
  }

  /** Whether a unit is up (active) at t. */
  active(name: string, t: number): boolean {
    return this.unit(name)?.at(t).active === 'active';
  }

  registeredAt(t: number): boolean {
    if (!this.agent) return false;
    let on = false;
    for (const r of this.agent.reg) {
      if (r.at > t) break;
      on = r.on;
    }
    return on;
  }
}
