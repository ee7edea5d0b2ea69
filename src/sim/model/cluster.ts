// The simulated DC/OS 1.11 cluster. State is kept as timelines (a unit is "activating from t1,
// active from t2"; an agent "registered from t3") and read at the clock's current time, so a
// planned restart needs no timer and a cluster of 2,000 agents costs nothing while idle.
import { restoreNode, snapshotNode, type ModelSnapshot } from '../snapshot.js';
import type { SimClock } from '../clock.js';
import { Rng } from '../rng.js';
import { type BakedConfig, configYaml } from './config.js';
import { AGENT_META_LATEST, BOOTSTRAP_DIR, baseLayer, LIBLTDL_PATH, PREVIOUS_CONFIG, ZOOKEEPER_OUT } from './image.js';
import { glog, type JournalEntry, sqlTime } from './journal.js';
import { NodeState, type NodeInfo } from './node.js';
import { type NodeRole, runningPhase, UnitRuntime, unitsFor } from './units.js';
import { COCKROACH_BUILD, mesosVersion, packageId, zookeeperVersion } from './versions.js';

const S = 1000;
const M = 60 * S;
/** The masters remove an agent that misses their health checks this long (15 s x 20 pings). */
export const AGENT_EXPIRY_MS = 5 * M;
const INSTALL_TIME = Date.UTC(2018, 1, 28, 20, 10, 0);

/** The faults a scenario puts in the cluster. Each shows only through what a node answers. */
export interface ScenarioFaults {
  /** CockroachDB ranges take many minutes to re-replicate after a master rejoins. */
  rangesSlow?: boolean;
  /** The first master patched does not recover its registrar until its unit is restarted. */
  registrarStuck?: boolean;
  /** These agents' libltdl.so.7 carries the immutable attribute, so rm fails. */
  libltdlImmutable?: boolean;
  /** The first agent patched cannot reach the masters for over 5 minutes and expires. */
  agentExpires?: boolean;
  /** The nodes run the patch release before the one the operator was told. */
  wrongVersion?: boolean;
  /** genconf/config.yaml changes exhibitor_storage_backend against the previous file. */
  forbiddenConfig?: boolean;
  /** IPv6 is disabled in every node's kernel while config.yaml says enable_ipv6: 'true'. */
  ipv6Disabled?: boolean;
  /** The last master's registrar has not recovered since it booted, before anything is patched. */
  masterUnhealthy?: boolean;
  /** The inventory given to the trainee leaves out the last private agent, which Mesos knows. */
  unlistedAgent?: boolean;
  /** A colleague edits genconf/config.yaml (adds a resolver) right after it was first read. */
  configEditedAfterRead?: boolean;
  /** The previous config.yaml has enable_ipv6 'true'; the merged one in genconf/ has 'false'. */
  ipv6Change?: boolean;
  /** Both config.yaml files declare custom health checks; genconf/ already says security: permissive. */
  customChecks?: boolean;
}

export interface ClusterOptions {
  clock: SimClock;
  seed: number;
  masters: number;
  agents: number;
  publicAgents: number;
  /** The version the operator believes the cluster runs. */
  installedVersion: string;
  /** The version the installer on the bootstrap node builds. */
  targetVersion: string;
  security: 'disabled' | 'permissive' | 'strict';
  clusterName: string;
  faults: ScenarioFaults;
}

/** A fault the trainee met, for the report after the run. */
export interface FaultRecord {
  id: string;
  node: string;
  at: number;
  text: string;
}

/** Something the trainee did that changed the cluster. */
export interface ActionRecord {
  at: number;
  node: string;
  kind: 'unit-restart' | 'unit-stop' | 'unit-start' | 'patch-started' | 'patch-finished' | 'patch-failed' | 'installer' | 'nginx' | 'file-removed' | 'sysctl';
  detail: string;
}

/** The state of the exercise, for the trainee report. */
export interface SimSummary {
  at: number;
  /** What the operator was told the cluster runs. */
  installedVersion: string;
  /** What it really ran at the start (differs in the wrong-version scenario). */
  runningVersion: string;
  targetVersion: string;
  versions: Record<string, string>;
  faultsMet: FaultRecord[];
  actions: ActionRecord[];
  /** DC/OS units not active, by node (only nodes the trainee touched can have any). */
  unhealthyUnits: Record<string, string[]>;
  /** Agents the masters removed (away more than 5 minutes). */
  removedAgents: string[];
}

/** A generated node upgrade script, by the hex id in its URL. */
export interface GeneratedScript {
  id: string;
  from: string;
  to: string;
  baked: BakedConfig;
  at: number;
}

export interface Container {
  id: string;
  image: string;
  hostPort: number;
  /** The host directory mounted as nginx's html root. */
  mount: string;
  startedAt: number;
  name: string;
}

interface CockroachWindow {
  node: string;
  down: number;
  up: number | null;
  converge: number;
  peak: number;
}

export interface CockroachRow {
  id: number;
  address: string;
  build: string;
  updatedAt: number;
  startedAt: number;
  leaders: number;
  leaseholders: number;
  ranges: number;
  unavailable: number;
  underreplicated: number;
}

export interface CheckResult {
  status: number;
  checks: Record<string, { output: string; status: number }>;
}

export class ClusterModel {
  readonly nodes: readonly NodeInfo[];
  readonly masters: readonly NodeInfo[];
  readonly agents: readonly NodeInfo[];
  readonly bootstrap: NodeInfo;
  readonly clock: SimClock;
  readonly seed: number;
  readonly faults: ScenarioFaults;
  readonly installedVersion: string;
  readonly runningVersion: string;
  readonly targetVersion: string;
  readonly clusterName: string;
  /** The superuser token the masters accept in strict mode. */
  readonly token: string;
  security: 'disabled' | 'permissive' | 'strict';
  /** Faults the trainee met, in the order met. */
  readonly faultsMet: FaultRecord[] = [];
  /** What the trainee changed on the cluster. */
  readonly actions: ActionRecord[] = [];
  readonly scripts = new Map<string, GeneratedScript>();
  readonly containers: Container[] = [];

  private readonly byName = new Map<string, NodeInfo>();
  private readonly byIpMap = new Map<string, NodeInfo>();
  private readonly states = new Map<string, NodeState>();
  private readonly bases = new Map<NodeRole, ReturnType<typeof baseLayer>>();
  private readonly mesosLeader: { at: number; name: string | null }[] = [];
  private readonly zkLeader: { at: number; name: string | null }[] = [];
  private readonly windows: CockroachWindow[] = [];
  private readonly agentTasks: number[];
  private readonly totalTasks: number;
  private firstMasterPatched = false;
  /** Simulated time when the simulator started: routine log lines begin half an hour before. */
  private startedAt: number;
  private firstAgentPatched = false;

  constructor(options: ClusterOptions) {
    this.clock = options.clock;
    this.startedAt = options.clock.now();
    this.seed = options.seed;
    this.faults = options.faults;
    this.installedVersion = options.installedVersion;
    this.targetVersion = options.targetVersion;
    this.security = options.security;
    this.clusterName = options.clusterName;
    const v = options.installedVersion.split('.').map(Number);
    this.runningVersion = options.faults.wrongVersion ? `${v[0]}.${v[1]}.${Math.max(0, (v[2] ?? 1) - 1)}` : options.installedVersion;
    const rng = Rng.for(options.seed, 'token');
    const payload = Buffer.from(JSON.stringify({ uid: 'bootstrapuser', exp: Math.floor(INSTALL_TIME / 1000) + 30 * 86400 })).toString('base64url');
    this.token = `eyJhbGciOiJSUzI1NiIsImtpZCI6InNlY3JldCIsInR5cCI6IkpXVCJ9.${payload}.${Buffer.from(rng.hex(64), 'hex').toString('base64url')}`;

    const nodes: NodeInfo[] = [];
    const add = (name: string, ip: string, role: NodeRole, index: number): NodeInfo => {
      const info: NodeInfo = { name, ip, role, index, hostname: name };
      nodes.push(info);
      this.byName.set(name, info);
      this.byIpMap.set(ip, info);
      return info;
    };
    this.bootstrap = add('bootstrap', '10.0.0.10', 'bootstrap', 1);
    const masters: NodeInfo[] = [];
    for (let i = 1; i <= options.masters; i++) masters.push(add(`master-${i}`, `10.0.4.${i}`, 'master', i));
    const agents: NodeInfo[] = [];
    // Private agents fill 10.0.1.x to 10.0.3.x, then 10.0.6.x on (10.0.4 and 10.0.5 are masters and public agents).
    for (let i = 0; i < options.agents; i++) {
      const block = Math.floor(i / 250);
      const octet = block < 3 ? 1 + block : 6 + (block - 3);
      agents.push(add(`agent-${i + 1}`, `10.0.${octet}.${1 + (i % 250)}`, 'agent', i + 1));
    }
    for (let i = 0; i < options.publicAgents; i++) agents.push(add(`public-agent-${i + 1}`, `10.0.5.${1 + i}`, 'public_agent', i + 1));
    this.nodes = nodes;
    this.masters = masters;
    this.agents = agents;
    this.agentTasks = agents.map((a) => Rng.for(options.seed, a.name, 'tasks').int(2, 9));
    this.totalTasks = this.agentTasks.reduce((s, n) => s + n, 0);
    const leader = masters[Math.min(1, masters.length - 1)];
    this.mesosLeader.push({ at: 0, name: leader?.name ?? null });
    this.zkLeader.push({ at: 0, name: leader?.name ?? null });
  }

