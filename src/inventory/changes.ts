// What changed in an inventory between a run's start and its resume, node by node: the lines
// the operator reads before going on (and the journal keeps) when the inventory file differs.
import type { InventoryNode, NodeAddress } from './types.js';

/** A node as the journal remembers it. */
export function nodeAddress(node: InventoryNode): NodeAddress {
  return {
    name: node.name,
    address: node.address,
    ...(node.port !== undefined ? { port: node.port } : {}),
    ...(node.ip !== node.address ? { ip: node.ip } : {}),
    roles: [...node.roles],
  };
}

const where = (n: NodeAddress) => (n.port !== undefined ? `${n.address}:${n.port}` : n.address);
const roles = (n: NodeAddress) => (n.roles.length ? n.roles.join(', ') : '(none)');

/**
 * One line per change: a node removed or added, a node whose address (with port), private address
 * or roles changed. `before` is undefined for a journal that did not list its nodes.
 */
export function inventoryChanges(before: readonly NodeAddress[] | undefined, after: readonly NodeAddress[]): string[] {
  if (!before) return ['the journal of this run does not list its nodes, so what changed cannot be shown: compare the inventory by hand'];
  const old = new Map(before.map((n) => [n.name, n]));
  const now = new Map(after.map((n) => [n.name, n]));
  const lines: string[] = [];
  for (const n of before) if (!now.has(n.name)) lines.push(`${n.name}: removed (was ${where(n)}, roles ${roles(n)})`);
  for (const n of after) {
    const o = old.get(n.name);
    if (!o) {
      lines.push(`${n.name}: added (${where(n)}, roles ${roles(n)})`);
      continue;
    }
    if (where(o) !== where(n)) lines.push(`${n.name}: address ${where(o)} -> ${where(n)}`);
    if ((o.ip !== undefined || n.ip !== undefined) && (o.ip ?? o.address) !== (n.ip ?? n.address))
      lines.push(`${n.name}: ip ${o.ip ?? o.address} -> ${n.ip ?? n.address}`);
    if (roles(o) !== roles(n)) lines.push(`${n.name}: roles ${roles(o)} -> ${roles(n)}`);
  }
  // Serial sections take nodes in inventory order: another order is another procedure.
  const order = (list: readonly NodeAddress[], other: Map<string, NodeAddress>) => list.filter((n) => other.has(n.name)).map((n) => n.name);
  const [was, is] = [order(before, now), order(after, old)];
  if (was.join('\n') !== is.join('\n'))
    lines.push(`the nodes are in another order: ${was.join(', ')} then, ${is.join(', ')} now (serial sections take them in this order)`);
  if (lines.length === 0) lines.push('no node changed its name, address or roles (the file changed elsewhere)');
  return lines;
}
