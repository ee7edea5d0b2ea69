// Real files in a temp directory for inventory tests; the directory doubles as $HOME, so no
// test reads the ~/.ssh of the machine it runs on.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatProblem, type Problem } from '../../src/input/problem.js';
import { inspectInventory, type LoadInventoryOptions } from '../../src/inventory/load.js';

export interface TempHome {
  dir: string;
  /** Writes a file (relative to dir), creating its directories; returns its path. */
  write(name: string, content: string | Buffer): Promise<string>;
  /** Problems as printed, with the temp dir shown as "~". */
  show(problems: readonly Problem[]): string[];
  /** inspectInventory with home and cwd in the temp dir and no ssh config unless given. */
  inspect(name: string, options?: LoadInventoryOptions): ReturnType<typeof inspectInventory>;
  cleanup(): Promise<void>;
}

export async function tempHome(): Promise<TempHome> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'runbook-inventory-'));
  const home: TempHome = {
    dir,
    async write(name, content) {
      const file = path.join(dir, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      return file;
    },
    show: (problems) => problems.map((p) => formatProblem(p).split(dir).join('~')),
    inspect: (name, options = {}) => inspectInventory(path.join(dir, name), { sshConfig: null, home: dir, cwd: dir, ...options }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
  return home;
}
