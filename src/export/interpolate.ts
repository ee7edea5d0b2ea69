// Interpolation for paper: what is known at export time (params given, the inventory's nodes)
// is filled in exactly as the run will; what is not (a var captured during the run, a param not
// given, a secret) stays a readable placeholder such as <vars.patch_url>.
import { renderForDisplay, templateRefs, type NodeScope, type Scope } from '../runbook/template.js';
import type { InventoryNode } from '../inventory/types.js';

/** The values known when the runbook is printed. Secrets are never among them. */
export interface KnownValues {
  params: Readonly<Record<string, string>>;
  /** The node a command runs on, and the role it was picked for; absent: placeholders. */
  node?: { node: InventoryNode; role: string };
}

// A word that shell quoting leaves bare and no runbook writes, so it survives rendering as is.
const SENTINEL = 'RUNBOOKEXPORTPLACEHOLDER';
const SENTINEL_RE = new RegExp(`${SENTINEL}(\\d+)X`, 'g');

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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Sets path (a.b.c) in root to value unless something is already there. */
function fill(root: Record<string, unknown>, path: string[], value: string): void {
  let at = root;
  for (const [i, key] of path.entries()) {
    if (i === path.length - 1) {
      if (at[key] === undefined) at[key] = value;
      return;
    }
    const next = at[key];
    if (next === undefined) at[key] = {};
    else if (!isObject(next)) return;
    at = at[key] as Record<string, unknown>;
  }
}

/** The text with every known value filled in and every unknown one as <ref>. */
export function renderKnown(source: string, known: KnownValues, mode: 'shell' | 'text'): string {
  if (!source.includes('{{')) return source;
  const placeholders: string[] = [];
  const root: Record<string, unknown> = {
    params: { ...known.params },
    vars: {},
    ...(known.node ? { node: nodeScope(known.node.node, known.node.role) } : {}),
  };
  for (const ref of templateRefs(source)) {
    const path = ref.split('.');
    fill(root, path, `${SENTINEL}${placeholders.length}X`);
    placeholders.push(ref);
  }
  let text: string;
  try {
    text = renderForDisplay(source, root as unknown as Scope, mode);
  } catch {
    // Whatever the template could not resolve, the reader still sees where a value goes.
    text = source.replace(/\{\{\s*([^}|\s]+)[^}]*\}\}/g, (_, ref: string) => `<${ref}>`);
  }
  return text.replace(SENTINEL_RE, (_, i: string) => `<${placeholders[Number(i)] ?? '?'}>`);
}
