// The published JSON Schema of the runbook format, for editors
// (`# yaml-language-server: $schema=../docs/runbook.schema.json`). It is generated from the
// TypeBox source in schema.ts by scripts/gen-schema.js; a test fails when the file is stale.
import { Runbook } from './schema.js';

/** Where the published schema lives, relative to the repository root. */
export const RUNBOOK_SCHEMA_PATH = 'docs/runbook.schema.json';

/** The JSON Schema as a plain object (TypeBox's symbol keys dropped). */
export function runbookJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(Runbook)) as Record<string, unknown>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    ...plain,
    description: 'A runbook: sections of steps played against the nodes of an inventory. See docs/runbook-format.md.',
  };
}

/** The file's exact text. */
export const renderRunbookSchema = (): string => `${JSON.stringify(runbookJsonSchema(), null, 2)}\n`;
