// The printed runbook as data: everything the Markdown and HTML writers show, already in the
// runbook's language and interpolated, so both writers only lay it out.
import type { Inventory, InventoryNode } from '../inventory/types.js';
import { normalizeRole } from '../inventory/roles.js';
import { buildPlan, LOCAL, localNode } from '../engine/plan.js';
import { captureSpec } from '../runbook/capture-shape.js';
import type { Runbook, Section, Step } from '../runbook/schema.js';
import { builtinWords, deadlineWords, gateWords, probeWords } from './gates.js';
import { renderKnown, type KnownValues } from './interpolate.js';
import { evaluateCondition, parseCondition } from '../runbook/condition.js';
import { labelsFor, type Labels } from './labels.js';

/** What `runbook export` hands over: data only, no files. */
export interface ExportInput {
  runbook: Runbook;
  /** The language of the labels when not the runbook's (--lang, the lang setting). */
  lang?: string;
  /** The runbook file as the reader should see it (not a path of the printing machine). */
  file: string;
  digest: string;
  inventory?: Inventory;
  inventoryDigest?: string;
  /** Values given with --param; secret ones are dropped before anything is rendered. */
  params?: Readonly<Record<string, string>>;
  /** ISO time printed as "generated"; left out when absent so output can be compared. */
  generatedAt?: string;
}

/**
 * How a section looks on paper:
 * - guards: checks that run before anything changes: an id with a word (between - _ .) starting
 *   guard or preflight, or every step a `check:` built-in or a non-destructive command with a
 *   gate and no capture, before any section with a destructive step;
 * - prerequisites: an id with a word starting prereq (prerequisites, node-prerequisites);
 * - checklist: every step manual (text, checklist, confirm): boxes to tick;
 * - procedure: anything else, with a sign-off table per node.
 */
export type SectionKind = 'guards' | 'prerequisites' | 'checklist' | 'procedure';

/** One command as it will run; `nodes` empty means the same on every target. */
export interface CommandBlock {
  nodes: string[];
  text: string;
}

export interface ExportStep {
  id: string;
  /** Its `when` is false with the params given: printed as a heading only. */
  notInThisRun?: boolean;
  /** Absent when the author gave none: the id stands for it. */
  title?: string;
  destructive: boolean;
  when?: string;
  why?: string;
  text?: string;
  checklist: string[];
  confirm?: string;
  commands: CommandBlock[];
  check?: { words: string; args: [string, string][] };
  gate?: string;
  deadline?: string;
  captures: { name: string; regex: string }[];
  troubleshoot?: string;
  hint?: string;
}

export interface SignOffRow {
  node: string;
  address: string;
}

export interface ExportSection {
  id: string;
  title: string;
  kind: SectionKind;
  /** Its `when` is false with the params given: printed as a heading only. */
  notInThisRun?: boolean;
  why?: string;
  text?: string;
  when?: string;
  runsOn: string;
  strategy?: string;
  maxFailures?: string;
  steps: ExportStep[];
  /** One row per target node; blank rows (empty names) when there is no inventory. */
  signOff: SignOffRow[];
  /** The inventory has no node with the section's roles: the run will skip it. */
  noTargets?: boolean;
}

export interface ParamRow {
  name: string;
  value: string;
  notes: string[];
}

export interface TroubleshootEntry {
  title: string;
  command: string;
  why?: string;
}

export interface RoleAppendix {
  role: string;
  title: string;
  description?: string;
  commands: TroubleshootEntry[];
  health: { command: string; gate: string; when?: string }[];
}

export interface ExportDoc {
  labels: Labels;
  /** The runbook's `lang`, for the HTML lang attribute. */
  lang: string;
  title: string;
  description?: string;
  meta: [string, string][];
  header: [string, string][];
  params: ParamRow[];
  sections: ExportSection[];
  troubleshooting: RoleAppendix[];
}

const BLANK_ROWS = 3;

type Target = { node: InventoryNode; role: string };

