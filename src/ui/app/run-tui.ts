// The terminal UI's entry: runs a session's runner under the TUI on the alternate screen until the
// operator quits, then restores the terminal and prints one summary line. play and train call it
// for an interactive terminal (plain mode otherwise).
import { EventEmitter } from 'node:events';
import { createElement } from 'react';
import { render } from 'ink';
import type { Clock } from '../../engine/clock.js';
import type { Outcome } from '../../engine/events.js';
import type { Runner } from '../../engine/runner.js';
import { tallyOfState, tallyText } from '../../engine/tally.js';
import type { InventoryNode } from '../../inventory/types.js';
import type { Transport } from '../../transport/types.js';
import { formatClock } from '../../runbook/duration.js';
import { AnimationContext } from './animation.js';
import { App } from './App.js';
import { FrameOutputContext, type FrameOutput } from './frame-output.js';
import { TuiController, type ControllerOptions, type RunSource, type TerminalSize } from './controller.js';
import { ScreenWriter } from '../terminal/screen-writer.js';
import { chooseTheme } from '../terminal/theme.js';
import type { ShellOptions } from './tmux.js';
import type { DrawnScreen } from './first-frame.js';

/** What the TUI needs of a session (play or train). */
export interface TuiSession {
  runner: Runner;
  /** The transport of a node: the same the runner uses (troubleshooting and health probes go through it). */
  transportFor: (node: InventoryNode) => Transport;
  /** The runner's clock (scaled for the simulator). */
  clock?: Clock;
  /** The header's target: the cluster's name, or sim:<scenario>. Default: the inventory's source. */
  target?: string;
  /** Training: explain each step's `why` (runbook train). */
  training?: boolean;
  /** The language of the UI's own words (--lang, the lang setting); else the runbook's `lang`. */
  lang?: string;
  /** A training's briefing, shown in a dialog at start until enter acknowledges it. */
  briefing?: string;
  /** The briefing dialog's title (a resumed training: where it goes on). */
  briefingTitle?: string;
  /** The journal's file, named in the last line. */
  journalFile?: string;
  /** How `o` opens an SSH shell: the transport's user, identity, known_hosts and host-key rule. */
  shell?: ShellOptions;
  /** Start the run at once instead of waiting for enter (e.g. --yes on the simulator). */
  autoStart?: boolean;
}

export interface TuiIO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** --theme (dark, light, mono), and --no-color. */
  theme?: string;
  noColor?: boolean;
  /** Frames per second at most. Default 20. */
  maxFps?: number;
}

/**
 * Ink's stdout: it tells Ink the terminal's size and nothing more. The Screen hands its rows to
 * the screen writer itself (frame-output.ts), so Ink's own frames (empty) are dropped here.
 */
class FrameSink extends EventEmitter {
  readonly isTTY = false;
  constructor(private readonly size: () => TerminalSize) {
    super();
  }
  get columns(): number {
    return this.size().columns;
  }
  get rows(): number {
    return this.size().rows;
  }
  write = (_frame: string): boolean => true;
}

const EXIT_OF: Record<Outcome, number> = { passed: 0, failed: 1, aborted: 1, interrupted: 130 };

/** Runs the TUI to the end; resolves to the exit status (0 passed, 1 failed or aborted, 130 interrupted). */
export async function runTui(session: TuiSession, io: TuiIO, drawn?: DrawnScreen): Promise<number> {
  const screen = mountScreen(io, drawn, {
    runner: session.runner,
    transportFor: session.transportFor,
    ...(session.clock ? { clock: session.clock } : {}),
    ...(session.target ? { target: session.target } : {}),
    ...(session.training ? { training: true } : {}),
    ...(session.lang ? { lang: session.lang } : {}),
    ...(session.briefing ? { briefing: session.briefing } : {}),
    ...(session.briefingTitle ? { briefingTitle: session.briefingTitle } : {}),
    ...(session.shell ? { shell: session.shell } : {}),
  });
  const { controller } = screen;
  // A fresh run waits for enter; a resumed one goes on at once (as in plain mode): what was
  // interrupted waits for the operator's decision, and nothing destructive runs unconfirmed.
  if (session.autoStart || session.runner.getState().phase !== 'ready') session.runner.start();

  let outcome: Outcome;
  try {
    // When the run ends by itself the screen stays, to read how it ended, until the operator quits.
    await controller.quitRequested;
    const state = session.runner.getState();
    outcome = state.phase === 'finished' ? (state.outcome ?? 'interrupted') : await session.runner.interrupt('quit');
  } finally {
    screen.unmount();
  }
  const state = session.runner.getState();
  const c = state.counters;
  const elapsed =
    state.run.startedAt === undefined ? 0 : (state.run.finishedAt ?? session.clock?.now() ?? Date.now()) - state.run.startedAt;
  io.stdout.write(
    `runbook: run ${state.run.id} ${outcome}: ${tallyText(tallyOfState(state))} in ${formatClock(Math.max(0, elapsed))}${session.journalFile ? `; journal ${session.journalFile}` : ''}\n`,
  );
  if (session.runner.fatal) io.stderr.write(`runbook: ${session.runner.fatal}\n`);
  return session.runner.fatal ? 1 : EXIT_OF[outcome];
}

