// What flows through the engine. Two kinds of events go into update():
// - records: facts, written to the journal and applied to the state. Replaying them rebuilds the
//   state of a run exactly (that is how --resume works);
// - inputs: what the world says (a command finished, a timer fired, the operator answered). The
//   reducer decides what they mean and turns them into records plus effects for the runner.
import type { NodeAddress } from '../inventory/types.js';
import type { BuiltinResult } from '../runbook/builtins.js';
import type { Scalar } from '../runbook/schema.js';
import type { SearchResult } from './regex-worker.js';

/** How a run ended. */
export type Outcome = 'passed' | 'failed' | 'aborted' | 'interrupted';

interface Base {
  /** ISO time. */
  ts: string;
  run: string;
}
interface At extends Base {
  section: string;
  step: string;
  node: string;
}

/** A step's output, summarised for the journal: the full text stays on screen only. */
export interface OutputDigest {
  lines: number;
  bytes: number;
  sha256: string;
  /** The last lines, secrets redacted. */
  tail: string[];
  truncated?: boolean;
}

/** The inventory a run used: its file, the file's sha256, and (for a file) its nodes. */
export interface RunInventory {
  source: string;
  digest?: string;
  simulated: boolean;
  nodes?: NodeAddress[];
}

/** What a resume went on with although it changed since the run started. */
export interface InventoryChange {
  digest: string;
  /** One line per change: "master-1: address 10.0.0.11 -> 10.0.0.12". */
  changes: string[];
}

export interface RunStartedRecord extends Base {
  event: 'run-started';
  /** `lang`: the runbook's language, so a report can speak it when the file is gone. */
  runbook: { id: string; title: string; file: string; digest: string; lang?: string };
  inventory?: RunInventory;
  /** Secret params appear masked. */
  params: Record<string, Scalar>;
  secrets: string[];
  /** Who runs it: the OS user, or "--yes (simulator)". */
  by: string;
  header: Record<string, string>;
  total: number;
  /** Times in this journal run this many times faster than real time (training on the simulator). */
  timeScale?: number;
}

/** A node the pre-flight could not use, and why (the transport's words, naming the node). */
export interface PreflightFailure {
  node: string;
  /** host-key-unknown, host-key-changed, auth-failed, connect-failed, ... */
  failure: string;
  message: string;
}

/** What the SSH transport tells of its connections (the same shape as its SshEvent). */
export type ConnectionEvent =
  | { type: 'connected'; node: string; host: string; port: number; user: string; via?: string }
  | { type: 'reconnecting'; node: string; host: string; port: number; user: string; reason: string }
  | { type: 'disconnected'; node: string; host: string; port: number; user: string; reason: string }
  | {
      type: 'host-key-accepted';
      node: string;
      host: string;
      port: number;
      name: string;
      keyType: string;
      fingerprint: string;
      file: string;
    };

