// What `runbook train` loads before its first frame: train.ts with everything it imports statically,
// and the modules it imports before drawing (the scenarios, the cluster's shape, the settings). None
// of it may reach ssh2 (the simulator's SSH servers), React or Ink: those load behind the frame.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript script without types
import { importsOf } from '../../scripts/lint.js';

const src = path.join(import.meta.dirname, '..', '..', 'src');

/** The packages reached from `files` through static, non-type imports, with the chain to each. */
function packagesReached(files: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const { spec, typeOnly, dynamic } of importsOf(text) as { spec: string; typeOnly: boolean; dynamic: boolean }[]) {
      if (typeOnly || dynamic) continue;
      if (!spec.startsWith('.')) {
        if (!found.has(spec)) found.set(spec, [...chain, path.relative(src, file)]);
        continue;
      }
      const target = path.resolve(path.dirname(file), spec);
      const ts = [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx')].find((f) => existsSync(f));
      if (ts) walk(ts, [...chain, path.relative(src, file)]);
    }
  };
  for (const f of files) walk(path.join(src, f), []);
  return found;
}

describe('what train loads before its first frame', () => {
  it('reaches neither ssh2 nor React nor Ink', () => {
    const reached = packagesReached(['cli/train.ts', 'cli/train-frame.ts', 'sim/scenarios.ts', 'sim/training.ts', 'config/settings.ts']);
    const heavy = [...reached].filter(([spec]) => /^(ssh2|react|ink)(\/|$)/.test(spec));
    expect(heavy.map(([spec, chain]) => `${spec} via ${chain.join(' -> ')}`)).toEqual([]);
    // The walk does see packages: it would see these too.
    expect(reached.size).toBeGreaterThan(0);
  });

  it('would see ssh2 where the simulator starts (the walk is not blind)', () => {
    expect([...packagesReached(['sim/index.ts']).keys()]).toContain('ssh2');
  });
});
