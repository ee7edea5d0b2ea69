// Loading a runbook file: read, parse with places, validate; one InputError with every problem.
import { createHash } from 'node:crypto';
import { parseYaml, readYamlFile, type YamlDocument } from '../input/load-yaml.js';
import { InputError, hasErrors, type Problem } from '../input/problem.js';
import type { Runbook } from './schema.js';
import { validateRunbook, type ValidateOptions } from './validate.js';

export interface LoadedRunbook {
  file: string;
  runbook: Runbook;
  /** sha256 (hex) of the file's text: the journal records it, --resume compares it. */
  digest: string;
  doc: YamlDocument;
  /** Problems that do not stop it from playing. */
  warnings: Problem[];
}

/** Read and validate a runbook; throws InputError carrying every problem (warnings too) if any is an error. */
export async function loadRunbook(file: string, options: ValidateOptions = {}): Promise<LoadedRunbook> {
  return fromDocument(await readYamlFile(file, {}, 'a runbook'), options);
}

/** The same for text already in memory (a bundled runbook, a test). */
export function loadRunbookText(text: string, file: string, options: ValidateOptions = {}): LoadedRunbook {
  return fromDocument(parseYaml(text, file), options);
}

function fromDocument(doc: YamlDocument, options: ValidateOptions): LoadedRunbook {
  const problems = validateRunbook(doc, options);
  if (hasErrors(problems)) throw new InputError(problems);
  return {
    file: doc.file,
    runbook: doc.value as Runbook,
    digest: createHash('sha256').update(doc.text).digest('hex'),
    doc,
    warnings: problems,
  };
}
