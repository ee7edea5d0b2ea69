// Every shipped runbook loads through the real loader with no error and no warning.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { InputError, formatProblem } from '../../src/input/problem.js';
import { loadRunbook } from '../../src/runbook/load.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../runbooks');

function shipped(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return shipped(file);
    return /\.ya?ml$/.test(e.name) ? [file] : [];
  });
}

const files = shipped(root).map((f) => path.relative(root, f)).sort();

it('ships the DC/OS runbook in two languages and the examples', () => {
  expect(files).toEqual(
    expect.arrayContaining(['dcos-1.11-patch.yaml', 'dcos-1.11-patch.zh-CN.yaml', 'examples/hello.yaml', 'examples/rolling-restart.yaml']),
  );
});

it.each(files)('%s loads with no problem', async (file) => {
  const problems = await loadRunbook(path.join(root, file)).then(
    (r) => r.warnings.map(formatProblem),
    (e: unknown) => (e instanceof InputError ? e.problems.map(formatProblem) : [String(e)]),
  );
  expect(problems).toEqual([]);
});

it.each(files)('%s starts with the schema line editors read', async (file) => {
  const { readFile } = await import('node:fs/promises');
  const first = (await readFile(path.join(root, file), 'utf8')).split('\n')[0];
  const depth = file.split('/').length - 1;
  expect(first).toBe(`# yaml-language-server: $schema=${'../'.repeat(depth + 1)}docs/runbook.schema.json`);
});
