// What a simulated node's programs reach beyond the shell: the cluster model and the node's state.
import type { ClusterModel } from '../model/cluster.js';
import type { NodeState } from '../model/node.js';
import type { ProgramContext, ShellHost } from '../shell/interpreter.js';

export interface SimHost extends ShellHost {
  model: ClusterModel;
  node: NodeState;
}

export function simHost(ctx: ProgramContext): SimHost {
  return ctx.sh.host as SimHost;
}

/** Writes an error line to stderr and returns the status, for `return fail(ctx, 1, '...')`. */
export function fail(ctx: ProgramContext, status: number, message: string): number {
  ctx.io.stderr.write(message.endsWith('\n') ? message : `${message}\n`);
  return status;
}
