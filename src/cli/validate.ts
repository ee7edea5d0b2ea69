import type { CommandInput } from './command-types.js';
import { InputError, formatProblem, type Problem } from '../input/problem.js';
import type { Inventory } from '../inventory/types.js';
import { inventoryDefaults } from './settings-flags.js';

/** `runbook validate FILE... [--inventory FILE]`: every problem of every file, exit 2 if any error. */
export async function run({ positionals, options, io }: CommandInput): Promise<number> {
  const [{ loadRunbook }, { loadInventory }] = await Promise.all([import('../runbook/load.js'), import('../inventory/load.js')]);
  const problems: Problem[] = [];
  const collect = async <T>(load: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await load();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };

  let inventory: Inventory | undefined;
  const inventoryFile = options.inventory as string | undefined;
  if (inventoryFile) {
    const onWarning = (p: Problem) => problems.push(p);
    inventory = await collect(() => loadInventory(inventoryFile, { onWarning, defaults: inventoryDefaults(io.env) }));
  }

  let valid = 0;
  for (const file of positionals) {
    const before = problems.length;
    const loaded = await collect(() => loadRunbook(file, inventory ? { inventory } : {}));
    if (loaded) {
      problems.push(...loaded.warnings);
      valid += 1;
      if (!options.quiet && problems.length === before) io.stdout.write(`${file}: ok (${describe(loaded.runbook)})\n`);
    }
  }
  for (const p of problems) io.stderr.write(`${formatProblem(p)}\n`);
  const errors = problems.filter((p) => p.severity === 'error').length;
  if (!options.quiet && positionals.length > 1) {
    io.stdout.write(`${valid}/${positionals.length} valid, ${errors} error(s), ${problems.length - errors} warning(s)\n`);
  }
  return errors > 0 ? 2 : 0;
}

function describe(runbook: { sections: { steps: unknown[] }[] }): string {
  const steps = runbook.sections.reduce((n, s) => n + s.steps.length, 0);
  return `${runbook.sections.length} sections, ${steps} steps`;
}
