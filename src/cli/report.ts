import type { CommandInput } from './commands.js';

// Placeholder until the report command lands.
export async function run({ io }: CommandInput): Promise<number> {
  io.stderr.write('runbook report: not built yet\n');
  return 1;
}
