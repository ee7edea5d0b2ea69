// The TUI's I/O in one place, outside the components: it listens to the runner, runs the health
// probes and the troubleshooting commands, opens tmux windows, and performs the effects of the
// screen's reducer. The App reads one snapshot from it, at most `maxFps` times a second whatever
// the rate of events, so a step printing 10,000 lines a second costs a few frames, not 10,000.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '../../engine/clock.js';
import { realClock } from '../../engine/clock.js';
import type { OperatorAction } from '../../engine/events.js';
import type { Runner } from '../../engine/runner.js';
import type { RunState } from '../../engine/state.js';
import type { InventoryNode } from '../../inventory/types.js';
import type { Transport } from '../../transport/types.js';
import { HealthMonitor } from './health.js';
import { inTmux, openTmuxWindow, shellArgv, type ShellOptions } from './tmux.js';
import { Troubleshooter, troubleshootCommands } from './troubleshoot.js';
import type { UiEffect } from './ui-state.js';
import { reportedVersion } from './view-model.js';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/** What the App renders from. A new object only when something changed. */
export interface Snapshot {
  state: RunState;
  size: TerminalSize;
  healthVersion: number;
  troubleshootVersion: number;
  /** Values captured on nodes into vars named *version. */
  versions: ReadonlyMap<string, string>;
  versionsVersion: number;
  /** The last thing the controller has to say (a rejected action, a tmux error). */
  notice?: { text: string; error: boolean; at: number };
}

export interface ControllerOptions {
  runner: Runner;
  transportFor: (node: InventoryNode) => Transport;
  /** The runner's clock (scaled for the simulator): countdowns and elapsed time use it. */
  clock?: Clock;
  /** The header's target: the cluster's name, or sim:<scenario>. */
  target?: string;
  /** Training: the step list explains each step's `why`. */
  training?: boolean;
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
}

export class TuiController {
  readonly runner: Runner;
  readonly clock: Clock;
  readonly target: string;
  readonly training: boolean;
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

  constructor(private readonly options: ControllerOptions) {
    this.runner = options.runner;
    this.clock = options.clock ?? realClock;
    this.target = options.target ?? describeTarget(options.runner.getState());
    this.training = options.training ?? false;
    this.briefing = options.briefing;
    this.briefingTitle = options.briefingTitle;
    this.inTmux = inTmux(options.env ?? {});
    this.wallClock = options.wallClock ?? (() => Date.now());
    this.minInterval = 1000 / Math.max(1, options.maxFps ?? 20);
    this.quitRequested = new Promise((resolve) => (this.resolveQuit = resolve));
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

  /** A key came: its answer is drawn without waiting for the frame window. */
  keyPressed(): void {
    this.options.onKey?.();
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
    if (this.closed || this.timer) return;
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

  private build(size: TerminalSize): Snapshot {
    return {
      state: this.runner.getState(),
      size,
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

/** The header's target when the session names none: sim:<scenario> or the inventory's source. */
export function describeTarget(state: RunState): string {
  const inv = state.run.inventory;
  if (!inv) return 'local';
  return inv.source;
}
