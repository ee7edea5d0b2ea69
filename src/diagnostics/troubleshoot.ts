// The troubleshooting pane's I/O: the role's commands from the runbook, run on the selected node
// through the same transport as the steps, streamed into a bounded buffer. Output arrives already
// sanitised by the transport; secrets are redacted before anything is kept.
import type { InventoryNode } from '../inventory/types.js';
import { normalizeRole } from '../inventory/roles.js';
import { redactSecrets, render, renderForDisplay, resolveRef, templateRefs, TemplateError, type Scope } from '../runbook/template.js';
import type { TroubleshootCommand } from '../runbook/schema.js';
import type { RunState } from '../engine/state.js';
import { scopeFor, showText } from '../engine/display.js';
import { DEFAULT_BYTES_PER_NODE, LineRing, lineBytes } from '../engine/output.js';
import type { ExecResult, OutputLine } from '../transport/types.js';

/** A troubleshooting command, resolved for one node. */
export interface ResolvedCommand {
  /** The title as shown (templates filled in). */
  title: string;
  /** The title as the runbook writes it: what a step's `troubleshoot:` names. */
  name: string;
  why?: string;
  /** The command that runs (secrets included: never shown); empty when it cannot run (see error). */
  run: string;
  /** As shown: secrets masked, a value not known yet as written ({{vars.patch_url}}). */
  display: string;
  /** Runs until stopped (journalctl -f): the `follow` variant, when the runbook has one. */
  live: boolean;
  /** The live variant, for `O` (follow in a tmux window). */
  follow?: { run: string; display: string; error?: string };
  /**
   * Set when the command cannot be built for this node: why, in words for the pane ("needs
   * vars.patch_url, captured by ..."). It is then never run: the ref's text must not reach a shell.
   */
  error?: string;
}

