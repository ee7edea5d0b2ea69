// The dialogs' text, as pure functions of what they show: the confirmation (the command exactly
// as it will run and the node, never cut), the quit dialog (what keeps running on the nodes),
// the reason prompt. Each returns the body rows; Dialog.tsx draws them in a box.
import { formatClock } from '../../runbook/duration.js';
import type { Prompt } from '../../engine/state.js';
import type { Theme } from '../terminal/theme.js';
import { hardWrap, stripStyle, textWidth, wrap } from '../terminal/text-width.js';
import { en, type UiWords } from '../../words/words.js';

export interface DialogText {
  title: string;
  tone: 'fail' | 'ask' | 'warn' | 'accent';
  /** Rows that must be shown whole. */
  required: string[];
  /** Rows shown when there is room, in order. */
  optional: string[];
  /** The last rows: the keys (several rows, split at newlines, when they do not fit one: see packKeys). */
  keys: string;
  /** Required rows that may be cut (a step's text, its checklist) when the screen is too short for all. */
  cuttable?: { from: number; to: number };
}

/** What a dialog says where rows were cut (a word of the UI, for the catalog). */
export const CUT_ROWS = (n: number): string => `… ${n} more ${n === 1 ? 'row' : 'rows'}: a taller terminal shows them`;

/** The keys of a dialog packed into rows of `inner` columns: a key and its word are never split. */
export function packKeys(keys: string, inner: number): string {
  const rows: string[] = [];
  let row = '';
  for (const item of keys.split(/ {3,}/)) {
    if (row !== '' && textWidth(row) + 3 + textWidth(item) > inner - 1) {
      rows.push(row);
      row = '';
    }
    row = row === '' ? item : `${row}   ${item}`;
  }
  if (row !== '') rows.push(row);
  return rows.join('\n');
}

export interface ConfirmInfo {
  prompt: Extract<Prompt, { kind: 'confirm' }>;
  /** The node's address and role, for the node line. */
  address?: string;
  role?: string;
  /** What has been typed for a typed confirmation. */
  typed: string;
  /** Other confirmations waiting, by node (those of the group not among them). */
  others: readonly string[];
  why?: string;
  training: boolean;
  /**
   * Every node waiting on the same step (this one first), when `a` may answer for them all: each
   * is listed, with its command when the commands differ.
   */
  group?: { nodes: readonly GroupNode[]; sameCommand: boolean };
  /** Nodes waiting on the same step that are not listed (they do not fit): `a` is not offered. */
  unlisted?: number;
  /** The UI's words, in the run's language. */
  words?: UiWords;
}

/** A node of a group confirmation, as listed. */
export interface GroupNode {
  node: string;
  address?: string;
  command?: string;
}

const label = (name: string, text: string, width: number, theme: Theme, bold = false): string[] => {
  const pad = Math.max(8, textWidth(name));
  // Every character is kept (a command's spaces too): cut at the width, not at spaces.
  const lines = hardWrap(text, Math.max(8, width - 10));
  return lines.map(
    (l, i) =>
      `${i === 0 ? theme.paint(name + ' '.repeat(pad - textWidth(name)), 'muted') : ' '.repeat(pad)} ${bold ? theme.paint(l, 'plain', { bold: true }) : l}`,
  );
};

