// The Mesos agents: start (registering, or re-registering, with the leading master), going down
// (the masters remove an agent away too long), and the masters' view of them (counts, /slaves).
// The agentExpires fault keeps the first patched agent away past the expiry.
import { Rng } from '../rng.js';
import { AGENT_META_LATEST } from './image.js';
import { glog } from './journal.js';
import type { NodeInfo, NodeState } from './node.js';
import { chatter, type ClusterContext, log, M, S, uuid } from './service.js';
import type { UnitRuntime } from './units.js';
import { mesosVersion } from './versions.js';

/** The masters remove an agent that misses their health checks this long (15 s x 20 pings). */
export const AGENT_EXPIRY_MS = 5 * M;

export function writeAgentMeta(st: NodeState, at: number): void {
  const id = st.agent?.agentId ?? 'unknown';
  st.fs.put(AGENT_META_LATEST, `/var/lib/mesos/slave/meta/slaves/${id}\n`, { mtime: at, link: id, mode: 0o644 });
  st.fs.put(`/var/lib/mesos/slave/meta/slaves/${id}/slave.info`, '(checkpointed agent info)\n', { mtime: at });
}

export function startAgent(
  ctx: ClusterContext,
  st: NodeState,
  unit: UnitRuntime,
  at: number,
  pid: number,
  opts: { boot?: boolean; activation?: boolean },
): void {
  const name = unit.spec.name;
  const a = st.agent as NonNullable<NodeState['agent']>;
  const main = pid + 8;
  const up = at + 2 * S;
  unit.plan(at, [
    { at, active: 'activating', sub: 'start-pre', pid },
    { at: up, active: 'active', sub: 'running', pid: main },
  ]);
  log(st, name, 'systemd', 1, up, `Started ${unit.spec.description}.`);
  const g = (when: number, sev: 'I' | 'W' | 'E', where: string, msg: string): void =>
    log(st, name, 'mesos-agent', main, when, glog(sev, when, main, where, msg));
  g(up + 100, 'I', 'main.cpp:349', `Build: 2018-07-02 19:24:43 by centos`);
  g(up + 110, 'I', 'main.cpp:352', `Version: ${mesosVersion(st.version)}`);
  g(up + 150, 'I', 'slave.cpp:262', `Mesos agent started on (1)@${st.info.ip}:5051`);
  g(up + 400, 'I', 'slave.cpp:6776', 'Recovering executors');
  g(up + 1900, 'I', 'slave.cpp:7327', 'Finished recovery');
  let reach = up + st.rng.int(4, 10) * S;
  if (opts.boot) reach = up + 5 * S;
  const slow = a.slowNextStart;
  a.slowNextStart = 0;
  const leaderAt = (when: number): NodeInfo | undefined => ctx.leaderAt(when) ?? ctx.masters[0];
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
        glog(
          'E',
          when,
          main + 3,
          'process.cpp:2425',
          `Failed to link to '${leaderAt(when)?.ip}:5050', connect: Failed to connect to ${leaderAt(when)?.ip}:5050: Connection timed out`,
        ),
        glog(
          'W',
          when + 2,
          main + 3,
          'slave.cpp:1406',
          `Re-registration with master master@${leaderAt(when)?.ip}:5050 timed out; retrying in ${st.rng.int(8, 40)}secs`,
        ),
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
    g(
      reach + 300,
      'I',
      'slave.cpp:1009',
      `Agent asked to shut down by master@${l?.ip}:5050 because 'Agent attempted to re-register after removal'`,
    );
    g(reach + 320, 'I', 'slave.cpp:913', 'Agent terminating');
    if (l) {
      const lst = ctx.state(l.name);
      log(
        lst,
        'dcos-mesos-master.service',
        'mesos-master',
        lst.unit('dcos-mesos-master')?.at(reach).pid ?? 0,
        reach + 200,
        glog(
          'W',
          reach + 200,
          4471,
          'master.cpp:6168',
          `Agent ${a.agentId} at slave(1)@${st.info.ip}:5051 (${st.info.ip}) attempted to re-register after removal; shutting it down`,
        ),
      );
    }
    const fail = reach + 600;
    unit.plan(at, [
      { at, active: 'activating', sub: 'start-pre', pid },
      { at: up, active: 'active', sub: 'running', pid: main },
      { at: fail, active: 'activating', sub: 'auto-restart', pid: 0, result: 'exit-code' },
    ]);
    log(st, name, 'systemd', 1, fail, `${unit.spec.name}: main process exited, code=exited, status=1/FAILURE`);
    log(st, name, 'systemd', 1, fail + 1, `Unit ${unit.spec.name} entered failed state.`);
    st.journal.emit({
      unit: name,
      ident: 'mesos-agent',
      pid: main,
      from: fail + 20 * S,
      every: 20 * S,
      until: Infinity,
      lines: (when) => [
        glog('I', when, main + 30, 'slave.cpp:7327', 'Finished recovery'),
        glog(
          'I',
          when + 400,
          main + 30,
          'slave.cpp:1009',
          `Agent asked to shut down by master@${leaderAt(when)?.ip}:5050 because 'Agent attempted to re-register after removal'`,
        ),
        glog(
          'E',
          when + 450,
          main + 30,
          'slave.cpp:6987',
          `EXIT with status 1: Failed to perform recovery: agent ${a.agentId} was removed by the master.\nTo remedy this do as follows:\nStep 1: rm -f ${AGENT_META_LATEST}\n        This ensures agent doesn't recover old live executors.\nStep 2: Restart the agent.`,
        ),
      ],
    });
    ctx.recordFault(
      'agent-expired',
      st.info.name,
      'The agent was away from the masters for more than 5 minutes: it was removed with its tasks and cannot re-register until its meta directory is cleaned',
      removedAt,
    );
    return;
  }
  const l = leaderAt(reach);
  if (expired) {
    // The meta directory was cleaned: the agent registers as a new agent, without its old tasks.
    const serial = Number(/-S(\d+)$/.exec(a.agentId)?.[1] ?? '0') + ctx.agents.length + 1;
    a.agentId = a.agentId.replace(/-S\d+$/, `-S${serial}`);
    a.removedAt = null;
    a.tasks = 0;
    writeAgentMeta(st, reach);
    g(reach, 'I', 'slave.cpp:1005', `New master detected at master@${l?.ip}:5050`);
    g(reach + 300, 'I', 'slave.cpp:1145', `Registered with master master@${l?.ip}:5050; given agent ID ${a.agentId}`);
  } else if (opts.boot || d === null) {
    g(reach, 'I', 'slave.cpp:1005', `New master detected at master@${l?.ip}:5050`);
    g(reach + 300, 'I', 'slave.cpp:1145', `Registered with master master@${l?.ip}:5050; given agent ID ${a.agentId}`);
  } else {
    g(reach, 'I', 'slave.cpp:1005', `New master detected at master@${l?.ip}:5050`);
    g(reach + 300, 'I', 'slave.cpp:1198', `Re-registered with master master@${l?.ip}:5050`);
    // Back within 5 minutes: the masters' planned removal lines never happen.
    for (const mi of ctx.masters) ctx.built(mi.name)?.journal.cancelTag(`expire:${st.info.name}`, reach);
  }
  a.reg.push({ at: reach + 300, on: true });
  chatter(ctx, st, name, 'mesos-agent', main, reach + 10 * S, 60 * S, (when, n) =>
    glog(
      'I',
      when,
      main + 5,
      'http.cpp:1185',
      `HTTP GET for /slave(1)/state from ${st.info.ip}:${40000 + ((n * 6007) % 20000)} with User-Agent='Go-http-client/1.1'`,
    ),
  );
  a.disconnectedAt = null;
  a.reg.sort((x, y) => x.at - y.at);
}

