import type { InventoryNode } from '../inventory/types.js';

/** A colour: an index into the 256-colour palette (0-15 are the basic ones), or `#rrggbb`. */
export type TextColor = number | `#${string}`;

/** Styling parsed from SGR sequences; never carries raw escapes. */
export interface TextStyle {
  fg?: TextColor;
  bg?: TextColor;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
  strikethrough?: boolean;
}

/** A run of plain text with one style. */
export interface StyledSegment {
  text: string;
  style: TextStyle;
}

/** One line of a command's output, already made safe to show (no raw control sequences). */
export interface OutputLine {
  stream: 'stdout' | 'stderr';
  /** Plain text: no escape sequences, no control characters but tab. */
  text: string;
  /** Present only when the line had colours or styles; their texts join to `text`. */
  segments?: StyledSegment[];
  /** The line goes on in the next line handed on (the head of a line too long to keep whole). */
  cut?: true;
  /** On the line that ends a cut line (or on a line cut whole): how many of its characters were not kept. */
  dropped?: number;
}

export interface ExecOptions {
  signal?: AbortSignal;
  /** Called for each line as it arrives. */
  onOutput?: (line: OutputLine) => void;
  /** The longest the command may run; then it is stopped and the result says `timeout`. */
  timeoutMs?: number;
  /**
   * Texts (secrets, in each form they may be printed) replaced by a mask in the output as it
   * arrives, before it is sanitised or split into lines, so none of it is ever kept or shown.
   */
  mask?: readonly string[];
  /** Allocate a pseudo-terminal (only for interactive use, never for steps). */
  pty?: boolean;
  /**
   * Variables the command reads as "$NAME" (a step's env:). They travel with the command on the
   * shell's standard input, never in a command line (see delivery.ts). Not with pty.
   */
  env?: Readonly<Record<string, string>>;
  /**
   * Nothing of the command runs before this settles fulfilled; when it rejects, nothing runs at
   * all and the result says `aborted`. Only transports that say `startsAfter` take it: they may
   * connect, open a session and start the shell that waits for its script meanwhile, so that the
   * runner's journal write and the session's set-up overlap (docs/architecture.md).
   */
  startAfter?: Promise<unknown>;
}

/** Why a command has no trustworthy exit status. */
export type ExecFailure =
  'timeout' | 'aborted' | 'connection-lost' | 'connect-failed' | 'auth-failed' | 'host-key-unknown' | 'host-key-changed' | 'spawn-failed';

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
  /** True when exec() honours `startAfter`; otherwise the caller waits before calling exec(). */
  readonly startsAfter?: boolean;
  /** Closes every connection; pending commands end as aborted. */
  close(): Promise<void>;
}
