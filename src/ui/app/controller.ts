// The TUI's I/O in one place, outside the components: it listens to the runner, runs the health
// probes and the troubleshooting commands, opens tmux windows, keeps the screen's state
// (ui-state.ts) and performs the effects of its reducer. The App reads one snapshot from it, at
// most `maxFps` times a second whatever the rate of events, so a step printing 10,000 lines a
// second costs a few frames, not 10,000.
//
// What the screen does on its own when the run changes (a new question takes the selection, a
// failure opens troubleshooting, a refused pre-flight takes the focus) is decided here, once per
// new snapshot, by comparing it with the last one (decide()): nothing drawn is fed back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '../../engine/clock.js';
import { realClock } from '../../engine/clock.js';
import type { OperatorAction } from '../../engine/events.js';
import type { Runner } from '../../engine/runner.js';
import { confirmGroup, taskOf, type RunState } from '../../engine/state.js';
import type { InventoryNode } from '../../inventory/types.js';
import type { Transport } from '../../transport/types.js';
import { HealthMonitor } from '../../diagnostics/health.js';
import { inTmux, openTmuxWindow, shellArgv, type ShellOptions } from './tmux.js';
import { suggestedCommand, Troubleshooter, troubleshootCommands } from '../../diagnostics/troubleshoot.js';
import { createTheme, type Theme } from '../terminal/theme.js';
import { oldestConfirm, promptKey, screenMemo, screenModel, type ScreenFacts, type ScreenRun } from './screen-model.js';
import { initialUiState, uiSee, uiUpdate, type SeenMsg, type UiContext, type UiEffect, type UiState } from './ui-state.js';
import { preflightView, reportedVersion } from './view-model.js';
import { uiWordsFor, type UiWords } from '../../words/words.js';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** What the App renders from. A new object only when something changed. */
export interface Snapshot {
  state: RunState;
  size: TerminalSize;
  /** The screen's own state: focus, selection, dialogs, typed text. */
  ui: UiState;
  healthVersion: number;
  troubleshootVersion: number;
  /** Values captured on nodes into vars named *version. */
  versions: ReadonlyMap<string, string>;
  versionsVersion: number;
  /** The last thing the controller has to say (a rejected action, a tmux error). */
  notice?: { text: string; error: boolean; at: number };
  /** When (wall clock) the run's phase or its pre-flight last changed. */
  situationAt: number;
}

/** What decide() compares from one snapshot to the next. */
export interface Seen {
  state: RunState;
  /** The nodes listed with the confirmation for `a` (groupKey), when they are listed. */
  listed?: string;
}

/**
 * What the screen does on its own between two snapshots: a new confirmation starts the key-repeat
 * guard and takes the selection; a change of the nodes listed for `a` restarts its guard; a
 * pre-flight that refused nodes gives its report the focus; a new failure opens troubleshooting
 * on its node (not when the operator refused the step: nothing ran).
 */
export function decide(prev: Seen | undefined, next: Seen, at: number): SeenMsg[] {
  const msgs: SeenMsg[] = [];
  const confirm = oldestConfirm(next.state);
  const before = prev && oldestConfirm(prev.state);
  if (confirm && (!before || promptKey(before) !== promptKey(confirm))) msgs.push({ type: 'prompt-shown', prompt: promptKey(confirm), at });
  if (prev ? prev.listed !== next.listed : next.listed !== undefined)
    msgs.push({ type: 'group-shown', ...(next.listed !== undefined ? { group: next.listed } : {}), at });
  const refused = refusedKey(next.state);
  if (refused !== undefined && refused !== (prev && refusedKey(prev.state))) msgs.push({ type: 'preflight-failed', at });
  const known = new Set(prev?.state.prompts.filter((p) => p.kind === 'failure').map(promptKey));
  for (const p of next.state.prompts) {
    if (p.kind !== 'failure' || known.has(promptKey(p))) continue;
    if (taskOf(next.state, p.section, p.step, p.node).status === 'refused') continue;
    const index = suggestedCommand(next.state, p.node);
    if (troubleshootCommands(next.state, p.node).length > 0)
      msgs.push({ type: 'gate-failed', node: p.node, ...(index !== undefined ? { index } : {}), at });
    break;
  }
  return msgs;
}

/** A pre-flight that refused nodes, by when it started; none while it runs or when it passed. */
function refusedKey(state: RunState): string | undefined {
  const view = preflightView(state, 0);
  return view?.status === 'failed' && view.failures.length > 0 ? String(state.preflight?.startedAt) : undefined;
}