export function agentDown(ctx: ClusterContext, st: NodeState, at: number): void {
  const a = st.agent;
  if (!a) return;
  a.reg = a.reg.filter((r) => r.at <= at);
  a.reg.push({ at, on: false });
  if (a.disconnectedAt === null) a.disconnectedAt = at;
  const l = ctx.leaderAt(at) ?? ctx.masters[0];
  if (!l || a.removedAt !== null) return;
  const lst = ctx.state(l.name);
  const when = a.disconnectedAt + AGENT_EXPIRY_MS;
  log(
    lst,
    'dcos-mesos-master.service',
    'mesos-master',
    lst.unit('dcos-mesos-master')?.at(at).pid ?? 0,
    at + 15 * S,
    glog('I', at + 15 * S, 4470, 'master.cpp:1411', `Agent ${a.agentId} at slave(1)@${st.info.ip}:5051 (${st.info.ip}) disconnected`),
    `expire:${st.info.name}`,
  );
  log(
    lst,
    'dcos-mesos-master.service',
    'mesos-master',
    lst.unit('dcos-mesos-master')?.at(at).pid ?? 0,
    when,
    glog(
      'W',
      when,
      4470,
      'master.cpp:7032',
      `Removing agent ${a.agentId} at slave(1)@${st.info.ip}:5051 (${st.info.ip}): health check timed out`,
    ),
    `expire:${st.info.name}`,
  );
}

/** Agents' standing with the masters at t. Untouched agents are registered with their tasks. */
export function agentCounts(ctx: ClusterContext, t: number): { active: number; disconnected: number; inactive: number; tasks: number } {
  let active = ctx.agents.length;
  let disconnected = 0;
  let tasks = ctx.totalTasks;
  ctx.agents.forEach((a, i) => {
    const st = ctx.built(a.name);
    if (!st?.agent) return;
    tasks += st.agent.tasks - (ctx.agentTasks[i] ?? 0);
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
export function agentsEndpoint(ctx: ClusterContext, t: number): string {
  const framework = uuid(Rng.for(ctx.seed, 'framework'));
  const items: string[] = [];
  for (const a of ctx.agents) {
    const st = ctx.built(a.name);
    const removed = st?.agent?.removedAt;
    if (removed !== null && removed !== undefined && removed <= t) continue;
    const active = st ? st.registeredAt(t) : true;
    const version = mesosVersion(st?.version ?? ctx.runningVersion);
    const pub = a.role === 'public_agent';
    const id = st?.agent?.agentId ?? `${framework}-S${a.index + (pub ? 1000 : 0)}`;
    const res =
      '{"disk":35577.0,"mem":14895.0,"gpus":0.0,"cpus":4.0,"ports":"[1025-2180, 2182-3887, 3889-5049, 5052-8079, 8082-8180, 8182-32000]"}';
    items.push(
      `{"id":"${id}","hostname":"${a.ip}","port":5051,"attributes":{${pub ? '"public_ip":"true"' : ''}},"pid":"slave(1)@${a.ip}:5051","registered_time":1530559483.0,"resources":${res},"used_resources":{"disk":0.0,"mem":0.0,"gpus":0.0,"cpus":0.0},"offered_resources":{"disk":0.0,"mem":0.0,"gpus":0.0,"cpus":0.0},"reserved_resources":${pub ? `{"slave_public":${res}}` : '{}'},"unreserved_resources":${pub ? '{"disk":0.0,"mem":0.0,"gpus":0.0,"cpus":0.0}' : res},"active":${active},"version":"${version}","capabilities":["MULTI_ROLE","HIERARCHICAL_ROLE","RESERVATION_REFINEMENT"]}`,
    );
  }
  return `{"slaves":[${items.join(',')}],"recovered_slaves":[]}`;
}
