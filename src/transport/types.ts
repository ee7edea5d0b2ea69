import type { InventoryNode } from '../inventory/types.js';

/** One line of a command's output, already made safe to show (no raw control sequences). */
export interface OutputLine {
  stream: 'stdout' | 'stderr';
  text: string;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** Called for each line as it arrives. */
  onOutput?: (line: OutputLine) => void;
  /** The longest the command may run; then it is stopped and the result says `timeout`. */
  timeoutMs?: number;
  /** Allocate a pseudo-terminal (only for interactive use, never for steps). */
  pty?: boolean;
}

/** Why a command has no trustworthy exit status. */
export type ExecFailure =
  | 'timeout'
  | 'aborted'
  | 'connection-lost'
  | 'connect-failed'
  | 'auth-failed'
  | 'host-key-unknown'
  | 'host-key-changed'
  | 'spawn-failed';

/** What a command did. A non-zero exit is data, not an exception. */
export interface ExecResult {
  /** exit === 0 and no failure. */
  ok: boolean;
  /** The exit status, or null when the command did not finish (see failure). */
  exit: number | null;
  /** The signal that ended it, if any. */
  signal?: string;
  failure?: ExecFailure;
  /** A human sentence about the failure, naming the node. Never contains secrets. */
  message?: string;
  /** Sanitised output, capped (see truncated). */
  stdout: string;
  stderr: string;
  truncated?: boolean;
  durationMs: number;
}

/** Runs commands on nodes. Local, SSH and the simulator (over SSH) all implement it. */
export interface Transport {
  exec(node: InventoryNode, command: string, options?: ExecOptions): Promise<ExecResult>;
  /** Closes every connection; pending commands end as aborted. */
  close(): Promise<void>;
}