export type JournalRecord =
  | RunStartedRecord
  | (Base & { event: 'resumed'; by: string; digest: string; changedRunbook?: boolean; changedInventory?: InventoryChange })
  /** title: the section's title as shown then (templates filled in). */
  | (Base & { event: 'section-started'; section: string; title?: string; targets: number })
  | (Base & { event: 'section-skipped'; section: string; reason: string; tasks: number })
  | (Base & { event: 'section-finished'; section: string; status: 'passed' | 'failed'; passed: number; failed: number; skipped: number })
  | (Base & { event: 'node-started'; section: string; node: string })
  | (Base & { event: 'node-finished'; section: string; node: string; status: 'passed' | 'failed' })
  | (Base & { event: 'node-excluded'; section: string; node: string; reason: string; tasks: number })
  | (At & {
      event: 'confirmation-asked';
      title: string;
      command?: string;
      text?: string;
      typed?: string;
      destructive: boolean;
      checklist?: string[];
    })
  /** group: set when one answer confirmed several nodes waiting on the same step; the same id on each. */
  | (At & { event: 'confirmation-answered'; answer: 'yes' | 'no'; by: string; reason?: string; group?: string })
  | (At & {
      event: 'step-started';
      attempt: number;
      mode: 'run' | 'verify';
      command?: string;
      title: string;
      text?: string;
      by?: string;
      deadlineAt?: number;
      deadlineText?: string;
    })
  /** A poll attempt after the first begins (the first begins with step-started). */
  | (At & { event: 'attempt-started'; attempt: number })
  | (At & { event: 'attempt'; attempt: number; ok: boolean; exit?: number; message: string; nextAt?: number; deadlineAt?: number })
  | (At & { event: 'output'; attempt: number } & OutputDigest)
  | (At & { event: 'captured'; name: string; value: string })
  | (At & {
      event: 'step-finished';
      status: 'passed' | 'failed' | 'skipped' | 'refused';
      exit?: number;
      message?: string;
      reason?: string;
      by?: string;
      outcomeUnknown?: boolean;
      durationMs?: number;
      details?: string[];
    })
  | (At & { event: 'decision-asked'; reason: string })
  | (At & { event: 'retry'; by: string; kind: 'retry' | 'rerun' })
  | (At & { event: 'interrupted'; status: 'interrupted'; reason: string; command?: string })
  | (At & { event: 'deadline-passed'; text?: string })
  /** Before the first step of a fresh run on SSH nodes: every node's host key and login are checked. */
  | (Base & { event: 'preflight-started'; nodes: number })
  | (Base & { event: 'preflight-finished'; status: 'passed' | 'failed'; nodes: number; failures: PreflightFailure[]; durationMs: number })
  /** A connection of the SSH transport opened, was lost, is opened again, or a new host key was accepted. */
  | (Base & {
      event: 'connection';
      change: ConnectionEvent['type'];
      node: string;
      host: string;
      port: number;
      user?: string;
      via?: string;
      reason?: string;
      /** host-key-accepted: the name written to known_hosts, the key, and the file. */
      name?: string;
      keyType?: string;
      fingerprint?: string;
      file?: string;
    })
  /**
   * A command run on a node beside the steps: a troubleshooting command the operator opened.
   * `command` as shown (secrets masked); one `command-started` and one `command-finished` per run.
   */
  | (Base & { event: 'command-started'; id: string; kind: 'troubleshoot'; node: string; title: string; command: string; by: string })
  | (Base & {
      event: 'command-finished';
      id: string;
      kind: 'troubleshoot';
      node: string;
      exit?: number;
      failure?: string;
      message?: string;
      durationMs: number;
    })
  /**
   * Health probes, compactly: a record when a node's health changes (the first probe, then each
   * change of ok or message), with `probes`, how many probes ran on the node since its last
   * record (this one included). A probe that says the same again is only counted.
   */
  | (Base & {
      event: 'health';
      node: string;
      ok: boolean;
      message: string;
      command: string;
      exit?: number;
      durationMs: number;
      probes: number;
      by: string;
    })
  | (Base & { event: 'paused'; by: string })
  | (Base & { event: 'continued'; by: string })
  | (Base & { event: 'aborted'; by: string; reason?: string })
  | (Base & {
      event: 'run-finished';
      status: Outcome;
      /** The tallies of tally.ts. Before they were kept apart, `skipped` also held the steps a `when:` left out. */
      passed: number;
      failed: number;
      /** By the operator. */
      skipped: number;
      /** Left out because a `when:` was false. */
      notRunWhen?: number;
      interrupted: number;
      /** Never reached. */
      notRun: number;
      durationMs: number;
    });

export type RecordEvent = JournalRecord['event'];

