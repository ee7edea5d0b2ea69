import { normalizeRole } from '../../inventory/roles.js';
import { escapeText } from '../../inventory/text.js';
import { mesosVersionOf, parseVersion } from './dcos-releases.js';
import { argText, type BuiltinArgValue, type BuiltinContext, type BuiltinDef, type BuiltinNode } from './types.js';

// The inventory is the operator's list of agents; the leading Mesos master's agents endpoint
// (GET :5050/slaves) is the cluster's. An agent only Mesos knows would stay on the old release
// while the run ends in success, so the two are compared before anything changes and at the end.
// The endpoint's output comes from a node and is treated as hostile: size, shape and text.

/** More than any real agents endpoint (2,000 agents with resources are a few MB). */
const MAX_BYTES = 32 * 1024 * 1024;
const MAX_NAMED = 20;

interface MesosAgent {
  hostname: string;
  ip: string;
  active: boolean;
  version: string;
}

/** Text from the node as it may be shown: control characters (escape sequences) made visible, long text cut. */
const printable = (text: string, max = 80): string => escapeText(text.length > max ? `${text.slice(0, max)}…` : text);

/** The agents of a /slaves answer, or why it is not one. */
function parseAgents(stdout: string): { agents: MesosAgent[]; recovered: MesosAgent[] } | string {
  if (stdout.length > MAX_BYTES)
    return `the agents endpoint answered ${stdout.length} bytes, more than the ${MAX_BYTES} a Mesos master sends: this is not its agent list`;
  let body: unknown;
  try {
    body = JSON.parse(stdout);
  } catch {
    return `the agents endpoint did not answer JSON: ${printable(stdout.trim()) || '(nothing)'}`;
  }
  if (body === null || typeof body !== 'object' || !Array.isArray((body as { slaves?: unknown }).slaves)) {
    return 'the agents endpoint answered JSON without a "slaves" list: is this the leading Mesos master\'s /slaves?';
  }
  const read = (list: unknown[], what: string): MesosAgent[] | string => {
    const out: MesosAgent[] = [];
    for (const [i, item] of list.entries()) {
      if (item === null || typeof item !== 'object') return `${what}[${i}] is not an agent`;
      const a = item as Record<string, unknown>;
      const hostname = typeof a.hostname === 'string' ? a.hostname : '';
      // pid is "slave(1)@10.0.1.5:5051": the address the agent registered from.
      const ip = typeof a.pid === 'string' ? (/@([^:@]+):\d+$/.exec(a.pid)?.[1] ?? '') : '';
      if (!hostname && !ip) return `${what}[${i}] has neither a hostname nor a pid`;
      out.push({
        hostname: hostname || ip,
        ip: ip || hostname,
        active: a.active !== false,
        version: typeof a.version === 'string' ? a.version : '',
      });
    }
    return out;
  };
  const agents = read((body as { slaves: unknown[] }).slaves, 'slaves');
  if (typeof agents === 'string') return agents;
  const rec = (body as { recovered_slaves?: unknown }).recovered_slaves;
  const recovered = Array.isArray(rec) ? read(rec, 'recovered_slaves') : [];
  if (typeof recovered === 'string') return recovered;
  return { agents, recovered };
}

const AGENT_ROLES = new Set(['agent', 'public_agent']);

function listArg(args: Record<string, BuiltinArgValue>, name: string): string[] {
  const v = args[name];
  const items = Array.isArray(v) ? v.map(String) : v === undefined ? [] : String(v).split(/[\s,]+/);
  return items.map((s) => s.trim()).filter(Boolean);
}

const shown = (a: MesosAgent): string => (a.hostname === a.ip ? printable(a.ip) : `${printable(a.ip)} (hostname ${printable(a.hostname)})`);

function names(list: string[]): string {
  return list.length > MAX_NAMED ? `${list.slice(0, MAX_NAMED).join(', ')} and ${list.length - MAX_NAMED} more` : list.join(', ');
}

