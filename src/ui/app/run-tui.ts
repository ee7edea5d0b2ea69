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
import { TuiController, type TerminalSize } from './controller.js';
import { ScreenWriter } from '../terminal/screen-writer.js';
import { chooseTheme } from '../terminal/theme.js';
import type { ShellOptions } from './tmux.js';

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
export async function runTui(session: TuiSession, io: TuiIO): Promise<number> {
  const theme = chooseTheme({
    env: io.env,
    ...(io.theme !== undefined ? { theme: io.theme } : {}),
    ...(io.noColor ? { noColor: true } : {}),
  });
  let size: TerminalSize = { columns: io.stdout.columns || 80, rows: io.stdout.rows || 24 };
  const maxFps = io.maxFps ?? 20;
  const writer = new ScreenWriter(io.stdout, () => size, { maxFps });
  const controller = new TuiController({
    runner: session.runner,
    transportFor: session.transportFor,
    ...(session.clock ? { clock: session.clock } : {}),
    ...(session.target ? { target: session.target } : {}),
    ...(session.training ? { training: true } : {}),
    ...(session.briefing ? { briefing: session.briefing } : {}),
    ...(session.briefingTitle ? { briefingTitle: session.briefingTitle } : {}),
    ...(session.shell ? { shell: session.shell } : {}),
    env: io.env,
    size,
    maxFps,
    onKey: () => writer.urgent(),
  });
  const sink = new FrameSink(() => size);
  const present: FrameOutput = (rows) => writer.frame(rows);
  writer.enter();
  const onResize = () => {
    size = { columns: io.stdout.columns || size.columns, rows: io.stdout.rows || size.rows };
    writer.invalidate();
    controller.resize(size);
  };
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
    for (const s of signals) process.off(s, onSignal);
    io.stdout.off('resize', onResize);
    controller.close();
    ink.unmount();
    writer.flush();
    writer.leave();
  }
  const state = session.runner.getState();
  const elapsed =
    state.run.startedAt === undefined ? 0 : (state.run.finishedAt ?? session.clock?.now() ?? Date.now()) - state.run.startedAt;
  io.stdout.write(
    `runbook: run ${state.run.id} ${outcome}: ${tallyText(tallyOfState(state))} in ${formatClock(Math.max(0, elapsed))}${session.journalFile ? `; journal ${session.journalFile}` : ''}\n`,
  );
  if (session.runner.fatal) io.stderr.write(`runbook: ${session.runner.fatal}\n`);
  return session.runner.fatal ? 1 : EXIT_OF[outcome];
}
