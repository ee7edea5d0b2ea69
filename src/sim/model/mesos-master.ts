// The Mesos master: start (waiting for ZooKeeper, recovering the registrar, electing a leader),
// stop (the leadership passes on), and whether a master listens and has recovered. The
// registrarStuck and masterUnhealthy faults keep a registrar from recovering.
import { glog } from './journal.js';
import type { NodeInfo, NodeState } from './node.js';
import { chatter, type ClusterContext, insertTimeline, log, S } from './service.js';
import type { UnitRuntime } from './units.js';
import { mesosVersion } from './versions.js';

export function startMesosMaster(
  ctx: ClusterContext,
  st: NodeState,
  unit: UnitRuntime,
  at: number,
  pid: number,
  opts: { boot?: boolean; activation?: boolean },
): void {
  const name = unit.spec.name;
  const m = st.master as NonNullable<NodeState['master']>;
  // masterUnhealthy: the last master (never the first leader) came up without recovering, long before the patch.
  const unhealthy =
    opts.boot === true && ctx.faults.masterUnhealthy === true && st.info.index === ctx.masters.length && ctx.masters.length > 1;
  const stuck = (m.stuckNextActivation && opts.activation === true) || unhealthy;
  if (opts.activation) m.stuckNextActivation = false;
  m.mesosListeningAt = null;
  m.recoveredAt = null;
  log(st, name, 'mesos-master', pid, at + 600, '[INFO] Clearing proxy environment variables');
  const zk = m.exhibitorServingAt;
  if (zk === null || zk > at + 1000)
    log(st, name, 'mesos-master', pid, at + 800, '[INFO] Shortcut failed, waiting for exhibitor to bring up zookeeper and stabilize');
  if (zk === null) {
    unit.plan(at, [{ at, active: 'activating', sub: 'start-pre', pid }]);
    st.journal.emit({
      unit: name,
      ident: 'mesos-master',
      pid,
      from: at + 10 * S,
      every: 10 * S,
      until: Infinity,
      lines: () => ['[INFO] Exhibitor is not serving yet, waiting'],
    });
    return;
  }
  const ready = Math.max(at + S, zk + 500);
  log(st, name, 'mesos-master', pid, ready, `[INFO] Expected cluster size: ${ctx.masters.length}`);
  log(
    st,
    name,
    'mesos-master',
    pid,
    ready + 50,
    `[INFO] Serving hosts: \`${ctx.masters.map((x) => x.ip).join(',')}\`, leader: \`${ctx.zkLeaderAt(ready)?.ip ?? ctx.masters[0]?.ip}\``,
  );
  const start = ready + 1500;
  const main = pid + 20 + st.rng.int(0, 90);
  unit.plan(at, [
    { at, active: 'activating', sub: 'start-pre', pid },
    { at: start, active: 'active', sub: 'running', pid: main },
  ]);
  log(st, name, 'systemd', 1, start, `Started ${unit.spec.description}.`);
  const g = (when: number, sev: 'I' | 'W' | 'E', where: string, msg: string, tag?: string): void =>
    log(st, name, 'mesos-master', main, when, glog(sev, when, main, where, msg), tag);
  g(start + 100, 'I', 'main.cpp:240', `Version: ${mesosVersion(st.version)}`);
  g(start + 130, 'I', 'master.cpp:458', `Master ${m.masterId} (${st.info.ip}) started on ${st.info.ip}:5050`);
  g(
    start + 140,
    'I',
    'master.cpp:461',
    `Flags at startup: --agent_ping_timeout="15secs" --max_agent_ping_timeouts="20" --quorum="${Math.floor(ctx.masters.length / 2) + 1}" --work_dir="/var/lib/dcos/mesos/master" --zk="zk://zk-1.zk:2181,zk-2.zk:2181,zk-3.zk:2181,zk-4.zk:2181,zk-5.zk:2181/mesos"`,
  );
  m.mesosListeningAt = start + 300;
  if (stuck) {
    g(start + 2 * S, 'I', 'recover.cpp:603', 'Replica is in EMPTY status');
    g(
      start + 2 * S + 100,
      'I',
      'replica.cpp:676',
      'Replica in EMPTY status received a broadcasted recover request from __req_res__(1)@' + st.info.ip + ':5050',
    );
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
      lines: (when) => [
        glog(
          'W',
          when,
          main + 18,
          'registrar.cpp:469',
          'Registrar is still recovering: waiting for the replicated log (registrar/log/recovered is 0)',
        ),
      ],
    });
    if (unhealthy)
      ctx.recordFault(
        'master-unhealthy-before-patch',
        st.info.name,
        'The Mesos registrar on this master had not recovered since it booted, before anything was patched',
        start,
      );
    else
      ctx.recordFault(
        'registrar-not-recovered',
        st.info.name,
        'The Mesos registrar on this master did not recover after the patch until dcos-mesos-master was restarted',
        start,
      );
    return;
  }
  const recovered = opts.boot ? start + 12 * S : start + st.rng.int(8, 20) * S;
  g(start + 3 * S, 'I', 'recover.cpp:578', 'Successfully joined the Paxos group');
  g(
    recovered - 400,
    'I',
    'registrar.cpp:383',
    `Successfully fetched the registry (${st.rng.int(3000, 9000)}B) in ${st.rng.int(8, 60)}.${st.rng.int(100000, 999999)}ms`,
  );
  g(recovered, 'I', 'registrar.cpp:487', 'Successfully recovered registrar');
  g(
    recovered + 50,
    'I',
    'master.cpp:1853',
    `Recovered ${ctx.agents.length} agents from the registry (${st.rng.int(40, 900)}KB); allowing 10mins for agents to reregister`,
  );
  m.recoveredAt = recovered;
  if (!ctx.leaderAt(recovered)) insertTimeline(ctx.mesosLeader, recovered + S, st.info.name);
  const leader = ctx.leaderAt(recovered + S);
  const leaderId = leader ? (leader.name === st.info.name ? m.masterId : ctx.state(leader.name).master?.masterId) : '';
  g(recovered + S + 200, 'I', 'master.cpp:2223', `The newly elected leader is master@${leader?.ip ?? st.info.ip}:5050 with id ${leaderId}`);
  if (leader?.name === st.info.name) g(recovered + S + 250, 'I', 'master.cpp:2236', 'Elected as the leading master!');
  const poller = ctx.masters[st.info.index % ctx.masters.length]?.ip ?? st.info.ip;
  chatter(ctx, st, name, 'mesos-master', main, recovered + 5 * S, 60 * S, (when, n) =>
    glog(
      'I',
      when,
      main + 11,
      'http.cpp:1185',
      `HTTP GET for /master/metrics/snapshot from ${poller}:${40000 + ((n * 7919) % 20000)} with User-Agent='Go-http-client/1.1'`,
    ),
  );
}

