import type { CommandInput } from './commands.js';

// Placeholder until the train command lands.
export async function run({ io }: CommandInput): Promise<number> {
  io.stderr.write('runbook train: not built yet\n');
  return 1;
}
