import type { CommandInput } from './commands.js';

// Placeholder until the play command lands.
export async function run({ io }: CommandInput): Promise<number> {
  io.stderr.write('runbook play: not built yet\n');
  return 1;
}
