// dcos-net, the node's network daemon: it crashes in a loop when config.yaml enables IPv6 and the
// kernel disables it (the ipv6Disabled fault).
import type { NodeState } from './node.js';
import { type ClusterContext, log, S } from './service.js';
import { runningPhase, type UnitRuntime } from './units.js';

export function startNet(ctx: ClusterContext, st: NodeState, unit: UnitRuntime, at: number, pid: number, _opts: { boot?: boolean }): void {
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
    for (const [i, line] of crash(at + 3 * S, pid).entries()) log(st, name, ident, pid, at + 3 * S + i, line);
    log(st, name, 'systemd', 1, at + 4 * S, 'dcos-net.service: main process exited, code=exited, status=1/FAILURE');
    log(st, name, 'systemd', 1, at + 4 * S + 1, `Failed to start ${unit.spec.description}.`);
    log(st, name, 'systemd', 1, at + 4 * S + 2, 'Unit dcos-net.service entered failed state.');
    st.journal.emit({
      unit: name,
      ident,
      pid,
      from: at + 19 * S,
      every: 15 * S,
      until: Infinity,
      lines: (when, n) => [
        'dcos-net.service holdoff time over, scheduling restart.',
        ...crash(when + 3 * S, pid + n),
        `Failed to start ${unit.spec.description}.`,
      ],
    });
    ctx.recordFault(
      'ipv6-disabled',
      st.info.name,
      "dcos-net failed: enable_ipv6 is 'true' in config.yaml but IPv6 is disabled in this node's kernel",
      at + 3 * S,
    );
    return;
  }
  const up = at + 1500;
  unit.plan(at, [{ at, active: 'activating', sub: 'start', pid }, runningPhase(unit.spec, up, pid)]);
  log(st, name, 'systemd', 1, up, `Started ${unit.spec.description}.`);
  log(st, name, ident, pid, up + 800, `${t(up + 800)} [notice] <0.212.0>@dcos_net_app:start:47 dcos-net started on ${st.info.ip}`);
  if (kernelOff)
    log(
      st,
      name,
      ident,
      pid,
      up + 1200,
      `${t(up + 1200)} [warning] <0.415.0>@dcos_overlay_configure:maybe_ipv6:88 IPv6 is disabled in the kernel; the dcos6 overlay network is not configured`,
    );
}
