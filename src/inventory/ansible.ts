// Ansible inventories as they stand: the INI and YAML readers build this model (groups, hosts,
// vars with places); here it becomes nodes. Groups become roles (masters -> master, ...; other
// names stay roles as they are); connection variables become the node's SSH settings; the
// rest become {{node.vars.*}}, with Ansible's precedence (all, parents, children, host).
import type { Problem } from '../input/problem.js';
import { VaultValue } from '../input/load-yaml.js';
import { looksSecret, problemAt, parsePort, SECRET_VAR_MESSAGE, type Drafts, type Located, type NodeDraft, type Where } from './draft.js';
import { MAX_HOSTS } from './host-pattern.js';
import { NODE_ROLES, normalizeRole, roleProblem } from './roles.js';
import { parseSshArgs } from './ssh-args.js';
import { showText, varControlProblem } from './text.js';

export interface AnsibleVar {
  value: unknown;
  at: Where;
}

export interface AnsibleHost {
  name: string;
  at: Where;
  vars: Map<string, AnsibleVar>;
}

export interface AnsibleGroup {
  name: string;
  at: Where;
  hosts: string[];
  /** The same hosts, for membership tests on large groups. */
  hostSet: Set<string>;
  children: { name: string; at: Where }[];
  vars: Map<string, AnsibleVar>;
}

/** What an Ansible INI or YAML inventory says, before it becomes nodes. */
export class AnsibleModel {
  readonly groups = new Map<string, AnsibleGroup>();
  readonly hosts = new Map<string, AnsibleHost>();
  readonly problems: Problem[] = [];

  constructor(readonly file: string) {
    this.group('all', { file });
  }

  group(name: string, at: Where): AnsibleGroup {
    let g = this.groups.get(name);
    if (!g) {
      g = { name, at, hosts: [], hostSet: new Set(), children: [], vars: new Map() };
      this.groups.set(name, g);
    }
    return g;
  }

  /** Adds a host to a group; false (and a problem) once the inventory holds too many hosts. */
  addHost(group: AnsibleGroup, name: string, at: Where, vars: Map<string, AnsibleVar>): boolean {
    let host = this.hosts.get(name);
    if (!host) {
      if (this.hosts.size >= MAX_HOSTS) {
        this.problems.push(problemAt(at, `the inventory names more than ${MAX_HOSTS} hosts; refusing the rest`));
        return false;
      }
      host = { name, at, vars: new Map() };
      this.hosts.set(name, host);
    }
    for (const [k, v] of vars) host.vars.set(k, v);
    if (!group.hostSet.has(name)) {
      group.hostSet.add(name);
      group.hosts.push(name);
    }
    return true;
  }

  addChild(parent: AnsibleGroup, child: string, at: Where): void {
    this.group(child, at);
    if (!parent.children.some((c) => c.name === child)) parent.children.push({ name: child, at });
  }
}

// When both spellings are set, Ansible's ssh plugin takes the ansible_ssh_* one (the last of
// its option's vars list), whichever level each was set at.
const HOST_KEYS = ['ansible_ssh_host', 'ansible_host'];
const PORT_KEYS = ['ansible_ssh_port', 'ansible_port'];
const USER_KEYS = ['ansible_ssh_user', 'ansible_user'];
const KEY_FILE_KEYS = ['ansible_ssh_private_key_file', 'ansible_private_key_file'];
const ARGS_KEYS = ['ansible_ssh_common_args', 'ansible_ssh_extra_args'];
const PASSWORD_KEYS = [
  'ansible_password',
  'ansible_ssh_pass',
  'ansible_ssh_password',
  'ansible_become_pass',
  'ansible_become_password',
  'ansible_sudo_pass',
];
const SSH_CONNECTIONS = ['ssh', 'smart', 'paramiko', 'paramiko_ssh', 'ansible.builtin.ssh', 'ansible.builtin.paramiko_ssh'];
/** Groups every host is in; they are not roles. */
const IMPLICIT = ['all', 'ungrouped'];
/**
 * Every host inherits from every group above it, so a file of a few megabytes can nest groups
 * into billions of host, group and variable combinations. Real inventories stay far below this.
 */
