// The dialogs' text, as pure functions of what they show: the confirmation (the command exactly
// as it will run and the node, never cut), the quit dialog (what keeps running on the nodes),
// the reason prompt. Each returns the body rows; Dialog.tsx draws them in a box.
import { formatClock } from '../../runbook/duration.js';
import type { Prompt } from '../../engine/state.js';
import type { Theme } from '../terminal/theme.js';
import { hardWrap, stripStyle, textWidth, wrap } from '../terminal/text-width.js';

export interface DialogText {
  title: string;
  tone: 'fail' | 'ask' | 'warn' | 'accent';
  /** Rows that must be shown whole. */
  required: string[];
  /** Rows shown when there is room, in order. */
  optional: string[];
  /** The last row: the keys. */
  keys: string;
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
}

/** A node of a group confirmation, as listed. */
export interface GroupNode {
  node: string;
  address?: string;
  command?: string;
}

const label = (name: string, text: string, width: number, theme: Theme, bold = false): string[] => {
  // Every character is kept (a command's spaces too): cut at the width, not at spaces.
  const lines = hardWrap(text, Math.max(8, width - 10));
  return lines.map(
    (l, i) => `${i === 0 ? theme.paint(name.padEnd(8), 'muted') : ' '.repeat(8)} ${bold ? theme.paint(l, 'plain', { bold: true }) : l}`,
  );
};

export function confirmText(info: ConfirmInfo, width: number, theme: Theme): DialogText {
  const p = info.prompt;
  const inner = width - 4;
  const required: string[] = [];
  required.push(theme.paint(`${p.title}`, 'title') + theme.paint(`  ${p.section}/${p.step}`, 'muted'));
  required.push(...label('node', `${p.node}${info.address ? `  ${info.address}` : ''}${info.role ? `  ${info.role}` : ''}`, inner, theme));
  // The command exactly as it will run (secrets masked), wrapped but never cut.
  if (p.command !== undefined) required.push(...label('command', p.command, inner, theme, true));
  const optional: string[] = [];
  if (p.text) required.push(...wrap(p.text, inner));
  for (const item of p.checklist ?? []) required.push(...wrap(`□ ${item}`, inner));
  if (p.typed !== undefined) {
    required.push('');
    const label = `Type ${p.typed} and press enter to run it: `;
    if (textWidth(`${label}${info.typed}█`) <= inner)
      required.push(`Type ${theme.paint(p.typed, 'title')} and press enter to run it: ${theme.paint(`${info.typed}█`, 'accent')}`);
    else required.push(...inputRows(label, info.typed, inner, theme));
  }
  const group = p.typed === undefined ? info.group : undefined;
  // The nodes `a` answers for, every one of them, as required rows: if they do not fit, the
  // caller offers no `a` (see groupRows).
  if (group) required.push(...groupRows(group, p.command !== undefined, inner, theme));
  if (info.training && info.why) optional.push('', ...wrap(`why: ${info.why}`, inner).map((l) => theme.paint(l, 'muted')));
  if (info.unlisted)
    optional.push(
      ...wrap(
        `${info.unlisted} more nodes wait on this step: too many to list at this size, so a (all) is not offered; y answers ${p.node} alone`,
        inner,
      ).map((l) => theme.paint(l, 'muted')),
    );
  if (info.others.length > 0) {
    const list = info.others.slice(0, 5).join(', ') + (info.others.length > 5 ? ', …' : '');
    optional.push(theme.paint(`${info.others.length} more waiting: ${list}`, 'muted'));
  }
  const n = group?.nodes.length ?? 0;
  const verb = p.command !== undefined ? 'run' : 'done';
  let keys =
    p.typed !== undefined
      ? 'enter run it (when the text matches)   esc refuse'
      : group
        ? `y ${verb} on ${p.node}   a ${verb} on all ${n}   n refuse   s skip (asks why)`
        : p.command !== undefined
          ? 'y run it   n refuse   s skip (asks why)'
          : 'y done   n refuse   s skip (asks why)';
  if (group && textWidth(keys) > inner - 1) keys = `y this node   a all ${n}   n refuse   s skip`;
  const title = p.command !== undefined ? `Run on ${p.node}?` : `Confirm on ${p.node}`;
  return {
    title: group ? `${title}  ${n} nodes wait on this step` : title,
    tone: p.destructive ? 'fail' : 'ask',
    required,
    optional,
    keys,
  };
}

/**
 * The rows that list a group: every node (and its address) packed into rows, the command once
 * above them when all run the same, or each node with its own command, wrapped but never cut.
 */