/** The Mesos master stops: if it led, the masters elect a recovered one 12 s later. */
export function stopMesosMaster(ctx: ClusterContext, st: NodeState, at: number): void {
  if (st.master) {
    st.master.mesosListeningAt = null;
    st.master.recoveredAt = null;
  }
  if (ctx.leaderAt(at)?.name === st.info.name) {
    const next = ctx.masters.find((m) => m.name !== st.info.name && masterRecovered(ctx, m, at));
    insertTimeline(ctx.mesosLeader, at + 12 * S, next?.name ?? null);
    if (next) {
      const nst = ctx.state(next.name);
      const id = nst.master?.masterId ?? '';
      log(
        nst,
        'dcos-mesos-master.service',
        'mesos-master',
        nst.unit('dcos-mesos-master')?.at(at).pid ?? 0,
        at + 12 * S,
        glog('I', at + 12 * S, 4420, 'master.cpp:2223', `The newly elected leader is master@${next.ip}:5050 with id ${id}`),
      );
      log(
        nst,
        'dcos-mesos-master.service',
        'mesos-master',
        nst.unit('dcos-mesos-master')?.at(at).pid ?? 0,
        at + 12 * S + 3,
        glog('I', at + 12 * S + 3, 4420, 'master.cpp:2236', 'Elected as the leading master!'),
      );
    }
  }
}

export function masterRecovered(ctx: ClusterContext, m: NodeInfo, t: number): boolean {
  const st = ctx.state(m.name);
  const r = st.master?.recoveredAt;
  return r !== null && r !== undefined && t >= r && st.active('dcos-mesos-master', t);
}

export function masterListening(ctx: ClusterContext, m: NodeInfo, t: number): boolean {
  const st = ctx.state(m.name);
  const l = st.master?.mesosListeningAt;
  return l !== null && l !== undefined && t >= l && st.active('dcos-mesos-master', t);
}
