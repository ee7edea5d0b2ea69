// docs/runbook-format.md must tell the truth: every whole runbook in it validates (with no
// warnings) and satisfies the published JSON Schema, every fragment is YAML, every built-in
// check is documented with its arguments, and the example of validate's output is what
// validate prints.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { builtins } from '../../src/runbook/builtins.js';
import { runbookJsonSchema } from '../../src/runbook/json-schema.js';
import { parseYaml } from '../../src/input/load-yaml.js';
import { formatProblem } from '../../src/input/problem.js';
import { validateRunbook } from '../../src/runbook/validate.js';

const docFile = fileURLToPath(new URL('../../docs/runbook-format.md', import.meta.url));
const markdown = await readFile(docFile, 'utf8');

interface Block {
  info: string;
  body: string;
  /** 1-based line of the block's first line of content. */
  line: number;
}

function codeBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end] !== '```') end++;
    blocks.push({ info: open[1]!.trim(), body: `${lines.slice(start, end).join('\n')}\n`, line: start + 1 });
    i = end;
  }
  return blocks;
}

const blocks = codeBlocks(markdown);
// ```yaml: a whole runbook; ```yaml fragment: a piece; ```yaml invalid: shown with its errors.
const whole = blocks.filter((b) => b.info === 'yaml');
const fragments = blocks.filter((b) => b.info === 'yaml fragment');
const invalid = blocks.filter((b) => b.info === 'yaml invalid');

describe('docs/runbook-format.md', () => {
  it('marks every YAML block as a whole runbook, a fragment or an invalid example', () => {
    expect(blocks.filter((b) => b.info.startsWith('yaml') && !['yaml', 'yaml fragment', 'yaml invalid'].includes(b.info))).toEqual([]);
    expect(whole.length).toBeGreaterThanOrEqual(12);
  });

  it.each(whole.map((b) => [`line ${b.line}`, b] as const))('the runbook at %s validates without problems', (_where, block) => {
    const doc = parseYaml(block.body, `runbook-format.md:${block.line}`);
    const problems = validateRunbook(doc).map(formatProblem);
    expect(problems).toEqual([]);
  });

  it('every whole runbook satisfies the published JSON Schema', () => {
    const validate = new Ajv({ strict: true, allErrors: true }).compile(runbookJsonSchema());
    for (const block of whole) {
      const value = parseYaml(block.body, 'doc.yaml').value;
      // Merge keys are resolved by the YAML reader before any schema sees the value.
      expect(validate(value), `block at line ${block.line}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('every fragment is YAML', () => {
    for (const block of fragments) {
      // A comment alone (the schema line) is not a document.
      if (/^(\s*#.*\n)*$/.test(block.body)) continue;
      expect(() => parseYaml(block.body, `runbook-format.md:${block.line}`)).not.toThrow();
    }
  });

  it('shows exactly what validate prints for the invalid example', () => {
    expect(invalid).toHaveLength(1);
    const block = invalid[0]!;
    const after = blocks[blocks.indexOf(block) + 1]!;
    expect(after.info).toBe('text');
    const printed = validateRunbook(parseYaml(block.body, 'example.yaml')).map(formatProblem);
    expect(printed.join('\n') + '\n').toBe(after.body);
  });

  it('documents every built-in check and each of its arguments', () => {
    for (const def of builtins.values()) {
      const row = markdown.split('\n').find((l) => l.startsWith(`| \`${def.name}\` |`));
      expect(row, `a row for ${def.name}`).toBeDefined();
      for (const arg of Object.keys(def.args)) expect(row, `${def.name} argument ${arg}`).toContain(`\`${arg}\``);
    }
  });

  it('documents every key of the format', async () => {
    const { Step, Section, Param, Role, Runbook, TroubleshootCommand, HealthProbe } = await import('../../src/runbook/schema.js');
    for (const schema of [Step, Section, Param, Role, Runbook, TroubleshootCommand, HealthProbe]) {
      for (const key of Object.keys(schema.properties)) expect(markdown, `the key ${key}`).toContain(`\`${key}\``);
    }
  });
});
