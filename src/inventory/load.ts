// loadInventory: one entry point for every inventory an operator may already have. The kind
// is read from the content (our YAML, Ansible YAML, Ansible INI), then ~/.ssh/config fills in
// aliases, then every problem is reported at once with its place.
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseYaml, readTextFile, type YamlDocument } from '../input/load-yaml.js';
import { InputError, hasErrors, type Problem } from '../input/problem.js';
import { ansibleToDrafts } from './ansible.js';
import { parseAnsibleIni } from './ansible-ini.js';
import { parseAnsibleYaml } from './ansible-yaml.js';
import { problemAt, type Drafts } from './draft.js';
import { splitWords } from './ssh-args.js';
import { resolveNodes } from './resolve.js';
import { normalizeRole } from './roles.js';
import { FILE_KEYS } from './schema.js';
import { SshConfig, expandTilde } from './ssh-config.js';
import { readOurInventory } from './yaml-inventory.js';
import type { Inventory, InventoryNode } from './types.js';

export interface LoadInventoryOptions {
  /** ~/.ssh/config to resolve Host aliases with; default $HOME/.ssh/config if it exists; null to skip. */
  sshConfig?: string | null;
  /** Defaults for nodes that say nothing (from user settings). */
  defaults?: { user?: string; identityFile?: string; port?: number };
  /** Receives each warning (an identity file that does not exist, a Match block skipped, ...). */
  onWarning?: (problem: Problem) => void;
  /** The home directory for ~ and ~/.ssh (default: the user's). Tests point it at a temp dir. */
  home?: string;
  /** Relative paths in the ssh config and settings are relative to this (default: process.cwd()). */
  cwd?: string;
}

export type InventoryKind = 'yaml' | 'ansible-yaml' | 'ansible-ini';

const MAX_PROBLEMS = 200;

