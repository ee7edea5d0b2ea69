// Files shipped with the package (the runbooks), found from wherever this code runs: the sources
// under src/, or the bundle and its chunks under dist/.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The package's own directory: the nearest one up whose package.json is ours. */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'runbook') return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the runbook package directory (its package.json)');
    dir = up;
  }
}

/** A runbook shipped in runbooks/. */
export const shippedRunbook = (name: string): string => path.join(packageRoot(), 'runbooks', name);
