// Our YAML inventory (schema.ts): name, defaults, nodes. Reads a parsed document into drafts,
// reporting every problem with its place; cross-node checks come later (resolve.ts).
import { describeValue, formatPath, type YamlDocument, type YamlPath } from '../input/load-yaml.js';
import { closest } from '../input/did-you-mean.js';
import type { Problem } from '../input/problem.js';
import { looksSecret, parsePort, problemAt, SECRET_VAR_MESSAGE, type Drafts, type Located, type NodeDraft, type Where } from './draft.js';
import { normalizeRole, roleProblem } from './roles.js';
import { DEFAULTS_KEYS, FILE_KEYS, NODE_KEYS } from './schema.js';
import { hasUnsafeChars, showText, varControlProblem } from './text.js';

const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** An unknown key, with the closest known one when there is one. */
export function unknownKeyMessage(key: string, known: readonly string[], where: string): string {
  // Long keys are not typos of ours; skipping them keeps hostile input cheap.
  const guess = key.length <= 64 ? closest(key, known) : undefined;
  return guess
    ? `unknown key ${showText(key)} ${where}; did you mean "${guess}"?`
    : `unknown key ${showText(key)} ${where} (expected one of: ${known.join(', ')})`;
}

export function readOurInventory(doc: YamlDocument): Drafts {
  const problems: Problem[] = [];
  const where = (path: YamlPath, key = false): Where => {
    const place = key ? doc.locateKey(path) : doc.locate(path);
    return { file: doc.file, line: place.line, column: place.column, ...(path.length > 0 ? { path: formatPath(path) } : {}) };
  };
  const error = (path: YamlPath, message: string, key = false): void => {
    problems.push(problemAt(where(path, key), message));
  };
  const checkKeys = (value: Record<string, unknown>, path: YamlPath, known: readonly string[], what: string): void => {
    for (const key of Object.keys(value)) {
      if (!known.includes(key)) error([...path, key], unknownKeyMessage(key, known, what), true);
    }
  };
  /** A text value: strings, and numbers written without quotes (port-like names, versions). */
  const text = (value: unknown, path: YamlPath, key: string): string | undefined => {
    if (typeof value === 'string') {
      if (value.trim() === '') {
        error(path, `${key} is empty`);
        return undefined;
      }
      return value.trim();
    }
    if (typeof value === 'number') return String(value);
    error(path, `${key} must be text, found ${describeValue(value)}`);
    return undefined;
  };
  const located = <T>(value: T | undefined, path: YamlPath, key: string, inherited = false): Located<T> | undefined =>
    value === undefined ? undefined : { value, at: where(path), key, ...(inherited ? { inherited } : {}) };

  const root = doc.value as Record<string, unknown>;
  checkKeys(root, [], FILE_KEYS, 'at the top of the inventory');

  let name: string | undefined;
  if (root.name !== undefined && root.name !== null) name = text(root.name, ['name'], 'name');
  if (name !== undefined && hasUnsafeChars(name)) {
    error(['name'], `the inventory name ${showText(name)} contains control characters; it is shown in the header and must be plain text`);
    name = undefined;
  }

  const knownHosts: Located<string>[] = [];
  if (root.known_hosts !== undefined && root.known_hosts !== null) {
    const files = Array.isArray(root.known_hosts) ? root.known_hosts : [root.known_hosts];
    const base: YamlPath = Array.isArray(root.known_hosts) ? ['known_hosts'] : [];
    files.forEach((f, i) => {
      const at: YamlPath = Array.isArray(root.known_hosts) ? [...base, i] : ['known_hosts'];
      const v = located(text(f, at, 'known_hosts'), at, 'known_hosts');
      if (v) knownHosts.push(v);
    });
  }

  // Defaults, remembered with their places so a bad default points at the defaults line.
  const defaults: Partial<Record<'user' | 'identity_file' | 'jump', Located<string>>> & { port?: Located<number> } = {};
  if (root.defaults !== undefined && root.defaults !== null) {
    if (!isMapping(root.defaults))
      error(['defaults'], `defaults must be a mapping (user, identity_file, port, jump), found ${describeValue(root.defaults)}`);
    else {
      const d = root.defaults;
      checkKeys(d, ['defaults'], DEFAULTS_KEYS, 'in defaults');
      for (const key of ['user', 'identity_file', 'jump'] as const) {
        if (d[key] === undefined) continue;
        const v = located(text(d[key], ['defaults', key], `defaults.${key}`), ['defaults', key], key, true);
        if (v) defaults[key] = v;
      }
      if (d.port !== undefined) {
        const port = parsePort(d.port, 'defaults.port');
        if (typeof port === 'number') defaults.port = { value: port, at: where(['defaults', 'port']), key: 'port', inherited: true };
        else error(['defaults', 'port'], port.problem);
      }
    }
  }

  const nodes: NodeDraft[] = [];
  if (root.nodes === undefined || root.nodes === null) {
    error([], 'the inventory lists no nodes: add a `nodes:` list (each with a name, an address and roles)');
  } else if (!Array.isArray(root.nodes)) {
    error(['nodes'], `nodes must be a list of nodes, found ${describeValue(root.nodes)}`);
  } else if (root.nodes.length === 0) {
    error(['nodes'], 'nodes is empty: list at least one node');
  } else {
    root.nodes.forEach((entry: unknown, index) => {
      const path = ['nodes', index];
      if (!isMapping(entry)) {
        error(path, `each node must be a mapping (name, address, roles, ...), found ${describeValue(entry)}`);
        return;
      }
      checkKeys(entry, path, NODE_KEYS, 'in a node');
      const nodeName = entry.name === undefined || entry.name === null ? undefined : text(entry.name, [...path, 'name'], 'name');
      if (entry.name === undefined || entry.name === null) error(path, 'a node needs a name');
      const field = (key: string): Located<string> | undefined =>
        entry[key] === undefined || entry[key] === null ? undefined : located(text(entry[key], [...path, key], key), [...path, key], key);

      const draft: NodeDraft = {
        name: nodeName ?? `nodes[${index}]`,
        at: where(entry.name === undefined ? path : [...path, 'name']),
        roles: [],
        rolesAt: where(entry.roles === undefined ? path : [...path, 'roles']),
        vars: {},
      };
      const address = field('address');
      if (address) draft.address = address;
      const ip = field('ip');
      if (ip) draft.ip = ip;
      const user = field('user') ?? defaults.user;
      if (user) draft.user = user;
      const identityFile = field('identity_file') ?? defaults.identity_file;
      if (identityFile) draft.identityFile = identityFile;
      const jump = field('jump') ?? defaults.jump;
      if (jump) draft.jump = jump;
      const hostKeyAlias = field('host_key_alias');
      if (hostKeyAlias) draft.hostKeyAlias = hostKeyAlias;
      if (entry.port !== undefined && entry.port !== null) {
        const port = parsePort(entry.port, 'port');
        if (typeof port === 'number') draft.port = { value: port, at: where([...path, 'port']), key: 'port' };
        else error([...path, 'port'], port.problem);
      } else if (defaults.port) draft.port = defaults.port;

      if (entry.roles !== undefined && entry.roles !== null) {
        if (!Array.isArray(entry.roles)) {
          error([...path, 'roles'], `roles must be a list, e.g. roles: [${typeof entry.roles === 'string' ? entry.roles : 'master'}]`);
        } else {
          entry.roles.forEach((role: unknown, j) => {
            if (typeof role !== 'string') {
              error([...path, 'roles', j], `a role must be a word, found ${describeValue(role)}`);
              return;
            }
            const wrong = roleProblem(role);
            if (wrong) error([...path, 'roles', j], `role ${showText(role)}: ${wrong}`);
            else if (!draft.roles.includes(normalizeRole(role))) draft.roles.push(normalizeRole(role));
          });
        }
      }

      if (entry.vars !== undefined && entry.vars !== null) {
        if (!isMapping(entry.vars))
          error([...path, 'vars'], `vars must be a mapping of names to values, found ${describeValue(entry.vars)}`);
        else {
          for (const [key, value] of Object.entries(entry.vars)) {
            if (looksSecret(key))
              problems.push(problemAt(where([...path, 'vars', key], true), SECRET_VAR_MESSAGE(showText(key)), 'warning'));
            else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
              const control = varControlProblem(key, String(value));
              if (control) error([...path, 'vars', key], control);
              else draft.vars[key] = String(value);
            } else {
              const shown = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `vars.${key}` : `the variable ${showText(key)}`;
              error([...path, 'vars', key], `${shown} must be a string, a number or a boolean, found ${describeValue(value)}`);
            }
          }
        }
      }
      nodes.push(draft);
    });
  }
  return { ...(name !== undefined ? { name } : {}), ...(knownHosts.length ? { knownHosts } : {}), nodes, problems };
}