/** The roles a section targets, normalised like the engine does; 'local' is this machine. */
export function sectionRoles(section: Section): string[] {
  const on = section.on === undefined ? [LOCAL] : Array.isArray(section.on) ? section.on : [section.on];
  return on.map((r) => (r.trim().toLowerCase() === LOCAL ? LOCAL : normalizeRole(r)));
}

/** The engine's plan decides who runs what; the printed runbook shows the same targets. */
function planTargets(runbook: Runbook, inventory: Inventory | undefined, file: string): (Target[] | undefined)[] {
  if (!inventory) {
    // Without nodes, commands show <node.ip>; sections on this machine still know it.
    return runbook.sections.map((s) => (sectionRoles(s).every((r) => r === LOCAL) ? [{ node: localNode(), role: LOCAL }] : undefined));
  }
  const plan = buildPlan(runbook, inventory, { file });
  return plan.sections.map((s) =>
    s.targets.map((name) => {
      const node = plan.targets.get(name)!;
      return { node, role: node.roles[0] ?? LOCAL };
    }),
  );
}

/**
 * Whether a `when` holds, when that is already known: every ref is a param given for the export.
 * Anything about vars, nodes or params asked at run time stays undecided (undefined).
 */
export function whenKnown(condition: string | undefined, params: KnownValues['params']): boolean | undefined {
  if (condition === undefined) return undefined;
  const parsed = parseCondition(condition);
  if (!parsed.ok || !parsed.refs.every((ref) => ref.startsWith('params.') && Object.hasOwn(params, ref.slice('params.'.length))))
    return undefined;
  try {
    return evaluateCondition(parsed.expr, { params: { ...params }, vars: {} });
  } catch {
    return undefined;
  }
}

const isManual = (step: Step): boolean => step.run === undefined && step.check === undefined;
const isCheck = (step: Step): boolean =>
  !step.destructive &&
  !step.capture &&
  (step.check !== undefined || (step.run !== undefined && (step.expect !== undefined || step.until !== undefined)));

/** See SectionKind. `changedBefore`: a destructive step came in an earlier section. */
export function sectionKind(section: Section, changedBefore: boolean): SectionKind {
  const words = section.id.split(/[-_.]/);
  if (words.some((w) => /^(guard|preflight)/.test(w))) return 'guards';
  if (words.some((w) => w.startsWith('prereq'))) return 'prerequisites';
  if (section.steps.every(isManual)) return 'checklist';
  if (!changedBefore && section.steps.every(isCheck)) return 'guards';
  return 'procedure';
}

function strategyWords(section: Section, labels: Labels, runbook: Runbook, params: KnownValues['params']): string | undefined {
  const s = section.strategy;
  if (s === undefined || s === 'serial') return sectionRoles(section).some((r) => r !== LOCAL) ? labels.strategySerial : undefined;
  if (s === 'parallel') return labels.strategyParallel(section.concurrency ?? 50);
  if (typeof s.batch === 'number') return labels.strategyBatch(s.batch);
  // A batch size from a param: the value given, else its default, else where it comes from.
  const name = s.batch.replace(/^\{\{\s*params\.|\s*\}\}$/g, '');
  const fallback = runbook.params?.[name]?.default;
  return labels.strategyBatch(params[name] ?? (fallback !== undefined ? String(fallback) : `<params.${name}>`));
}

function confirmWords(step: Step, known: KnownValues, labels: Labels): string | undefined {
  const c = step.confirm;
  if (c === undefined || c === false) return undefined;
  const plain = step.destructive ? labels.confirmDestructive : labels.acknowledged;
  if (c === true) return plain;
  if (typeof c === 'string') return `${labels.confirm}${labels.sep}${renderKnown(c, known, 'text')}`;
  const text = c.text !== undefined ? `${labels.confirm}${labels.sep}${renderKnown(c.text, known, 'text')}` : plain;
  return c.typed !== undefined ? `${text} (${labels.confirmTyped(renderKnown(c.typed, known, 'text'))})` : text;
}