  now(): number {
    return this.clock.now();
  }

  /** What the cluster's history made of it, as plain data (src/sim/snapshot.ts). */
  serialise(t = this.now()): ModelSnapshot {
    return {
      startedAt: this.startedAt,
      security: this.security,
      faultsMet: this.faultsMet,
      actions: this.actions,
      scripts: [...this.scripts],
      containers: this.containers,
      mesosLeader: this.mesosLeader,
      zkLeader: this.zkLeader,
      windows: this.windows,
      firstMasterPatched: this.firstMasterPatched,
      firstAgentPatched: this.firstAgentPatched,
      nodes: [...this.states].map(([name, st]) => [name, snapshotNode(st, t)]),
    };
  }

  /** Takes a serialised history back, on a model just made with the same options and no node built yet. */
  restore(s: ModelSnapshot, t = this.now()): void {
    const replace = <T>(into: T[], from: T[]) => into.splice(0, into.length, ...from);
    // First: a node's routine logs start from it. Then the nodes are built as they were at the
    // start (building plans timelines of its own), and the history is laid over all of it.
    this.startedAt = s.startedAt;
    const built = s.nodes.map(([name, node]) => [this.state(name), node] as const);
    this.security = s.security;
    replace(this.faultsMet, s.faultsMet);
    replace(this.actions, s.actions);
    this.scripts.clear();
    for (const [id, script] of s.scripts) this.scripts.set(id, script);
    replace(this.containers, s.containers);
    replace(this.mesosLeader, s.mesosLeader);
    replace(this.zkLeader, s.zkLeader);
    replace(this.windows, s.windows);
    this.firstMasterPatched = s.firstMasterPatched;
    this.firstAgentPatched = s.firstAgentPatched;
    for (const [st, node] of built) restoreNode(st, node, t);
  }

  node(name: string): NodeInfo | undefined {
    return this.byName.get(name);
  }

  byIp(ip: string): NodeInfo | undefined {
    return this.byIpMap.get(ip);
  }

  /** The node's full state, built the first time it is needed. */
  state(name: string): NodeState {
    const existing = this.states.get(name);
    if (existing) return existing;
    const info = this.byName.get(name);
    if (!info) throw new Error(`no node named ${name}`);
    const st = this.build(info);
    this.states.set(name, st);
    return st;
  }

  /** How many nodes have full state (memory is proportional to this). */
  builtNodes(): number {
    return this.states.size;
  }

  recordFault(id: string, node: string, text: string, at = this.now()): void {
    if (this.faultsMet.some((f) => f.id === id && f.node === node)) return;
    this.faultsMet.push({ id, node, at, text });
  }

  recordAction(node: string, kind: ActionRecord['kind'], detail: string, at = this.now()): void {
    this.actions.push({ at, node, kind, detail });
  }