/** What the screen reads of a run and asks of it: a player's Runner, or a watcher's WatchedRun. */
export type RunSource = Pick<Runner, 'getState' | 'subscribe' | 'output' | 'start' | 'dispatch' | 'probe' | 'troubleshoot'>;

export interface ControllerOptions {
  runner: RunSource;
  transportFor: (node: InventoryNode) => Transport;
  /** The runner's clock (scaled for the simulator): countdowns and elapsed time use it. */
  clock?: Clock;
  /** The header's target: the cluster's name, or sim:<scenario>. */
  target?: string;
  /** Training: the step list explains each step's `why`. */
  training?: boolean;
  /** The language of the UI's own words (--lang, the lang setting); else the runbook's `lang`. */
  lang?: string;
  /** A training's briefing, in a dialog at start (the situation, never the fault); or, resumed, where it goes on. */
  briefing?: string;
  briefingTitle?: string;
  shell?: ShellOptions;
  env?: NodeJS.ProcessEnv;
  size: TerminalSize;
  maxFps?: number;
  /** Start the background health probes. Default true. */
  health?: boolean;
  /** Wall clock for key timing. */
  wallClock?: () => number;
  /** Told of every key before it is handled (the screen writer draws its answer at once). */
  onKey?: () => void;
  /**
   * Whether the nodes waiting with a confirmation fit the dialog is decided with it. A theme only
   * paints rows, it never changes their count: mono by default.
   */
  theme?: Theme;
  /** A watcher: nothing but quit is performed; this is said instead (see UiContext.readOnly). */
  readOnly?: string;
}

export class TuiController {
  readonly runner: RunSource;
  readonly clock: Clock;
  readonly readOnly: string | undefined;
  readonly target: string;
  readonly training: boolean;
  /** The UI's own words, in the run's language. */
  readonly words: UiWords;
  readonly briefing: string | undefined;
  readonly briefingTitle: string | undefined;
  readonly inTmux: boolean;
  readonly wallClock: () => number;
  readonly health: HealthMonitor;
  readonly troubleshooter: Troubleshooter;
  /** Resolves when the operator has asked to quit. */
  readonly quitRequested: Promise<void>;

  private snap: Snapshot;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastEmit = -Infinity;
  private readonly minInterval: number;
  private readonly versions = new Map<string, string>();
  private versionsVersion = 0;
  private notice: Snapshot['notice'];
  private resolveQuit!: () => void;
  private readonly unsubscribe: () => void;
  private closed = false;
  private knownHostsDir: string | undefined;
  private ui: UiState;
  private seen: Seen | undefined;
  private situation = '';
  private situationAt = 0;
  private building = false;
  private readonly theme: Theme;
  private readonly memo = screenMemo();

  constructor(private readonly options: ControllerOptions) {
    this.runner = options.runner;
    this.clock = options.clock ?? realClock;
    this.target = options.target ?? describeTarget(options.runner.getState());
    this.training = options.training ?? false;
    this.readOnly = options.readOnly;
    this.words = uiWordsFor(options.lang ?? options.runner.getState().plan.runbook.lang);
    this.briefing = options.briefing;
    this.briefingTitle = options.briefingTitle;
    // A training opens on its briefing: nothing else takes keys until enter acknowledges it.
    this.ui = { ...initialUiState(), ...(options.briefing ? { briefing: true } : {}) };
    this.inTmux = inTmux(options.env ?? {});
    this.wallClock = options.wallClock ?? (() => Date.now());
    this.minInterval = 1000 / Math.max(1, options.maxFps ?? 20);
    this.quitRequested = new Promise((resolve) => (this.resolveQuit = resolve));
    this.theme = options.theme ?? createTheme('mono');
    this.situation = situationOf(options.runner.getState());
    // Both run through the runner: its transport, redaction and journal.
    this.health = new HealthMonitor({
      state: () => this.runner.getState(),
      probe: (node, probe, signal) => this.runner.probe(node, probe, signal),
      clock: this.clock,
      onChange: () => this.changed(),
    });
    this.troubleshooter = new Troubleshooter({
      exec: (node, command, opts) => this.runner.troubleshoot(node, command, opts),
      onChange: () => this.changed(),
    });
    this.snap = this.build(options.size);
    this.unsubscribe = this.runner.subscribe((_state, change) => {
      for (const r of change.records) {
        if (r.event !== 'captured' && r.event !== 'output') continue;
        const version = r.event === 'captured' ? (/version$/i.test(r.name) ? r.value : undefined) : reportedVersion(r.tail);
        if (version !== undefined && this.versions.get(r.node) !== version) {
          this.versions.set(r.node, version);
          this.versionsVersion += 1;
        }
      }
      for (const r of change.rejected) this.say(rejectedText(r.action, r.message), true);
      this.changed();
    });
    if (options.health !== false) this.health.start();
  }