export function groupRows(group: NonNullable<ConfirmInfo['group']>, commands: boolean, inner: number, theme: Theme): string[] {
  const rows: string[] = [''];
  const n = group.nodes.length;
  const what = commands ? 'runs it' : 'confirms it';
  if (group.sameCommand || !commands) {
    rows.push(theme.paint(`a ${what} on all ${n}${commands ? ', the same command on each' : ''}:`, 'title'));
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
  rows.push(theme.paint(`a ${what} on all ${n}, each its own command:`, 'title'));
  for (const g of group.nodes) {
    rows.push(`  ${g.node}${g.address ? `  ${theme.paint(g.address, 'muted')}` : ''}`);
    rows.push(...hardWrap(g.command ?? '(no command)', inner - 6).map((l) => `    ${theme.paint(l, 'plain', { bold: true })}`));
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
  /** The run's id, named in how to continue a training. */
  runId?: string;
}

/** How to go on with a run after quitting: a training by its id (the one place the TUI says it). */
export const resumeCommand = (training: boolean | undefined, runId: string | undefined): string =>
  training ? `runbook train --resume${runId ? ` ${runId}` : ''}` : 'runbook play --resume';

export function quitText(info: QuitInfo, width: number, theme: Theme): DialogText {
  const inner = width - 4;
  const required: string[] = [];
  const optional: string[] = [];
  const resume = `\`${resumeCommand(info.training, info.runId)}\``;
  if (info.running.length === 0) {
    const held =
      info.held && info.held.nodes > 0
        ? ` ${info.held.nodes === 1 ? 'One node is' : `${info.held.nodes} nodes are`} held between steps (${info.held.reason}).`
        : '';
    required.push(
      ...wrap(
        `Nothing is running on the nodes now.${held} The journal keeps your place: ${resume} continues this run where it stopped.`,
        inner,
      ),
    );
  } else {
    required.push(`The run is going. Running now on ${info.running.length === 1 ? 'a node' : `${info.running.length} nodes`}:`);
    for (const r of info.running.slice(0, 3)) {
      required.push(theme.paint(`  ${r.node}  ${r.key}  ${formatClock(Math.max(0, info.now - r.startedAt))}`, 'title'));
      if (r.command) required.push(...wrap(`$ ${r.command}`, inner - 4).map((l) => `    ${l}`));
    }
    if (info.running.length > 3) required.push(`  and ${info.running.length - 3} more`);
    required.push(
      ...wrap(
        'Quitting asks these commands to stop and marks their steps interrupted. A command that does not stop when its session closes keeps running on its node, and what it did is then unknown.',
        inner,
      ),
    );
    optional.push(
      ...wrap(`${resume} continues the run; for each interrupted step you decide: verify it, run it again, or mark it done.`, inner).map(
        (l) => theme.paint(l, 'muted'),
      ),
    );
  }
  return { title: 'Quit?', tone: 'warn', required, optional, keys: 'y quit now   a abort the run (running commands finish)   n stay' };
}

export function reasonText(purpose: 'skip' | 'mark-done', task: string, text: string, theme: Theme, width = 80): DialogText {
  const inner = width - 4;
  const verb = purpose === 'skip' ? 'Skip' : 'Mark done';
  const about = `${verb} ${task}. The reason goes to the journal and the report.`;
  return {
    title: `${verb}: why?`,
    tone: 'ask',
    required: [
      ...(textWidth(about) <= inner
        ? [`${verb} ${theme.paint(task, 'title')}. The reason goes to the journal and the report.`]
        : wrap(about, inner)),
      '',
      ...(textWidth(`reason: ${text}█`) <= inner
        ? [`reason: ${theme.paint(`${text}█`, 'accent')}`]
        : inputRows('reason: ', text, inner, theme)),
    ],
    optional: [],
    keys: 'enter ok   esc cancel',
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
  return { all: d.required.length + d.optional.length + 4, required: d.required.length + 4 };
}

/** The body of a dialog `height` rows high: required rows, optional ones as room allows, then the keys. */
export function dialogBody(d: DialogText, height: number, theme: Theme): string[] {
  const room = Math.max(0, height - 2);
  const body = [...d.required];
  for (const o of d.optional) {
    if (body.length + 2 >= room) break;
    body.push(o);
  }
  while (body.length < room - 1) body.push('');
  body.push(theme.paint(d.keys, 'accent', { bold: true }));
  return body.map((l) => ` ${l}`);
}

/** The words of the briefing dialog (English; the catalog of words takes them over). */
export const BRIEFING_WORDS = {
  title: 'Training briefing',
  keys: 'enter begin  q quit',
  after: 'The run starts when you press enter on the next screen; every step says why it exists. Your report comes at the end.',
} as const;

/** A training's briefing: the situation the trainee is in, never the fault they will meet (or, resumed, where it goes on). */
export function briefingText(text: string, width: number, title: string = BRIEFING_WORDS.title): DialogText {
  const inner = Math.max(10, width - 4);
  return {
    title,
    tone: 'accent',
    required: wrap(text, inner),
    optional: ['', ...wrap(BRIEFING_WORDS.after, inner)],
    keys: BRIEFING_WORDS.keys,
  };
}