/** What the runner tells of a command it ran beside the steps; the reducer journals it as is. */
export type SideNote = DistributiveOmit<Extract<JournalRecord, { event: 'command-started' | 'command-finished' | 'health' }>, 'ts' | 'run'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** What the operator can do. `by` is filled in by the runner when absent. */
export type OperatorAction =
  | { type: 'confirm'; prompt: string; typed?: string; by?: string }
  /**
   * One answer for several confirmations of the same step on different nodes, exactly those the
   * operator was shown (see confirmGroup in state.ts). Never for typed confirmations. Rejected
   * as a whole when any of them is no longer waiting.
   */
  | { type: 'confirm-group'; prompts: readonly string[]; by?: string }
  | { type: 'refuse'; prompt: string; by?: string; reason?: string }
  | { type: 'retry'; task: string; by?: string }
  | { type: 'skip'; task: string; reason: string; by?: string }
  | { type: 'abort'; reason?: string; by?: string }
  | { type: 'verify'; task: string; by?: string }
  | { type: 'rerun'; task: string; by?: string }
  | { type: 'mark-done'; task: string; reason: string; by?: string }
  | { type: 'pause'; by?: string }
  | { type: 'continue'; by?: string };

/** The part of a command's result the reducer decides on (output already redacted). */
export interface ExecOutcome {
  exit: number | null;
  failure?: string;
  message?: string;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export type InputEvent =
  /** preflight: the nodes whose connection can be checked before anything runs (SSH nodes). */
  | { type: 'start'; at: number; preflight?: readonly string[] }
  | {
      type: 'resume';
      at: number;
      by: string;
      digest: string;
      changedRunbook?: boolean;
      changedInventory?: InventoryChange;
      preflight?: readonly string[];
    }
  | { type: 'preflight-done'; at: number; failures: readonly PreflightFailure[] }
  /** `connection`, not `event`: a field named event marks a record. */
  | { type: 'connection'; at: number; connection: ConnectionEvent }
  /** searches: the effect's patterns, searched for in the output by the runner (so the reducer never waits on a search). */
  | {
      type: 'exec-done';
      at: number;
      task: string;
      attempt: number;
      result: ExecOutcome;
      digest?: OutputDigest;
      builtin?: BuiltinResult;
      searches?: Readonly<Record<string, SearchResult>>;
    }
  | { type: 'timer'; at: number; task: string; attempt: number; kind: 'poll' | 'deadline' }
  | { type: 'action'; at: number; action: OperatorAction; by: string }
  | { type: 'interrupt'; at: number; signal: string }
  /** A troubleshooting command or a health probe ran (or started): journalled, the run unchanged. */
  | { type: 'side'; at: number; note: SideNote };

export type EngineEvent = JournalRecord | InputEvent;

/** A command for the runner to perform. */
export interface ExecEffect {
  type: 'exec';
  task: string;
  node: string;
  attempt: number;
  /** The command as it runs, secrets included: never shown, never journalled. */
  command?: string;
  /** The step's env: as the command reads it, secrets included: never shown, never journalled. */
  env?: Record<string, string>;
  /** The command as shown: secrets masked. */
  display?: string;
  timeoutMs?: number;
  builtin?: { name: string; args: Record<string, Scalar | Scalar[]> };
  /** Regular expressions the step's gate and captures will search its output with. */
  patterns?: readonly string[];
}

export type Effect =
  | { type: 'journal'; record: JournalRecord }
  | ExecEffect
  /** Fire a timer event at `at` (clock time). */
  | { type: 'timer'; task: string; attempt: number; kind: 'poll' | 'deadline'; at: number }
  /** Stop the command running for a task, or every command. */
  | { type: 'cancel'; task?: string }
  /** Connect to these nodes (host key, login) and answer with preflight-done. */
  | { type: 'preflight'; nodes: readonly string[] }
  | { type: 'done'; outcome: Outcome }
  /** An operator action that cannot be taken now; nothing changed. */
  | { type: 'rejected'; action: OperatorAction; message: string };

export const isRecord = (e: EngineEvent): e is JournalRecord => 'event' in e;
