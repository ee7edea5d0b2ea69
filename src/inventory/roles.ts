// Roles: what a runbook section targets (`on: master`). DC/OS and Ansible spell the same role
// many ways; every spelling folds into one canonical name so `on:` and the inventory agree.

/** The roles the DC/OS runbooks use. Any other word is a role too. */
export const KNOWN_ROLES = ['bootstrap', 'master', 'agent', 'public_agent'] as const;

/** A DC/OS node is exactly one of these (the bootstrap node may share a machine). */
export const NODE_ROLES: readonly string[] = ['master', 'agent', 'public_agent'];

// A Map, not an object literal: a role named constructor or __proto__ must not find Object.prototype.
const ALIASES = new Map<string, string>();
const alias = (role: string, names: string[]): void => {
  for (const name of [role, ...names]) ALIASES.set(name, role);
};
alias('bootstrap', ['bootstraps', 'dcos_bootstrap', 'dcos_bootstraps']);
alias('master', ['masters', 'dcos_master', 'dcos_masters']);
alias('agent', [
  'agents',
  'slave',
  'slaves',
  'private_agent',
  'private_agents',
  'agent_private',
  'agents_private',
  'dcos_agent',
  'dcos_agents',
  'dcos_private_agents',
  'private_slaves',
]);
alias('public_agent', [
  'public_agents',
  'agent_public',
  'agents_public',
  'slave_public',
  'slaves_public',
  'public_slave',
  'public_slaves',
  'dcos_public_agent',
  'dcos_public_agents',
  'dcos_agents_public',
]);

/** The word `local` means "this machine" in a section's `on:`; it cannot be a node's role. */
export const RESERVED_ROLES: readonly string[] = ['local'];

/** Lower case, spaces and dashes as underscores: `Public Agent`, `public-agent` -> public_agent. */
const fold = (word: string): string =>
  word
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/** The canonical name of a role or group: an alias of a known role, or the folded word itself. */
export function normalizeRole(word: string): string {
  const folded = fold(word);
  return ALIASES.get(folded) ?? folded;
}

/** Every spelling that normalizes to a known role, for the docs. */
export function roleAliases(role: string): string[] {
  return [...ALIASES].filter(([name, canonical]) => canonical === role && name !== role).map(([name]) => name);
}

/** Why a word cannot be a role, or undefined when it can. */
export function roleProblem(word: string): string | undefined {
  const role = normalizeRole(word);
  if (role === '') return 'a role cannot be empty';
  if (!/^[\p{L}\p{N}_.]+$/u.test(role)) return 'a role is a word: letters, digits, "_", "-", "." or spaces';
  if (RESERVED_ROLES.includes(role)) return `"${role}" is reserved: a section with \`on: ${role}\` runs on this machine`;
  return undefined;
}