/** The runbook role whose commands apply to a node: its first role the runbook describes. */
export function roleOf(state: RunState, nodeName: string): string | undefined {
  const roles = state.plan.runbook.roles ?? {};
  const names = Object.keys(roles);
  for (const r of state.plan.targets.get(nodeName)?.roles ?? []) {
    const n = normalizeRole(r);
    const hit = names.find((k) => normalizeRole(k) === n);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * Why a ref has no value, for the operator: a var names the step that captures it (and whether
 * that step is still to come), anything else says what is missing.
 */
export function missingRef(state: RunState, ref: string, scope: Scope): string | undefined {
  const r = resolveRef(ref, scope);
  if (r.kind === 'value') return undefined;
  if (!ref.startsWith('vars.'))
    return r.message.startsWith(`${ref} `) ? `needs ${ref}, which ${r.message.slice(ref.length + 1)}` : `needs ${ref}: ${r.message}`;
  const name = ref.slice('vars.'.length);
  const capturers: { section: number; title: string; step: string }[] = [];
  state.plan.sections.forEach((ps, i) => {
    for (const p of ps.steps) {
      if (p.step.capture && Object.prototype.hasOwnProperty.call(p.step.capture, name)) {
        capturers.push({
          section: i,
          title: state.sections[i]?.title ?? ps.title,
          step: p.step.title !== undefined ? showText(p.step.title, scope) : p.id,
        });
      }
    }
  });
  const first = capturers[0];
  if (!first) return `needs ${ref}, which no step of this runbook captures`;
  const status = state.sections[first.section]?.status ?? 'pending';
  const when = status === 'pending' || status === 'running' ? 'it has not captured it yet' : 'it did not capture it';
  const more = capturers.length > 1 ? ` (or ${capturers.length - 1} more)` : '';
  return `needs ${ref}, captured by "${first.step}" in the "${first.title}" section${more}; ${when}`;
}

/** A command for one node: what runs, what is shown, and why it cannot run when it cannot. */
export function resolveCommand(state: RunState, source: string, scope: Scope): { run: string; display: string; error?: string } {
  let display: string;
  try {
    display = renderForDisplay(source, scope, 'shell', { missing: 'keep' });
  } catch {
    display = redactSecrets(source, scope);
  }
  try {
    return { run: render(source, scope, 'shell'), display };
  } catch (error) {
    const missing = templateRefs(source)
      .map((ref) => missingRef(state, ref, scope))
      .filter((m): m is string => m !== undefined);
    if (missing.length > 0) return { run: '', display, error: missing.join('; ') };
    const why = error instanceof TemplateError ? error.message : String((error as Error)?.message ?? error);
    return { run: '', display, error: `cannot be built: ${redactSecrets(why, scope)}` };
  }
}

// Per plan, for the vars of the moment: a capture can change a command (and a title).
const resolvedCache = new WeakMap<object, { vars: RunState['vars']; byNode: Map<string, ResolvedCommand[]> }>();

/** The troubleshooting commands for a node, interpolated for it, in runbook order. */
export function troubleshootCommands(state: RunState, nodeName: string): ResolvedCommand[] {
  let cache = resolvedCache.get(state.plan);
  if (!cache || cache.vars !== state.vars) resolvedCache.set(state.plan, (cache = { vars: state.vars, byNode: new Map() }));
  const hit = cache.byNode.get(nodeName);
  if (hit) return hit;
  const role = roleOf(state, nodeName);
  const list: TroubleshootCommand[] = (role && state.plan.runbook.roles?.[role]?.troubleshoot) || [];
  const scope = scopeFor(state, nodeName);
  const out = list.map((c): ResolvedCommand => {
    const main = resolveCommand(state, c.follow ?? c.run, scope);
    const follow = c.follow !== undefined ? main : undefined;
    return {
      title: showText(c.title, scope),
      name: c.title,
      ...(c.why !== undefined ? { why: showText(c.why, scope) } : {}),
      run: main.run,
      display: main.display,
      live: c.follow !== undefined,
      ...(follow ? { follow } : {}),
      ...(main.error !== undefined ? { error: main.error } : {}),
    };
  });
  cache.byNode.set(nodeName, out);
  return out;
}

/** The index of the command a step names (`troubleshoot: <title>`), if the node's role has it. */
export function suggestedCommand(state: RunState, nodeName: string): number | undefined {
  const node = state.nodes.get(nodeName);
  const key = node?.current;
  if (!key) return undefined;
  const [sectionId = '', stepId = ''] = key.split('/');
  const section = state.plan.sections[state.plan.sectionIndex.get(sectionId) ?? -1];
  const title = section?.steps[section.stepIndex.get(stepId) ?? -1]?.step.troubleshoot;
  if (!title) return undefined;
  const i = troubleshootCommands(state, nodeName).findIndex((c) => c.name === title);
  return i >= 0 ? i : undefined;
}

export type TroubleshootStatus = 'idle' | 'running' | 'done' | 'stopped' | 'failed';

/** What the pane shows. */
export interface TroubleshootView {
  node?: string;
  index?: number;
  title?: string;
  display?: string;
  live: boolean;
  status: TroubleshootStatus;
  /** How it ended: "exit 0", or the transport's message. */
  ended?: string;
  lines: LineRing<OutputLine>;
  /** Grows with every change. */
  version: number;
}

export interface TroubleshootOptions {
  /** Runs the command on the node (the runner's troubleshoot(): redacted, journalled); lines come redacted. */
  exec: (
    node: string,
    command: ResolvedCommand,
    options: { signal: AbortSignal; onOutput: (line: OutputLine) => void },
  ) => Promise<ExecResult>;
  /** Lines kept. Default 2,000. */
  limit?: number;
  /** Told (at most every `notifyMs`) when the view changed. */
  onChange: () => void;
  notifyMs?: number;
}

/** The pane's lines: bounded in count and in bytes as a node's step output is. */
const newLines = (limit = 2000): LineRing<OutputLine> =>
  new LineRing<OutputLine>(limit, { maxBytes: DEFAULT_BYTES_PER_NODE, sizeOf: lineBytes });

/** Runs one troubleshooting command at a time; a new one stops the last. */
export class Troubleshooter {
  private controller: AbortController | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private seq = 0;
  private current: TroubleshootView;

  constructor(private readonly options: TroubleshootOptions) {
    this.current = { live: false, status: 'idle', lines: newLines(options.limit), version: 0 };
  }

  view(): TroubleshootView {
    return this.current;
  }

  run(node: InventoryNode, index: number, command: ResolvedCommand): void {
    this.stop(false);
    const seq = ++this.seq;
    const controller = new AbortController();
    this.controller = controller;
    this.current = {
      node: node.name,
      index,
      title: command.title,
      display: command.display,
      live: command.live,
      status: 'running',
      lines: newLines(this.options.limit),
      version: this.current.version + 1,
    };
    if (command.error) {
      // Refused, never run with a ref's text in it: the pane says what is missing.
      this.current.lines.push({ stream: 'stderr', text: `not run on ${node.name}: ${command.error}` });
      this.finish(seq, 'failed', 'not run');
      return;
    }
    const onOutput = (line: OutputLine) => {
      if (seq !== this.seq) return;
      this.current.lines.push(line);
      this.changed();
    };
    this.options.exec(node.name, command, { signal: controller.signal, onOutput }).then(
      (r) => {
        if (r.failure === 'aborted') this.finish(seq, 'stopped', 'stopped');
        else if (r.failure) this.finish(seq, 'failed', r.message ?? r.failure);
        else this.finish(seq, r.exit === 0 ? 'done' : 'failed', `exit ${r.exit}`);
      },
      (error: unknown) => this.finish(seq, 'failed', String((error as Error)?.message ?? error)),
    );
    this.changed(true);
  }

  /** Stops the command that runs, if any. */
  stop(notify = true): void {
    this.controller?.abort();
    this.controller = undefined;
    if (notify) this.changed(true);
  }

  close(): void {
    this.seq += 1;
    this.controller?.abort();
    this.controller = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private finish(seq: number, status: TroubleshootStatus, ended: string): void {
    if (seq !== this.seq) return;
    this.current = { ...this.current, status, ended, version: this.current.version + 1 };
    this.changed(true);
  }

  private changed(now = false): void {
    // In place: a line costs no new object; readers compare `version`.
    this.current.version += 1;
    if (now) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.options.onChange();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.options.onChange();
    }, this.options.notifyMs ?? 50);
  }
}