/** What a watcher's screen is given: the run seen from its journal, and what to say for keys that would act. */
export interface WatchScreen {
  run: RunSource;
  clock: Clock;
  /** The header's target: WATCHING (read-only), the player, the cluster. */
  target: string;
  training?: boolean;
  /** Said when a key would act on the run. */
  readOnly: string;
}

/** A watcher's screen: the same TUI, acting on nothing. Resolves when the watcher quits (or `stop` resolves). */
export async function runWatchTui(watch: WatchScreen, io: TuiIO, stop: Promise<unknown>): Promise<void> {
  const screen = mountScreen(io, undefined, {
    runner: watch.run,
    // Never called: a read-only controller performs nothing that reaches a node.
    transportFor: () => {
      throw new TypeError('a watcher reaches no node');
    },
    clock: watch.clock,
    target: watch.target,
    ...(watch.training ? { training: true } : {}),
    readOnly: watch.readOnly,
    health: false,
  });
  try {
    await Promise.race([screen.controller.quitRequested, stop]);
  } finally {
    screen.unmount();
  }
}

/**
 * A controller and its screen on the alternate screen, with resize and signals; unmount() restores
 * the terminal. `drawn`: the first frame is on the terminal already (first-frame.ts); its writer goes on.
 */
function mountScreen(
  io: TuiIO,
  drawn: DrawnScreen | undefined,
  options: Omit<ControllerOptions, 'env' | 'size' | 'maxFps' | 'onKey'>,
): { controller: TuiController; unmount: () => void } {
  const theme = chooseTheme({
    env: io.env,
    ...(io.theme !== undefined ? { theme: io.theme } : {}),
    ...(io.noColor ? { noColor: true } : {}),
  });
  const maxFps = io.maxFps ?? 20;
  // The writer reads the size through this object, so a writer made for the first frame follows it too.
  const size: TerminalSize = drawn?.size ?? { columns: io.stdout.columns || 80, rows: io.stdout.rows || 24 };
  const writer = drawn?.writer ?? new ScreenWriter(io.stdout, () => size, { maxFps });
  const controller = new TuiController({ ...options, env: io.env, size: { ...size }, maxFps, onKey: () => writer.urgent() });
  const sink = new FrameSink(() => size);
  const present: FrameOutput = (rows) => writer.frame(rows);
  if (!drawn) writer.enter();
  const onResize = () => {
    size.columns = io.stdout.columns || size.columns;
    size.rows = io.stdout.rows || size.rows;
    writer.invalidate();
    controller.resize({ ...size });
  };
  // A resize between the first frame and now: the screen is drawn again at the new size.
  if (
    drawn &&
    (drawn.size.columns !== (io.stdout.columns || drawn.size.columns) || drawn.size.rows !== (io.stdout.rows || drawn.size.rows))
  )
    onResize();
  io.stdout.on('resize', onResize);
  // The pane or the SSH session went away, or someone asked us to stop: leave like `q` then `y`.
  const onSignal = () => controller.perform({ type: 'quit' });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);

  const ink = render(
    createElement(
      FrameOutputContext.Provider,
      { value: present },
      createElement(AnimationContext.Provider, { value: { animate: true } }, createElement(App, { controller, theme })),
    ),
    {
      stdout: sink as unknown as NodeJS.WriteStream,
      stdin: io.stdin,
      stderr: io.stderr,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps,
    },
  );
  return {
    controller,
    unmount() {
      for (const s of signals) process.off(s, onSignal);
      io.stdout.off('resize', onResize);
      controller.close();
      ink.unmount();
      writer.flush();
      writer.leave();
    },
  };
}
