// Exhibitor and the ZooKeeper it runs on each master: start and stop, the ensemble's leader,
// zookeeper.out, and Exhibitor's cluster status. A changed exhibitor_storage_backend (the
// forbiddenConfig fault) keeps a patched master's Exhibitor from rejoining.
import type { NodeInfo, NodeState } from './node.js';
import { type ClusterContext, insertTimeline, log, S } from './service.js';
import { runningPhase, type UnitRuntime } from './units.js';
import { zookeeperVersion } from './versions.js';

export function startExhibitor(
  ctx: ClusterContext,
  st: NodeState,
  unit: UnitRuntime,
  at: number,
  pid: number,
  opts: { boot?: boolean },
): void {
  const name = unit.spec.name;
  const ident = unit.spec.ident;
  const up = at + 800;
  unit.plan(at, [{ at, active: 'activating', sub: 'start', pid }, runningPhase(unit.spec, up, pid)]);
  log(st, name, 'systemd', 1, up, `Started ${unit.spec.description}.`);
  log(
    st,
    name,
    ident,
    pid,
    up + 300,
    'Running exhibitor as command: /opt/mesosphere/active/java/usr/java/bin/java -Djava.util.prefs.systemRoot=/var/lib/dcos/exhibitor/ -jar /opt/mesosphere/active/exhibitor/usr/exhibitor/exhibitor.jar --port 8181 --defaultconfig /run/dcos_exhibitor/exhibitor_defaults.conf --hostname ' +
      st.info.ip,
  );
  log(st, name, 'java', pid + 4, up + 2 * S, 'INFO  com.netflix.exhibitor.core.activity.ActivityLog  Exhibitor started [ActivityLog:99]');
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
        `ERROR com.netflix.exhibitor.core.activity.ActivityLog  Error loading shared config: zookeeper backend ${ctx.masters.map((m) => `${m.ip}:2181`).join(',')}/dcos has no Exhibitor config; this ensemble was set up with the static backend [ActivityLog:105]`,
        'INFO  com.netflix.exhibitor.core.activity.ActivityLog  Attempting to start/restart ZooKeeper [ActivityLog:99]',
      ],
    });
    zkLog(
      st,
      up + 6 * S,
      'WARN  [QuorumPeer[myid=' +
        st.info.index +
        ']/0.0.0.0:2181:QuorumCnxManager@584] - Cannot open channel to 1 at election address: connection refused',
    );
    ctx.recordFault(
      'exhibitor-backend-changed',
      st.info.name,
      'exhibitor_storage_backend changed in config.yaml: Exhibitor on this master cannot rejoin the ensemble',
      up,
    );
    return;
  }
  const serving = opts.boot ? up + 20 * S : up + st.rng.int(12, 25) * S;
  if (st.master) st.master.exhibitorServingAt = serving;
  zkLog(st, up + 3 * S, `INFO  [main:QuorumPeerMain@127] - Starting quorum peer`);
  zkLog(
    st,
    up + 3 * S + 200,
    `INFO  [main:Environment@100] - Server environment:zookeeper.version=${zookeeperVersion(st.version)}-1, built on ${zookeeperVersion(st.version) === '3.4.13' ? '06/29/2018 04:05' : '03/23/2017 10:13'} GMT`,
  );
  log(
    st,
    name,
    'java',
    pid + 4,
    serving - S,
    'INFO  com.netflix.exhibitor.core.activity.ActivityLog  Process started via: /opt/mesosphere/active/exhibitor/usr/zookeeper/bin/zkServer.sh [ActivityLog:99]',
  );
  log(st, name, 'java', pid + 4, serving, 'INFO  com.netflix.exhibitor.core.activity.ActivityLog  State: serving [ActivityLog:99]');
  const leader = ctx.zkLeaderAt(serving);
  if (!leader) insertTimeline(ctx.zkLeader, serving, st.info.name);
  const role = ctx.zkLeaderAt(serving)?.name === st.info.name ? 'LEADING' : 'FOLLOWING';
  zkLog(
    st,
    serving,
    `INFO  [QuorumPeer[myid=${st.info.index}]/0.0.0.0:2181:${role === 'LEADING' ? 'Leader' : 'Follower'}@${role === 'LEADING' ? 380 : 63}] - ${role} - LEADER ELECTION TOOK - ${st.rng.int(40, 400)}`,
  );
}

/** Exhibitor stops: ZooKeeper on this master with it, and its leadership passes to a serving master. */
export function stopExhibitor(ctx: ClusterContext, st: NodeState, at: number): void {
  if (st.master) st.master.exhibitorServingAt = null;
  zkLog(st, at, 'INFO  [main:QuorumPeer@...] - shutdown called');
  if (ctx.zkLeaderAt(at)?.name === st.info.name) {
    const next = ctx.masters.find((m) => m.name !== st.info.name && exhibitorServing(ctx, m, at));
    insertTimeline(ctx.zkLeader, at + 2 * S, next?.name ?? null);
  }
}

export function zkLog(st: NodeState, at: number, message: string): void {
  st.zookeeperLog.add({ at, unit: 'zookeeper.out', ident: 'zookeeper', pid: 0, message });
}

export function zookeeperOut(ctx: ClusterContext, st: NodeState): string {
  const entries = st.zookeeperLog.read([], 0, ctx.now());
  return entries
    .map((e) => {
      const d = new Date(e.at).toISOString();
      return `${d.slice(0, 10)} ${d.slice(11, 19)},${d.slice(20, 23)} [myid:${st.info.index}] - ${e.message}\n`;
    })
    .join('');
}

function exhibitorUp(ctx: ClusterContext, m: NodeInfo, t: number): boolean {
  const st = ctx.state(m.name);
  const s = st.master?.exhibitorServingAt;
  return s !== null && s !== undefined && t >= s && st.active('dcos-exhibitor', t);
}

/** ZooKeeper serves on a master when its Exhibitor is up and a quorum of masters is up. */
export function exhibitorServing(ctx: ClusterContext, m: NodeInfo, t: number): boolean {
  if (!exhibitorUp(ctx, m, t)) return false;
  const up = ctx.masters.filter((x) => exhibitorUp(ctx, x, t)).length;
  return up > ctx.masters.length / 2;
}

/** Exhibitor's /exhibitor/v1/cluster/status body. */
export function exhibitorStatus(ctx: ClusterContext, t: number): string {
  const leader = ctx.zkLeaderAt(t);
  const items = ctx.masters.map((m) => {
    const st = ctx.state(m.name);
    let code = 1;
    if (st.active('dcos-exhibitor', t)) code = exhibitorServing(ctx, m, t) ? 3 : 2;
    const description = ['latent', 'down', 'not serving', 'serving'][code];
    return `{"code":${code},"description":"${description}","hostname":"${m.ip}","isLeader":${code === 3 && leader?.name === m.name}}`;
  });
  return `[${items.join(',')}]`;
}
