// `runbook play FILE [--inventory INV] [--param k=v]... [--dry-run] [--resume [RUN]]`: plays a
// runbook against real machines (or replays the journal of one that stopped and goes on).
import type { CommandInput } from './command-types.js';
import { UsageError } from './errors.js';
import { looksLikeRunId, openSession, type Session } from './session.js';
import { chosenLang, parseTheme } from './settings-flags.js';
import type { DrawnScreen } from '../ui/app/first-frame.js';

export async function run({ positionals, options, io }: CommandInput): Promise<number> {
  const str = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const list = (name: string) => {
    const v = options[name];
    return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
  };
  let file = positionals[0];
  let resume: boolean | string | undefined = options.resume === true ? (str('run') ?? true) : undefined;
  if (str('run') && !options.resume) throw new UsageError('--run RUN goes with --resume', 'play');
  // `play --resume RUN`: a run id where the file would be.
  if (resume === true && file && looksLikeRunId(file)) {
    resume = file;
    file = undefined;
  }
  if (!file && !resume) throw new UsageError('missing <file.yaml>', 'play');
  parseTheme(str('theme'), 'play');
  const lang = chosenLang(options, io.env, 'play');
  const timeScale = str('time-scale');
  const opened = await openSession({
    io,
    command: 'play',
    ...(file ? { file } : {}),
    ...(str('inventory') ? { inventoryFile: str('inventory')! } : {}),
    params: list('param'),
    ...(str('state-dir') ? { stateDir: str('state-dir')! } : {}),
    dryRun: options['dry-run'] === true,
    ...(resume !== undefined ? { resume } : {}),
    allowChangedRunbook: options['allow-changed-runbook'] === true,
    allowChangedInventory: options['allow-changed-inventory'] === true,
    yes: options.yes === true,
    ...(timeScale !== undefined ? { timeScale: Number(timeScale) } : {}),
    ...(str('user') ? { sshUser: str('user')! } : {}),
    ...(str('identity') ? { identityFile: str('identity')! } : {}),
    acceptNewHostKeys: options['accept-new-host-keys'] === true,
  });
  if (opened.kind === 'dry-run') return opened.status;
  const { session } = opened;
  session.handleSignals();
  try {
    return await drive(session, io, {
      plain: options.plain === true,
      ...(str('theme') ? { theme: str('theme')! } : {}),
      noColor: options['no-color'] === true,
      ...(lang ? { lang } : {}),
    });
  } finally {
    await session.close();
  }
}

/** The one place the driver is chosen: the TUI on a terminal, plain mode otherwise (or with --plain). */
export async function drive(
  session: Session,
  io: CommandInput['io'],
  display: {
    plain: boolean;
    theme?: string;
    noColor: boolean;
    training?: boolean;
    lang?: string;
    briefing?: string;
    briefingTitle?: string;
    target?: string;
    /** A first frame already on the terminal (runbook train draws one before its simulator starts). */
    drawn?: DrawnScreen;
  },
): Promise<number> {
  if (io.interactive && !display.plain) {
    // The TUI reads keys from stdin in raw mode: the line reader of the param prompts lets go of it.
    session.answers.close();
    // The header names the cluster, or sim:<scenario> for the simulator; without an inventory, local.
    const target =
      display.target ??
      (session.inventory
        ? session.inventory.simulated
          ? session.inventory.source
          : (session.inventory.name ?? session.inventory.source)
        : 'local');
    const screenIO = {
      stdin: io.stdin as NodeJS.ReadStream,
      stdout: io.stdout as NodeJS.WriteStream,
      env: io.env,
      ...(display.theme ? { theme: display.theme } : {}),
      noColor: display.noColor,
    };
    // A fresh run's first frame goes up before React and Ink load, the longest part of a start.
    const { drawFirstFrame } = await import('../ui/app/first-frame.js');
    const drawn =
      display.drawn ??
      drawFirstFrame(session.runner.getState(), screenIO, {
        target,
        ...(display.training ? { training: true } : {}),
        now: session.clock.now(),
        ...(display.lang ? { lang: display.lang } : {}),
      });
    let runTui: typeof import('../ui/app/run-tui.js').runTui;
    try {
      ({ runTui } = await import('../ui/app/run-tui.js'));
    } catch (error) {
      drawn?.writer.leave();
      if (drawn && (io.stdin as NodeJS.ReadStream).isTTY) (io.stdin as NodeJS.ReadStream).setRawMode(false);
      throw error;
    }
    return runTui(
      {
        runner: session.runner,
        transportFor: session.transportFor,
        clock: session.clock,
        target,
        ...(display.training ? { training: true } : {}),
        ...(display.lang ? { lang: display.lang } : {}),
        ...(display.briefing ? { briefing: display.briefing } : {}),
        ...(display.briefingTitle ? { briefingTitle: display.briefingTitle } : {}),
        journalFile: session.journalFile,
        shell: session.ssh,
        autoStart: session.autoConfirm,
      },
      {
        stdin: io.stdin as NodeJS.ReadStream,
        stdout: io.stdout as NodeJS.WriteStream,
        stderr: io.stderr as NodeJS.WriteStream,
        env: io.env,
        ...(display.theme ? { theme: display.theme } : {}),
        noColor: display.noColor,
      },
      drawn,
    );
  }
  const { runPlain } = await import('../plain/plain.js');
  return runPlain(session.runner, {
    stdout: io.stdout,
    stderr: io.stderr,
    answers: session.answers,
    journal: session.journalFile,
    autoConfirm: session.autoConfirm,
    terminal: Boolean((io.stdin as NodeJS.ReadStream).isTTY),
    clock: session.clock,
    ...(display.lang ? { lang: display.lang } : {}),
  });
}
