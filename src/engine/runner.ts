// The runner performs what the reducer decides: it runs commands through the transports, wakes
// polls and deadlines on its clock, reads files for built-in checks, and feeds every result back
// to update() as an event. Before any effect of an event happens, the records that event produced
// are on disk (the journal's append resolves after fsync). One thing overlaps the write: a
// command's session may be opened, its script is delivered only once the records are on disk
// (the transports' `startAfter`).
//
// The TUI, plain mode and the tests drive a run the same way: getState(), subscribe(),
// dispatch(action), start(), and the `done` promise.
import type { InventoryNode } from '../inventory/types.js';
import { LOCAL, parseTaskKey } from './plan.js';
import { builtins as defaultBuiltins, type BuiltinDef, type BuiltinResult } from '../runbook/builtins.js';
import { shellQuoteAlways } from '../shell/quote.js';
import { maskForms, secretForms } from '../runbook/secret-forms.js';
import { parseDuration } from '../runbook/duration.js';
import type { HealthProbe } from '../runbook/schema.js';
import { render, renderForDisplay, redactSecrets, type Scope } from '../runbook/template.js';
import { notStartedMessage } from '../transport/messages.js';
import type { ExecOptions, ExecResult, OutputLine, Transport } from '../transport/types.js';
import { compilePattern, evaluateChecks, knownToBacktrack, outputText, patternsOf } from './checks.js';
import { scopeFor } from './display.js';
import { commandTimeout, realClock, type Clock } from './clock.js';
import type {
  ConnectionEvent,
  Effect,
  ExecEffect,
  ExecOutcome,
  InputEvent,
  InventoryChange,
  JournalRecord,
  OperatorAction,
  Outcome,
  PreflightFailure,
  SideNote,
} from './events.js';
import { DigestBuilder, OutputStore, type StoredLine } from './output.js';
import { searchAsync, type SearchResult } from './regex-worker.js';
import { attemptsOf, type RunState } from './state.js';
import { update } from './update.js';

/** The events applied together: what they wrote and decided, waiting for the write. */
interface Round {
  /** The state as these events left it. */
  state: RunState;
  records: JournalRecord[];
  rejected: RunnerChange['rejected'][number][];
  decided: [InputEvent, ActionResult][];
  effects: Effect[];
  started: Map<Effect, StartedExec>;
}

/** A command started ahead of its turn: how to stop it, and its result as an event. */
interface StartedExec {
  controller: AbortController;
  event: Promise<InputEvent>;
}

/** Where records go; the Journal class, or a test's array. */
export interface RecordSink {
  append(records: readonly JournalRecord[]): Promise<void>;
}

/** What a listener hears after each round of events. */
export interface RunnerChange {
  /** The records written in this round, in order (plain mode prints a line per record). */
  records: readonly JournalRecord[];
  /** Operator actions that could not be taken, and why. */
  rejected: readonly { action: OperatorAction; message: string }[];
}

export type RunnerListener = (state: RunState, change: RunnerChange) => void;

/** What became of one operator action: taken (its records are on disk), or refused and why. */
export type ActionResult = { taken: true } | { taken: false; message: string };

export interface RunnerOptions {
  /** A fresh state (start) or one rebuilt from a journal (resume). */
  state: RunState;
  /** The transport for a target: local for `local`, SSH (or the simulator) for nodes. */
  transportFor: (node: InventoryNode) => Transport;
  journal?: RecordSink;
  clock?: Clock;
  /** Who acts when an action names nobody: the OS user. */
  by: string;
  /** Answer every confirmation as this (only for the simulator: "--yes (simulator)"). */
  autoConfirm?: string;
  /** For resume: the digest of the runbook file now, and the changes the operator allowed. */
  resume?: { digest: string; changedRunbook?: boolean; changedInventory?: InventoryChange };
  builtins?: ReadonlyMap<string, BuiltinDef>;
  linesPerNode?: number;
  /** Called with a line when the runner cannot go on (the journal cannot be written). */
  onFatal?: (message: string) => void;
  /** Nodes connected to at once by the pre-flight. Default 32. */
  preflightConcurrency?: number;
}

