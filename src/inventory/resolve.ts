// From drafts to nodes: ~/.ssh/config fills what the inventory leaves open (the inventory
// wins; user settings come last), then the checks that need every node at once: unique names,
// addresses, jump hosts that exist and do not loop, keys that exist, one DC/OS role per node.
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Problem } from '../input/problem.js';
import { addressHint, formatJumpTarget, isAddress, isUserName, MAX_JUMP_HOPS, parseJumpTarget } from './address.js';
import { parsePort, problemAt, type Located, type NodeDraft, type Where } from './draft.js';
import { NODE_ROLES } from './roles.js';
import { jumpFromProxyCommand } from './ssh-args.js';
import { expandTilde, expandTokens, type SshConfig, type SshHostConfig, type Tokens } from './ssh-config.js';
import { escapeText, hasUnsafeChars, showText } from './text.js';
import type { InventoryNode } from './types.js';

export interface ResolveOptions {
  sshConfig?: SshConfig;
  /** From user settings: used when neither the inventory nor the ssh config says. */
  defaults?: { user?: string; identityFile?: string; port?: number };
  home: string;
  /** The local user name (%u, and %r when no user is set). */
  localUser: string;
  /** Relative paths from the ssh config and settings are relative to this (as for ssh). */
  cwd: string;
}

const SETTINGS: Where = { file: 'settings' };