  /** A key, by name (see keyName), read with what the screen showed (`ctx`): its answer is drawn at once. */
  key(name: string, input: string, ctx: UiContext): void {
    this.options.onKey?.();
    const r = uiUpdate(this.ui, { type: 'key', name, input, at: this.wallClock() }, ctx);
    this.ui = r.ui;
    for (const e of r.effects) this.perform(e);
    if (this.closed) return;
    this.snap = this.build(this.snap.size);
    this.emit();
  }

  /** What screenModel() reads of a snapshot besides the screen's state and size. */
  screenInputs(snap: Snapshot): { run: ScreenRun; facts: ScreenFacts } {
    return {
      run: {
        state: snap.state,
        now: this.clock.now(),
        wall: this.wallClock(),
        target: this.target,
        training: this.training,
        inTmux: this.inTmux,
        words: this.words,
        ...(this.briefing !== undefined ? { briefing: this.briefing } : {}),
        ...(this.briefingTitle !== undefined ? { briefingTitle: this.briefingTitle } : {}),
        ...(this.readOnly !== undefined ? { readOnly: this.readOnly } : {}),
        output: (node, task) => this.runner.output.lines(node, task),
        ...(snap.notice ? { notice: snap.notice } : {}),
        situationAt: snap.situationAt,
      },
      facts: {
        health: this.health.facts,
        healthVersion: snap.healthVersion,
        versions: snap.versions,
        versionsVersion: snap.versionsVersion,
        troubleshoot: this.troubleshooter.view(),
      },
    };
  }

