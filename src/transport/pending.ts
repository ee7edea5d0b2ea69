// What both transports promise around every command: a result, never an exception (a fault of
// ours comes back as a failed result naming the node), output that is sanitised and bounded,
// and close() can wait for all of them.
import type { InventoryNode } from '../inventory/types.js';
import { OutputStream, toOutputLine, type OutputStreamOptions } from './sanitize.js';
import type { ExecFailure, ExecOptions, ExecResult } from './types.js';

/** A result without its output and timing, which `finish` adds. */
export type ExecOutcome = Omit<ExecResult, 'stdout' | 'stderr' | 'durationMs' | 'truncated'>;

/** The two output streams of one command, and how its result is made once it is over. */
export function commandOutput(
  onOutput: ExecOptions['onOutput'],
  options?: OutputStreamOptions,
): { stdout: OutputStream; stderr: OutputStream; finish: (outcome: ExecOutcome) => ExecResult } {
  const started = Date.now();
  const stdout = new OutputStream((l) => onOutput?.(toOutputLine('stdout', l)), options);
  const stderr = new OutputStream((l) => onOutput?.(toOutputLine('stderr', l)), options);
  const finish = (outcome: ExecOutcome): ExecResult => {
    stdout.end();
    stderr.end();
    const result: ExecResult = { ...outcome, stdout: stdout.text, stderr: stderr.text, durationMs: Date.now() - started };
    if (stdout.truncated || stderr.truncated) result.truncated = true;
    return result;
  };
  return { stdout, stderr, finish };
}

export class PendingCommands {
  private readonly running = new Set<Promise<ExecResult>>();

  /** `started`, with an unexpected error turned into a failed result of kind `failure`. */
  track(node: InventoryNode, failure: ExecFailure, started: Promise<ExecResult>): Promise<ExecResult> {
    const p = started.catch((err: unknown): ExecResult => ({
      ok: false,
      exit: null,
      failure,
      message: `Could not run the command on ${node.name}: ${err instanceof Error ? err.message : String(err)}.`,
      stdout: '',
      stderr: '',
      durationMs: 0,
    }));
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    return p;
  }

  /** Resolves once every command tracked so far has its result. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
