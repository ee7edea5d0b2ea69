// Runs the benchmarks: each bench/*.ts exports `run(): Promise<Record<string, number|string>>`.
// `npm run bench` runs all; `npm run bench -- engine fanout` runs those whose name matches.
// Each is bundled with esbuild first, because benchmarks measure the code as it ships.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import os from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const names = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => f.slice(0, -3))
  .filter((n) => filters.length === 0 || filters.some((f) => n.includes(f)));

console.log(
  `machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
);
/** Nested results as dotted keys, arrays by index, so every number gets a line. */
function flatten(value, prefix = '') {
  if (value === null || typeof value !== 'object') return [[prefix, value]];
  return Object.entries(value).flatMap(([k, v]) => flatten(v, prefix ? `${prefix}.${k}` : k));
}

let failed = 0;
for (const name of names) {
  const outfile = path.join(here, '..', 'dist', 'bench', `${name}.js`);
  await build({
    entryPoints: [path.join(here, `${name}.ts`)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  const started = Date.now();
  try {
    const { run } = await import(pathToFileURL(outfile).href);
    const results = await run();
    console.log(`\n${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    for (const [key, value] of flatten(results)) console.log(`  ${key.padEnd(56)} ${value}`);
  } catch (error) {
    failed += 1;
    console.error(`\n${name}: failed: ${error instanceof Error ? error.message : error}`);
  }
}
process.exit(failed ? 1 : 0);