/** What kind of inventory a text is, from its content; with the parsed YAML when it is YAML. */
export function detectInventoryKind(
  text: string,
  file: string,
): { kind: 'ansible-ini' } | { kind: 'yaml' | 'ansible-yaml'; doc: YamlDocument } {
  const lines = text.split(/\r\n|\n|\r/).map((l) => l.trim());
  const significant = lines.filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith(';'));
  const first = significant[0] ?? '';
  if (first === '') throw new InputError([problemAt({ file }, 'the inventory is empty: it holds only blank lines or comments')]);
  // [group] on a line of its own is INI; YAML never starts a mapping that way.
  if (/^\[[^\]]+\]\s*([#;].*)?$/.test(first)) return { kind: 'ansible-ini' };
  // A line starting with ";" is an INI comment; key=value words after a name are INI host lines.
  if (lines.some((l) => l.startsWith(';')) || isIniHostLine(first)) return { kind: 'ansible-ini' };
  const looksYaml = significant.some((l) => /^[^\s#][^#]*:(\s|$)/.test(l) || l.startsWith('- ') || l === '---');
  let doc: YamlDocument;
  try {
    doc = parseYaml(text, file, {}, 'ansible');
  } catch (error) {
    if (error instanceof InputError && !looksYaml) return { kind: 'ansible-ini' };
    throw error;
  }
  const v = doc.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    if (!Array.isArray(v) && !looksYaml) return { kind: 'ansible-ini' };
    const place = doc.locate([]);
    throw new InputError([
      {
        file,
        ...place,
        message:
          'this is not an inventory: expected our YAML inventory (name, defaults, nodes), an Ansible YAML inventory (all: {children: ...}) or an Ansible INI inventory ([group] sections)',
        severity: 'error',
      },
    ]);
  }
  // Our format has nodes (or at least one of its own keys); Ansible's top level is groups.
  const keys = Object.keys(v);
  return { kind: keys.some((k) => FILE_KEYS.includes(k) && k !== '$schema') ? 'yaml' : 'ansible-yaml', doc };
}

/** `host key=value ...`: a host line of an INI inventory (a YAML key would end with ":"). */
function isIniHostLine(line: string): boolean {
  const { words, error } = splitWords(line, true);
  if (error || words.length < 2 || words[0]!.text.endsWith(':')) return false;
  return words.slice(1).every((w) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(w.text));
}

function draftsOf(text: string, file: string): Drafts & { kind: InventoryKind } {
  const detected = detectInventoryKind(text, file);
  if (detected.kind === 'ansible-ini') return { kind: 'ansible-ini', ...ansibleToDrafts(parseAnsibleIni(text, file)) };
  if (detected.kind === 'ansible-yaml') return { kind: 'ansible-yaml', ...ansibleToDrafts(parseAnsibleYaml(detected.doc)) };
  return { kind: 'yaml', ...readOurInventory(detected.doc) };
}

/** Problems in reading order per file (the inventory first), capped so a wrong file stays readable. */
function tidy(problems: Problem[], file: string): Problem[] {
  const files = [file, ...new Set(problems.map((p) => p.file))].filter((f, i, a) => a.indexOf(f) === i);
  const sorted = [...problems].sort(
    (a, b) => files.indexOf(a.file) - files.indexOf(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
  if (sorted.length <= MAX_PROBLEMS) return sorted;
  return [...sorted.slice(0, MAX_PROBLEMS), problemAt({ file }, `and ${sorted.length - MAX_PROBLEMS} more problems not shown`)];
}

/**
 * Loads an inventory and reports every problem: the inventory (when usable: no errors) and the
 * problems, warnings included. `validate` uses this; loadInventory throws instead.
 */
export async function inspectInventory(
  file: string,
  options: LoadInventoryOptions = {},
): Promise<{ inventory?: Inventory; kind?: InventoryKind; problems: Problem[] }> {
  const home = options.home ?? os.homedir();
  const cwd = options.cwd ?? process.cwd();
  let text: string;
  let drafts: Drafts & { kind: InventoryKind };
  try {
    text = await readTextFile(file, 'an inventory');
    drafts = draftsOf(text, file);
  } catch (error) {
    if (error instanceof InputError) return { problems: tidy(error.problems, file) };
    throw error;
  }
  const problems = [...drafts.problems];
  if (drafts.kind !== 'yaml' && drafts.nodes.length === 0 && !hasErrors(problems)) {
    problems.push(problemAt({ file }, 'the inventory names no hosts'));
  }

  let sshConfig: SshConfig | undefined;
  const sshFile = options.sshConfig === undefined ? path.join(home, '.ssh', 'config') : options.sshConfig;
  if (sshFile !== null && (options.sshConfig !== undefined || existsSync(sshFile))) {
    try {
      sshConfig = await SshConfig.load(sshFile, { home });
      problems.push(...sshConfig.problems);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }

  const resolved = await resolveNodes(drafts.nodes, {
    ...(sshConfig ? { sshConfig } : {}),
    ...(options.defaults ? { defaults: options.defaults } : {}),
    home,
    cwd,
    localUser: localUser(),
  });
  problems.push(...resolved.problems);
  // known_hosts files, relative to the inventory; one that is missing holds no keys (every host
  // of it would be refused as unknown), which is worth a warning, not a failure.
  const knownHostsFiles = (drafts.knownHosts ?? []).map((k) => {
    const absolute = path.resolve(path.dirname(k.at.file), expandTilde(k.value, home));
    if (!existsSync(absolute))
      problems.push(
        problemAt(
          k.at,
          `the known_hosts file ${absolute} does not exist; host keys are then looked up in ~/.ssh/known_hosts only`,
          'warning',
        ),
      );
    return absolute;
  });
  const all = tidy(problems, file);
  if (hasErrors(all)) return { kind: drafts.kind, problems: all };
  const inventory: Inventory = {
    source: file,
    ...(drafts.name !== undefined ? { name: drafts.name } : {}),
    nodes: resolved.nodes,
    simulated: false,
    ...(knownHostsFiles.length ? { knownHostsFiles } : {}),
  };
  return { inventory, kind: drafts.kind, problems: all };
}

function localUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

/** Detects the kind (our YAML, Ansible YAML, Ansible INI) from the content, loads, validates. Throws InputError listing every problem (file:line:col). */
export async function loadInventory(file: string, options: LoadInventoryOptions = {}): Promise<Inventory> {
  const { inventory, problems } = await inspectInventory(file, options);
  if (!inventory) throw new InputError(problems);
  for (const p of problems) options.onWarning?.(p);
  return inventory;
}

/** The nodes with a role, in inventory order; the role may be written in any accepted spelling. */
export function nodesWithRole(inventory: Inventory, role: string): InventoryNode[] {
  const wanted = normalizeRole(role);
  return inventory.nodes.filter((n) => n.roles.some((r) => normalizeRole(r) === wanted));
}