export async function resolveNodes(
  drafts: readonly NodeDraft[],
  options: ResolveOptions,
): Promise<{ nodes: InventoryNode[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  const error = (at: Where, message: string): void => {
    problems.push(problemAt(at, message));
  };
  const names = new Map<string, NodeDraft>();
  for (const d of drafts) if (!names.has(d.name)) names.set(d.name, d);
  const sshLookup = (host: string): SshHostConfig => options.sshConfig?.lookup(host) ?? {};

  /** A value from the ssh config with its tokens expanded, or undefined (and a problem). */
  const fromSsh = (v: Located<string> | undefined, tokens: Tokens, allowed: string): Located<string> | undefined => {
    if (!v) return undefined;
    const expanded = expandTokens(v.value, tokens, allowed);
    if (typeof expanded === 'string') return { ...v, value: expanded };
    error(v.at, `${v.key} ${showText(v.value)}: ${expanded.problem}`);
    return undefined;
  };

  const hostname = os.hostname();
  const local: Tokens = {
    d: options.home,
    u: options.localUser,
    i: String(process.getuid?.() ?? ''),
    l: hostname,
    L: hostname.split('.')[0] ?? hostname,
  };

  const nodes: InventoryNode[] = [];
  const jumpOf = new Map<string, { target: string; at: Where }>();
  const seen = new Map<string, NodeDraft>();
  const identityChecks: { file: string; written: string; at: Where }[] = [];

  for (const draft of drafts) {
    const label = `node ${showText(draft.name)}`;
    if (hasUnsafeChars(draft.name))
      error(
        draft.at,
        `the node name ${showText(draft.name)} contains control characters; a name is shown on screen and must be plain text`,
      );
    else if (draft.name.length > 253) error(draft.at, `the node name is ${draft.name.length} characters long; at most 253 are accepted`);
    const first = seen.get(draft.name);
    if (first) error(draft.at, `duplicate node name ${showText(draft.name)} (first at line ${first.at.line ?? '?'})`);
    else seen.set(draft.name, draft);

    // The name ssh would be given, and what its config says about it.
    const alias = draft.address?.value ?? draft.name;
    const ssh = sshLookup(alias);
    const original = alias.toLowerCase();

    let address: Located<string> | undefined = draft.address;
    const hostName = fromSsh(ssh.hostName, { h: original }, 'h');
    if (hostName) address = hostName;
    if (!address) {
      error(
        draft.at,
        `${label} has no address: give it one (address:)${options.sshConfig ? `, or a "Host ${draft.name}" block with a HostName in ${options.sshConfig.file}` : ''}`,
      );
      continue;
    }
    if (hasUnsafeChars(address.value) || !isAddress(address.value)) {
      const hint = addressHint(address.value);
      if (address.key === 'host name') {
        // An Ansible host without ansible_host: its name is where to connect.
        error(
          address.at,
          `host ${showText(address.value)} has no ansible_host, and its name is not a host name or an IP address to connect to${hint ? ` (${hint})` : ''}`,
        );
      } else
        error(
          address.at,
          `${label}: the ${address.key} ${showText(address.value)} is not a host name or an IP address${hint ? ` (${hint})` : ''}`,
        );
    }

    const ip = draft.ip ?? undefined;
    if (ip && (hasUnsafeChars(ip.value) || !isAddress(ip.value)))
      error(ip.at, `${label}: ip ${showText(ip.value)} is not an IP address or a host name`);

    const baseTokens: Tokens = {
      ...local,
      h: address.value,
      n: original,
      k: draft.hostKeyAlias?.value ?? ssh.hostKeyAlias?.value ?? original,
    };
    let user = draft.user?.value;
    let userAt = draft.user?.at;
    if (user === undefined) {
      const u = fromSsh(ssh.user, baseTokens, 'hndukilL');
      if (u) [user, userAt] = [u.value, u.at];
      else if (options.defaults?.user) [user, userAt] = [options.defaults.user, SETTINGS];
    }
    if (user !== undefined && (hasUnsafeChars(user) || !isUserName(user)))
      error(userAt ?? draft.at, `${label}: ${showText(user)} is not a user name ssh can log in with`);

    let port = draft.port?.value;
    if (port === undefined && ssh.port) {
      const p = parsePort(ssh.port.value, 'Port');
      if (typeof p === 'number') port = p;
      else error(ssh.port.at, p.problem);
    }
    port ??= options.defaults?.port;

    const tokens: Tokens = { ...baseTokens, p: String(port ?? 22), r: user ?? options.localUser };

    // The key: the inventory's is relative to the inventory; the ssh config's and the
    // settings' to the working directory, as ssh reads them.
    let identityFile: string | undefined;
    let identityAt: Where | undefined;
    let written: string | undefined;
    if (draft.identityFile) {
      written = draft.identityFile.value;
      identityFile = path.resolve(path.dirname(draft.identityFile.at.file), expandTilde(written, options.home));
      identityAt = draft.identityFile.at;
    } else if (ssh.identityFile) {
      const v = fromSsh(ssh.identityFile, tokens, 'hprndukilL');
      if (v) {
        written = ssh.identityFile.value;
        identityFile = path.resolve(options.cwd, expandTilde(v.value, options.home));
        identityAt = v.at;
      }
    } else if (options.defaults?.identityFile) {
      written = options.defaults.identityFile;
      identityFile = path.resolve(options.cwd, expandTilde(written, options.home));
      identityAt = SETTINGS;
    }
    if (identityFile && identityAt && written) identityChecks.push({ file: identityFile, written, at: identityAt });

    // The jump host: a node of this inventory, or [user@]host[:port] (itself maybe an ssh alias).
    let jump: Located<string> | undefined = draft.jump;
    if (!jump && ssh.proxy) {
      if (ssh.proxy.key.toLowerCase() === 'proxycommand') {
        const relay = jumpFromProxyCommand(ssh.proxy.value);
        if (relay === undefined) {
          error(
            ssh.proxy.at,
            `${label}: ProxyCommand ${showText(ssh.proxy.value)} cannot be followed; runbook understands ProxyJump and "ssh -W %h:%p [user@]host" relays`,
          );
        } else jump = fromSsh({ ...ssh.proxy, value: relay, inherited: true }, tokens, 'hprn');
      } else {
        const v = fromSsh(ssh.proxy, tokens, 'hprn');
        if (v) jump = { ...v, inherited: true };
      }
    }
    let jumpTarget: string | undefined;
    if (jump && jump.value.toLowerCase() !== 'none') {
      const written = jump.value.replace(/^ssh:\/\//, '');
      const self = written === draft.name || written === address.value || written === draft.address?.value;
      if (written.includes(',')) {
        error(
          jump.at,
          `${label}: ${jump.key} ${showText(written)} names several jump hosts; runbook connects through one jump host (add the first hop as a node with its own jump)`,
        );
      } else if (self) {
        // A default jump host applies to every node but the jump host itself.
        if (!jump.inherited) error(jump.at, `${label} cannot be its own jump host`);
      } else if (names.has(written)) {
        jumpTarget = written;
      } else {
        const target = parseJumpTarget(written);
        if (!target || hasUnsafeChars(written)) {
          error(jump.at, `${label}: ${jump.key} ${showText(written)} names no node of this inventory and is not [user@]host[:port]`);
        } else {
          // An ssh config alias for the jump host: its HostName, User and Port, as ssh -J would use.
          const j = sshLookup(target.host);
          const host = fromSsh(j.hostName, { h: target.host.toLowerCase() }, 'h')?.value ?? target.host;
          const jumpPort = target.port ?? (j.port ? parsePort(j.port.value, 'Port') : undefined);
          const jumpUser = target.user ?? fromSsh(j.user, { ...local, h: host, n: target.host, k: target.host }, 'hndukilL')?.value;
          jumpTarget = formatJumpTarget({
            host,
            ...(jumpUser !== undefined ? { user: jumpUser } : {}),
            ...(typeof jumpPort === 'number' ? { port: jumpPort } : {}),
          });
        }
      }
      if (jumpTarget) jumpOf.set(draft.name, { target: jumpTarget, at: jump.at });
    }

    const nodeRoles = draft.roles.filter((r) => NODE_ROLES.includes(r));
    if (nodeRoles.length > 1) {
      error(draft.rolesAt, `${label} has the roles ${nodeRoles.join(' and ')}; a DC/OS node is only one of master, agent, public_agent`);
    }

    const hostKeyAlias = draft.hostKeyAlias?.value ?? ssh.hostKeyAlias?.value;
    nodes.push({
      name: draft.name,
      address: address.value,
      ip: ip?.value ?? address.value,
      roles: draft.roles,
      ...(user !== undefined ? { user } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(identityFile !== undefined ? { identityFile } : {}),
      ...(jumpTarget !== undefined ? { jump: jumpTarget } : {}),
      ...(hostKeyAlias !== undefined ? { hostKeyAlias } : {}),
      vars: draft.vars,
    });
  }

  // Jump hosts that lead back to where they started, or on further than a connection follows.
  // Each node has one jump at most, so a walk that remembers what it has seen stays linear.
  const hops = new Map<string, number>(); // node-to-node jumps from a node to the last jump host
  const looping = new Set<string>();
  for (const start of jumpOf.keys()) {
    const trail: string[] = [];
    const index = new Map<string, number>();
    let current: string | undefined = start;
    while (current !== undefined && jumpOf.has(current) && !hops.has(current) && !looping.has(current) && !index.has(current)) {
      index.set(current, trail.length);
      trail.push(current);
      current = jumpOf.get(current)!.target;
    }
    if (current !== undefined && (index.has(current) || looping.has(current))) {
      if (index.has(current)) {
        const loop = trail.slice(index.get(current));
        error(jumpOf.get(loop[0]!)!.at, `jump hosts go round in a loop: ${[...loop, current].map((n) => showText(n)).join(' -> ')}`);
      }
      for (const n of trail) looping.add(n);
      continue;
    }
    for (let i = trail.length - 1; i >= 0; i--) {
      const target = jumpOf.get(trail[i]!)!.target;
      hops.set(trail[i]!, names.has(target) ? 1 + (hops.get(target) ?? 0) : 0);
    }
  }
  for (const [name, count] of hops) {
    if (count <= MAX_JUMP_HOPS) continue;
    const chain: string[] = [];
    for (let n = jumpOf.get(name)?.target; n !== undefined && chain.length < MAX_JUMP_HOPS; n = jumpOf.get(n)?.target)
      chain.push(showText(n));
    error(
      jumpOf.get(name)!.at,
      `node ${showText(name)} is reached through ${count} jump hosts, one behind the other (${chain.join(' -> ')} -> ...); runbook follows at most ${MAX_JUMP_HOPS}: let a nearer one be the jump host`,
    );
  }

  // The same machine twice is a likely copy-paste slip: say so, but it may be deliberate.
  const byEndpoint = new Map<string, InventoryNode>();
  for (const [i, node] of nodes.entries()) {
    const key = `${node.address.toLowerCase()}:${node.port ?? 22}`;
    const other = byEndpoint.get(key);
    if (other && other.name !== node.name) {
      const draft = drafts.find((d) => d.name === node.name) ?? drafts[i]!;
      problems.push(
        problemAt(
          draft.at,
          `node ${showText(node.name)} has the same address and port as node ${showText(other.name)} (${node.address})`,
          'warning',
        ),
      );
    } else byEndpoint.set(key, node);
  }

  // Keys that do not exist: a warning (the agent may hold the key), once per place.
  const checked = new Map<string, boolean>();
  const warned = new Set<string>();
  for (const c of identityChecks) {
    let exists = checked.get(c.file);
    if (exists === undefined) {
      exists = (await stat(c.file).catch(() => undefined))?.isFile() ?? false;
      checked.set(c.file, exists);
    }
    const key = `${c.file}\n${c.at.file}:${c.at.line}:${c.at.column}`;
    if (exists || warned.has(key)) continue;
    warned.add(key);
    const looked = c.written === c.file ? '' : ` (looked for ${escapeText(c.file)})`;
    problems.push(problemAt(c.at, `the identity file ${showText(c.written)} does not exist${looked}`, 'warning'));
  }
  return { nodes, problems };
}