  /** For useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = (): Snapshot => this.snap;

  resize(size: TerminalSize): void {
    this.snap = { ...this.build(size) };
    this.emit();
  }

  say(text: string, error = false): void {
    this.notice = { text, error, at: this.wallClock() };
    this.changed();
  }

  /** Something changed: a new snapshot at the start or the end of the current frame window. */
  changed(): void {
    // While a snapshot is made, what it reads after its decisions is in it already.
    if (this.closed || this.timer || this.building) return;
    const wait = this.lastEmit + this.minInterval - this.wallClock();
    if (wait <= 0) {
      this.snap = this.build(this.snap.size);
      this.emit();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.closed) return;
      this.snap = this.build(this.snap.size);
      this.emit();
    }, wait);
  }

  private emit(): void {
    this.lastEmit = this.wallClock();
    for (const l of this.listeners) l();
  }

  /** A new snapshot, after what the screen does on its own since the last one (decide()). */
  private build(size: TerminalSize): Snapshot {
    this.building = true;
    try {
      const state = this.runner.getState();
      const situation = situationOf(state);
      if (situation !== this.situation) [this.situation, this.situationAt] = [situation, this.wallClock()];
      const at = this.wallClock();
      let seen: Seen = { state, ...this.listed(state, size) };
      const ui = this.ui;
      this.see(decide(this.seen, seen, at));
      // What a decision opened (troubleshooting) may change whether the group fits.
      const listed = this.ui === ui ? seen : this.listed(state, size);
      if (listed.listed !== seen.listed) {
        const again = { state, ...listed };
        this.see(decide(seen, again, at));
        seen = again;
      }
      this.seen = seen;
      return this.current(state, size);
    } finally {
      this.building = false;
    }
  }

  private see(msgs: readonly SeenMsg[]): void {
    for (const msg of msgs) {
      // A watcher runs nothing on the nodes: a failure does not open troubleshooting there.
      if (this.readOnly !== undefined && msg.type === 'gate-failed') continue;
      const r = uiSee(this.ui, msg, this.words);
      this.ui = r.ui;
      for (const e of r.effects) this.perform(e);
    }
  }

  /** The nodes the confirmation's dialog lists for `a`, decided as the screen decides it. */
  private listed(state: RunState, size: TerminalSize): { listed?: string } {
    const confirm = oldestConfirm(state);
    if (!confirm || !confirmGroup(state, confirm.id)) return {};
    const { run, facts } = this.screenInputs(this.current(state, size));
    const { listed } = screenModel(run, this.ui, facts, { ...size, theme: this.theme, spinner: ' ' }, this.memo);
    return listed !== undefined ? { listed } : {};
  }

  private current(state: RunState, size: TerminalSize): Snapshot {
    return {
      state,
      size,
      ui: this.ui,
      situationAt: this.situationAt,
      healthVersion: this.health?.version ?? 0,
      troubleshootVersion: this.troubleshooter?.view().version ?? 0,
      versions: this.versions,
      versionsVersion: this.versionsVersion,
      ...(this.notice ? { notice: this.notice } : {}),
    };
  }

  /** Performs an effect of the screen's reducer. */
  perform(effect: UiEffect): void {
    const state = this.runner.getState();
    // A watcher's screen acts on nothing, whatever asks (a key, a failure opening troubleshooting).
    if (this.readOnly !== undefined && effect.type !== 'quit') return this.say(this.readOnly, true);
    switch (effect.type) {
      case 'start':
        this.runner.start();
        return;
      case 'action':
        this.runner.dispatch(effect.action);
        return;
      case 'troubleshoot': {
        const node = state.plan.targets.get(effect.node);
        const command = troubleshootCommands(state, effect.node)[effect.index];
        if (node && command) this.troubleshooter.run(node, effect.index, command);
        return;
      }
      case 'troubleshoot-stop':
        this.troubleshooter.stop();
        return;
      case 'shell':
      case 'follow': {
        const node = state.plan.targets.get(effect.node);
        if (!node) return;
        let argv: string[];
        let name: string;
        const shell = this.shellOptions();
        if (effect.type === 'shell') {
          argv = shellArgv(node, shell);
          name = `ssh ${node.name}`;
        } else {
          const command = troubleshootCommands(state, effect.node)[effect.index];
          if (!command || command.error) return this.say(`cannot follow on ${node.name}: ${command?.error ?? 'no such command'}`, true);
          argv = shellArgv(node, shell, (command.follow ?? command).run);
          name = `${node.name}: ${command.title}`;
        }
        void openTmuxWindow(name, argv, this.options.env ?? {}).then((error) =>
          this.say(error ?? `opened tmux window "${name}"`, Boolean(error)),
        );
        return;
      }
      case 'quit':
        this.resolveQuit();
        return;
    }
  }

  /** The shell's options; host keys held in memory (the simulator's) go to a private file for ssh. */
  private shellOptions(): ShellOptions {
    const options: ShellOptions = { ...(this.options.env?.SHELL ? { shell: this.options.env.SHELL } : {}), ...this.options.shell };
    const extra = options.extraKnownHosts;
    if (!extra || extra.length === 0) return options;
    if (!this.knownHostsDir) {
      this.knownHostsDir = mkdtempSync(path.join(tmpdir(), 'runbook-known-hosts-'));
      writeFileSync(path.join(this.knownHostsDir, 'known_hosts'), `${extra.join('\n')}\n`, { mode: 0o600 });
    }
    return { ...options, knownHostsFiles: [...(options.knownHostsFiles ?? []), path.join(this.knownHostsDir, 'known_hosts')] };
  }

  /** Stops the probes, the troubleshooting command and the timers; leaves the runner alone. */
  close(): void {
    this.closed = true;
    if (this.knownHostsDir) rmSync(this.knownHostsDir, { recursive: true, force: true });
    if (this.timer) clearTimeout(this.timer);
    this.unsubscribe();
    this.health.stop();
    this.troubleshooter.close();
  }
}

const ACTION_WORD: Readonly<Record<OperatorAction['type'], string>> = {
  confirm: 'confirm',
  'confirm-group': 'confirm them all',
  refuse: 'refuse',
  retry: 'retry',
  skip: 'skip',
  abort: 'abort',
  verify: 'verify',
  rerun: 'run it again',
  'mark-done': 'mark it done',
  pause: 'pause',
  continue: 'continue',
};

/** An action the engine would not take, and its reason, for the status line. */
export const rejectedText = (action: OperatorAction, message: string): string => `can't ${ACTION_WORD[action.type]}: ${message}`;

/** The run's phase and its pre-flight's: an error said before either changed is about what was. */
const situationOf = (state: RunState): string => `${state.phase}/${state.preflight?.status ?? ''}`;

/** The header's target when the session names none: sim:<scenario> or the inventory's source. */
export function describeTarget(state: RunState): string {
  const inv = state.run.inventory;
  if (!inv) return 'local';
  return inv.source;
}
