// Argument parsing and dispatch. Exit statuses (DESIGN.md): 0 done and every gate passed,
// 1 a step failed or the operator aborted, 2 bad input and nothing ran, 130 interrupted.
import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { commands, findCommand } from './commands.js';
import type { CommandIO, CommandSpec } from './command-types.js';
import { InputErrorWithHint, UsageError } from './errors.js';
import { InputError, formatProblem } from '../input/problem.js';

export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

export function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `runbook ${pkg.version}: play operational runbooks, step by step, against a real or simulated cluster`,
    '',
    'Usage: runbook <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -v, --version  Print the version',
    '  -h, --help     Show this help',
    '',
    "Run `runbook <command> --help` for a command's options.",
    'Exit status: 0 finished and every gate passed, 1 a step failed or aborted, 2 bad input (nothing ran), 130 interrupted.',
    '',
  ].join('\n');
}

export function commandHelp(spec: CommandSpec): string {
  const rows = Object.entries(spec.options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`;
    return [flag, o.description] as const;
  });
  rows.push(['-h, --help', 'Show this help']);
  const width = Math.max(...rows.map(([f]) => f.length));
  return [
    `${spec.summary}.`,
    '',
    `Usage: ${spec.usage}`,
    '',
    'Options:',
    ...rows.map(([f, d]) => `  ${f.padEnd(width)}  ${d}`),
    ...(spec.details ? ['', spec.details] : []),
    '',
  ].join('\n');
}

function write(stream: CommandIO['stdout'], text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Runs one invocation; resolves to the exit status. Never throws for a user's mistake. */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' && rest[0] ? findCommand(rest[0]) : undefined;
    write(io.stdout, topic ? commandHelp(topic) : mainHelp());
    return EXIT.ok;
  }
  if (first === '--version' || first === '-v' || first === '-V' || first === 'version') {
    write(io.stdout, pkg.version);
    return EXIT.ok;
  }
  const spec = findCommand(first);
  try {
    if (!spec) {
      const hint = first.startsWith('-') ? 'options come after the command' : `unknown command "${first}"`;
      throw new UsageError(`${hint}; commands: ${commands.map((c) => c.name).join(', ')}`);
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      write(io.stdout, commandHelp(spec));
      return EXIT.ok;
    }
    const parsed = parseCommandArgs(spec, rest);
    const module = await spec.load();
    return await module.run({ ...parsed, io });
  } catch (error) {
    return reportError(error, io, spec?.name);
  }
}

export function parseCommandArgs(
  spec: CommandSpec,
  args: string[],
): { positionals: string[]; options: Record<string, string | boolean | string[] | undefined> } {
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec.options, allowPositionals: true, strict: true });
  } catch (error) {
    // node's messages are good ("Unknown option '--foo'"); drop its code prefix and any stack.
    throw new UsageError(String((error as Error).message).replace(/^TypeError \[[A-Z_]+\]: /, ''), spec.name);
  }
  const { positionals, values } = parsed;
  if (positionals.length < spec.positionals.min) throw new UsageError(`missing ${spec.positionals.names}`, spec.name);
  if (positionals.length > spec.positionals.max) {
    throw new UsageError(`unexpected argument "${positionals[spec.positionals.max]}"`, spec.name);
  }
  return { positionals, options: values as Record<string, string | boolean | string[] | undefined> };
}

/** Bad input: every problem with its place, exit 2. Anything else: one line, no stack, exit 1. */
export function reportError(error: unknown, io: CommandIO, command?: string): number {
  if (error instanceof InputError) {
    write(io.stderr, error.problems.map(formatProblem).join('\n'));
    if (error instanceof InputErrorWithHint) write(io.stderr, error.hint);
    return EXIT.badInput;
  }
  if (error instanceof UsageError) {
    const where = error.command ?? command;
    write(io.stderr, `runbook${where ? ` ${where}` : ''}: ${error.message}\nTry \`runbook ${where ? `${where} ` : ''}--help\`.`);
    return EXIT.badInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(io.stderr, `runbook: ${message}`);
  if (io.env.RUNBOOK_DEBUG && error instanceof Error && error.stack) write(io.stderr, error.stack);
  return EXIT.failed;
}