/** A transport that can open a node's connection without running anything (SSH does). */
export interface Connectable {
  connect(node: InventoryNode): Promise<{ ok: true } | { ok: false; failure: string; message: string }>;
}

const canConnect = (t: Transport): t is Transport & Connectable => typeof (t as Partial<Connectable>).connect === 'function';

export const DEFAULT_PREFLIGHT_CONCURRENCY = 32;

const OUTPUT_NOTIFY_MS = 50;

/**
 * Runs a command once `written` (the records that announce it) is on disk. A transport that says
 * `startsAfter` is given the write and may open the session meanwhile; any other is called after
 * it. When the write failed, nothing is started and the result says why.
 */
async function execBehind(
  transport: Transport,
  node: InventoryNode,
  command: string,
  written: Promise<void> | undefined,
  options: ExecOptions,
): Promise<ExecResult> {
  if (written && transport.startsAfter) return transport.exec(node, command, { ...options, startAfter: written });
  try {
    await written;
  } catch (error) {
    const why = `the journal cannot be written (${(error as Error).message})`;
    return { ok: false, exit: null, failure: 'aborted', message: notStartedMessage(node.name, why), stdout: '', stderr: '', durationMs: 0 };
  }
  return transport.exec(node, command, options);
}

/** Who runs health probes, in their journal records. */
export const BY_HEALTH_PROBE = 'health probe';
/** How long a health probe may take when it says nothing (cluster time). */
export const DEFAULT_HEALTH_TIMEOUT_MS = 10_000;

/** A troubleshooting command as the operator opened it: the command to run and how it is shown. */
export interface SideCommand {
  title: string;
  /** The command as it runs (secrets included). */
  run: string;
  /** The command as shown (secrets masked). */
  display: string;
}

/** What a health probe found on a node. */
export interface HealthVerdict {
  ok: boolean;
  /** One line, secrets redacted. */
  message: string;
  at: number;
}

export class Runner {
  readonly output: OutputStore;
  /** Resolves with the outcome once the run has ended and its last record is on disk. */
  readonly done: Promise<Outcome>;
  /** Set when the run stopped because something outside it broke (the journal). */
  fatal?: string;

  private state: RunState;
  private readonly clock: Clock;
  private readonly listeners = new Set<RunnerListener>();
  private readonly queue: InputEvent[] = [];
  /** Who waits to hear what became of an action event (act()). */
  private readonly actionWaiters = new Map<InputEvent, (result: ActionResult) => void>();
  private pumping = false;
  /** Settles when every round applied so far has landed (its records on disk, its effects done). */
  private landed: Promise<void> = Promise.resolve();
  /** Settles when every record handed to the journal so far is on disk; rejects after a failed write. */
  private allWritten: Promise<void> = Promise.resolve();
  /** The state listeners heard of last: every record behind it is on disk. */
  private shown: RunState;
  private readonly execs = new Map<string, AbortController>();
  private readonly timers = new Map<string, AbortController>();
  /** Prompt objects already answered for the operator (a prompt asked again is a new object). */
  private readonly autoAnswered = new WeakSet<object>();
  private resolveDone!: (o: Outcome) => void;
  private finished = false;
  private outputTimer: ReturnType<typeof setTimeout> | undefined;
  /** The secrets in every form they may be printed: masked by the transport in raw output, and in any text shown. */
  private readonly secretForms: readonly string[];
  private readonly builtins: ReadonlyMap<string, BuiltinDef>;
  private sideSeq = 0;
  private started = false;
  /** Side notes from before start(): a troubleshooting command opened before the run began. */
  private readonly early: InputEvent[] = [];
  /** Side notes whose writer waits for them to be on disk (side()), given the write once it is asked for. */
  private readonly sideWaiters = new Map<InputEvent, (written: Promise<void>) => void>();
  /** Per node: the health last journalled, and the probes since. */
  private readonly health = new Map<string, { ok: boolean; message: string; probes: number }>();