export const mesosAgents: BuiltinDef = {
  name: 'dcos/mesos-agents',
  description:
    "Compares the leading Mesos master's agent list (the output of the step's curl of :5050/slaves) with the inventory's agents and public agents: every agent Mesos knows must be in the inventory, unless accepted as left out, and every agent of the inventory must be registered and active. With dcos, every agent must also run the Mesos that release ships.",
  args: {
    accept: {
      description:
        'Addresses or hostnames of agents the operator accepts leaving out of this run (a list, or text separated by commas or spaces).',
    },
    dcos: {
      description: 'At the end: the DC/OS release every agent should now run; its Mesos version is checked on every agent Mesos knows.',
    },
  },
  evaluate(args, context) {
    const out = context.output;
    if (!out)
      return {
        ok: false,
        message:
          "dcos/mesos-agents needs the output of the leading master's agents endpoint: give the step a run such as curl -fsS http://leader.mesos:5050/slaves.",
      };
    if (out.exit !== 0) {
      const said = printable(out.stderr.trim().split('\n').pop() ?? '');
      return {
        ok: false,
        message: `the agents endpoint could not be read (${out.exit === null ? 'the command did not finish' : `exit ${out.exit}`})${said ? `: ${said}` : ''}`,
      };
    }
    if (out.truncated) {
      return {
        ok: false,
        message: `the agents endpoint answered more than the player keeps of one command's output (its first part was dropped), so the agent list cannot be read whole: compare it by hand, or skip this step giving the reason`,
      };
    }
    const parsed = parseAgents(out.stdout);
    if (typeof parsed === 'string') return { ok: false, message: parsed };
    return compare(parsed.agents, parsed.recovered, inventoryAgents(context), listArg(args, 'accept'), argText(args, 'dcos'));
  },
};

function inventoryAgents(context: BuiltinContext): readonly BuiltinNode[] {
  return (context.nodes ?? []).filter((n) => n.roles.some((r) => AGENT_ROLES.has(normalizeRole(r))));
}

function compare(agents: MesosAgent[], recovered: MesosAgent[], inventory: readonly BuiltinNode[], accept: string[], dcosText: string) {
  const keys = (n: BuiltinNode): string[] => [n.ip, n.address, n.name];
  const known = new Map<string, BuiltinNode>();
  for (const n of inventory) for (const k of keys(n)) known.set(k, n);
  const acceptSet = new Set(accept);
  const matched = new Set<BuiltinNode>();
  const missing: MesosAgent[] = [];
  const accepted: MesosAgent[] = [];
  const inactive: string[] = [];
  const listed: MesosAgent[] = [];
  for (const a of agents) {
    const node = known.get(a.ip) ?? known.get(a.hostname);
    if (node) {
      matched.add(node);
      listed.push(a);
      if (!a.active) inactive.push(node.name);
    } else if (acceptSet.has(a.ip) || acceptSet.has(a.hostname)) accepted.push(a);
    else missing.push(a);
  }
  // Agents the master recovered from its registry but that have not re-registered yet.
  const waiting = recovered
    .map((a) => known.get(a.ip) ?? known.get(a.hostname))
    .filter((n): n is BuiltinNode => n !== undefined && !matched.has(n));
  const absent = inventory.filter((n) => !matched.has(n) && !waiting.includes(n)).map((n) => n.name);
  const details: string[] = [];
  if (missing.length > 0) {
    details.push(
      `Mesos knows ${missing.length} agent(s) the inventory does not list: ${names(missing.map(shown))}. They would stay on the old release. Add them to the inventory, or accept leaving them out by naming them in the accept list.`,
    );
  }
  if (absent.length > 0)
    details.push(`${absent.length} agent(s) of the inventory are not registered with the leading master: ${names(absent)}.`);
  if (waiting.length > 0)
    details.push(
      `${waiting.length} agent(s) of the inventory have not re-registered since the master recovered: ${names(waiting.map((n) => n.name))}.`,
    );
  if (inactive.length > 0) details.push(`${inactive.length} agent(s) of the inventory are registered but inactive: ${names(inactive)}.`);
  if (dcosText) {
    const dcos = parseVersion(dcosText);
    const expected = dcos && mesosVersionOf(dcos);
    if (!expected)
      return {
        ok: false,
        message: `DC/OS "${printable(dcosText)}" is not a DC/OS 1.11 release this check knows, so the Mesos version its agents run is unknown.`,
      };
    const behind = listed.filter((a) => a.version !== expected).map((a) => `${shown(a)} runs Mesos ${printable(a.version) || '(unknown)'}`);
    if (behind.length > 0)
      details.push(`${behind.length} agent(s) do not run Mesos ${expected}, which DC/OS ${dcosText} ships: ${names(behind)}.`);
  }
  const leftOut =
    accepted.length > 0 ? ` ${accepted.length} left out as accepted, still on the old release: ${names(accepted.map(shown))}.` : '';
  if (details.length > 0) {
    return { ok: false, message: `${details.join(' ')}${leftOut}` };
  }
  return {
    ok: true,
    message: `Mesos knows ${agents.length} agent(s); all ${inventory.length} of the inventory are registered and active.${leftOut}`,
  };
}
