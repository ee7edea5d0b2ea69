// CockroachDB on the masters: start and stop, and the node status table. A master down leaves
// ranges under-replicated until they re-replicate; a second master down meanwhile makes some
// unavailable. The rangesSlow fault makes re-replication take many minutes.
import { Rng } from '../rng.js';
import { sqlTime } from './journal.js';
import type { NodeInfo, NodeState } from './node.js';
import { chatter, type ClusterContext, INSTALL_TIME, log, M, S, uuid } from './service.js';
import { runningPhase, type UnitRuntime } from './units.js';
import { COCKROACH_BUILD } from './versions.js';

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

/** The CockroachDB ranges on the masters: each master's time down opens a window of
 * under-replicated ranges that closes as they re-replicate. */
export class CockroachRanges {
  private readonly windows: CockroachWindow[] = [];

  /** The windows so far, for a snapshot of the cluster. */
  save(): CockroachWindow[] {
    return [...this.windows];
  }

  /** Takes a snapshot's windows back. */
  load(windows: readonly CockroachWindow[]): void {
    this.windows.splice(0, this.windows.length, ...windows);
  }

  start(ctx: ClusterContext, st: NodeState, unit: UnitRuntime, at: number, pid: number, opts: { boot?: boolean }): void {
    const name = unit.spec.name;
    const up = at + 2 * S;
    unit.plan(at, [{ at, active: 'activating', sub: 'start', pid }, runningPhase(unit.spec, up, pid)]);
    log(st, name, 'systemd', 1, up, `Started ${unit.spec.description}.`);
    const c = (when: number, where: string, msg: string): void => {
      const d = new Date(when).toISOString();
      log(st, name, 'cockroach', pid, when, `I${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)} ${d.slice(11, 23)}000 1 ${where}  ${msg}`);
    };
    c(up + 200, 'util/log/clog.go:1011', `[config] file created at: ${sqlTime(up)}`);
    c(up + 210, 'cli/start.go:466', `CockroachDB CCL ${COCKROACH_BUILD} (linux amd64, built 2018/01/08 17:32:42, go1.8.3)`);
    c(
      up + 3 * S,
      'cli/start.go:640',
      `node startup completed:\nCockroachDB node starting at ${sqlTime(up + 3 * S)}\nbuild:      CCL ${COCKROACH_BUILD} @ 2018/01/08 17:32:42 (go1.8.3)\nadmin:      https://${st.info.ip}:8090\nsql:        postgresql://root@${st.info.ip}:26257?application_name=cockroach&sslmode=verify-full\nstore[0]:   path=/var/lib/dcos/cockroach\nclusterID:  ${uuid(Rng.for(ctx.seed, 'cockroach-cluster'))}\nnodeID:     ${st.info.index}`,
    );
    chatter(ctx, st, name, 'cockroach', pid, up + 10 * S, 60 * S, (when, n) => {
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
          return [
            `I${d.slice(2, 4)}${d.slice(5, 7)}${d.slice(8, 10)} ${d.slice(11, 23)}000 ${st.rng.int(200, 900)} storage/replica_raftstorage.go:526  [n${st.info.index},s${st.info.index},r${st.rng.int(20, 190)}/${st.rng.int(2, 5)}:/Table/5{1-2}] applying preemptive snapshot at index ${st.rng.int(1000, 90000)}`,
          ];
        },
      });
    }
  }

  down(ctx: ClusterContext, st: NodeState, at: number): void {
    const others = this.windows.filter((w) => w.node !== st.info.name && windowDebt(w, at) > 0);
    if (others.length > 0) {
      ctx.recordFault(
        'master-down-while-underreplicated',
        st.info.name,
        `CockroachDB on ${st.info.name} went down while ${others.map((w) => w.node).join(', ')} was still re-replicating: ranges became unavailable`,
        at,
      );
    }
    const slow = ctx.faults.rangesSlow === true;
    const total = rangesOf(ctx, st.info);
    const converge = slow ? st.rng.int(540, 720) * S : st.rng.int(50, 100) * S;
    this.windows.push({ node: st.info.name, down: at, up: null, converge, peak: Math.round(total * Math.min(1, 3 / ctx.masters.length)) });
    if (slow)
      ctx.recordFault(
        'ranges-slow',
        st.info.name,
        `After ${st.info.name} rejoined, the IAM ranges took about ${Math.round(converge / M)} minutes to re-replicate`,
        at,
      );
  }

  /** The CockroachDB node status table's rows at t, as seen from a live node. */
  rows(ctx: ClusterContext, t: number): CockroachRow[] {
    const live = ctx.masters.filter((m) => ctx.state(m.name).active('dcos-cockroach', t));
    const downNow = this.windows.filter((w) => t >= w.down && (w.up === null || t < w.up));
    const debts = this.windows.map((w) => ({ w, debt: windowDebt(w, t) })).filter((x) => x.debt > 0);
    let unavailable = 0;
    if (ctx.masters.length > 1 && downNow.length * 2 >= ctx.masters.length) {
      // A majority of replicas is gone: ranges lose quorum.
      unavailable = Math.max(...downNow.map((w) => w.peak));
    } else if (downNow.length >= 1) {
      // A master went down while another one was still catching up: ranges with both replicas lost.
      const catching = debts.filter((x) => !downNow.includes(x.w));
      if (catching.length > 0) unavailable = Math.ceil(Math.max(...catching.map((x) => x.debt)) / 2);
    }
    return ctx.masters.map((m) => {
      const st = ctx.state(m.name);
      const unit = st.unit('dcos-cockroach');
      const up = live.includes(m);
      const rng = Rng.for(ctx.seed, m.name, 'ranges');
      const ranges = rng.int(187, 200);
      const leaders = ranges - rng.int(0, 2);
      const lastRun = unit ? unit.lastRun(t) : { start: INSTALL_TIME, end: t };
      const updated = up ? Math.floor(t / (10 * S)) * 10 * S - Rng.for(ctx.seed, m.name, 'upd').int(0, 9) * S : lastRun.end;
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
}

function rangesOf(ctx: ClusterContext, info: NodeInfo): number {
  return Rng.for(ctx.seed, info.name, 'ranges').int(187, 200);
}

/** Under-replicated ranges a window still causes at t. */
function windowDebt(w: CockroachWindow, t: number): number {
  if (t < w.down) return 0;
  if (w.up === null || t < w.up) return w.peak;
  const since = Math.floor((t - w.up) / (10 * S)) * 10 * S;
  if (since >= w.converge) return 0;
  return Math.ceil(w.peak * (1 - since / w.converge) ** 1.4);
}