  /** Versions of every node whose state exists (others still run the installed version). */
  versions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const n of this.nodes) {
      if (n.role === 'bootstrap') continue;
      out[n.name] = this.states.get(n.name)?.version ?? this.runningVersion;
    }
    return out;
  }

  /** What the trainee report needs: versions, faults met, actions, and units not running now. */
  summary(t = this.now()): SimSummary {
    const unhealthy: Record<string, string[]> = {};
    for (const [name, st] of this.states) {
      const down = [...st.units.values()].filter((u) => u.spec.dcos && u.spec.type !== 'timer' && u.at(t).active !== 'active').map((u) => u.spec.name);
      if (down.length > 0) unhealthy[name] = down;
    }
    const removedAgents = this.agents.filter((a) => {
      const r = this.states.get(a.name)?.agent?.removedAt;
      return r !== null && r !== undefined && r <= t;
    });
    return {
      at: t,
      installedVersion: this.installedVersion,
      runningVersion: this.runningVersion,
      targetVersion: this.targetVersion,
      versions: this.versions(),
      faultsMet: [...this.faultsMet],
      actions: [...this.actions],
      unhealthyUnits: unhealthy,
      removedAgents: removedAgents.map((a) => a.name),
    };
  }

  // ---- building a node ----

  private base(role: NodeRole): ReturnType<typeof baseLayer> {
    let b = this.bases.get(role);
    if (!b) {
      b = baseLayer(role, INSTALL_TIME);
      this.bases.set(role, b);
    }
    return b;
  }

  private build(info: NodeInfo): NodeState {
    const rng = Rng.for(this.seed, info.name);
    const st = new NodeState(info, rng, () => this.now(), this.base(info.role), this.runningVersion);
    const fs = st.fs;
    fs.put('/etc/hostname', `${info.hostname}\n`, { mtime: INSTALL_TIME });
    if (info.role === 'bootstrap') {
      this.buildBootstrap(st);
      return st;
    }
    const boot = INSTALL_TIME + (info.role === 'master' ? info.index * M : 5 * M + (info.index % 500) * 2 * S + (info.role === 'public_agent' ? 40 * S : 0));
    fs.put('/opt/mesosphere/etc/dcos-version.json', () => `{"version": "${st.version}", "dcos-image-commit": "${packageId('commit', st.version).slice(-40)}", "bootstrap-id": "${packageId('bootstrap', st.version).slice(-40)}"}\n`, { mtime: boot });
    fs.put(`/etc/mesosphere/roles/${info.role === 'master' ? 'master' : info.role === 'agent' ? 'slave' : 'slave_public'}`, '', { mtime: boot });
    fs.put('/proc/sys/net/ipv6/conf/all/disable_ipv6', this.faults.ipv6Disabled ? '1\n' : '0\n', { mtime: boot });
    fs.put('/proc/sys/net/ipv6/conf/default/disable_ipv6', this.faults.ipv6Disabled ? '1\n' : '0\n', { mtime: boot });
    if (this.faults.ipv6Disabled) fs.write('/etc/sysctl.conf', 'net.ipv6.conf.all.disable_ipv6 = 1\nnet.ipv6.conf.default.disable_ipv6 = 1\n', 'root', true);
    if (info.role === 'master') {
      st.master = { exhibitorServingAt: null, mesosListeningAt: null, recoveredAt: null, masterId: uuid(rng), stuckNextActivation: false };
      fs.put(ZOOKEEPER_OUT, () => this.zookeeperOut(st), { mtime: boot });
    } else {
      st.agent = { reg: [], disconnectedAt: null, removedAt: null, agentId: `${uuid(Rng.for(this.seed, 'framework'))}-S${info.index + (info.role === 'public_agent' ? 1000 : 0)}`, tasks: this.agentTasks[this.agents.indexOf(info)] ?? 3, slowNextStart: 0 };
      fs.put(LIBLTDL_PATH, '\x7fELF libltdl\n', { mode: 0o755, mtime: boot, link: 'libltdl.so.7.3.0', immutable: this.faults.libltdlImmutable === true && info.role === 'agent' && info.index === 1 });
      fs.put('/opt/mesosphere/lib/libltdl.so.7.3.0', '\x7fELF libltdl\n', { mode: 0o755, mtime: boot });
      this.writeAgentMeta(st, boot);
    }
    for (const spec of unitsFor(info.role)) {
      const at = boot + (spec.dcos ? 20 * S : 0) + rng.int(0, 15) * S;
      const unit = new UnitRuntime(spec, { at: 0, active: 'inactive', sub: 'dead', pid: 0 });
      st.units.set(spec.name, unit);
      this.planStart(st, unit, at, { boot: true });
    }
    return st;
  }

  private writeAgentMeta(st: NodeState, at: number): void {
    const id = st.agent?.agentId ?? 'unknown';
    st.fs.put(AGENT_META_LATEST, `/var/lib/mesos/slave/meta/slaves/${id}\n`, { mtime: at, link: id, mode: 0o644 });
    st.fs.put(`/var/lib/mesos/slave/meta/slaves/${id}/slave.info`, '(checkpointed agent info)\n', { mtime: at });
  }

  private buildBootstrap(st: NodeState): void {
    const fs = st.fs;
    const at = INSTALL_TIME - 2 * 60 * M;
    fs.mkdirp(BOOTSTRAP_DIR, 'dcos', 0o755);
    fs.put(`${BOOTSTRAP_DIR}/dcos_generate_config.ee.sh`, '#!/bin/bash\n# DC/OS Enterprise installer (self-extracting; binary payload follows)\n', {
      mode: 0o755,
      owner: 'dcos',
      program: 'dcos-installer',
      mtime: this.now() - 50 * M,
    });
    const facts = {
      clusterName: this.clusterName,
      bootstrapIp: this.bootstrap.ip,
      masterIps: this.masters.map((m) => m.ip),
      security: this.security,
      enableIpv6: this.faults.ipv6Disabled === true || this.faults.ipv6Change === true,
      exhibitorBackend: 'static' as const,
      customChecks: this.faults.customChecks === true,
    };
    fs.mkdirp(`${BOOTSTRAP_DIR}/genconf`, 'dcos');
    fs.mkdirp(`${BOOTSTRAP_DIR}/previous`, 'dcos');
    fs.put(PREVIOUS_CONFIG, configYaml(facts), { owner: 'dcos', mtime: at });
    const merged = configYaml({
      ...facts,
      exhibitorBackend: this.faults.forbiddenConfig ? 'zookeeper' : 'static',
      ...(this.faults.ipv6Change ? { enableIpv6: false } : {}),
      ...(this.faults.customChecks && this.security === 'disabled' ? { security: 'permissive' as const } : {}),
    });
    fs.put(`${BOOTSTRAP_DIR}/genconf/config.yaml`, merged, { owner: 'dcos', mtime: this.now() - 20 * M });
    if (this.faults.configEditedAfterRead) this.editAfterRead(fs, `${BOOTSTRAP_DIR}/genconf/config.yaml`);
    const ipDetect = '#!/usr/bin/env bash\nset -o nounset -o errexit\nexport PATH=/usr/sbin:/usr/bin:$PATH\necho $(ip addr show eth0 | grep -Eo \'[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\' | head -1)\n';
    fs.put(`${BOOTSTRAP_DIR}/genconf/ip-detect`, ipDetect, { owner: 'dcos', mode: 0o755, mtime: this.now() - 20 * M });
    fs.put(`${BOOTSTRAP_DIR}/genconf/license.txt`, `${Rng.for(this.seed, 'license').hex(32).toUpperCase()}\n`, { owner: 'dcos', mtime: this.now() - 20 * M });
    fs.put(`${BOOTSTRAP_DIR}/previous/ip-detect`, ipDetect, { owner: 'dcos', mode: 0o755, mtime: at });
    for (const spec of unitsFor('bootstrap')) {
      const unit = new UnitRuntime(spec, runningPhase(spec, at, st.nextPid()));
      st.units.set(spec.name, unit);
    }
  }

  /** A colleague on the bootstrap node adds a resolver to genconf/config.yaml just after it was first read. */
  private editAfterRead(fs: NodeState['fs'], path: string): void {
    fs.afterFirstRead(path, () => {
      if (!fs.isFile(path)) return;
      const text = fs.read(path, 'root');
      fs.write(path, text.replace(/^resolvers:\n((?:- .*\n)+)/m, (all) => `${all}- 10.0.0.2\n`), 'root');
      this.recordFault('config-edited-after-check', this.bootstrap.name, 'A colleague added a resolver to genconf/config.yaml right after it was read for the configuration check');
    });
  }

  // ---- units ----

  /** Starts a unit (systemctl start); a running unit is left alone. */
  startUnit(st: NodeState, name: string, at = this.now()): void {
    const unit = st.unit(name);
    if (!unit) return;
    const phase = unit.at(at);
    if (phase.active === 'active' || (phase.active === 'activating' && phase.sub !== 'auto-restart')) return;
    this.recordAction(st.info.name, 'unit-start', unit.spec.name, at);
    this.planStart(st, unit, at, {});
  }

  stopUnit(st: NodeState, name: string, at = this.now(), record = true): void {
    const unit = st.unit(name);
    if (!unit) return;
    if (record) this.recordAction(st.info.name, 'unit-stop', unit.spec.name, at);
    this.planStop(st, unit, at);
  }

  restartUnit(st: NodeState, name: string, at = this.now(), record = true): void {
    const unit = st.unit(name);
    if (!unit) return;
    if (record) this.recordAction(st.info.name, 'unit-restart', unit.spec.name, at);
    if (unit.at(at).active !== 'inactive' && unit.at(at).active !== 'failed') this.planStop(st, unit, at);
    this.planStart(st, unit, at + 600, {});
  }

  private log(st: NodeState, unit: string, ident: string, pid: number, at: number, message: string, tag?: string): void {
    const entry: JournalEntry = { at, unit, ident, pid, message, ...(tag ? { tag } : {}) };
    st.journal.add(entry);
  }

  private planStop(st: NodeState, unit: UnitRuntime, at: number): void {
    const spec = unit.spec;
    const current = unit.at(at);
    st.journal.cancelAfter(spec.name, at);
    if (current.active === 'inactive') return;
    const desc = spec.description;
    this.log(st, spec.name, 'systemd', 1, at, `Stopping ${desc}...`);
    unit.plan(at, [
      { at, active: 'deactivating', sub: 'stop-sigterm', pid: current.pid },
      { at: at + 400, active: 'inactive', sub: 'dead', pid: 0 },
    ]);
    this.log(st, spec.name, 'systemd', 1, at + 400, `Stopped ${desc}.`);
    switch (spec.name) {
      case 'dcos-exhibitor.service':
        if (st.master) st.master.exhibitorServingAt = null;
        this.zkLog(st, at, 'INFO  [main:QuorumPeer@...] - shutdown called');
        if (this.zkLeaderAt(at)?.name === st.info.name) {
          const next = this.masters.find((m) => m.name !== st.info.name && this.exhibitorServing(m, at));
          insertTimeline(this.zkLeader, at + 2 * S, next?.name ?? null);
        }
        break;
      case 'dcos-mesos-master.service':
        if (st.master) {
          st.master.mesosListeningAt = null;
          st.master.recoveredAt = null;
        }
        if (this.leaderAt(at)?.name === st.info.name) {
          const next = this.masters.find((m) => m.name !== st.info.name && this.masterRecovered(m, at));
          insertTimeline(this.mesosLeader, at + 12 * S, next?.name ?? null);
          if (next) {
            const nst = this.state(next.name);
            const id = nst.master?.masterId ?? '';
            this.log(nst, 'dcos-mesos-master.service', 'mesos-master', nst.unit('dcos-mesos-master')?.at(at).pid ?? 0, at + 12 * S, glog('I', at + 12 * S, 4420, 'master.cpp:2223', `The newly elected leader is master@${next.ip}:5050 with id ${id}`));
            this.log(nst, 'dcos-mesos-master.service', 'mesos-master', nst.unit('dcos-mesos-master')?.at(at).pid ?? 0, at + 12 * S + 3, glog('I', at + 12 * S + 3, 4420, 'master.cpp:2236', 'Elected as the leading master!'));
          }
        }
        break;
      case 'dcos-cockroach.service':
        this.cockroachDown(st, at);
        break;
      case 'dcos-mesos-slave.service':
      case 'dcos-mesos-slave-public.service':
        this.agentDown(st, at);
        break;
    }
  }

  private planStart(st: NodeState, unit: UnitRuntime, at: number, opts: { boot?: boolean; activation?: boolean }): void {
    const spec = unit.spec;
    st.journal.cancelAfter(spec.name, at);
    const pid = st.nextPid();
    if (spec.type === 'service' || spec.type === 'oneshot') this.log(st, spec.name, 'systemd', 1, at, `Starting ${spec.description}...`);
    switch (spec.name) {
      case 'dcos-exhibitor.service':
        return this.startExhibitor(st, unit, at, pid, opts);
      case 'dcos-mesos-master.service':
        return this.startMesosMaster(st, unit, at, pid, opts);
      case 'dcos-mesos-slave.service':
      case 'dcos-mesos-slave-public.service':
        return this.startAgent(st, unit, at, pid, opts);
      case 'dcos-cockroach.service':
        return this.startCockroach(st, unit, at, pid, opts);
      case 'dcos-net.service':
        return this.startNet(st, unit, at, pid, opts);
      default: {
        const up = at + st.rng.int(300, 2500);
        unit.plan(at, [{ at, active: 'activating', sub: 'start', pid }, runningPhase(spec, up, pid)]);
        if (spec.type === 'service' || spec.type === 'oneshot') this.log(st, spec.name, 'systemd', 1, up, `Started ${spec.description}.`);
        if (spec.name === 'dcos-mesos-dns.service') {
          this.log(st, spec.name, 'mesos-dns', pid, up + 200, `VERY VERBOSE: 2018/03/08 generator.go:...: Starting mesos-dns on ${st.info.ip}`);
          this.log(st, spec.name, 'mesos-dns', pid, up + 900, `INFO: ${dnsTime(up + 900)} main.go:95: Connected to leader (${this.leaderAt(up)?.ip ?? this.masters[0]?.ip}:5050)`);
        }
        if (spec.name === 'dcos-download.service') {
          this.log(st, spec.name, 'curl', pid, up - 100, `  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current`);
          this.log(st, spec.name, 'pkgpanda', pid, up - 50, `Downloading bootstrap tarball from http://${this.bootstrap.ip}:80/bootstrap/${packageId('bootstrap', st.version).slice(-40)}.bootstrap.tar.xz`);
        }
      }
    }
  }

  private startExhibitor(st: NodeState, unit: UnitRuntime, at: number, pid: number, opts: { boot?: boolean }): void {
    const name = unit.spec.name;
    const ident = unit.spec.ident;
    const up = at + 800;
    unit.plan(at, [{ at, active: 'activating', sub: 'start', pid }, runningPhase(unit.spec, up, pid)]);
    this.log(st, name, 'systemd', 1, up, `Started ${unit.spec.description}.`);
    this.log(st, name, ident, pid, up + 300, 'Running exhibitor as command: /opt/mesosphere/active/java/usr/java/bin/java -Djava.util.prefs.systemRoot=/var/lib/dcos/exhibitor/ -jar /opt/mesosphere/active/exhibitor/usr/exhibitor/exhibitor.jar --port 8181 --defaultconfig /run/dcos_exhibitor/exhibitor_defaults.conf --hostname ' + st.info.ip);
    this.log(st, name, 'java', pid + 4, up + 2 * S, 'INFO  com.netflix.exhibitor.core.activity.ActivityLog  Exhibitor started [ActivityLog:99]');
    const brokenBackend = st.baked && st.baked.exhibitorBackend !== 'static';
    if (brokenBackend) {
      if (st.master) st.master.exhibitorServingAt = null;
      st.journal.emit({
        unit: name,
        ident: 'java',
        pid: pid + 4,
        from: up + 5 * S,
        every: 10 * S,
        until: Infinity,
        lines: () => [
          `ERROR com.netflix.exhibitor.core.activity.ActivityLog  Error loading shared config: zookeeper backend ${this.masters.map((m) => `${m.ip}:2181`).join(',')}/dcos has no Exhibitor config; this ensemble was set up with the static backend [ActivityLog:105]`,
          'INFO  com.netflix.exhibitor.core.activity.ActivityLog  Attempting to start/restart ZooKeeper [ActivityLog:99]',
        ],
      });
      this.zkLog(st, up + 6 * S, 'WARN  [QuorumPeer[myid=' + st.info.index + ']/0.0.0.0:2181:QuorumCnxManager@584] - Cannot open channel to 1 at election address: connection refused');
      this.recordFault('exhibitor-backend-changed', st.info.name, 'exhibitor_storage_backend changed in config.yaml: Exhibitor on this master cannot rejoin the ensemble', up);
      return;
    }
    const serving = opts.boot ? up + 20 * S : up + st.rng.int(12, 25) * S;
    if (st.master) st.master.exhibitorServingAt = serving;
    this.zkLog(st, up + 3 * S, `INFO  [main:QuorumPeerMain@127] - Starting quorum peer`);
    this.zkLog(st, up + 3 * S + 200, `INFO  [main:Environment@100] - Server environment:zookeeper.version=${zookeeperVersion(st.version)}-1, built on ${zookeeperVersion(st.version) === '3.4.13' ? '06/29/2018 04:05' : '03/23/2017 10:13'} GMT`);
    this.log(st, name, 'java', pid + 4, serving - S, 'INFO  com.netflix.exhibitor.core.activity.ActivityLog  Process started via: /opt/mesosphere/active/exhibitor/usr/zookeeper/bin/zkServer.sh [ActivityLog:99]');
    this.log(st, name, 'java', pid + 4, serving, 'INFO  com.netflix.exhibitor.core.activity.ActivityLog  State: serving [ActivityLog:99]');
    const leader = this.zkLeaderAt(serving);
    if (!leader) insertTimeline(this.zkLeader, serving, st.info.name);
    const role = this.zkLeaderAt(serving)?.name === st.info.name ? 'LEADING' : 'FOLLOWING';
    this.zkLog(st, serving, `INFO  [QuorumPeer[myid=${st.info.index}]/0.0.0.0:2181:${role === 'LEADING' ? 'Leader' : 'Follower'}@${role === 'LEADING' ? 380 : 63}] - ${role} - LEADER ELECTION TOOK - ${st.rng.int(40, 400)}`);
  }

  /** Routine lines a running daemon keeps logging (metrics polls), from `from` or the last half hour. */
  private chatter(st: NodeState, unit: string, ident: string, pid: number, from: number, every: number, line: (at: number, n: number) => string): void {
    const start = Math.max(from, this.startedAt - 30 * M);
    st.journal.emit({ unit, ident, pid, from: start + (every - ((start - from) % every)), every, until: Infinity, lines: (at, n) => [line(at, n)] });
  }

  private zkLog(st: NodeState, at: number, message: string): void {
    st.zookeeperLog.add({ at, unit: 'zookeeper.out', ident: 'zookeeper', pid: 0, message });
  }

  private zookeeperOut(st: NodeState): string {
    const entries = st.zookeeperLog.read([], 0, this.now());
    return entries
      .map((e) => {
        const d = new Date(e.at).toISOString();
        return `${d.slice(0, 10)} ${d.slice(11, 19)},${d.slice(20, 23)} [myid:${st.info.index}] - ${e.message}\n`;
      })
      .join('');
  }

  private startMesosMaster(st: NodeState, unit: UnitRuntime, at: number, pid: number, opts: { boot?: boolean; activation?: boolean }): void {
    const name = unit.spec.name;
    const m = st.master as NonNullable<NodeState['master']>;
    // masterUnhealthy: the last master (never the first leader) came up without recovering, long before the patch.
    const unhealthy = opts.boot === true && this.faults.masterUnhealthy === true && st.info.index === this.masters.length && this.masters.length > 1;
    const stuck = (m.stuckNextActivation && opts.activation === true) || unhealthy;
    if (opts.activation) m.stuckNextActivation = false;
    m.mesosListeningAt = null;
    m.recoveredAt = null;
    this.log(st, name, 'mesos-master', pid, at + 600, '[INFO] Clearing proxy environment variables');
    const zk = m.exhibitorServingAt;
    if (zk === null || zk > at + 1000) this.log(st, name, 'mesos-master', pid, at + 800, '[INFO] Shortcut failed, waiting for exhibitor to bring up zookeeper and stabilize');
    if (zk === null) {
      unit.plan(at, [{ at, active: 'activating', sub: 'start-pre', pid }]);
      st.journal.emit({ unit: name, ident: 'mesos-master', pid, from: at + 10 * S, every: 10 * S, until: Infinity, lines: () => ['[INFO] Exhibitor is not serving yet, waiting'] });
      return;
    }
    const ready = Math.max(at + S, zk + 500);
    this.log(st, name, 'mesos-master', pid, ready, `[INFO] Expected cluster size: ${this.masters.length}`);
    this.log(st, name, 'mesos-master', pid, ready + 50, `[INFO] Serving hosts: \`${this.masters.map((x) => x.ip).join(',')}\`, leader: \`${this.zkLeaderAt(ready)?.ip ?? this.masters[0]?.ip}\``);
    const start = ready + 1500;
    const main = pid + 20 + st.rng.int(0, 90);
    unit.plan(at, [{ at, active: 'activating', sub: 'start-pre', pid }, { at: start, active: 'active', sub: 'running', pid: main }]);
    this.log(st, name, 'systemd', 1, start, `Started ${unit.spec.description}.`);
    const g = (when: number, sev: 'I' | 'W' | 'E', where: string, msg: string, tag?: string): void => this.log(st, name, 'mesos-master', main, when, glog(sev, when, main, where, msg), tag);
    g(start + 100, 'I', 'main.cpp:240', `Version: ${mesosVersion(st.version)}`);
    g(start + 130, 'I', 'master.cpp:458', `Master ${m.masterId} (${st.info.ip}) started on ${st.info.ip}:5050`);
    g(start + 140, 'I', 'master.cpp:461', `Flags at startup: --agent_ping_timeout="15secs" --max_agent_ping_timeouts="20" --quorum="${Math.floor(this.masters.length / 2) + 1}" --work_dir="/var/lib/dcos/mesos/master" --zk="zk://zk-1.zk:2181,zk-2.zk:2181,zk-3.zk:2181,zk-4.zk:2181,zk-5.zk:2181/mesos"`);
    m.mesosListeningAt = start + 300;
    if (stuck) {
      g(start + 2 * S, 'I', 'recover.cpp:603', 'Replica is in EMPTY status');
      g(start + 2 * S + 100, 'I', 'replica.cpp:676', 'Replica in EMPTY status received a broadcasted recover request from __req_res__(1)@' + st.info.ip + ':5050');
      st.journal.emit({
        unit: name,
        ident: 'mesos-master',
        pid: main,
        from: start + 12 * S,
        every: 10 * S,
        until: Infinity,
        lines: (when) => [glog('I', when, main + 18, 'recover.cpp:264', 'Unable to finish the recover protocol in 10secs, retrying')],
      });
      st.journal.emit({
        unit: name,
        ident: 'mesos-master',
        pid: main,
        from: start + 60 * S,
        every: 60 * S,
        until: Infinity,
        lines: (when) => [glog('W', when, main + 18, 'registrar.cpp:469', 'Registrar is still recovering: waiting for the replicated log (registrar/log/recovered is 0)')],
      });
      if (unhealthy) this.recordFault('master-unhealthy-before-patch', st.info.name, 'The Mesos registrar on this master had not recovered since it booted, before anything was patched', start);
      else this.recordFault('registrar-not-recovered', st.info.name, 'The Mesos registrar on this master did not recover after the patch until dcos-mesos-master was restarted', start);
      return;
    }
    const recovered = opts.boot ? start + 12 * S : start + st.rng.int(8, 20) * S;
    g(start + 3 * S, 'I', 'recover.cpp:578', 'Successfully joined the Paxos group');
    g(recovered - 400, 'I', 'registrar.cpp:383', `Successfully fetched the registry (${st.rng.int(3000, 9000)}B) in ${st.rng.int(8, 60)}.${st.rng.int(100000, 999999)}ms`);
    g(recovered, 'I', 'registrar.cpp:487', 'Successfully recovered registrar');
    g(recovered + 50, 'I', 'master.cpp:1853', `Recovered ${this.agents.length} agents from the registry (${st.rng.int(40, 900)}KB); allowing 10mins for agents to reregister`);
    m.recoveredAt = recovered;
    if (!this.leaderAt(recovered)) insertTimeline(this.mesosLeader, recovered + S, st.info.name);
    const leader = this.leaderAt(recovered + S);
    const leaderId = leader ? (leader.name === st.info.name ? m.masterId : this.state(leader.name).master?.masterId) : '';
    g(recovered + S + 200, 'I', 'master.cpp:2223', `The newly elected leader is master@${leader?.ip ?? st.info.ip}:5050 with id ${leaderId}`);
    if (leader?.name === st.info.name) g(recovered + S + 250, 'I', 'master.cpp:2236', 'Elected as the leading master!');
    const poller = this.masters[(st.info.index % this.masters.length)]?.ip ?? st.info.ip;
    this.chatter(st, name, 'mesos-master', main, recovered + 5 * S, 60 * S, (when, n) =>
      glog('I', when, main + 11, 'http.cpp:1185', `HTTP GET for /master/metrics/snapshot from ${poller}:${40000 + ((n * 7919) % 20000)} with User-Agent='Go-http-client/1.1'`),
    );
  }

  private startCockroach(st: NodeState, unit: UnitRuntime, at: number, pid: number, opts: { boot?: boolean }): void {
    const name = unit.spec.name;
    const up = at + 2 * S;
    unit.plan(at, [{ at, active: 'activating', sub: 'start', pid }, runningPhase(unit.spec, up, pid)]);
    this.log(st, name, 'systemd', 1, up, `Started ${unit.spec.description}.`);
    const c = (when: number, where: string, msg: string): void => {
      const d = new Date(when).toISOString();
      this.log(st, name, 'cockroach', pid, when, `I${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)} ${d.slice(11, 23)}000 1 ${where}  ${msg}`);
    };
    c(up + 200, 'util/log/clog.go:1011', `[config] file created at: ${sqlTime(up)}`);
    c(up + 210, 'cli/start.go:466', `CockroachDB CCL ${COCKROACH_BUILD} (linux amd64, built 2018/01/08 17:32:42, go1.8.3)`);
    c(up + 3 * S, 'cli/start.go:640', `node startup completed:\nCockroachDB node starting at ${sqlTime(up + 3 * S)}\nbuild:      CCL ${COCKROACH_BUILD} @ 2018/01/08 17:32:42 (go1.8.3)\nadmin:      https://${st.info.ip}:8090\nsql:        postgresql://root@${st.info.ip}:26257?application_name=cockroach&sslmode=verify-full\nstore[0]:   path=/var/lib/dcos/cockroach\nclusterID:  ${uuid(Rng.for(this.seed, 'cockroach-cluster'))}\nnodeID:     ${st.info.index}`);
    this.chatter(st, name, 'cockroach', pid, up + 10 * S, 60 * S, (when, n) => {
      const d = new Date(when).toISOString();
      return `I${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)} ${d.slice(11, 23)}000 ${200 + (n % 50)} server/status/runtime.go:223  [n${st.info.index}] runtime stats: ${300 + (n % 40)} MiB RSS, ${180 + (n % 25)} goroutines, ${90 + (n % 30)} MiB/${40 + (n % 9)} MiB/${150 + (n % 20)} MiB GO alloc/idle/total, 0.${n % 10} CGO allocs/s, 0.0${n % 9} %(u), 0.0${n % 7} %(s)`;
    });
    if (opts.boot) return;
    const w = [...this.windows].reverse().find((x) => x.node === st.info.name && x.up === null);
    if (w) {
      w.up = up + 3 * S;
      st.journal.emit({
        unit: name,
        ident: 'cockroach',
        pid,
        from: w.up + 15 * S,
        every: 30 * S,
        until: w.up + w.converge,
        lines: (when) => {
          const d = new Date(when).toISOString();
          return [`I${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)} ${d.slice(11, 23)}000 ${st.rng.int(200, 900)} storage/replica_raftstorage.go:526  [n${st.info.index},s${st.info.index},r${st.rng.int(20, 190)}/${st.rng.int(2, 5)}:/Table/5{1-2}] applying preemptive snapshot at index ${st.rng.int(1000, 90000)}`];
        },
      });
    }
  }

  private cockroachDown(st: NodeState, at: number): void {
    const others = this.windows.filter((w) => w.node !== st.info.name && this.windowDebt(w, at) > 0);
    if (others.length > 0) {
      this.recordFault('master-down-while-underreplicated', st.info.name, `CockroachDB on ${st.info.name} went down while ${others.map((w) => w.node).join(', ')} was still re-replicating: ranges became unavailable`, at);
    }
    const slow = this.faults.rangesSlow === true;
    const total = this.rangesOf(st.info);
    const converge = slow ? st.rng.int(540, 720) * S : st.rng.int(50, 100) * S;
    this.windows.push({ node: st.info.name, down: at, up: null, converge, peak: Math.round(total * Math.min(1, 3 / this.masters.length)) });
    if (slow) this.recordFault('ranges-slow', st.info.name, `After ${st.info.name} rejoined, the IAM ranges took about ${Math.round(converge / M)} minutes to re-replicate`, at);
  }

  private rangesOf(info: NodeInfo): number {
    return Rng.for(this.seed, info.name, 'ranges').int(187, 200);
  }

  /** Under-replicated ranges a window still causes at t. */
  private windowDebt(w: CockroachWindow, t: number): number {
    if (t < w.down) return 0;
    if (w.up === null || t < w.up) return w.peak;
    const since = Math.floor((t - w.up) / (10 * S)) * 10 * S;
    if (since >= w.converge) return 0;
    return Math.ceil(w.peak * (1 - since / w.converge) ** 1.4);
  }

  private startNet(st: NodeState, unit: UnitRuntime, at: number, pid: number, _opts: { boot?: boolean }): void {
    const name = unit.spec.name;
    const ident = unit.spec.ident;
    let kernelOff = false;
    try {
      kernelOff = st.fs.read('/proc/sys/net/ipv6/conf/all/disable_ipv6', 'root').trim() === '1';
    } catch {
      kernelOff = true;
    }
    const t = (when: number): string => new Date(when).toISOString().slice(11, 23);
    if (kernelOff && st.ipv6Strict) {
      unit.plan(at, [
        { at, active: 'activating', sub: 'start', pid },
        { at: at + 4 * S, active: 'activating', sub: 'auto-restart', pid: 0, result: 'exit-code' },
      ]);
      const crash = (when: number, p: number): string[] => [
        `${t(when)} [error] <0.${400 + (p % 90)}.0>@dcos_overlay_configure:configure_overlay:142 Failed to configure the IPv6 overlay network dcos6 (fd01:b::/64): {error,eafnosupport}`,
        `${t(when + 5)} [error] <0.${400 + (p % 90)}.0> gen_server dcos_overlay_configure terminated with reason: eafnosupport in dcos_overlay_configure:configure_overlay/2 line 142`,
        `${t(when + 9)} [error] <0.${400 + (p % 90)}.0> CRASH REPORT Process dcos_overlay_configure with 0 neighbours exited with reason: eafnosupport; enable_ipv6 is true but IPv6 is disabled in the kernel (net.ipv6.conf.all.disable_ipv6 = 1)`,
      ];
      for (const [i, line] of crash(at + 3 * S, pid).entries()) this.log(st, name, ident, pid, at + 3 * S + i, line);
      this.log(st, name, 'systemd', 1, at + 4 * S, 'dcos-net.service: main process exited, code=exited, status=1/FAILURE');
      this.log(st, name, 'systemd', 1, at + 4 * S + 1, `Failed to start ${unit.spec.description}.`);
      this.log(st, name, 'systemd', 1, at + 4 * S + 2, 'Unit dcos-net.service entered failed state.');
      st.journal.emit({
        unit: name,
        ident,
        pid,
        from: at + 19 * S,
        every: 15 * S,
        until: Infinity,
        lines: (when, n) => ['dcos-net.service holdoff time over, scheduling restart.', ...crash(when + 3 * S, pid + n), `Failed to start ${unit.spec.description}.`],
      });
      this.recordFault('ipv6-disabled', st.info.name, "dcos-net failed: enable_ipv6 is 'true' in config.yaml but IPv6 is disabled in this node's kernel", at + 3 * S);
      return;
    }
    const up = at + 1500;
    unit.plan(at, [{ at, active: 'activating', sub: 'start', pid }, runningPhase(unit.spec, up, pid)]);
    this.log(st, name, 'systemd', 1, up, `Started ${unit.spec.description}.`);
    this.log(st, name, ident, pid, up + 800, `${t(up + 800)} [notice] <0.212.0>@dcos_net_app:start:47 dcos-net started on ${st.info.ip}`);
    if (kernelOff) this.log(st, name, ident, pid, up + 1200, `${t(up + 1200)} [warning] <0.415.0>@dcos_overlay_configure:maybe_ipv6:88 IPv6 is disabled in the kernel; the dcos6 overlay network is not configured`);
  }

  private startAgent(st: NodeState, unit: UnitRuntime, at: number, pid: number, opts: { boot?: boolean; activation?: boolean }): void {
    const name = unit.spec.name;
    const a = st.agent as NonNullable<NodeState['agent']>;
    const main = pid + 8;
    const up = at + 2 * S;
    unit.plan(at, [{ at, active: 'activating', sub: 'start-pre', pid }, { at: up, active: 'active', sub: 'running', pid: main }]);
    this.log(st, name, 'systemd', 1, up, `Started ${unit.spec.description}.`);
    const g = (when: number, sev: 'I' | 'W' | 'E', where: string, msg: string): void => this.log(st, name, 'mesos-agent', main, when, glog(sev, when, main, where, msg));
    g(up + 100, 'I', 'main.cpp:349', `Build: 2018-07-02 19:24:43 by centos`);
    g(up + 110, 'I', 'main.cpp:352', `Version: ${mesosVersion(st.version)}`);
    g(up + 150, 'I', 'slave.cpp:262', `Mesos agent started on (1)@${st.info.ip}:5051`);
    g(up + 400, 'I', 'slave.cpp:6776', 'Recovering executors');
    g(up + 1900, 'I', 'slave.cpp:7327', 'Finished recovery');
    let reach = up + st.rng.int(4, 10) * S;
    if (opts.boot) reach = up + 5 * S;
    const slow = a.slowNextStart;
    a.slowNextStart = 0;
    const leaderAt = (when: number): NodeInfo | undefined => this.leaderAt(when) ?? this.masters[0];
    if (slow > 0) {
      const l = leaderAt(up);
      g(up + 2 * S, 'I', 'slave.cpp:1005', `New master detected at master@${l?.ip}:5050`);
      g(up + 2 * S + 5, 'I', 'slave.cpp:1042', 'No credentials provided. Attempting to register without authentication');
      st.journal.emit({
        unit: name,
        ident: 'mesos-agent',
        pid: main,
        from: up + 20 * S,
        every: 45 * S,
        until: up + slow,
        lines: (when) => [
          glog('E', when, main + 3, 'process.cpp:2425', `Failed to link to '${leaderAt(when)?.ip}:5050', connect: Failed to connect to ${leaderAt(when)?.ip}:5050: Connection timed out`),
          glog('W', when + 2, main + 3, 'slave.cpp:1406', `Re-registration with master master@${leaderAt(when)?.ip}:5050 timed out; retrying in ${st.rng.int(8, 40)}secs`),
        ],
      });
      reach = up + slow;
    }
    const d = a.disconnectedAt;
    const metaPresent = st.fs.exists(AGENT_META_LATEST);
    const expired = a.removedAt !== null || (d !== null && reach - d > AGENT_EXPIRY_MS);
    if (expired && metaPresent) {
      const removedAt = a.removedAt ?? (d as number) + AGENT_EXPIRY_MS;
      a.removedAt = removedAt;
      a.tasks = 0;
      const l = leaderAt(reach);
      g(reach, 'I', 'slave.cpp:1005', `New master detected at master@${l?.ip}:5050`);
      g(reach + 300, 'I', 'slave.cpp:1009', `Agent asked to shut down by master@${l?.ip}:5050 because 'Agent attempted to re-register after removal'`);
      g(reach + 320, 'I', 'slave.cpp:913', 'Agent terminating');
      if (l) {
        const lst = this.state(l.name);
        this.log(lst, 'dcos-mesos-master.service', 'mesos-master', lst.unit('dcos-mesos-master')?.at(reach).pid ?? 0, reach + 200, glog('W', reach + 200, 4471, 'master.cpp:6168', `Agent ${a.agentId} at slave(1)@${st.info.ip}:5051 (${st.info.ip}) attempted to re-register after removal; shutting it down`));
      }
      const fail = reach + 600;
      unit.plan(at, [
        { at, active: 'activating', sub: 'start-pre', pid },
        { at: up, active: 'active', sub: 'running', pid: main },
        { at: fail, active: 'activating', sub: 'auto-restart', pid: 0, result: 'exit-code' },
      ]);
      this.log(st, name, 'systemd', 1, fail, `${unit.spec.name}: main process exited, code=exited, status=1/FAILURE`);
      this.log(st, name, 'systemd', 1, fail + 1, `Unit ${unit.spec.name} entered failed state.`);
      st.journal.emit({
        unit: name,
        ident: 'mesos-agent',
        pid: main,
        from: fail + 20 * S,
        every: 20 * S,
        until: Infinity,
        lines: (when) => [
          glog('I', when, main + 30, 'slave.cpp:7327', 'Finished recovery'),
          glog('I', when + 400, main + 30, 'slave.cpp:1009', `Agent asked to shut down by master@${leaderAt(when)?.ip}:5050 because 'Agent attempted to re-register after removal'`),
          glog('E', when + 450, main + 30, 'slave.cpp:6987', `EXIT with status 1: Failed to perform recovery: agent ${a.agentId} was removed by the master.\nTo remedy this do as follows:\nStep 1: rm -f ${AGENT_META_LATEST}\n        This ensures agent doesn't recover old live executors.\nStep 2: Restart the agent.`),
        ],
      });
      this.recordFault('agent-expired', st.info.name, 'The agent was away from the masters for more than 5 minutes: it was removed with its tasks and cannot re-register until its meta directory is cleaned', removedAt);
      return;
    }
    const l = leaderAt(reach);
    if (expired) {
      // The meta directory was cleaned: the agent registers as a new agent, without its old tasks.
      const serial = Number(/-S(\d+)$/.exec(a.agentId)?.[1] ?? '0') + this.agents.length + 1;
      a.agentId = a.agentId.replace(/-S\d+$/, `-S${serial}`);
      a.removedAt = null;
      a.tasks = 0;
      this.writeAgentMeta(st, reach);
      g(reach, 'I', 'slave.cpp:1005', `New master detected at master@${l?.ip}:5050`);
      g(reach + 300, 'I', 'slave.cpp:1145', `Registered with master master@${l?.ip}:5050; given agent ID ${a.agentId}`);
    } else if (opts.boot || d === null) {
      g(reach, 'I', 'slave.cpp:1005', `New master detected at master@${l?.ip}:5050`);
      g(reach + 300, 'I', 'slave.cpp:1145', `Registered with master master@${l?.ip}:5050; given agent ID ${a.agentId}`);
    } else {
      g(reach, 'I', 'slave.cpp:1005', `New master detected at master@${l?.ip}:5050`);
      g(reach + 300, 'I', 'slave.cpp:1198', `Re-registered with master master@${l?.ip}:5050`);
      // Back within 5 minutes: the masters' planned removal lines never happen.
      for (const mi of this.masters) this.states.get(mi.name)?.journal.cancelTag(`expire:${st.info.name}`, reach);
    }
    a.reg.push({ at: reach + 300, on: true });
    this.chatter(st, name, 'mesos-agent', main, reach + 10 * S, 60 * S, (when, n) =>
      glog('I', when, main + 5, 'http.cpp:1185', `HTTP GET for /slave(1)/state from ${st.info.ip}:${40000 + ((n * 6007) % 20000)} with User-Agent='Go-http-client/1.1'`),
    );
    a.disconnectedAt = null;
    a.reg.sort((x, y) => x.at - y.at);
  }

  private agentDown(st: NodeState, at: number): void {
    const a = st.agent;
    if (!a) return;
    a.reg = a.reg.filter((r) => r.at <= at);
    a.reg.push({ at, on: false });
    if (a.disconnectedAt === null) a.disconnectedAt = at;
    const l = this.leaderAt(at) ?? this.masters[0];
    if (!l || a.removedAt !== null) return;
    const lst = this.state(l.name);
    const when = a.disconnectedAt + AGENT_EXPIRY_MS;
    this.log(lst, 'dcos-mesos-master.service', 'mesos-master', lst.unit('dcos-mesos-master')?.at(at).pid ?? 0, at + 15 * S, glog('I', at + 15 * S, 4470, 'master.cpp:1411', `Agent ${a.agentId} at slave(1)@${st.info.ip}:5051 (${st.info.ip}) disconnected`), `expire:${st.info.name}`);
    this.log(lst, 'dcos-mesos-master.service', 'mesos-master', lst.unit('dcos-mesos-master')?.at(at).pid ?? 0, when, glog('W', when, 4470, 'master.cpp:7032', `Removing agent ${a.agentId} at slave(1)@${st.info.ip}:5051 (${st.info.ip}): health check timed out`), `expire:${st.info.name}`);
  }

  // ---- the node patch script's effects ----

  /** pkgpanda activate: new packages, then every DC/OS unit restarts. An error leaves the node as it was. */
  activate(st: NodeState, at: number, to: string, baked: BakedConfig): { ok: true } | { ok: false; error: string } {
    if (st.info.role === 'agent' || st.info.role === 'public_agent') {
      if (st.fs.exists(LIBLTDL_PATH)) {
        this.recordFault('libltdl-present', st.info.name, `${LIBLTDL_PATH} was still there when the patch script activated the new packages`, at);
        const pkg = packageId('libltdl', to);
        return {
          ok: false,
          error: `pkgpanda.exceptions.ValidationError: Unable to activate ${pkg}: ${LIBLTDL_PATH} already exists and is not owned by any package in the new set (conflicts with ${pkg}/lib/libltdl.so.7)`,
        };
      }
    }
    st.version = to;
    st.baked = baked;
    st.ipv6Strict = baked.enableIpv6;
    if (st.master && this.faults.registrarStuck && !this.firstMasterPatched) st.master.stuckNextActivation = true;
    if (st.master) this.firstMasterPatched = true;
    if (st.agent && this.faults.agentExpires && !this.firstAgentPatched) st.agent.slowNextStart = 6 * M + 30 * S;
    if (st.agent) this.firstAgentPatched = true;
    const dcos = [...st.units.values()].filter((u) => u.spec.dcos && (u.spec.type === 'service' || u.spec.type === 'oneshot'));
    let t = at + 500;
    for (const unit of dcos) {
      this.planStop(st, unit, t);
      t += st.rng.int(50, 300);
    }
    // Exhibitor first: Mesos and the rest wait for ZooKeeper.
    const order = [...dcos].sort((x, y) => rank(x.spec.name) - rank(y.spec.name));
    t = at + 4 * S;
    for (const unit of order) {
      this.planStart(st, unit, t, { activation: true });
      t += st.rng.int(200, 900);
    }
    return { ok: true };
  }

  // ---- reading the cluster ----

  leaderAt(t: number): NodeInfo | null {
    return this.timelineAt(this.mesosLeader, t);
  }

  zkLeaderAt(t: number): NodeInfo | null {
    return this.timelineAt(this.zkLeader, t);
  }

  private timelineAt(line: { at: number; name: string | null }[], t: number): NodeInfo | null {
    let name: string | null = null;
    for (const e of line) {
      if (e.at > t) break;
      name = e.name;
    }
    return name ? (this.byName.get(name) ?? null) : null;
  }

  masterRecovered(m: NodeInfo, t: number): boolean {
    const st = this.state(m.name);
    const r = st.master?.recoveredAt;
    return r !== null && r !== undefined && t >= r && st.active('dcos-mesos-master', t);
  }

  masterListening(m: NodeInfo, t: number): boolean {
    const st = this.state(m.name);
    const l = st.master?.mesosListeningAt;
    return l !== null && l !== undefined && t >= l && st.active('dcos-mesos-master', t);
  }

  private exhibitorUp(m: NodeInfo, t: number): boolean {
    const st = this.state(m.name);
    const s = st.master?.exhibitorServingAt;
    return s !== null && s !== undefined && t >= s && st.active('dcos-exhibitor', t);
  }

  /** ZooKeeper serves on a master when its Exhibitor is up and a quorum of masters is up. */
  exhibitorServing(m: NodeInfo, t: number): boolean {
    if (!this.exhibitorUp(m, t)) return false;
    const up = this.masters.filter((x) => this.exhibitorUp(x, t)).length;
    return up > this.masters.length / 2;
  }

  /** Exhibitor's /exhibitor/v1/cluster/status body. */
  exhibitorStatus(t: number): string {
    const leader = this.zkLeaderAt(t);
    const items = this.masters.map((m) => {
      const st = this.state(m.name);
      let code = 1;
      if (st.active('dcos-exhibitor', t)) code = this.exhibitorServing(m, t) ? 3 : 2;
      const description = ['latent', 'down', 'not serving', 'serving'][code];
      return `{"code":${code},"description":"${description}","hostname":"${m.ip}","isLeader":${code === 3 && leader?.name === m.name}}`;
    });
    return `[${items.join(',')}]`;
  }

  /** Agents' standing with the masters at t. Untouched agents are registered with their tasks. */
  agentCounts(t: number): { active: number; disconnected: number; inactive: number; tasks: number } {
    let active = this.agents.length;
    let disconnected = 0;
    let tasks = this.totalTasks;
    this.agents.forEach((a, i) => {
      const st = this.states.get(a.name);
      if (!st?.agent) return;
      tasks += st.agent.tasks - (this.agentTasks[i] ?? 0);
      if (st.registeredAt(t)) return;
      active--;
      tasks -= st.agent.tasks;
      const removed = st.agent.removedAt !== null && st.agent.removedAt <= t;
      const away = st.agent.disconnectedAt !== null && t - st.agent.disconnectedAt > AGENT_EXPIRY_MS;
      if (!removed && !away) disconnected++;
    });
    return { active, disconnected, inactive: 0, tasks };
  }

  /** The leading master's agent list at t (GET :5050/slaves), in Mesos 1.5's shape. Removed agents are gone from it. */
  agentsEndpoint(t: number): string {
    const framework = uuid(Rng.for(this.seed, 'framework'));
    const items: string[] = [];
    for (const a of this.agents) {
      const st = this.states.get(a.name);
      const removed = st?.agent?.removedAt;
      if (removed !== null && removed !== undefined && removed <= t) continue;
      const active = st ? st.registeredAt(t) : true;
      const version = mesosVersion(st?.version ?? this.runningVersion);
      const pub = a.role === 'public_agent';
      const id = st?.agent?.agentId ?? `${framework}-S${a.index + (pub ? 1000 : 0)}`;
      const res = '{"disk":35577.0,"mem":14895.0,"gpus":0.0,"cpus":4.0,"ports":"[1025-2180, 2182-3887, 3889-5049, 5052-8079, 8082-8180, 8182-32000]"}';
      items.push(
        `{"id":"${id}","hostname":"${a.ip}","port":5051,"attributes":{${pub ? '"public_ip":"true"' : ''}},"pid":"slave(1)@${a.ip}:5051","registered_time":1530559483.0,"resources":${res},"used_resources":{"disk":0.0,"mem":0.0,"gpus":0.0,"cpus":0.0},"offered_resources":{"disk":0.0,"mem":0.0,"gpus":0.0,"cpus":0.0},"reserved_resources":${pub ? `{"slave_public":${res}}` : '{}'},"unreserved_resources":${pub ? '{"disk":0.0,"mem":0.0,"gpus":0.0,"cpus":0.0}' : res},"active":${active},"version":"${version}","capabilities":["MULTI_ROLE","HIERARCHICAL_ROLE","RESERVATION_REFINEMENT"]}`,
      );
    }
    return `{"slaves":[${items.join(',')}],"recovered_slaves":[]}`;
  }

  /** The CockroachDB node status table's rows at t, as seen from a live node. */
  cockroachRows(t: number): CockroachRow[] {
    const live = this.masters.filter((m) => this.state(m.name).active('dcos-cockroach', t));
    const downNow = this.windows.filter((w) => t >= w.down && (w.up === null || t < w.up));
    const debts = this.windows.map((w) => ({ w, debt: this.windowDebt(w, t) })).filter((x) => x.debt > 0);
    let unavailable = 0;
    if (this.masters.length > 1 && downNow.length * 2 >= this.masters.length) {
      // A majority of replicas is gone: ranges lose quorum.
      unavailable = Math.max(...downNow.map((w) => w.peak));
    } else if (downNow.length >= 1) {
      // A master went down while another one was still catching up: ranges with both replicas lost.
      const catching = debts.filter((x) => !downNow.includes(x.w));
      if (catching.length > 0) unavailable = Math.ceil(Math.max(...catching.map((x) => x.debt)) / 2);
    }
    return this.masters.map((m) => {
      const st = this.state(m.name);
      const unit = st.unit('dcos-cockroach');
      const up = live.includes(m);
      const rng = Rng.for(this.seed, m.name, 'ranges');
      const ranges = rng.int(187, 200);
      const leaders = ranges - rng.int(0, 2);
      const lastRun = unit ? unit.lastRun(t) : { start: INSTALL_TIME, end: t };
      const updated = up ? Math.floor(t / (10 * S)) * 10 * S - Rng.for(this.seed, m.name, 'upd').int(0, 9) * S : lastRun.end;
      let under = 0;
      let unav = 0;
      if (up) {
        for (const { w, debt } of debts) {
          if (w.node === m.name) continue;
          const sharers = live.filter((x) => x.name !== w.node).length || 1;
          under += Math.ceil(debt / sharers);
        }
        unav = Math.ceil(unavailable / Math.max(1, live.length));
      }
      return {
        id: m.index,
        address: `${m.ip}:26257`,
        build: COCKROACH_BUILD,
        updatedAt: updated,
        startedAt: lastRun.start,
        leaders: up ? leaders : 0,
        leaseholders: up ? leaders - rng.int(0, 1) : 0,
        ranges,
        unavailable: unav,
        underreplicated: Math.min(ranges, under),
      };
    });
  }

  /** dcos-diagnostics check node-poststart | cluster, at t. */
  diagnostics(st: NodeState, t: number, kind: 'node-poststart' | 'cluster'): CheckResult {
    if (kind === 'cluster') return { status: 0, checks: {} };
    const checks: CheckResult['checks'] = {};
    checks.clock_sync = { output: 'Clock is synced\n', status: 0 };
    const failing = [...st.units.values()].filter((u) => u.spec.dcos && u.spec.type !== 'timer' && u.at(t).active !== 'active').map((u) => u.spec.name);
    const component = st.info.role === 'master' ? 'components_master' : 'components_agent';
    checks[component] = { output: failing.map((n) => `component ${n} has health status 1\n`).join(''), status: failing.length > 0 ? 2 : 0 };
    checks.ip_detect_script = { output: `${st.info.ip} is a valid IPV4 address\n`, status: 0 };
    if (st.info.role === 'master') {
      const ok = this.masterRecovered(st.info, t);
      checks.mesos_master_replog_synchronized = { output: ok ? '' : 'registrar/log/recovered is 0: the replicated log of this master is not synchronized\n', status: ok ? 0 : 2 };
    } else {
      const ok = st.registeredAt(t);
      checks.mesos_agent_registered_with_masters = { output: ok ? '' : 'agent is not registered with a master (slave/registered is 0)\n', status: ok ? 0 : 2 };
    }
    checks.xz = { output: '', status: 0 };
    const status = Math.max(0, ...Object.values(checks).map((c) => c.status));
    return { status, checks };
  }

  /** The security mode a node's packages were built with. */
  securityOf(st: NodeState): string {
    return st.baked?.security ?? this.security;
  }
}

/** Inserts an entry in a leader timeline, keeping it in time order. */
function insertTimeline(line: { at: number; name: string | null }[], at: number, name: string | null): void {
  let i = line.length;
  while (i > 0 && (line[i - 1] as { at: number }).at > at) i--;
  line.splice(i, 0, { at, name });
}

function rank(unit: string): number {
  if (unit === 'dcos-exhibitor.service') return 0;
  if (unit === 'dcos-net.service') return 1;
  if (unit === 'dcos-mesos-master.service' || unit.startsWith('dcos-mesos-slave')) return 2;
  if (unit === 'dcos-cockroach.service') return 3;
  return 4;
}

function uuid(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function dnsTime(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)} ${d.slice(11, 19)}`;
}

