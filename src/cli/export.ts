import type { CommandInput } from './commands.js';

// Placeholder until the export command lands.
export async function run({ io }: CommandInput): Promise<number> {
  io.stderr.write('runbook export: not built yet\n');
  return 1;
}