  constructor(private readonly options: RunnerOptions) {
    this.state = options.state;
    this.shown = options.state;
    this.clock = options.clock ?? realClock;
    this.output = new OutputStore(options.linesPerNode);
    this.builtins = options.builtins ?? defaultBuiltins;
    this.secretForms = secretForms(options.state.params, options.state.secrets);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  getState(): RunState {
    return this.state;
  }

  subscribe(listener: RunnerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Starts a fresh run, or resumes one rebuilt from its journal. Before the first step, every
   * target reached through a transport that can connect (SSH) is connected to: an unknown or
   * changed host key, a refused login or an unreachable node stops the run before anything ran
   * (the reducer decides; a resumed run is always checked again: its nodes may have changed).
   */
  start(): void {
    const preflight = this.preflightNodes();
    const extra = preflight.length > 0 ? { preflight } : {};
    if (this.state.phase === 'ready') this.enqueue({ type: 'start', at: this.clock.now(), ...extra });
    else {
      const resume = this.options.resume ?? { digest: this.state.run.digest };
      this.enqueue({
        type: 'resume',
        at: this.clock.now(),
        by: this.options.by,
        digest: resume.digest,
        ...(resume.changedRunbook ? { changedRunbook: true } : {}),
        ...(resume.changedInventory ? { changedInventory: resume.changedInventory } : {}),
        ...extra,
      });
    }
    this.started = true;
    for (const event of this.early.splice(0)) this.enqueue(event);
  }

  /**
   * A connection event of a transport (SSH's onEvent): journalled as a `connection` record while
   * the run goes on.
   */
  noteConnection(event: ConnectionEvent): void {
    this.enqueue({ type: 'connection', at: this.clock.now(), connection: event });
  }

  /** Every target whose transport can connect, in the plan's order. */
  private preflightNodes(): string[] {
    const names: string[] = [];
    for (const [name, node] of this.state.plan.targets) if (canConnect(this.options.transportFor(node))) names.push(name);
    return names;
  }

  /** An operator action; `by` defaults to the runner's user. */
  dispatch(action: OperatorAction): void {
    this.enqueue({ type: 'action', at: this.clock.now(), action, by: action.by ?? this.options.by });
  }

  /**
   * An operator action, resolving once it has been decided on: taken (its records are on disk and
   * listeners have heard of them) or refused with the reason. A driver that asks one question at a
   * time waits for this before it asks the next, so that its next question and the group a
   * question offers are read from a state that already holds this answer.
   */
  act(action: OperatorAction): Promise<ActionResult> {
    if (this.finished) return Promise.resolve({ taken: false, message: 'the run is over' });
    const event: InputEvent = { type: 'action', at: this.clock.now(), action, by: action.by ?? this.options.by };
    const result = new Promise<ActionResult>((resolve) => this.actionWaiters.set(event, resolve));
    this.enqueue(event);
    return result;
  }

  /** SIGINT or SIGTERM: the running steps become interrupted, commands are stopped, the journal flushed. */
  interrupt(signal: string): Promise<Outcome> {
    if (this.state.phase === 'ready') this.end('interrupted');
    else this.enqueue({ type: 'interrupt', at: this.clock.now(), signal });
    return this.done;
  }

  /**
   * Runs a troubleshooting command on a node through the run's transport: its output redacted,
   * kept in the output store (task `troubleshoot:<id>@<node>`) and handed to onOutput, and the
   * journal told who ran what where, when it started, how it ended and how long it took.
   */
  async troubleshoot(
    nodeName: string,
    command: SideCommand,
    options: { signal?: AbortSignal; onOutput?: (line: OutputLine) => void; by?: string } = {},
  ): Promise<ExecResult> {
    const node = this.state.plan.targets.get(nodeName);
    if (!node) throw new TypeError(`troubleshoot: no node ${nodeName} in this run`);
    const id = `ts-${++this.sideSeq}`;
    const task = `troubleshoot:${id}@${nodeName}`;
    const startedAt = this.clock.now();
    // The rule of the run holds for these too: the record that says who runs what where is on
    // disk before the command runs (a transport that can opens the session meanwhile).
    const recorded = this.side({
      event: 'command-started',
      id,
      kind: 'troubleshoot',
      node: nodeName,
      title: command.title,
      command: this.redact(command.display),
      by: options.by ?? this.options.by,
    });
    const onOutput = (line: OutputLine) => {
      const text = this.redact(line.text);
      const safe = text === line.text ? line : { stream: line.stream, text };
      this.output.append(nodeName, { ...safe, task });
      options.onOutput?.(safe);
      this.scheduleOutputNotify();
    };
    let r: ExecResult;
    try {
      r = await execBehind(this.options.transportFor(node), node, command.run, recorded, {
        ...(options.signal ? { signal: options.signal } : {}),
        onOutput,
        ...this.maskOption(),
      });
    } catch (error) {
      r = {
        ok: false,
        exit: null,
        failure: 'spawn-failed',
        message: `the command could not run on ${nodeName}: ${(error as Error).message}`,
        stdout: '',
        stderr: '',
        durationMs: 0,
      };
    }
    const safe: ExecResult = {
      ...r,
      stdout: this.redact(r.stdout),
      stderr: this.redact(r.stderr),
      ...(r.message ? { message: this.redact(r.message) } : {}),
    };
    void this.side({
      event: 'command-finished',
      id,
      kind: 'troubleshoot',
      node: nodeName,
      ...(safe.exit !== null ? { exit: safe.exit } : {}),
      ...(safe.failure ? { failure: safe.failure } : {}),
      ...(safe.message ? { message: safe.message } : {}),
      durationMs: Math.max(0, this.clock.now() - startedAt),
    });
    return safe;
  }

  /**
   * Runs a health probe on a node through the run's transport; its patterns are searched off the
   * event loop, its verdict redacted. The journal gets a record only when the node's health
   * changes (the first probe, then each change), counting the probes in between.
   */
  async probe(nodeName: string, probe: HealthProbe, signal?: AbortSignal): Promise<HealthVerdict> {
    const node = this.state.plan.targets.get(nodeName);
    if (!node) throw new TypeError(`probe: no node ${nodeName} in this run`);
    const startedAt = this.clock.now();
    let verdict: { ok: boolean; message: string };
    let exit: number | undefined;
    try {
      const command = render(probe.run, scopeFor(this.state, nodeName), 'shell');
      const timeout = parseDuration(probe.timeout ?? '') ?? DEFAULT_HEALTH_TIMEOUT_MS;
      const r = await this.options.transportFor(node).exec(node, command, {
        ...(signal ? { signal } : {}),
        timeoutMs: commandTimeout(timeout, this.clock),
        ...this.maskOption(),
      });
      if (r.exit !== null) exit = r.exit;
      if (r.failure) verdict = { ok: false, message: r.message ?? r.failure };
      else {
        const outcome = this.outcomeOf(r);
        const searches = await this.search(patternsOf(probe.expect, undefined), outcome);
        verdict = evaluateChecks(probe.expect, { ...outcome, searches });
      }
    } catch (error) {
      verdict = { ok: false, message: `cannot probe: ${(error as Error).message}` };
    }
    const message = this.redact(verdict.message);
    const last = this.health.get(nodeName);
    const probes = (last?.probes ?? 0) + 1;
    if (!signal?.aborted) {
      if (last && last.ok === verdict.ok && last.message === message) last.probes = probes;
      else {
        this.health.set(nodeName, { ok: verdict.ok, message, probes: 0 });
        void this.side({
          event: 'health',
          node: nodeName,
          ok: verdict.ok,
          message,
          command: this.redact(shownCommand(probe.run, this.state, nodeName)),
          ...(exit !== undefined ? { exit } : {}),
          durationMs: Math.max(0, this.clock.now() - startedAt),
          probes,
          by: BY_HEALTH_PROBE,
        });
      }
    }
    return { ok: verdict.ok, message, at: this.clock.now() };
  }

  /**
   * Journals a side note; settles once its record, and every one before it, is on disk (rejects
   * when a write failed). Before the run starts there is no journal yet: the note is kept, written
   * right after run-started, and this settles at once; so it does once the run is over.
   */
  private side(note: SideNote): Promise<void> {
    const event: InputEvent = { type: 'side', at: this.clock.now(), note };
    if (this.state.phase === 'ready' && !this.started) {
      this.early.push(event);
      return Promise.resolve();
    }
    if (this.finished) return Promise.resolve();
    const written = new Promise<Promise<void>>((resolve) => this.sideWaiters.set(event, resolve)).then((w) => w);
    // Handled here as well, so that a note nobody waits for never rejects unheard.
    written.catch(() => undefined);
    this.enqueue(event);
    return written;
  }

  /** Asks the transport to mask every secret in a command's raw output, before anything reads it. */
  private maskOption(): { mask?: readonly string[] } {
    return this.secretForms.length > 0 ? { mask: this.secretForms } : {};
  }

  /** Removes every secret value from a text (output, messages). */
  redact(text: string): string {
    return maskForms(text, this.secretForms);
  }

  // ---- the loop ----

  private enqueue(event: InputEvent): void {
    if (this.finished) return;
    this.queue.push(event);
    if (!this.pumping) this.pump();
  }

  /**
   * Applies the queued events and hands their records to the journal. What the records decide
   * (listeners told, answers given, effects performed) lands once they are on disk, in order; the
   * next events are applied meanwhile, and their commands may open sessions that wait for their
   * own records (startAfter), so that one node's journal write never holds back another's start.
   */
  private pump(): void {
    this.pumping = true;
    try {
      while (this.queue.length > 0 && !this.finished) {
        const batch = this.queue.splice(0);
        const records: JournalRecord[] = [];
        const effects: Effect[] = [];
        const rejected: RunnerChange['rejected'][number][] = [];
        const decided: [InputEvent, ActionResult][] = [];
        for (const event of batch) {
          const result = update(this.state, event);
          this.state = result.state;
          let refusal: string | undefined;
          for (const effect of result.effects) {
            if (effect.type === 'journal') records.push(effect.record);
            else if (effect.type === 'rejected') {
              rejected.push({ action: effect.action, message: effect.message });
              refusal ??= effect.message;
            } else effects.push(effect);
          }
          if (this.actionWaiters.has(event))
            decided.push([event, refusal === undefined ? { taken: true } : { taken: false, message: refusal }]);
        }
        // The rule: facts on disk before the next action. A command waits for this round's
        // records and every earlier round's: after a write that failed, none runs, whatever the
        // sink does with later records.
        const written = records.length > 0 && this.options.journal ? this.options.journal.append(records) : undefined;
        if (written) {
          const all = this.allWritten.then(() => written);
          this.allWritten = all;
          // Handled here too: a transport may look at it only once its session is open.
          all.catch(() => undefined);
        }
        for (const event of batch) {
          const waiter = this.sideWaiters.get(event);
          if (!waiter) continue;
          this.sideWaiters.delete(event);
          waiter(this.allWritten);
        }
        const started = new Map<Effect, StartedExec>();
        for (const effect of effects) {
          const s = effect.type === 'exec' ? this.startExec(effect, written && this.allWritten) : undefined;
          if (s) started.set(effect, s);
        }
        const round: Round = { state: this.state, records, rejected, decided, effects, started };
        this.landed = this.landed
          .then(() => this.land(round, written))
          // A fault of ours while landing stops the run with it, instead of leaving every later round unlanded.
          .catch((error: unknown) => this.fail(`the run stops here: ${(error as Error).message}`));
      }
    } finally {
      // Events that come later in this turn of the event loop (500 commands whose timers fire
      // together) wait for its end and make one round, not one each.
      setImmediate(() => {
        this.pumping = false;
        if (this.queue.length > 0 && !this.finished) this.pump();
      });
    }
  }

  /** One round's records are on disk (or could not be written): what they decided happens now. */
  private async land(round: Round, written: Promise<void> | undefined): Promise<void> {
    try {
      if (written) await written;
    } catch (error) {
      if (!this.finished) this.fail(`the journal cannot be written, so the run stops here: ${(error as Error).message}`);
      return;
    }
    if (this.finished) return;
    // Every state handed on counts the lines stored so far: a step's last lines arrive before
    // its result, and a run that ends then would otherwise never announce them.
    const state = round.state.outputVersion === this.output.version ? round.state : { ...round.state, outputVersion: this.output.version };
    if (this.state.outputVersion !== this.output.version) this.state = { ...this.state, outputVersion: this.output.version };
    this.notify(state, { records: round.records, rejected: round.rejected });
    for (const [event, result] of round.decided) {
      this.actionWaiters.get(event)?.(result);
      this.actionWaiters.delete(event);
    }
    for (const effect of round.effects) this.perform(effect, round.started.get(effect));
    this.autoConfirm();
  }

  /** Tells the listeners: the state whose records are on disk, and what changed. */
  private notify(state: RunState, change: RunnerChange): void {
    this.shown = state;
    for (const listener of this.listeners) {
      try {
        listener(state, change);
      } catch {
        // A broken view must not stop the run.
      }
    }
  }

  private autoConfirm(): void {
    const by = this.options.autoConfirm;
    // The reducer refuses answers while the pre-flight runs (a resumed run may stop with
    // confirmations waiting): they are given once it passed, never spent on a refusal.
    if (!by || this.state.preflight?.status === 'running') return;
    for (const prompt of this.state.prompts) {
      if (prompt.kind !== 'confirm' || this.autoAnswered.has(prompt)) continue;
      this.autoAnswered.add(prompt);
      this.dispatch({ type: 'confirm', prompt: prompt.id, ...(prompt.typed !== undefined ? { typed: prompt.typed } : {}), by });
    }
  }

  private fail(message: string): void {
    this.fatal = message;
    this.options.onFatal?.(message);
    this.cancelAll();
    this.end('interrupted');
  }

  private end(outcome: Outcome): void {
    if (this.finished) return;
    this.finished = true;
    // What came after the end is never applied (enqueue takes nothing more).
    this.queue.length = 0;
    for (const resolve of this.actionWaiters.values()) resolve({ taken: false, message: 'the run is over' });
    this.actionWaiters.clear();
    // Notes still queued are never written: their writers go on as they do after the end.
    for (const resolve of this.sideWaiters.values()) resolve(Promise.resolve());
    this.sideWaiters.clear();
    this.cancelTimers();
    if (this.outputTimer) clearTimeout(this.outputTimer);
    this.resolveDone(outcome);
  }

  // ---- effects ----

  private perform(effect: Effect, started?: StartedExec): void {
    switch (effect.type) {
      case 'exec': {
        // Started in pump() behind its records (none when its node is gone); registered here, in
        // order with the other effects, so that a cancel before it does not stop it.
        if (!started) return;
        const s = started;
        this.execs.set(effect.task, s.controller);
        void s.event.then((event) => {
          if (this.execs.get(effect.task) === s.controller) this.execs.delete(effect.task);
          this.enqueue(event);
        });
        return;
      }
      case 'timer': {
        const id = `${effect.kind}:${effect.task}`;
        this.timers.get(id)?.abort();
        const controller = new AbortController();
        this.timers.set(id, controller);
        this.clock.sleep(Math.max(0, effect.at - this.clock.now()), controller.signal).then(
          () => {
            if (this.timers.get(id) === controller) this.timers.delete(id);
            this.enqueue({ type: 'timer', at: this.clock.now(), task: effect.task, attempt: effect.attempt, kind: effect.kind });
          },
          () => undefined,
        );
        return;
      }
      case 'cancel':
        if (effect.task) this.execs.get(effect.task)?.abort();
        else this.cancelAll();
        return;
      case 'preflight':
        void this.preflight(effect.nodes);
        return;
      case 'done':
        this.end(effect.outcome);
        return;
      default:
        return;
    }
  }

  /** Connects to each node, a bounded number at a time; every failure is kept, none stops the others. */
  private async preflight(names: readonly string[]): Promise<void> {
    const failures: (PreflightFailure | undefined)[] = new Array(names.length);
    let next = 0;
    const worker = async () => {
      while (next < names.length && !this.finished) {
        const i = next++;
        const name = names[i]!;
        const node = this.state.plan.targets.get(name);
        const transport = node && this.options.transportFor(node);
        if (!node || !transport || !canConnect(transport)) continue;
        try {
          const r = await transport.connect(node);
          if (!r.ok) failures[i] = { node: name, failure: r.failure, message: this.redact(r.message) };
        } catch (error) {
          failures[i] = {
            node: name,
            failure: 'connect-failed',
            message: this.redact(`Could not connect to ${name}: ${(error as Error).message}`),
          };
        }
      }
    };
    const width = Math.max(1, Math.min(this.options.preflightConcurrency ?? DEFAULT_PREFLIGHT_CONCURRENCY, names.length));
    await Promise.all(Array.from({ length: width }, worker));
    this.enqueue({
      type: 'preflight-done',
      at: this.clock.now(),
      failures: failures.filter((f): f is PreflightFailure => f !== undefined),
    });
  }

  private cancelTimers(): void {
    for (const c of this.timers.values()) c.abort();
    this.timers.clear();
  }

  private cancelAll(): void {
    for (const c of this.execs.values()) c.abort();
    this.cancelTimers();
  }

  /**
   * Starts a command: its transport may open the session at once, and runs nothing before
   * `written` (the records that decided it) is on disk. Its result comes back as an event.
   */
  private startExec(e: ExecEffect, written?: Promise<void>): StartedExec | undefined {
    const node = this.state.plan.targets.get(e.node);
    if (!node) return undefined;
    const controller = new AbortController();
    const digest = new DigestBuilder();
    const key = parseTaskKey(e.task);
    // The attempt has started in the state already (its step-started record is applied before effects run).
    const attempt = key ? attemptsOf(this.state, key.section, key.step, key.node).length : 0;
    const onOutput = (line: OutputLine) => this.onLine(e.task, e.node, line, digest, attempt);
    const run = async (): Promise<InputEvent> => {
      let result: ExecOutcome = { exit: 0, stdout: '', stderr: '', durationMs: 0 };
      let truncated = false;
      let searches: Record<string, SearchResult> | undefined;
      const transport = this.options.transportFor(node);
      if (e.command !== undefined) {
        const timeoutMs = e.timeoutMs === undefined ? undefined : commandTimeout(e.timeoutMs, this.clock);
        const r = await execBehind(transport, node, e.command, written, {
          signal: controller.signal,
          onOutput,
          ...this.maskOption(),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          ...(e.env !== undefined ? { env: e.env } : {}),
        });
        // A transport that did not stream still leaves its output in the digest and on screen.
        if (digest.count === 0) {
          for (const text of splitLines(r.stdout)) onOutput({ stream: 'stdout', text });
          for (const text of splitLines(r.stderr)) onOutput({ stream: 'stderr', text });
        }
        truncated = Boolean(r.truncated);
        result = this.outcomeOf(r);
        if (e.patterns && !result.failure) searches = await this.search(e.patterns, result);
      }
      let builtin: BuiltinResult | undefined;
      if (e.builtin && !result.failure) builtin = await this.runBuiltin(node, transport, e, result, controller.signal, truncated);
      return {
        type: 'exec-done',
        at: this.clock.now(),
        task: e.task,
        attempt: e.attempt,
        result,
        ...(e.command !== undefined ? { digest: digest.digest(truncated) } : {}),
        ...(builtin ? { builtin } : {}),
        ...(searches ? { searches } : {}),
      };
    };
    const event = run().catch((error: unknown): InputEvent => ({
      type: 'exec-done',
      at: this.clock.now(),
      task: e.task,
      attempt: e.attempt,
      result: {
        exit: null,
        failure: 'spawn-failed',
        message: this.redact(`the command could not run on ${e.node}: ${(error as Error).message}`),
        stdout: '',
        stderr: '',
        durationMs: 0,
      },
    }));
    return { controller, event };
  }

  /**
   * Searches the output with the step's patterns here, in a worker, so that the reducer decides
   * on answers and never waits for a search (a backtracking pattern on hostile output takes the
   * whole time limit, seconds in which keys and spinners must go on).
   */
  private async search(patterns: readonly string[], result: ExecOutcome): Promise<Record<string, SearchResult>> {
    const text = outputText(result);
    const searches: Record<string, SearchResult> = {};
    for (const source of patterns) {
      const re = compilePattern(source);
      if (typeof re === 'string' || knownToBacktrack(source)) continue; // the reducer says why
      searches[source] = await searchAsync(re, text);
    }
    return searches;
  }

  private outcomeOf(r: ExecResult): ExecOutcome {
    return {
      exit: r.exit,
      stdout: this.redact(r.stdout),
      stderr: this.redact(r.stderr),
      durationMs: r.durationMs,
      ...(r.failure ? { failure: r.failure } : {}),
      ...(r.message ? { message: this.redact(r.message) } : {}),
    };
  }

  private onLine(task: string, node: string, line: OutputLine, digest: DigestBuilder, attempt: number): void {
    const text = this.redact(line.text);
    const numbered = attempt > 0 ? { attempt } : {};
    // Redacted text loses its styles (they no longer line up with it), never its cut marks.
    const stored: StoredLine =
      text === line.text
        ? { ...line, task, ...numbered }
        : {
            stream: line.stream,
            text,
            task,
            ...numbered,
            ...(line.cut ? { cut: true } : {}),
            ...(line.dropped !== undefined ? { dropped: line.dropped } : {}),
          };
    this.output.append(node, stored);
    digest.add(text, line.dropped);
    this.scheduleOutputNotify();
  }

  /** The state carries a version of the output store; listeners hear of new lines at most every 50 ms. */
  private scheduleOutputNotify(): void {
    if (this.outputTimer || this.finished) return;
    this.outputTimer = setTimeout(() => {
      this.outputTimer = undefined;
      if (this.finished) return;
      this.state = { ...this.state, outputVersion: this.output.version };
      this.notify({ ...this.shown, outputVersion: this.output.version }, { records: [], rejected: [] });
    }, OUTPUT_NOTIFY_MS);
  }

  /** Reads the files a built-in check asks for on the step's node, then evaluates it. */
  private async runBuiltin(
    node: InventoryNode,
    transport: Transport,
    e: ExecEffect,
    result: ExecOutcome,
    signal: AbortSignal,
    truncated = false,
  ): Promise<BuiltinResult> {
    const spec = e.builtin!;
    const def = this.builtins.get(spec.name);
    if (!def) return { ok: false, message: `unknown built-in check ${spec.name}` };
    const files: Record<string, string> = {};
    for (const [name, arg] of Object.entries(def.args)) {
      if (!arg.file) continue;
      const value = spec.args[name];
      if (value === undefined || value === '') {
        if (arg.required) return { ok: false, message: `${spec.name} needs the file argument "${name}"` };
        continue;
      }
      const file = String(value);
      const read = await transport.exec(node, `cat -- ${shellQuoteAlways(file)}`, { signal, ...this.maskOption() });
      if (!read.ok) {
        const why = read.failure ? (read.message ?? read.failure) : (read.stderr.trim().split('\n').pop() ?? `exit ${read.exit}`);
        return { ok: false, message: this.redact(`cannot read ${name} (${file}) on ${node.name}: ${why}`) };
      }
      files[name] = read.stdout;
    }
    try {
      const verdict = def.evaluate(spec.args as Record<string, string | number | boolean | (string | number | boolean)[]>, {
        files,
        nodes: [...this.state.plan.targets.values()].filter((n) => n.name !== LOCAL),
        ...(e.command !== undefined
          ? { output: { stdout: result.stdout, stderr: result.stderr, exit: result.exit, ...(truncated ? { truncated } : {}) } }
          : {}),
      });
      return {
        ok: verdict.ok,
        message: this.redact(verdict.message),
        ...(verdict.details ? { details: verdict.details.map((d) => this.redact(d)) } : {}),
      };
    } catch (error) {
      return { ok: false, message: this.redact(`${spec.name} failed: ${(error as Error).message}`) };
    }
  }
}

/** A probe's command as shown: rendered for display (secrets masked), else as written. */
function shownCommand(template: string, state: RunState, node: string): string {
  try {
    return renderForDisplay(template, scopeFor(state, node), 'shell');
  } catch {
    return template;
  }
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
