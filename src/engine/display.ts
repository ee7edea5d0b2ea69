// Human text of a runbook as the engine shows and journals it, for a run's state: the scope a
// node's templates see, and a step's or a section's texts filled in (show-text.ts fills them).
import type { NodeScope, Scope } from '../runbook/template.js';
import { LOCAL } from './plan.js';
import { showText } from './show-text.js';
import type { RunState } from './state.js';

// Where the run's state is not known (the state is built with these), show-text.ts is imported
// directly; the rest of the engine and the UI read them here with the texts of a run.
export { renderHeader, showText } from './show-text.js';

const nodeScopes = new WeakMap<object, NodeScope>();

/** What templates and conditions see on a target. */
export function scopeFor(state: Pick<RunState, 'params' | 'vars' | 'secrets' | 'run' | 'plan'>, nodeName?: string): Scope {
  const scope: Scope = { params: state.params, vars: state.vars, run: { id: state.run.id }, secrets: state.secrets };
  const node = nodeName === undefined ? undefined : state.plan.targets.get(nodeName);
  if (node) {
    let ns = nodeScopes.get(node);
    if (!ns) {
      ns = {
        name: node.name,
        ip: node.ip,
        address: node.address,
        role: node.roles[0] ?? LOCAL,
        roles: node.roles,
        vars: node.vars,
        ...(node.user !== undefined ? { user: node.user } : {}),
        ...(node.port !== undefined ? { port: node.port } : {}),
      };
      nodeScopes.set(node, ns);
    }
    scope.node = ns;
  }
  return scope;
}

/** A text as shown in the run now, on a node when one is named. */
export const displayText = (state: RunState, text: string, node?: string): string => showText(text, scopeFor(state, node));

/** A step's human text, filled in for a node (or for the run, without one). */
export interface StepText {
  /** The title, or the step id. */
  title: string;
  why?: string;
  hint?: string;
  text?: string;
  /** The deadline's text, e.g. "Mesos expires the agent". */
  deadline?: string;
}

export function stepText(state: RunState, section: string, step: string, node?: string): StepText | undefined {
  const ps = state.plan.sections[state.plan.sectionIndex.get(section) ?? -1];
  const st = ps?.steps[ps.stepIndex.get(step) ?? -1]?.step;
  if (!st) return undefined;
  const scope = scopeFor(state, node);
  const deadline = typeof st.deadline === 'object' ? st.deadline.text : undefined;
  return {
    title: st.title !== undefined ? showText(st.title, scope) : st.id,
    ...(st.why !== undefined ? { why: showText(st.why, scope) } : {}),
    ...(st.hint !== undefined ? { hint: showText(st.hint, scope) } : {}),
    ...(st.text !== undefined ? { text: showText(st.text, scope) } : {}),
    ...(deadline !== undefined ? { deadline: showText(deadline, scope) } : {}),
  };
}

/** A section's human text, filled in for the run. */
export interface SectionText {
  title: string;
  text?: string;
  why?: string;
}

export function sectionText(state: RunState, section: string): SectionText | undefined {
  const s = state.plan.sections[state.plan.sectionIndex.get(section) ?? -1]?.section;
  if (!s) return undefined;
  const scope = scopeFor(state);
  return {
    title: showText(s.title, scope),
    ...(s.text !== undefined ? { text: showText(s.text, scope) } : {}),
    ...(s.why !== undefined ? { why: showText(s.why, scope) } : {}),
  };
}
