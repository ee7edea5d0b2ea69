// The simulated DC/OS 1.11 cluster. State is kept as timelines (a unit is "activating from t1,
// active from t2"; an agent "registered from t3") and read at the clock's current time, so a
// planned restart needs no timer and a cluster of 2,000 agents costs nothing while idle.
// This class builds the nodes, runs the units' lifecycle and answers for the cluster; each
// service's behaviour is in a file of its own (see service.ts), composed here.
import { nodeFingerprint, restoreNode, snapshotNode, type ModelSnapshot, type NodeSnapshot } from '../snapshot.js';
import type { SimClock } from '../clock.js';
import { Rng } from '../rng.js';
import { CockroachRanges, type CockroachRow } from './cockroach.js';
import { type BakedConfig, configYaml } from './config.js';
import { startNet } from './dcos-net.js';
import type { ActionRecord, FaultRecord, ScenarioFaults } from './faults.js';
import { BOOTSTRAP_DIR, baseLayer, LIBLTDL_PATH, PREVIOUS_CONFIG, ZOOKEEPER_OUT } from './image.js';
import { agentCounts, agentDown, agentsEndpoint, startAgent, writeAgentMeta } from './mesos-agent.js';
import { masterListening, masterRecovered, startMesosMaster, stopMesosMaster } from './mesos-master.js';
import { NodeState, type NodeInfo } from './node.js';
import { PatchScript } from './patch.js';
import { type ClusterContext, INSTALL_TIME, type LeaderTimeline, log, M, S, uuid } from './service.js';
import { type NodeRole, runningPhase, UnitRuntime, unitsFor } from './units.js';
import { packageId } from './versions.js';
import { exhibitorServing, exhibitorStatus, startExhibitor, stopExhibitor, zookeeperOut } from './zookeeper.js';

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

import type { Container, GeneratedScript } from './bootstrap.js';
export type { Container, GeneratedScript };

export interface CheckResult {
  status: number;
  checks: Record<string, { output: string; status: number }>;
}

