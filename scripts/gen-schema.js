// Writes docs/runbook.schema.json from the TypeBox source (src/runbook/schema.ts).
//   node scripts/gen-schema.js           write the file
//   node scripts/gen-schema.js --check   exit 1 if the file is stale
// The source is TypeScript: esbuild bundles it in memory and the bundle is imported from a
// data: URL, so nothing is written but the schema.
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const result = await build({
  entryPoints: [`${root}src/runbook/json-schema.ts`],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
const code = result.outputFiles[0].text;
const { RUNBOOK_SCHEMA_PATH, renderRunbookSchema } = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
const file = `${root}${RUNBOOK_SCHEMA_PATH}`;
const text = renderRunbookSchema();

if (process.argv.includes('--check')) {
  const onDisk = await readFile(file, 'utf8').catch(() => '');
  if (onDisk !== text) {
    process.stderr.write(`${RUNBOOK_SCHEMA_PATH} is stale: run npm run schema\n`);
    process.exit(1);
  }
  process.stdout.write(`${RUNBOOK_SCHEMA_PATH} is up to date\n`);
} else {
  await writeFile(file, text);
  process.stdout.write(`wrote ${RUNBOOK_SCHEMA_PATH}\n`);
}