export const MAX_INHERITED = 1_000_000;
/** Cycles reported in full; more are dropped quietly (their edges still are). */
const MAX_CYCLES_REPORTED = 20;

const asText = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : value === null || value === undefined
        ? ''
        : JSON.stringify(value);

/** Turns the model into node drafts, reporting group cycles, role conflicts and bad values. */
export function ansibleToDrafts(model: AnsibleModel): Drafts {
  const problems = [...model.problems];
  const { groups, hosts } = model;

  // Parents of each group, dropping the edges that close a cycle (each reported once). Groups may
  // nest thousands deep, so every walk here keeps its own stack rather than recursing.
  const parents = new Map<string, string[]>();
  for (const g of groups.values()) parents.set(g.name, []);
  const state = new Map<string, 'visiting' | 'done'>();
  let cycles = 0;
  for (const root of groups.keys()) {
    if (state.has(root)) continue;
    state.set(root, 'visiting');
    const trail = [root];
    const at = new Map([[root, 0]]);
    const next = [0];
    while (trail.length > 0) {
      const name = trail[trail.length - 1]!;
      const children = groups.get(name)?.children ?? [];
      const i = next[next.length - 1]!;
      if (i >= children.length) {
        state.set(name, 'done');
        at.delete(name);
        trail.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = i + 1;
      const child = children[i]!;
      if (state.get(child.name) === 'visiting') {
        if (cycles++ < MAX_CYCLES_REPORTED) {
          const loop = [...trail.slice(at.get(child.name)), child.name];
          problems.push(problemAt(child.at, `groups include each other: ${loop.join(' -> ')}; a group cannot be its own child`));
        }
        continue;
      }
      parents.get(child.name)!.push(name);
      if (!state.has(child.name)) {
        state.set(child.name, 'visiting');
        at.set(child.name, trail.length);
        trail.push(child.name);
        next.push(0);
      }
    }
  }

  // Depth as Ansible sorts groups for variables: all is 0, a group one deeper than its deepest
  // parent. The edges left form no cycle, so this walk ends.
  const depth = new Map<string, number>([['all', 0]]);
  for (const start of groups.keys()) {
    const todo = [start];
    while (todo.length > 0) {
      const name = todo[todo.length - 1]!;
      if (depth.has(name)) {
        todo.pop();
        continue;
      }
      const above = parents.get(name) ?? [];
      const missing = above.filter((p) => p !== name && !depth.has(p));
      if (missing.length > 0) {
        for (const p of missing) todo.push(p); // not push(...): a group may have 100,000 parents
        continue;
      }
      let d = 1;
      for (const p of above) if (p !== name) d = Math.max(d, 1 + depth.get(p)!);
      depth.set(name, d);
      todo.pop();
    }
  }
  const depthOf = (name: string): number => depth.get(name) ?? 1;
  // Every group's place in the order variables apply: by depth, then by name.
  const rank = new Map<string, number>();
  [...groups.keys()].sort((a, b) => depthOf(a) - depthOf(b) || (a < b ? -1 : a > b ? 1 : 0)).forEach((g, i) => rank.set(g, i));

  const directGroups = new Map<string, string[]>();
  for (const g of groups.values()) {
    for (const h of g.hosts) {
      const list = directGroups.get(h) ?? [];
      list.push(g.name);
      directGroups.set(h, list);
    }
  }

  const warned = new Set<string>();
  const warnOnce = (at: Where, message: string): void => {
    const key = `${at.file}:${at.line}:${at.column}:${message}`;
    if (warned.has(key)) return;
    warned.add(key);
    problems.push(problemAt(at, message, 'warning'));
  };
  // What each group means as a role, worked out once: its role, or why it is none.
  const roleOfGroup = new Map<string, { role: string } | { problem: string } | null>();
  const groupRole = (g: string): { role: string } | { problem: string } | null => {
    let known = roleOfGroup.get(g);
    if (known === undefined) {
      const wrong = IMPLICIT.includes(g) ? undefined : roleProblem(g);
      known = IMPLICIT.includes(g) ? null : wrong ? { problem: wrong } : { role: normalizeRole(g) };
      roleOfGroup.set(g, known);
    }
    return known;
  };
  const badGroupRoles = new Set<string>();

  // What a host inherits depends only on the groups that name it: work that out once per set of
  // groups, and refuse before building nodes when it adds up to more than any real inventory.
  interface Ancestry {
    /** Every group above, with its distance (1 = names the host directly). */
    distance: Map<string, number>;
    /** The same groups and all, in the order their variables apply. */
    ordered: string[];
    /** Memberships and variables a host gets from them. */
    cost: number;
  }
  const ancestries = new Map<string, Ancestry>();
  const ancestryOf = (direct: readonly string[]): Ancestry => {
    const key = direct.join('\n');
    const known = ancestries.get(key);
    if (known) return known;
    const distance = new Map<string, number>();
    let cost = 0;
    let frontier = direct;
    for (let d = 1; frontier.length > 0; d++) {
      const next: string[] = [];
      for (const g of frontier) {
        if (distance.has(g)) continue;
        distance.set(g, d);
        for (const p of parents.get(g) ?? []) next.push(p);
      }
      cost += frontier.length;
      frontier = next;
    }
    const ordered = distance.has('all') ? [...distance.keys()] : [...distance.keys(), 'all'];
    for (const g of ordered) cost += groups.get(g)?.vars.size ?? 0;
    ordered.sort((a, b) => rank.get(a)! - rank.get(b)!);
    const ancestry = { distance, ordered, cost };
    ancestries.set(key, ancestry);
    return ancestry;
  };
  let inherited = 0;
  for (const host of hosts.values()) {
    inherited += ancestryOf(directGroups.get(host.name) ?? []).cost;
    if (inherited > MAX_INHERITED) {
      problems.push(
        problemAt(
          { file: model.file },
          `the groups give the hosts more than ${MAX_INHERITED} inherited group memberships and variables in all; refusing the inventory (is it generated?): list only the groups and variables a runbook needs`,
        ),
      );
      return { nodes: [], problems };
    }
  }

  const nodes: NodeDraft[] = [];
  for (const host of hosts.values()) {
    const { distance, ordered } = ancestryOf(directGroups.get(host.name) ?? []);
    // Variables: all, then groups by depth and name, then the host's own.
    const vars = new Map<string, AnsibleVar & { inherited: boolean }>();
    for (const g of ordered) for (const [k, v] of groups.get(g)?.vars ?? []) vars.set(k, { ...v, inherited: true });
    for (const [k, v] of host.vars) vars.set(k, { ...v, inherited: false });

    const draft: NodeDraft = { name: host.name, at: host.at, roles: [], rolesAt: host.at, vars: {} };

    // Roles from groups; of the DC/OS node roles, the nearest group decides.
    const roleDistance = new Map<string, { d: number; group: string }>();
    for (const [g, d] of [...distance].sort((a, b) => a[1] - b[1])) {
      const meaning = groupRole(g);
      if (meaning === null) continue;
      if ('problem' in meaning) {
        if (!badGroupRoles.has(g)) {
          badGroupRoles.add(g);
          problems.push(problemAt(groups.get(g)!.at, `group ${showText(g)} is not used as a role: ${meaning.problem}`, 'warning'));
        }
        continue;
      }
      if (!roleDistance.has(meaning.role)) roleDistance.set(meaning.role, { d, group: g });
    }
    const nodeRoles = [...roleDistance].filter(([r]) => NODE_ROLES.includes(r));
    let nearest = Infinity;
    for (const [, v] of nodeRoles) nearest = Math.min(nearest, v.d);
    const kept = nodeRoles.filter(([, v]) => v.d === nearest);
    if (kept.length > 1) {
      const list = kept.map(([r, v]) => `${v.group} (${r})`).join(' and ');
      problems.push(
        problemAt(host.at, `host ${showText(host.name)} is in groups ${list}; a DC/OS node is only one of master, agent, public_agent`),
      );
    }
    for (const [role, v] of roleDistance) {
      // e.g. [agents:children] agents_public: the nearer public_agent wins. After a conflict
      // (reported above) only the first is kept, so it is reported once.
      if (NODE_ROLES.includes(role) && (v.d !== nearest || role !== kept[0]![0])) continue;
      draft.roles.push(role);
    }

    // Connection variables.
    const take = (keys: string[]): (AnsibleVar & { inherited: boolean; key: string }) | undefined => {
      for (const key of keys) {
        const v = vars.get(key);
        if (v !== undefined && v.value !== null && v.value !== undefined && asText(v.value) !== '') return { ...v, key };
      }
      return undefined;
    };
    const textOf = (v: AnsibleVar & { inherited: boolean; key: string }): Located<string> | undefined => {
      const value = asText(v.value).trim();
      if (/\{\{|\{%/.test(value)) {
        problems.push(
          problemAt(v.at, `${v.key} is a Jinja template (${showText(value)}); runbook does not evaluate templates: write the value itself`),
        );
        return undefined;
      }
      return { value, at: v.at, key: v.key, ...(v.inherited ? { inherited: true } : {}) };
    };
    const address = take(HOST_KEYS);
    // Without ansible_host the host's name is the address (a broken ansible_host was reported).
    draft.address = (address && textOf(address)) || { value: host.name, at: host.at, key: 'host name' };
    const user = take(USER_KEYS);
    if (user) {
      const v = textOf(user);
      if (v) draft.user = v;
    }
    const port = take(PORT_KEYS);
    if (port) {
      const v = textOf(port);
      const n = v && parsePort(v.value, port.key);
      if (typeof n === 'number') draft.port = { ...v!, value: n };
      else if (n) problems.push(problemAt(port.at, n.problem));
    }
    const keyFile = take(KEY_FILE_KEYS);
    if (keyFile) {
      const v = textOf(keyFile);
      if (v) draft.identityFile = v;
    }
    for (const key of ARGS_KEYS) {
      const raw = take([key]);
      if (!raw) continue;
      const text = textOf(raw);
      if (!text) continue;
      const args = parseSshArgs(text.value);
      const from = (value: string): Located<string> => ({ ...text, value });
      if (args.error) problems.push(problemAt(raw.at, `${key}: ${args.error}`));
      if (args.proxyCommand) {
        problems.push(
          problemAt(
            raw.at,
            `${key} sets a ProxyCommand runbook cannot follow (${showText(args.proxyCommand)}); only "ssh -W %h:%p [user@]host" relays, ProxyJump and -J are understood`,
          ),
        );
      }
      if (args.jump && !draft.jump) draft.jump = from(args.jump);
      if (args.user && !draft.user) draft.user = from(args.user);
      if (args.identityFile && !draft.identityFile) draft.identityFile = from(args.identityFile);
      if (args.port && !draft.port) {
        const n = parsePort(args.port, `the -p or Port in ${key}`);
        if (typeof n === 'number') draft.port = { ...text, value: n };
        else problems.push(problemAt(raw.at, n.problem));
      }
      for (const option of args.ignored) {
        warnOnce(
          raw.at,
          `${key}: ${option} is ignored; runbook always checks host keys against known_hosts and does not forward the agent`,
        );
      }
    }
    const connection = take(['ansible_connection']);
    if (connection && !SSH_CONNECTIONS.includes(asText(connection.value))) {
      warnOnce(
        connection.at,
        `ansible_connection=${showText(asText(connection.value)).slice(1, -1)} is not supported; runbook connects to every node over SSH`,
      );
    }

    // Everything else that is not Ansible's own becomes a node variable; passwords never do.
    for (const [key, v] of vars) {
      if (PASSWORD_KEYS.includes(key)) {
        warnOnce(v.at, `${key} is ignored: runbook logs in with keys or the SSH agent, never with a password from the inventory`);
        continue;
      }
      if (key.startsWith('ansible_')) continue;
      if (v.value instanceof VaultValue) {
        warnOnce(
          v.at,
          `the variable ${showText(key)} is encrypted with Ansible Vault and is not kept: runbook does not decrypt vault values; give secrets to a runbook as parameters with secret: true`,
        );
        continue;
      }
      if (looksSecret(key)) {
        warnOnce(v.at, SECRET_VAR_MESSAGE(showText(key)));
        continue;
      }
      const control = varControlProblem(key, asText(v.value));
      if (control) problems.push(problemAt(v.at, control));
      else draft.vars[key] = asText(v.value);
    }
    nodes.push(draft);
  }
  return { nodes, problems };
}
