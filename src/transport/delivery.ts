// How a command reaches the shell that runs it: on its standard input, never in its command line.
//
// A command line is public: `ps` shows it to every user of the machine, on this machine (the local
// transport's /bin/sh -c ...) and on the node (sshd's <shell> -c ...). So the shell is started with
// a fixed line that reads the script from its input, and the script, with the step's env: values
// set and exported in front of it, is written to that input and closed. The script's own commands
// then read an empty input, as they did when the input was closed at once.
import { envNameProblem } from '../shell/env-names.js';
import { shellQuoteAlways } from '../shell/quote.js';

/** The whole command line of every shell we start: read the script from standard input, run it here. */
export const STDIN_BOOTSTRAP = 'eval "$(cat)"';

/** The text written to the shell's input: each variable set and exported, then the command. */
export function deliveredScript(command: string, env: Readonly<Record<string, string>> = {}): string {
  let out = '';
  for (const [name, value] of Object.entries(env)) {
    const problem = envNameProblem(name);
    if (problem) throw new TypeError(`env: ${problem}`);
    out += `${name}=${shellQuoteAlways(value)}; export ${name}\n`;
  }
  return `${out}${command}\n`;
}

/**
 * Waits for a command's go (ExecOptions.startAfter): `{}` once it fulfils, `{ why }` when it
 * rejects, 'stopped' when `stop` settles first (an abort, a timeout, close(): the write waited for
 * may never end).
 */
export function waitForGo(startAfter: Promise<unknown>, stop: Promise<unknown>): Promise<{ why?: string } | 'stopped'> {
  return Promise.race([
    startAfter.then(
      () => ({}),
      (e: unknown) => ({ why: e instanceof Error ? e.message : String(e) }),
    ),
    stop.then(() => 'stopped' as const),
  ]);
}
