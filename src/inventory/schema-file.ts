// Writes docs/inventory.schema.json from the TypeBox source. The JSON Schema is published for
// editors (`# yaml-language-server: $schema=...`), so it is a file in the repository that a
// test keeps in step with schema.ts.
import { writeFile } from 'node:fs/promises';
import { InventoryFile } from './schema.js';

/** Where the published schema lives, relative to the repository root. */
export const INVENTORY_SCHEMA_PATH = 'docs/inventory.schema.json';

/** The JSON Schema as a plain object (TypeBox's symbol keys dropped). */
export function inventoryJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(InventoryFile)) as Record<string, unknown>;
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...plain };
}

/** The file's exact text. */
export const renderInventorySchema = (): string => `${JSON.stringify(inventoryJsonSchema(), null, 2)}\n`;

/** Writes the schema to `file` (the repository's docs/inventory.schema.json by default). */
export async function writeInventorySchema(file: string = INVENTORY_SCHEMA_PATH): Promise<void> {
  await writeFile(file, renderInventorySchema());
}
