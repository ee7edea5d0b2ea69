// The node upgrade script's effect on a node: pkgpanda activates the new packages, then every
// DC/OS unit restarts, Exhibitor first. A libltdl left in place (libltdlImmutable keeps rm from
// removing it) makes activation fail; the registrarStuck and agentExpires faults strike the
// first master and the first agent patched.
import type { BakedConfig } from './config.js';
import { LIBLTDL_PATH } from './image.js';
import type { NodeState } from './node.js';
import { type ClusterContext, M, S } from './service.js';
import type { UnitRuntime } from './units.js';
import { packageId } from './versions.js';

/** How the patch stops and starts a node's units (the cluster's own unit lifecycle). */
export interface UnitControl {
  stop(st: NodeState, unit: UnitRuntime, at: number): void;
  start(st: NodeState, unit: UnitRuntime, at: number, opts: { activation: true }): void;
}

export class PatchScript {
  private firstMasterPatched = false;
  private firstAgentPatched = false;

  /** Which first patches happened, for a snapshot of the cluster (faults act on the first only). */
  save(): { firstMasterPatched: boolean; firstAgentPatched: boolean } {
    return { firstMasterPatched: this.firstMasterPatched, firstAgentPatched: this.firstAgentPatched };
  }

  load(s: { firstMasterPatched: boolean; firstAgentPatched: boolean }): void {
    this.firstMasterPatched = s.firstMasterPatched;
    this.firstAgentPatched = s.firstAgentPatched;
  }

  /** pkgpanda activate: new packages, then every DC/OS unit restarts. An error leaves the node as it was. */
  activate(
    ctx: ClusterContext,
    units: UnitControl,
    st: NodeState,
    at: number,
    to: string,
    baked: BakedConfig,
  ): { ok: true } | { ok: false; error: string } {
    if (st.info.role === 'agent' || st.info.role === 'public_agent') {
      if (st.fs.exists(LIBLTDL_PATH)) {
        ctx.recordFault(
          'libltdl-present',
          st.info.name,
          `${LIBLTDL_PATH} was still there when the patch script activated the new packages`,
          at,
        );
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
    if (st.master && ctx.faults.registrarStuck && !this.firstMasterPatched) st.master.stuckNextActivation = true;
    if (st.master) this.firstMasterPatched = true;
    if (st.agent && ctx.faults.agentExpires && !this.firstAgentPatched) st.agent.slowNextStart = 6 * M + 30 * S;
    if (st.agent) this.firstAgentPatched = true;
    const dcos = [...st.units.values()].filter((u) => u.spec.dcos && (u.spec.type === 'service' || u.spec.type === 'oneshot'));
    let t = at + 500;
    for (const unit of dcos) {
      units.stop(st, unit, t);
      t += st.rng.int(50, 300);
    }
    // Exhibitor first: Mesos and the rest wait for ZooKeeper.
    const order = [...dcos].sort((x, y) => rank(x.spec.name) - rank(y.spec.name));
    t = at + 4 * S;
    for (const unit of order) {
      units.start(st, unit, t, { activation: true });
      t += st.rng.int(200, 900);
    }
    return { ok: true };
  }
}

function rank(unit: string): number {
  if (unit === 'dcos-exhibitor.service') return 0;
  if (unit === 'dcos-net.service') return 1;
  if (unit === 'dcos-mesos-master.service' || unit.startsWith('dcos-mesos-slave')) return 2;
  if (unit === 'dcos-cockroach.service') return 3;
  return 4;
}
