// The published documents of the inventory format must match the code: docs/inventory.schema.json
// (what editors validate inventories with) and the role spellings in docs/inventory.md.
// To regenerate it after changing schema.ts:
//   UPDATE_SCHEMA=1 npx vitest run test/inventory/schema-file.test.ts
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { expect, test } from 'vitest';
import {
  INVENTORY_SCHEMA_PATH,
  inventoryJsonSchema,
  renderInventorySchema,
  writeInventorySchema,
} from '../../src/inventory/schema-file.js';
import { KNOWN_ROLES, roleAliases } from '../../src/inventory/roles.js';
import { InventoryFile, NODE_KEYS } from '../../src/inventory/schema.js';
import { parseYaml } from '../../src/input/load-yaml.js';

const file = fileURLToPath(new URL(`../../${INVENTORY_SCHEMA_PATH}`, import.meta.url));

test('docs/inventory.schema.json is generated from schema.ts and up to date', async () => {
  if (process.env.UPDATE_SCHEMA) await writeInventorySchema(file);
  const onDisk = await readFile(file, 'utf8').catch(() => '(missing)');
  expect(onDisk, 'docs/inventory.schema.json is stale: run UPDATE_SCHEMA=1 npx vitest run test/inventory/schema-file.test.ts').toBe(
    renderInventorySchema(),
  );
});

test("the published schema is plain JSON Schema with the format's keys", () => {
  const schema = inventoryJsonSchema() as {
    $schema: string;
    $id: string;
    required: string[];
    properties: Record<string, { items?: { properties: object } }>;
  };
  expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
  expect(schema.$id).toBe('https://runbook.dev/schema/inventory.schema.json');
  expect(schema.required).toEqual(['nodes']);
  expect(Object.keys(schema.properties.nodes!.items!.properties)).toEqual(NODE_KEYS);
});

test('the documented example satisfies the schema; a typo does not', () => {
  const example = parseYaml(
    `name: prod-east
defaults: { user: centos, identity_file: ~/.ssh/dcos, port: 22, jump: bastion.example.com }
nodes:
  - { name: bootstrap, address: 10.0.0.10, roles: [bootstrap] }
  - { name: agent-1, address: agent-1.internal, ip: 10.0.1.5, roles: [agent], user: core, port: 2222, identity_file: ~/.ssh/other, jump: admin@bastion:2200, vars: { zone: a } }
`,
    'example.yaml',
  ).value;
  expect(Value.Check(InventoryFile, example)).toBe(true);
  expect(Value.Check(InventoryFile, { nodes: [{ name: 'a', adress: '10.0.0.1' }] })).toBe(false);
  expect(Value.Check(InventoryFile, { nodes: [{ name: 'a\u001b[2J' }] })).toBe(false);
});

test('docs/inventory.md lists every spelling of the DC/OS roles that the loader accepts', async () => {
  const docs = await readFile(fileURLToPath(new URL('../../docs/inventory.md', import.meta.url)), 'utf8');
  for (const role of KNOWN_ROLES) {
    const row = docs.split('\n').find((line) => line.startsWith(`| \`${role}\` |`));
    expect(row, `a row for ${role}`).toBeDefined();
    const written = row!
      .split('|')[2]!
      .split(',')
      .map((s) => s.trim());
    expect(written.sort()).toEqual(roleAliases(role).sort());
  }
});