export function confirmText(info: ConfirmInfo, width: number, theme: Theme): DialogText {
  const p = info.prompt;
  const w = info.words ?? en;
  const inner = width - 4;
  const required: string[] = [];
  required.push(theme.paint(`${p.title}`, 'title') + theme.paint(`  ${p.section}/${p.step}`, 'muted'));
  required.push(
    ...label(w.dialogNode, `${p.node}${info.address ? `  ${info.address}` : ''}${info.role ? `  ${info.role}` : ''}`, inner, theme),
  );
  // The command exactly as it will run (secrets masked), wrapped but never cut.
  if (p.command !== undefined) required.push(...label(w.dialogCommand, p.command, inner, theme, true));
  const optional: string[] = [];
  const from = required.length;
  if (p.text) required.push(...wrap(p.text, inner));
  for (const item of p.checklist ?? []) required.push(...wrap(`□ ${item}`, inner));
  const cuttable = { from, to: required.length };
  if (p.typed !== undefined) {
    required.push('');
    const [before, after] = w.typeToRun();
    const label = `${before}${p.typed}${after}`;
    if (textWidth(`${label}${info.typed}█`) <= inner)
      required.push(`${before}${theme.paint(p.typed, 'title')}${after}${theme.paint(`${info.typed}█`, 'accent')}`);
    else required.push(...inputRows(label, info.typed, inner, theme));
  }
  const group = p.typed === undefined ? info.group : undefined;
  // The nodes `a` answers for, every one of them, as required rows: if they do not fit, the
  // caller offers no `a` (see groupRows).
  if (group) required.push(...groupRows(group, p.command !== undefined, inner, theme, w));
  if (info.training && info.why) optional.push('', ...wrap(w.why(info.why), inner).map((l) => theme.paint(l, 'muted')));
  if (info.unlisted) optional.push(...wrap(w.moreUnlisted(info.unlisted, p.node), inner).map((l) => theme.paint(l, 'muted')));
  if (info.others.length > 0) {
    const list = info.others.slice(0, 5).join(w.comma) + (info.others.length > 5 ? `${w.comma}…` : '');
    optional.push(theme.paint(w.moreWaiting(info.others.length, list), 'muted'));
  }
  const n = group?.nodes.length ?? 0;
  const k = w.confirmKeys;
  let keys =
    p.typed !== undefined ? k.typed : group ? k.group(p.command !== undefined, p.node, n) : p.command !== undefined ? k.run : k.done;
  if (group && textWidth(keys) > inner - 1) keys = k.groupShort(n);
  const title = w.confirmTitle(p.command !== undefined, p.node);
  return {
    title: group ? `${title}  ${w.groupWait(n)}` : title,
    tone: p.destructive ? 'fail' : 'ask',
    required,
    optional,
    keys: packKeys(keys, inner),
    ...(cuttable.to > cuttable.from ? { cuttable } : {}),
  };
}

/**
 * The rows that list a group: every node (and its address) packed into rows, the command once
 * above them when all run the same, or each node with its own command, wrapped but never cut.
 */
export function groupRows(
  group: NonNullable<ConfirmInfo['group']>,
  commands: boolean,
  inner: number,
  theme: Theme,
  w: UiWords = en,
): string[] {
  const rows: string[] = [''];
  const n = group.nodes.length;
  if (group.sameCommand || !commands) {
    rows.push(theme.paint(w.groupAll(commands, n, true), 'title'));
    // Names whole, packed into rows; a name longer than a row is cut across rows, never lost.
    const items = group.nodes.map((g) => (g.address ? `${g.node} ${theme.paint(g.address, 'muted')}` : g.node));
    let row = '';
    for (const item of items) {
      const w = textWidth(item);
      if (row !== '' && textWidth(row) + 3 + w > inner - 2) {
        rows.push(`  ${row}`);
        row = '';
      }
      if (w > inner - 2) {
        rows.push(...hardWrap(stripStyle(item), inner - 2).map((l) => `  ${l}`));
        continue;
      }
      row = row === '' ? item : `${row}   ${item}`;
    }
    if (row !== '') rows.push(`  ${row}`);
    return rows;
  }
  rows.push(theme.paint(w.groupAll(commands, n, false), 'title'));
  for (const g of group.nodes) {
    rows.push(`  ${g.node}${g.address ? `  ${theme.paint(g.address, 'muted')}` : ''}`);
    rows.push(...hardWrap(g.command ?? w.noCommand, inner - 6).map((l) => `    ${theme.paint(l, 'plain', { bold: true })}`));
  }
  return rows;
}

export interface QuitInfo {
  running: readonly { node: string; key: string; command?: string; startedAt: number }[];
  /** Nodes between steps that the run does not move on now, and why (the first one's reason). */
  held?: { nodes: number; reason: string };
  now: number;
  phase: string;
  /** A training goes on with `runbook train --resume <run>`, not `play --resume`. */
  training?: boolean;
  words?: UiWords;
  /** The run's id, named in how to continue a training. */
  runId?: string;
}

/** How to go on with a run after quitting: a training by its id (the one place the TUI says it). */
export const resumeCommand = (training: boolean | undefined, runId: string | undefined): string =>
  training ? `runbook train --resume${runId ? ` ${runId}` : ''}` : 'runbook play --resume';