export class ClusterModel implements ClusterContext {
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
  /** Each built node's fingerprint as the model built it, before anything happened to it (serialise()). */
  private readonly asBuilt = new Map<string, string>();
  private readonly bases = new Map<NodeRole, ReturnType<typeof baseLayer>>();
  readonly mesosLeader: LeaderTimeline = [];
  readonly zkLeader: LeaderTimeline = [];
  readonly agentTasks: number[];
  readonly totalTasks: number;
  /** Simulated time when the simulator started: routine log lines begin half an hour before. */
  startedAt: number;
  private readonly cockroach = new CockroachRanges();
  private readonly patch = new PatchScript();

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
    const payload = Buffer.from(JSON.stringify({ uid: 'bootstrapuser', exp: Math.floor(INSTALL_TIME / 1000) + 30 * 86400 })).toString(
      'base64url',
    );
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
      windows: this.cockroach.save(),
      ...this.patch.save(),
      // Only the nodes something happened to since they were built: the rest the new cluster
      // builds again from its seed (at 2,006 nodes, mostly probed only, a few KB, not 40 MB).
      // The bootstrap node always: its files are dated from the time it was built.
      nodes: [...this.states].flatMap(([name, st]): [string, NodeSnapshot][] =>
        st.info.role !== 'bootstrap' && nodeFingerprint(st) === this.asBuilt.get(name) ? [] : [[name, snapshotNode(st, t)]],
      ),
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
    this.cockroach.load(s.windows);
    this.patch.load(s);
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
    this.asBuilt.set(name, nodeFingerprint(st));
    return st;
  }

  built(name: string): NodeState | undefined {
    return this.states.get(name);
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
      const down = [...st.units.values()]
        .filter((u) => u.spec.dcos && u.spec.type !== 'timer' && u.at(t).active !== 'active')
        .map((u) => u.spec.name);
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
    const boot =
      INSTALL_TIME +
      (info.role === 'master' ? info.index * M : 5 * M + (info.index % 500) * 2 * S + (info.role === 'public_agent' ? 40 * S : 0));
    fs.put(
      '/opt/mesosphere/etc/dcos-version.json',
      () =>
        `{"version": "${st.version}", "dcos-image-commit": "${packageId('commit', st.version).slice(-40)}", "bootstrap-id": "${packageId('bootstrap', st.version).slice(-40)}"}\n`,
      { mtime: boot },
    );
    fs.put(`/etc/mesosphere/roles/${info.role === 'master' ? 'master' : info.role === 'agent' ? 'slave' : 'slave_public'}`, '', {
      mtime: boot,
    });
    fs.put('/proc/sys/net/ipv6/conf/all/disable_ipv6', this.faults.ipv6Disabled ? '1\n' : '0\n', { mtime: boot });
    fs.put('/proc/sys/net/ipv6/conf/default/disable_ipv6', this.faults.ipv6Disabled ? '1\n' : '0\n', { mtime: boot });
    if (this.faults.ipv6Disabled)
      fs.write('/etc/sysctl.conf', 'net.ipv6.conf.all.disable_ipv6 = 1\nnet.ipv6.conf.default.disable_ipv6 = 1\n', 'root', true);
    if (info.role === 'master') {
      st.master = { exhibitorServingAt: null, mesosListeningAt: null, recoveredAt: null, masterId: uuid(rng), stuckNextActivation: false };
      fs.put(ZOOKEEPER_OUT, () => zookeeperOut(this, st), { mtime: boot });
    } else {
      st.agent = {
        reg: [],
        disconnectedAt: null,
        removedAt: null,
        agentId: `${uuid(Rng.for(this.seed, 'framework'))}-S${info.index + (info.role === 'public_agent' ? 1000 : 0)}`,
        tasks: this.agentTasks[this.agents.indexOf(info)] ?? 3,
        slowNextStart: 0,
      };
      fs.put(LIBLTDL_PATH, '\x7fELF libltdl\n', {
        mode: 0o755,
        mtime: boot,
        link: 'libltdl.so.7.3.0',
        immutable: this.faults.libltdlImmutable === true && info.role === 'agent' && info.index === 1,
      });
      fs.put('/opt/mesosphere/lib/libltdl.so.7.3.0', '\x7fELF libltdl\n', { mode: 0o755, mtime: boot });
      writeAgentMeta(st, boot);
    }
    for (const spec of unitsFor(info.role)) {
      const at = boot + (spec.dcos ? 20 * S : 0) + rng.int(0, 15) * S;
      const unit = new UnitRuntime(spec, { at: 0, active: 'inactive', sub: 'dead', pid: 0 });
      st.units.set(spec.name, unit);
      this.planStart(st, unit, at, { boot: true });
    }
    return st;
  }

  private buildBootstrap(st: NodeState): void {
    const fs = st.fs;
    const at = INSTALL_TIME - 2 * 60 * M;
    fs.mkdirp(BOOTSTRAP_DIR, 'dcos', 0o755);
    fs.put(
      `${BOOTSTRAP_DIR}/dcos_generate_config.ee.sh`,
      '#!/bin/bash\n# DC/OS Enterprise installer (self-extracting; binary payload follows)\n',
      {
        mode: 0o755,
        owner: 'dcos',
        program: 'dcos-installer',
        mtime: this.now() - 50 * M,
      },
    );
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
    const ipDetect =
      "#!/usr/bin/env bash\nset -o nounset -o errexit\nexport PATH=/usr/sbin:/usr/bin:$PATH\necho $(ip addr show eth0 | grep -Eo '[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}' | head -1)\n";
    fs.put(`${BOOTSTRAP_DIR}/genconf/ip-detect`, ipDetect, { owner: 'dcos', mode: 0o755, mtime: this.now() - 20 * M });
    fs.put(`${BOOTSTRAP_DIR}/genconf/license.txt`, `${Rng.for(this.seed, 'license').hex(32).toUpperCase()}\n`, {
      owner: 'dcos',
      mtime: this.now() - 20 * M,
    });
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
      fs.write(
        path,
        text.replace(/^resolvers:\n((?:- .*\n)+)/m, (all) => `${all}- 10.0.0.2\n`),
        'root',
      );
      this.recordFault(
        'config-edited-after-check',
        this.bootstrap.name,
        'A colleague added a resolver to genconf/config.yaml right after it was read for the configuration check',
      );
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

  private planStop(st: NodeState, unit: UnitRuntime, at: number): void {
    const spec = unit.spec;
    const current = unit.at(at);
    st.journal.cancelAfter(spec.name, at);
    if (current.active === 'inactive') return;
    const desc = spec.description;
    log(st, spec.name, 'systemd', 1, at, `Stopping ${desc}...`);
    unit.plan(at, [
      { at, active: 'deactivating', sub: 'stop-sigterm', pid: current.pid },
      { at: at + 400, active: 'inactive', sub: 'dead', pid: 0 },
    ]);
    log(st, spec.name, 'systemd', 1, at + 400, `Stopped ${desc}.`);
    switch (spec.name) {
      case 'dcos-exhibitor.service':
        stopExhibitor(this, st, at);
        break;
      case 'dcos-mesos-master.service':
        stopMesosMaster(this, st, at);
        break;
      case 'dcos-cockroach.service':
        this.cockroach.down(this, st, at);
        break;
      case 'dcos-mesos-slave.service':
      case 'dcos-mesos-slave-public.service':
        agentDown(this, st, at);
        break;
    }
  }

  private planStart(st: NodeState, unit: UnitRuntime, at: number, opts: { boot?: boolean; activation?: boolean }): void {
    const spec = unit.spec;
    st.journal.cancelAfter(spec.name, at);
    const pid = st.nextPid();
    if (spec.type === 'service' || spec.type === 'oneshot') log(st, spec.name, 'systemd', 1, at, `Starting ${spec.description}...`);
    switch (spec.name) {
      case 'dcos-exhibitor.service':
        return startExhibitor(this, st, unit, at, pid, opts);
      case 'dcos-mesos-master.service':
        return startMesosMaster(this, st, unit, at, pid, opts);
      case 'dcos-mesos-slave.service':
      case 'dcos-mesos-slave-public.service':
        return startAgent(this, st, unit, at, pid, opts);
      case 'dcos-cockroach.service':
        return this.cockroach.start(this, st, unit, at, pid, opts);
      case 'dcos-net.service':
        return startNet(this, st, unit, at, pid, opts);
      default: {
        const up = at + st.rng.int(300, 2500);
        unit.plan(at, [{ at, active: 'activating', sub: 'start', pid }, runningPhase(spec, up, pid)]);
        if (spec.type === 'service' || spec.type === 'oneshot') log(st, spec.name, 'systemd', 1, up, `Started ${spec.description}.`);
        if (spec.name === 'dcos-mesos-dns.service') {
          log(st, spec.name, 'mesos-dns', pid, up + 200, `VERY VERBOSE: 2018/03/08 generator.go:...: Starting mesos-dns on ${st.info.ip}`);
          log(
            st,
            spec.name,
            'mesos-dns',
            pid,
            up + 900,
            `INFO: ${dnsTime(up + 900)} main.go:95: Connected to leader (${this.leaderAt(up)?.ip ?? this.masters[0]?.ip}:5050)`,
          );
        }
        if (spec.name === 'dcos-download.service') {
          log(st, spec.name, 'curl', pid, up - 100, `  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current`);
          log(
            st,
            spec.name,
            'pkgpanda',
            pid,
            up - 50,
            `Downloading bootstrap tarball from http://${this.bootstrap.ip}:80/bootstrap/${packageId('bootstrap', st.version).slice(-40)}.bootstrap.tar.xz`,
          );
        }
      }
    }
  }

  // ---- the node patch script's effects ----

  /** pkgpanda activate: new packages, then every DC/OS unit restarts. An error leaves the node as it was. */
  activate(st: NodeState, at: number, to: string, baked: BakedConfig): { ok: true } | { ok: false; error: string } {
    const units = {
      stop: (n: NodeState, u: UnitRuntime, t: number) => this.planStop(n, u, t),
      start: (n: NodeState, u: UnitRuntime, t: number, o: { activation: true }) => this.planStart(n, u, t, o),
    };
    return this.patch.activate(this, units, st, at, to, baked);
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
    return masterRecovered(this, m, t);
  }

  masterListening(m: NodeInfo, t: number): boolean {
    return masterListening(this, m, t);
  }

  /** ZooKeeper serves on a master when its Exhibitor is up and a quorum of masters is up. */
  exhibitorServing(m: NodeInfo, t: number): boolean {
    return exhibitorServing(this, m, t);
  }

  /** Exhibitor's /exhibitor/v1/cluster/status body. */
  exhibitorStatus(t: number): string {
    return exhibitorStatus(this, t);
  }

  /** Agents' standing with the masters at t. Untouched agents are registered with their tasks. */
  agentCounts(t: number): { active: number; disconnected: number; inactive: number; tasks: number } {
    return agentCounts(this, t);
  }

  /** The leading master's agent list at t (GET :5050/slaves), in Mesos 1.5's shape. Removed agents are gone from it. */
  agentsEndpoint(t: number): string {
    return agentsEndpoint(this, t);
  }

  /** The CockroachDB node status table's rows at t, as seen from a live node. */
  cockroachRows(t: number): CockroachRow[] {
    return this.cockroach.rows(this, t);
  }

  /** dcos-diagnostics check node-poststart | cluster, at t. */
  diagnostics(st: NodeState, t: number, kind: 'node-poststart' | 'cluster'): CheckResult {
    if (kind === 'cluster') return { status: 0, checks: {} };
    const checks: CheckResult['checks'] = {};
    checks.clock_sync = { output: 'Clock is synced\n', status: 0 };
    const failing = [...st.units.values()]
      .filter((u) => u.spec.dcos && u.spec.type !== 'timer' && u.at(t).active !== 'active')
      .map((u) => u.spec.name);
    const component = st.info.role === 'master' ? 'components_master' : 'components_agent';
    checks[component] = { output: failing.map((n) => `component ${n} has health status 1\n`).join(''), status: failing.length > 0 ? 2 : 0 };
    checks.ip_detect_script = { output: `${st.info.ip} is a valid IPV4 address\n`, status: 0 };
    if (st.info.role === 'master') {
      const ok = this.masterRecovered(st.info, t);
      checks.mesos_master_replog_synchronized = {
        output: ok ? '' : 'registrar/log/recovered is 0: the replicated log of this master is not synchronized\n',
        status: ok ? 0 : 2,
      };
    } else {
      const ok = st.registeredAt(t);
      checks.mesos_agent_registered_with_masters = {
        output: ok ? '' : 'agent is not registered with a master (slave/registered is 0)\n',
        status: ok ? 0 : 2,
      };
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

function dnsTime(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)} ${d.slice(11, 19)}`;
}
