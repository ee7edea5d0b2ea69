import { PassThrough, Readable } from 'node:stream';
import type { CommandIO } from '../../src/cli/command-types.js';
import { main } from '../../src/cli/main.js';

/**
 * The streams of a caller without a terminal (a pipe, CI): stdin holds `input` and then ends,
 * and what is written to stdout and stderr is kept, apart and interleaved as a terminal shows it.
 */
export function capturedIo(
  env: NodeJS.ProcessEnv,
  cwd: string,
  input = '',
): CommandIO & { out: () => string; err: () => string; all: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  let all = '';
  stdout.on('data', (d) => {
    out += d;
    all += d;
  });
  stderr.on('data', (d) => {
    err += d;
    all += d;
  });
  return {
    stdin: Readable.from(input ? [input] : []),
    stdout,
    stderr,
    env,
    cwd,
    interactive: false,
    out: () => out,
    err: () => err,
    all: () => all,
  };
}

/** Runs the binary's main() in this process with captured streams; the real process is untouched. */
export async function runMain(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  input = '',
): Promise<{ status: number; out: string; err: string; all: string }> {
  const io = capturedIo(env, cwd, input);
  const status = await main(argv, io);
  return { status, out: io.out(), err: io.err(), all: io.all() };
}
