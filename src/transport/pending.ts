// What both transports promise around every command: a result, never an exception (a fault of
// ours comes back as a failed result naming the node), and close() can wait for all of them.
import type { InventoryNode } from '../inventory/types.js';
import type { ExecFailure, ExecResult } from './types.js';

export class PendingCommands {
  private readonly running = new Set<Promise<ExecResult>>();

  /** `started`, with an unexpected error turned into a failed result of kind `failure`. */
  track(node: InventoryNode, failure: ExecFailure, started: Promise<ExecResult>): Promise<ExecResult> {
    const p = started.catch(
      (err: unknown): ExecResult => ({
        ok: false,
        exit: null,
        failure,
        message: `Could not run the command on ${node.name}: ${err instanceof Error ? err.message : String(err)}.`,
        stdout: '',
        stderr: '',
        durationMs: 0,
      }),
    );
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  /** Resolves once every command tracked so far has its result. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