/** The command per node, grouped: one block when every node gets the same text. */
function commandBlocks(run: string, targets: Target[] | undefined, params: KnownValues['params']): CommandBlock[] {
  if (targets === undefined || targets.length === 0) return [{ nodes: [], text: renderKnown(run, { params }, 'shell') }];
  const byText = new Map<string, string[]>();
  for (const t of targets) {
    const text = renderKnown(run, { params, node: t }, 'shell');
    const nodes = byText.get(text);
    if (nodes) nodes.push(t.node.name);
    else byText.set(text, [t.node.name]);
  }
  if (byText.size === 1) return [{ nodes: [], text: [...byText.keys()][0]! }];
  return [...byText].map(([text, nodes]) => ({ nodes, text }));
}

function exportStep(step: Step, targets: Target[] | undefined, params: KnownValues['params'], labels: Labels): ExportStep {
  const known: KnownValues = { params };
  const text = (s: string | undefined): string | undefined => (s === undefined ? undefined : renderKnown(s, known, 'text'));
  const out: ExportStep = {
    id: step.id,
    destructive: step.destructive === true,
    checklist: (step.checklist ?? []).map((item) => renderKnown(item, known, 'text')),
    commands: step.run !== undefined ? commandBlocks(step.run, targets, params) : [],
    captures: Object.entries(step.capture ?? {}).map(([name, written]) => ({ name, regex: captureSpec(written).regex })),
  };
  const put = <K extends keyof ExportStep>(key: K, value: ExportStep[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  put('title', text(step.title));
  put('when', step.when);
  if (whenKnown(step.when, params) === false) out.notInThisRun = true;
  put('why', text(step.why));
  put('text', text(step.text));
  put('confirm', confirmWords(step, known, labels));
  if (step.check) {
    const args = Object.entries(step.check.with ?? {}).map(([k, v]): [string, string] => [
      k,
      renderKnown(Array.isArray(v) ? v.join(', ') : String(v), known, 'text'),
    ]);
    out.check = { words: builtinWords(step.check, labels), args };
  }
  put('gate', gateWords(step, labels));
  put('deadline', step.deadline !== undefined ? deadlineWords(step.deadline, labels) : undefined);
  put('troubleshoot', step.troubleshoot);
  put('hint', text(step.hint));
  return out;
}

function paramRows(runbook: Runbook, given: Readonly<Record<string, string>>, labels: Labels): ParamRow[] {
  return Object.entries(runbook.params ?? {}).map(([name, p]) => {
    const notes: string[] = [];
    const choices = p.choices ? `${labels.choices}${labels.sep}${p.choices.join(', ')}` : undefined;
    const fallback = p.default !== undefined && !p.secret ? String(p.default) : undefined;
    // Not given: the value column says what the operator will be offered (the default, the
    // choices), rather than only that it is asked; the notes then do not repeat them.
    const offered = !p.secret && given[name] === undefined;
    if (p.description) notes.push(p.description);
    else if (p.prompt) notes.push(p.prompt);
    if (p.secret) notes.push(labels.secret);
    if (choices && !offered) notes.push(choices);
    if (p.pattern) notes.push(`${labels.pattern} ${p.pattern}`);
    if (fallback !== undefined && !offered) notes.push(`${labels.defaultIs}${labels.sep}${fallback}`);
    if (p.when) notes.push(`${labels.askedOnlyWhen}${labels.sep}${p.when}`);
    let value: string;
    if (p.secret) value = `<params.${name}>`;
    else if (given[name] !== undefined) value = given[name];
    else if (fallback !== undefined) value = `${fallback} (${[labels.defaultIs, ...(choices ? [choices] : [])].join('; ')})`;
    else if (choices) value = `${choices} (${labels.notGiven})`;
    else value = `<params.${name}> (${labels.notGiven})`;
    return { name, value, notes };
  });
}

function appendix(runbook: Runbook, params: KnownValues['params'], labels: Labels): RoleAppendix[] {
  return Object.entries(runbook.roles ?? {})
    .filter(([, role]) => (role.troubleshoot?.length ?? 0) > 0 || role.health !== undefined)
    .map(([name, role]) => {
      const known: KnownValues = { params };
      const entry: RoleAppendix = {
        role: name,
        title: role.title ?? name,
        health: [],
        commands: (role.troubleshoot ?? []).map((t) => ({
          title: t.title,
          command: renderKnown(t.run, known, 'shell'),
          ...(t.why ? { why: renderKnown(t.why, known, 'text') } : {}),
        })),
      };
      if (role.description) entry.description = role.description;
      const probes = role.health === undefined ? [] : Array.isArray(role.health) ? role.health : [role.health];
      // A probe whose condition the params given make false is not part of this run.
      entry.health = probes
        .filter((h) => whenKnown(h.when, params) !== false)
        .map((h) => ({
          command: renderKnown(h.run, known, 'shell'),
          gate: probeWords(h, labels),
          ...(h.when ? { when: h.when } : {}),
        }));
      return entry;
    });
}

/** The printed runbook as data. Pure: the same input gives the same document. */
export function buildExport(input: ExportInput): ExportDoc {
  const { runbook, inventory } = input;
  const labels = labelsFor(input.lang ?? runbook.lang);
  const secrets = new Set(
    Object.entries(runbook.params ?? {})
      .filter(([, p]) => p.secret)
      .map(([k]) => k),
  );
  // Secret values never enter the scope, so they cannot reach the page by any path.
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.params ?? {})) if (!secrets.has(k)) params[k] = v;

  const meta: [string, string][] = [
    [labels.runbook, runbook.id],
    [labels.file, input.file],
    [labels.digest, input.digest],
    [
      labels.inventory,
      inventory
        ? `${inventory.name ? `${inventory.name}: ` : ''}${inventory.source} (${inventory.nodes.length})${input.inventoryDigest ? ` ${input.inventoryDigest}` : ''}`
        : labels.noInventory,
    ],
  ];
  if (input.generatedAt) meta.push([labels.generated, input.generatedAt]);

  const targetsOf = planTargets(runbook, inventory, input.file);
  let changed = false;
  const sections = runbook.sections.map((section, index): ExportSection => {
    const roles = sectionRoles(section);
    const targets = targetsOf[index];
    const kind = sectionKind(section, changed);
    if (section.steps.some((s) => s.destructive)) changed = true;
    const known: KnownValues = { params };
    const signOff: SignOffRow[] = targets
      ? targets.map((t) => ({
          node: t.node.name === LOCAL ? labels.local : t.node.name,
          address: t.node.name === LOCAL ? '' : t.node.ip === t.node.address ? t.node.ip : `${t.node.ip} (${t.node.address})`,
        }))
      : Array.from({ length: BLANK_ROWS }, () => ({ node: '', address: '' }));
    const out: ExportSection = {
      id: section.id,
      title: renderKnown(section.title, known, 'text'),
      kind,
      runsOn: roles.map((r) => (r === LOCAL ? labels.local : labels.nodesIn(r))).join(', '),
      steps: section.steps.map((step) => exportStep(step, targets, params, labels)),
      signOff,
    };
    if (section.why) out.why = renderKnown(section.why, known, 'text');
    if (section.text) out.text = renderKnown(section.text, known, 'text');
    if (targets && targets.length === 0) out.noTargets = true;
    if (section.when) out.when = section.when;
    if (whenKnown(section.when, params) === false) out.notInThisRun = true;
    const strategy = strategyWords(section, labels, runbook, params);
    if (strategy) out.strategy = strategy;
    if (roles.some((r) => r !== LOCAL)) out.maxFailures = labels.maxFailures(section.max_failures ?? 0);
    return out;
  });

  const doc: ExportDoc = {
    labels,
    lang: labels.lang === 'zh-CN' ? (input.lang ?? runbook.lang ?? 'zh-CN') : (input.lang ?? runbook.lang ?? 'en'),
    title: renderKnown(runbook.title, { params }, 'text'),
    meta,
    header: Object.entries(runbook.header ?? {}).map(([k, v]) => [k, renderKnown(v, { params }, 'text')]),
    params: paramRows(runbook, params, labels),
    sections,
    troubleshooting: appendix(runbook, params, labels),
  };
  if (runbook.description) doc.description = renderKnown(runbook.description, { params }, 'text');
  return doc;
}
