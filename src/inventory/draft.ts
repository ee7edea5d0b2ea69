// What every loader (our YAML, Ansible INI, Ansible YAML) produces before ~/.ssh/config and the
// cross-node checks: nodes whose values still remember where they were written.
import type { Problem } from '../input/problem.js';
import { describeValue } from '../input/load-yaml.js';
import { showText } from './text.js';

/** Where a value was written. */
export interface Where {
  file: string;
  line?: number;
  column?: number;
  /** A path inside the document, e.g. nodes[2].port */
  path?: string;
}

/** A value and where it came from. */
export interface Located<T> {
  value: T;
  at: Where;
  /** The key as the file spells it (port, ansible_port, Port), for messages. */
  key: string;
  /** Set by an inventory-wide default (defaults:, all:vars) rather than the node itself. */
  inherited?: boolean;
}

/** A node as a loader read it. */
export interface NodeDraft {
  name: string;
  /** Where the node's name is written. */
  at: Where;
  address?: Located<string>;
  ip?: Located<string>;
  /** Canonical roles (see roles.ts), in the order written, without repeats. */
  roles: string[];
  rolesAt: Where;
  user?: Located<string>;
  port?: Located<number>;
  identityFile?: Located<string>;
  jump?: Located<string>;
  hostKeyAlias?: Located<string>;
  vars: Record<string, string>;
}

/** The result of a loader. */
export interface Drafts {
  name?: string;
  /** known_hosts files as written, with where. */
  knownHosts?: Located<string>[];
  nodes: NodeDraft[];
  problems: Problem[];
}

export const problemAt = (at: Where, message: string, severity: Problem['severity'] = 'error'): Problem => ({
  file: at.file,
  ...(at.line !== undefined ? { line: at.line } : {}),
  ...(at.column !== undefined ? { column: at.column } : {}),
  ...(at.path ? { path: at.path } : {}),
  message,
  severity,
});

/** A port as written (a number, or digits in a string), or a message saying what is wrong. */
export function parsePort(value: unknown, key: string): number | { problem: string } {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,6}\s*$/.test(value) ? Number(value) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 65535) return n;
  const shown = typeof value === 'string' ? showText(value) : typeof value === 'number' ? String(value) : describeValue(value);
  return { problem: `${key} must be a whole number from 1 to 65535, not ${shown}` };
}

/** Variable names that hold secrets; an inventory's values end up on screen and in exports. */
const SECRET_NAME = /(^|_)(pass|passwd|password|passphrase|secret|token|api_?key|private_key)(_|$)/i;
export const looksSecret = (name: string): boolean => SECRET_NAME.test(name);
export const SECRET_VAR_MESSAGE = (name: string): string =>
  `the variable ${name} looks like a secret and is not kept: inventory values are shown and exported; give secrets to a runbook as parameters with secret: true`;
