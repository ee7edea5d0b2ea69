// The plan: sections x targets x steps. Which nodes a section runs on is fixed here, from the
// inventory; whether a section or step runs (`when:`) is decided at run time, because the vars it
// may test appear only while the run goes on.
import type { Inventory, InventoryNode } from '../inventory/types.js';
import { normalizeRole } from '../inventory/roles.js';
import { InputError } from '../input/problem.js';
import type { Runbook, Section, Step } from '../runbook/schema.js';

/** The target of sections that run on this machine (`on: local`, or no `on:`). */
export const LOCAL = 'local';

/** How a section walks its targets. */
export type PlanStrategy =
  | { kind: 'serial' }
  | { kind: 'parallel'; concurrency: number }
  /** size: a number, or the name of the param that holds it (read when the section starts). */
  | { kind: 'batch'; size: number | { param: string } };

export const DEFAULT_CONCURRENCY = 50;

export interface PlanStep {
  id: string;
  index: number;
  /** `${section}/${step}`: the step's key on a node. */
  key: string;
  step: Step;
}

export interface PlanSection {
  id: string;
  index: number;
  title: string;
  section: Section;
  strategy: PlanStrategy;
  /** Failed nodes tolerated before the section stops (0: the first failure stops it). */
  maxFailures: number;
  /** The roles of `on:`, normalised, or ['local']. */
  roles: string[];
  /** Target names, inventory order: nodes with one of the roles, or ['local']. */
  targets: string[];
  /** Position of each target in `targets`. */
  targetIndex: ReadonlyMap<string, number>;
  steps: PlanStep[];
  stepIndex: ReadonlyMap<string, number>;
}

export interface Plan {
  runbook: Runbook;
  sections: PlanSection[];
  sectionIndex: ReadonlyMap<string, number>;
  /** Every target by name, the local machine included when a section uses it. */
  targets: ReadonlyMap<string, InventoryNode>;
  /** sections x targets x steps, before any `when:`. */
  total: number;
  /** Things worth saying that do not stop the run (a node named like this machine). */
  warnings: string[];
}

/** The key of one step on one target: `${section}/${step}@${node}`. */
export const taskKey = (section: string, step: string, node: string): string => `${section}/${step}@${node}`;

/** The parts of a task key; node names may contain "@", section and step ids may not. */
export function parseTaskKey(key: string): { section: string; step: string; node: string } | undefined {
  const at = key.indexOf('@');
  const slash = key.indexOf('/');
  if (at < 0 || slash < 0 || slash > at) return undefined;
  return { section: key.slice(0, slash), step: key.slice(slash + 1, at), node: key.slice(at + 1) };
}

/** The local machine as a node, so it is interpolated and journalled like any other. */
export function localNode(): InventoryNode {
  return { name: LOCAL, address: 'localhost', ip: '127.0.0.1', roles: [LOCAL], vars: {} };
}

function strategyOf(section: Section): PlanStrategy {
  const s = section.strategy ?? 'serial';
  if (s === 'serial') return { kind: 'serial' };
  if (s === 'parallel') return { kind: 'parallel', concurrency: section.concurrency ?? DEFAULT_CONCURRENCY };
  if (typeof s.batch === 'number') return { kind: 'batch', size: s.batch };
  return { kind: 'batch', size: { param: s.batch.replace(/^\{\{\s*params\.|\s*\}\}$/g, '') } };
}

/** Builds the plan; throws InputError when a section needs nodes and there is no inventory. */
export function buildPlan(runbook: Runbook, inventory?: Inventory, options: { file?: string } = {}): Plan {
  const targets = new Map<string, InventoryNode>();
  const warnings: string[] = [];
  const problems: { path: string; message: string }[] = [];
  let total = 0;
  const sections = runbook.sections.map((section, index): PlanSection => {
    const on = section.on === undefined ? [LOCAL] : Array.isArray(section.on) ? section.on : [section.on];
    const roles = on.map((r) => (r.trim().toLowerCase() === LOCAL ? LOCAL : normalizeRole(r)));
    const names: string[] = [];
    if (roles.includes(LOCAL)) {
      names.push(LOCAL);
      targets.set(LOCAL, localNode());
    }
    const nodeRoles = roles.filter((r) => r !== LOCAL);
    if (nodeRoles.length > 0) {
      if (!inventory) {
        problems.push({
          path: `sections[${index}].on`,
          message: `section "${section.id}" runs on ${nodeRoles.join(', ')}: give an inventory with --inventory`,
        });
      } else {
        for (const node of inventory.nodes) {
          if (node.name === LOCAL) continue;
          if (node.roles.some((r) => nodeRoles.includes(normalizeRole(r)))) {
            names.push(node.name);
            targets.set(node.name, node);
          }
        }
        // Validation against the same inventory has said so already (a warning for an optional
        // section, an error otherwise); the run skips the section and says why when it gets there.
      }
    }
    const steps = section.steps.map((step, i): PlanStep => ({ id: step.id, index: i, key: `${section.id}/${step.id}`, step }));
    total += steps.length * names.length;
    return {
      id: section.id,
      index,
      title: section.title,
      section,
      strategy: strategyOf(section),
      maxFailures: section.max_failures ?? 0,
      roles,
      targets: names,
      targetIndex: new Map(names.map((n, i) => [n, i])),
      steps,
      stepIndex: new Map(steps.map((s) => [s.id, s.index])),
    };
  });
  if (inventory?.nodes.some((n) => n.name === LOCAL)) {
    warnings.push(
      `a node in ${inventory.source} is named "${LOCAL}"; that name means this machine in a runbook, so the node is never targeted`,
    );
  }
  if (problems.length > 0) {
    throw new InputError(problems.map((p) => ({ file: options.file ?? runbook.id, severity: 'error' as const, ...p })));
  }
  return { runbook, sections, sectionIndex: new Map(sections.map((s) => [s.id, s.index])), targets, total, warnings };
}
