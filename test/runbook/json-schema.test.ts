// docs/runbook.schema.json is what editors check runbooks with; it must be what schema.ts says.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_SCHEMA_PATH, renderRunbookSchema, runbookJsonSchema } from '../../src/runbook/json-schema.js';
import { parseYaml } from '../../src/input/load-yaml.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('docs/runbook.schema.json', () => {
  it('is generated from schema.ts and up to date', async () => {
    const onDisk = await readFile(`${root}${RUNBOOK_SCHEMA_PATH}`, 'utf8').catch(() => '(missing)');
    expect(onDisk, `${RUNBOOK_SCHEMA_PATH} is stale: run npm run schema (node scripts/gen-schema.js)`).toBe(renderRunbookSchema());
  });

  it('scripts/gen-schema.js --check agrees (it bundles the TypeScript source with esbuild)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/gen-schema.js', '--check'], { cwd: root, timeout: 20_000 });
    expect(stdout).toBe(`${RUNBOOK_SCHEMA_PATH} is up to date\n`);
  });

  it('is plain draft-07 JSON Schema that a validator compiles, and flags what editors should flag', () => {
    // ajv comes with conf; editors use a validator of the same kind.
    const ajv = new Ajv({ strict: true, allErrors: true });
    const validate = ajv.compile(runbookJsonSchema());
    const ok = parseYaml(
      [
        'id: x',
        'title: X',
        "params: { v: { pattern: '^1\\.11\\.\\d+$' } }",
        'sections:',
        '  - id: s',
        '    title: S',
        '    on: [master]',
        '    strategy: { batch: 2 }',
        '    steps:',
        "      - { id: a, run: echo, capture: { url: '(\\S+)' }, until: [ { exit: 0 }, { regex: ok } ], every: 1m30s, timeout: 15m }",
        '      - { id: b, run: rm x, destructive: true, confirm: { typed: "{{node.name}}" }, deadline: { after: 5m, text: expires } }',
        '',
      ].join('\n'),
      'ok.yaml',
    ).value;
    expect(validate(ok), JSON.stringify(validate.errors)).toBe(true);

    const bad = (patch: (rb: any) => void): boolean => {
      const rb = structuredClone(ok) as any;
      patch(rb);
      return validate(rb);
    };
    expect(bad((rb) => (rb.sections[0].steps[1].destrutive = true))).toBe(false);
    expect(bad((rb) => (rb.sections[0].strategy = 'seriel'))).toBe(false);
    expect(bad((rb) => (rb.sections[0].steps[0].every = '10 sec'))).toBe(false);
    expect(bad((rb) => (rb.params['bad-name'] = {}))).toBe(false);
    expect(bad((rb) => (rb.sections[0].steps[0].capture['1st'] = '(x)'))).toBe(false);
    expect(bad((rb) => (rb.sections[0].id = 'Bad Id'))).toBe(false);
  });
});
