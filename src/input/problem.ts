// Errors in input (a runbook, an inventory, arguments) are data with a place, not exceptions:
// validation returns a list of these; the CLI prints them and exits 2.
import { escapeControls } from './controls.js';

/** One thing wrong with an input, and where. */
export interface Problem {
  file: string;
  /** 1-based, when known. */
  line?: number;
  /** 1-based, when known. */
  column?: number;
  /** Where in the document, e.g. sections[2].steps[4].until */
  path?: string;
  message: string;
  severity: 'error' | 'warning';
}

/** Thrown when input cannot be used; carries every problem found. Exit status 2. */
export class InputError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
  }
}

export function formatProblem(p: Problem): string {
  const place = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':');
  const at = p.path ? ` (at ${p.path})` : '';
  // A message may quote the input it is about: a control character in it is written out, never sent.
  return escapeControls(`${place}: ${p.severity}: ${p.message}${at}`);
}

export const hasErrors = (problems: readonly Problem[]): boolean => problems.some((p) => p.severity === 'error');
