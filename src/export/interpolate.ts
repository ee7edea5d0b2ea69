// Interpolation for paper: what is known at export time (params given, the inventory's nodes)
// is filled in exactly as the run will; what is not (a var captured during the run, a param not
// given, a secret) stays a readable placeholder such as <vars.patch_url>.
import { renderForDisplay, type NodeScope, type Scope } from '../runbook/template.js';
import type { InventoryNode } from '../inventory/types.js';

/** The values known when the runbook is printed. Secrets are never among them. */
export interface KnownValues {
  params: Readonly<Record<string, string>>;
  /** The node a command runs on, and the role it was picked for; absent: placeholders. */
  node?: { node: InventoryNode; role: string };
}

function nodeScope(node: InventoryNode, role: string): NodeScope {
  return {
    name: node.name,
    ip: node.ip,
    address: node.address,
    role,
    roles: node.roles,
    ...(node.user !== undefined ? { user: node.user } : {}),
    ...(node.port !== undefined ? { port: node.port } : {}),
    vars: { ...node.vars },
  };
}

/** The text with every known value filled in and every unknown one as <ref>. */
export function renderKnown(source: string, known: KnownValues, mode: 'shell' | 'text'): string {
  if (!source.includes('{{')) return source;
  const scope: Scope = {
    params: { ...known.params },
    vars: {},
    ...(known.node ? { node: nodeScope(known.node.node, known.node.role) } : {}),
  };
  try {
    return renderForDisplay(source, scope, mode, { missing: 'placeholder' });
  } catch {
    // A command the template reader refuses (validation says why): the reader still sees where a value goes.
    return source.replace(/\{\{\s*([^}|\s]+)[^}]*\}\}/g, (_, ref: string) => `<${ref}>`);
  }
}
