// What a command is and receives. Apart from the list of commands (commands.ts), which loads
// each command's module, so that a command can name these types without importing that list.
import type { ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & {
  /** Shown in help, e.g. "FILE" for --inventory FILE. */
  value?: string;
  description: string;
};

/** What a command receives once its arguments have been parsed. */
export interface CommandInput {
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
  io: CommandIO;
}

/** The process's streams and environment, passed in so tests can drive commands. */
export interface CommandIO {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  stdout: NodeJS.WriteStream | NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether both stdin and stdout are terminals (otherwise plain mode). */
  interactive: boolean;
}

/** A command's module: run resolves to the exit status. */
export interface CommandModule {
  run(input: CommandInput): Promise<number>;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  /** Longer help, printed after the options. */
  details?: string;
  positionals: { min: number; max: number; names: string };
  options: Record<string, OptionSpec>;
  load: () => Promise<CommandModule>;
}
