import type { CommandInput } from './commands.js';

// Placeholder until the sim command lands.
export async function run({ io }: CommandInput): Promise<number> {
  io.stderr.write('runbook sim: not built yet\n');
  return 1;
}