export function quitText(info: QuitInfo, width: number, theme: Theme): DialogText {
  const w = info.words ?? en;
  const inner = width - 4;
  const required: string[] = [];
  const optional: string[] = [];
  const resume = `\`${resumeCommand(info.training, info.runId)}\``;
  if (info.running.length === 0) {
    const held = info.held && info.held.nodes > 0 ? w.quitHeld(info.held.nodes, info.held.reason) : '';
    required.push(...wrap(w.quitNothing(held, resume), inner));
  } else {
    required.push(w.quitGoing(info.running.length));
    for (const r of info.running.slice(0, 3)) {
      required.push(theme.paint(`  ${r.node}  ${r.key}  ${formatClock(Math.max(0, info.now - r.startedAt))}`, 'title'));
      if (r.command) required.push(...wrap(`$ ${r.command}`, inner - 4).map((l) => `    ${l}`));
    }
    if (info.running.length > 3) required.push(w.quitMore(info.running.length - 3));
    required.push(...wrap(w.quitStops, inner));
    optional.push(...wrap(w.quitResume(resume), inner).map((l) => theme.paint(l, 'muted')));
  }
  return { title: w.quitTitle, tone: 'warn', required, optional, keys: packKeys(w.quitKeys, inner) };
}

export function reasonText(
  purpose: 'skip' | 'mark-done',
  task: string,
  text: string,
  theme: Theme,
  width = 80,
  w: UiWords = en,
): DialogText {
  const inner = width - 4;
  const [before, after] = w.reasonAbout(purpose, task);
  const about = `${before}${task}${after}`;
  const label = w.reasonLabel;
  return {
    title: w.reasonTitle(purpose),
    tone: 'ask',
    required: [
      ...(textWidth(about) <= inner ? [`${before}${theme.paint(task, 'title')}${after}`] : wrap(about, inner)),
      '',
      ...(textWidth(`${label}${text}█`) <= inner ? [`${label}${theme.paint(`${text}█`, 'accent')}`] : inputRows(label, text, inner, theme)),
    ],
    optional: [],
    keys: packKeys(w.reasonKeys, inner),
  };
}

/**
 * A label and the text typed after it, with its cursor, cut into rows of `width` columns and
 * keeping every character: however long the text (a reason in Chinese fills a row fast), the
 * cursor and the end of what was typed stay on screen.
 */
export function inputRows(label: string, text: string, width: number, theme: Theme): string[] {
  let at = 0;
  return hardWrap(`${label}${text}█`, Math.max(1, width)).map((row) => {
    const start = at;
    at += row.length;
    const cut = Math.max(0, Math.min(row.length, label.length - start));
    return row.slice(0, cut) + (cut < row.length ? theme.paint(row.slice(cut), 'accent') : '');
  });
}

/** Rows the dialog needs (box borders included), all of it and the required part only. */
export function dialogRows(d: DialogText): { all: number; required: number } {
  const keys = d.keys.split('\n').length;
  return { all: d.required.length + d.optional.length + 3 + keys, required: d.required.length + 3 + keys };
}

/**
 * The body of a dialog `height` rows high: required rows, optional ones as room allows, then the
 * keys. The keys are always there; when the required rows do not fit, the cuttable ones go first,
 * then the last ones, and a row says how many are not shown (never a silent cut).
 */
export function dialogBody(d: DialogText, height: number, theme: Theme): string[] {
  const room = Math.max(0, height - 2);
  const keys = d.keys.split('\n');
  const space = Math.max(0, room - keys.length);
  let body: string[];
  if (d.required.length <= space) {
    body = [...d.required];
    for (const o of d.optional) {
      if (body.length + 1 >= space) break;
      body.push(o);
    }
  } else body = cutRows(d, space, theme);
  while (body.length < space) body.push('');
  body.push(...keys.map((k) => theme.paint(k, 'accent', { bold: true })));
  return body.map((l) => ` ${l}`);
}

/** The required rows cut to `space` rows, the last of them (or the place cut) saying how many are left out. */
function cutRows(d: DialogText, space: number, theme: Theme): string[] {
  if (space <= 0) return [];
  let rows = [...d.required];
  let need = rows.length - (space - 1);
  const c = d.cuttable;
  if (c && c.to - c.from >= need) {
    // Enough in the cuttable part: its last rows go, the mark in their place.
    rows.splice(c.to - need, need, theme.paint(CUT_ROWS(need), 'muted'));
    return rows;
  }
  let cut = 0;
  if (c) {
    rows.splice(c.from, c.to - c.from);
    cut += c.to - c.from;
    need -= c.to - c.from;
  }
  rows = rows.slice(0, rows.length - need);
  cut += need;
  return [...rows, theme.paint(CUT_ROWS(cut), 'muted')];
}

/** A training's briefing: the situation the trainee is in, never the fault they will meet (or, resumed, where it goes on). */
export function briefingText(text: string, width: number, title?: string, w: UiWords = en): DialogText {
  const inner = Math.max(10, width - 4);
  return {
    title: title ?? w.briefing.title,
    tone: 'accent',
    required: wrap(text, inner),
    optional: ['', ...wrap(w.briefing.after, inner)],
    keys: w.briefing.keys,
  };
}
