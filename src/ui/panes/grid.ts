// The node grid as rows of text: one string per screen row, built here and put on the screen as
// they are (docs/architecture.md says why not a Box per node).
//
// Nodes are grouped by role. When every node fits, each has a row. Otherwise the biggest groups
// collapse, one by one, into a summary (counts per state), a dot map (one glyph per node, or
// per bucket of nodes showing the worst state among them), the selected node's row, and the
// rows of the nodes that are doing something. A filter (by name, address or state) narrows the
// nodes, so the selection can always reach any one of them.
import { BY_RUNBOOK } from '../../engine/tally.js';
import { formatClock } from '../../runbook/duration.js';
import { DOT, GLYPH, type DisplayState, type Theme, type Tone } from '../terminal/theme.js';
import { fit, padEnd, textWidth, truncate, truncateStyled } from '../terminal/text-width.js';
import type { HealthFact } from '../../diagnostics/health.js';
import type { ChangeState, NodeView } from '../app/view-model.js';
import { en, type StateWord, type UiWords } from '../../words/words.js';

export interface GridInput {
  /** Every node, in plan order. */
  views: readonly NodeView[];
  version: (view: NodeView) => string;
  health: ReadonlyMap<string, HealthFact>;
  /** Roles that have a health probe (others show no health column value). */
  probed: ReadonlySet<string>;
  /** Role titles from the runbook (`roles.agent.title`). */
  roleTitles: Readonly<Record<string, string>>;
  selected?: string;
  filter: string;
  focused: boolean;
  width: number;
  height: number;
  now: number;
  theme: Theme;
  /** The spinner frame for running nodes. */
  spinner: string;
  /** The UI's words, in the run's language. */
  words?: UiWords;
}

export interface GridOutput {
  lines: string[];
  /** The nodes the selection moves through (filtered), in order. */
  order: string[];
  /** How far page up/down moves the selection. */
  page: number;
  /** Nodes shown after the filter, and in all. */
  shown: number;
  total: number;
}

/** Words a filter token may be, matched against a node's state instead of its name. */
export const STATE_WORDS: ReadonlySet<string> = new Set([
  'idle',
  'pending',
  'running',
  'held',
  'polling',
  'waiting',
  'confirm',
  'passed',
  'failed',
  'skipped',
  'interrupted',
  'refused',
  'before',
  'changing',
  'changed',
  'healthy',
  'unhealthy',
  'preflight',
]);

/** The nodes a filter keeps: every token must match (a state word its state, any other its name or address). */
export function filterNodes(views: readonly NodeView[], filter: string, health: ReadonlyMap<string, HealthFact>): NodeView[] {
  const tokens = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return [...views];
  return views.filter((v) =>
    tokens.every((t) => {
      if (t === 'healthy' || t === 'unhealthy') {
        const h = health.get(v.name);
        return h !== undefined && h.ok === (t === 'healthy');
      }
      if (STATE_WORDS.has(t)) return v.words.includes(t);
      return v.name.toLowerCase().includes(t) || v.address.includes(t);
    }),
  );
}

// A bucket of the dot map shows its worst node: the one most in need of the operator.
const SEVERITY: Readonly<Record<DisplayState, number>> = {
  failed: 9,
  refused: 9,
  interrupted: 8,
  confirm: 7,
  running: 6,
  polling: 5,
  held: 4,
  pending: 3,
  idle: 2,
  skipped: 1,
  'not-run': 1,
  passed: 0,
};

const COUNT_ORDER: readonly DisplayState[] = [
  'passed',
  'running',
  'polling',
  'held',
  'confirm',
  'pending',
  'idle',
  'skipped',
  'interrupted',
  'failed',
];

const CHANGE_TEXT: Readonly<Record<ChangeState, { glyph: string; word?: StateWord; tone: Tone }>> = {
  none: { glyph: ' ', tone: 'muted' },
  before: { glyph: '○', word: 'before', tone: 'muted' },
  changing: { glyph: '◐', word: 'changing', tone: 'run' },
  changed: { glyph: '●', word: 'changed', tone: 'ok' },
  failed: { glyph: '✖', word: 'failed', tone: 'fail' },
};

/** Which columns fit in a width. */
interface Columns {
  name: number;
  address: number;
  role: number;
  version: number;
  change: number;
  health: number;
  deadline: number;
}

function columnsFor(
  width: number,
  views: readonly NodeView[],
  versions: readonly string[],
  anyProbe: boolean,
  anyDeadline: boolean,
): Columns {
  let name = 4;
  for (const v of views) name = Math.max(name, textWidth(v.name));
  name = Math.min(name, Math.max(8, Math.floor(width * 0.3)), 28);
  let version = 0;
  for (const s of versions) version = Math.max(version, textWidth(s));
  version = version === 0 ? 0 : Math.min(Math.max(version, 7), 12);
  const cols: Columns = { name, address: 0, role: 0, version: 0, change: 0, health: 0, deadline: 0 };
  // The state column keeps at least this much; the others come in as width allows.
  let room = width - 2 - name - 1 - 16;
  const take = (key: keyof Columns, w: number) => {
    if (w > 0 && room >= w + 1) {
      cols[key] = w;
      room -= w + 1;
    }
  };
  take('version', version);
  take('deadline', anyDeadline ? 8 : 0);
  take('health', anyProbe ? (width >= 110 ? 24 : 2) : 0);
  take('change', width >= 96 ? 10 : width >= 60 ? 1 : 0);
  take('address', 15);
  take('role', width >= 120 ? 12 : 0);
  return cols;
}

interface RowContext {
  cols: Columns;
  width: number;
  now: number;
  theme: Theme;
  spinner: string;
  health: ReadonlyMap<string, HealthFact>;
  probed: ReadonlySet<string>;
  version: (view: NodeView) => string;
  words: UiWords;
}

/** The state column's text for a node. */
export function stateText(view: NodeView, now: number, spinner: string, w: UiWords = en): string {
  // The reason first: a narrow column keeps it.
  if (view.preflight) return `${GLYPH.failed} ${w.preflight.label(view.preflight.failure)} ${w.preflightTag}`;
  const step = view.step;
  const title = step?.title ?? '';
  const task = step?.task;
  switch (view.state) {
    case 'idle':
      return GLYPH.idle;
    case 'pending':
      return `${GLYPH.pending} ${w.state('pending')}`;
    case 'running':
      return task?.status === 'running' ? `${spinner} ${title} ${formatClock(Math.max(0, now - task.startedAt))}` : `${spinner} ${title}`;
    case 'held': {
      const done =
        task?.status === 'skipped'
          ? w.state(task.by === BY_RUNBOOK ? 'not-run' : 'skipped')
          : task?.status === 'pending'
            ? w.confirmed
            : w.state('passed');
      // The reason first: a narrow column keeps it.
      return `${GLYPH.held} ${view.held ?? w.heldNothing}; ${title} ${done}`;
    }
    case 'polling':
      return task?.status === 'polling'
        ? `${GLYPH.polling} ${title} #${task.attempt} ${w.left(formatClock(Math.max(0, task.deadlineAt - now)))}`
        : `${GLYPH.polling} ${title}`;
    case 'confirm':
      return `${GLYPH.confirm} ${title}${w.sep}${w.waitingForYou}`;
    case 'passed':
      return `${GLYPH.passed} ${title}`;
    case 'failed':
    case 'refused':
      return task?.status === 'failed'
        ? `${GLYPH.failed} ${title}${w.sep}${w.reason(task.reason)}`
        : task?.status === 'refused'
          ? `${GLYPH.failed} ${title}${w.sep}${w.refusedBy(task.by)}`
          : `${GLYPH.failed} ${title}`;
    case 'skipped':
      return `${GLYPH.skipped} ${title} ${w.state('skipped')}`;
    case 'not-run':
      return `${GLYPH['not-run']} ${title} ${w.state('not-run')}`;
    case 'interrupted':
      return `${GLYPH.interrupted} ${title} ${w.state('interrupted')}`;
  }
}

function healthText(view: NodeView, c: RowContext): { text: string; tone: Tone } {
  if (!c.probed.has(view.role)) return { text: '', tone: 'muted' };
  const h = c.health.get(view.name);
  if (!h) return { text: '·', tone: 'muted' };
  if (c.cols.health <= 2) return { text: h.ok ? '♥' : '✖', tone: h.ok ? 'ok' : 'fail' };
  return { text: `${h.ok ? '♥' : '✖'} ${h.message}`, tone: h.ok ? 'ok' : 'fail' };
}

function deadlineText(view: NodeView, now: number, w: UiWords): { text: string; tone: Tone } {
  const d = view.deadline;
  if (!d || view.state === 'passed' || view.state === 'skipped') return { text: '', tone: 'muted' };
  return deadlineCountdown(d, now, w);
}

/** A deadline as a countdown: `⏲ 04:12`, or `⏲ over` once it passed. */
export function deadlineCountdown(d: { at: number; passed: boolean }, now: number, w: UiWords = en): { text: string; tone: Tone } {
  if (d.passed || d.at <= now) return { text: `⏲ ${w.over}`, tone: 'fail' };
  const left = d.at - now;
  return { text: `⏲ ${formatClock(left).replace(/^00:/, '')}`, tone: left < 60_000 ? 'fail' : 'warn' };
}

/** One node's row, exactly `width` columns. */
export function nodeRow(view: NodeView, c: RowContext, selected: boolean, focused: boolean): string {
  const { cols, theme } = c;
  const parts: string[] = [];
  const plain: string[] = [];
  const add = (text: string, width: number, tone: Tone) => {
    const cell = fit(text, width);
    plain.push(cell);
    parts.push(theme.paint(cell, tone));
  };
  add(view.name, cols.name, selected ? 'title' : 'plain');
  if (cols.address) add(view.address, cols.address, 'muted');
  if (cols.role) add(view.role, cols.role, 'muted');
  if (cols.version) add(c.version(view), cols.version, 'plain');
  if (cols.change) {
    const ch = CHANGE_TEXT[view.change];
    add(cols.change > 1 && ch.word ? `${ch.glyph} ${c.words.state(ch.word)}` : ch.glyph, cols.change, ch.tone);
  }
  if (cols.deadline) {
    const d = deadlineText(view, c.now, c.words);
    add(d.text, cols.deadline, d.tone);
  }
  if (cols.health) {
    const h = healthText(view, c);
    add(h.text, cols.health, h.tone);
  }
  const used = plain.reduce((n, p) => n + textWidth(p) + 1, 2);
  const stateWidth = Math.max(0, c.width - used);
  const state = fit(stateText(view, c.now, c.spinner, c.words), stateWidth);
  const marker = selected ? '› ' : '  ';
  if (selected && focused) return theme.paint(`${marker}${[...plain, state].join(' ')}`, 'plain', { inverse: true });
  return `${marker}${[...parts, theme.paint(state, theme.tone(view.state))].join(' ')}`;
}

function headerRow(c: RowContext): string {
  const { cols } = c;
  const n = c.words.columns;
  const cells: string[] = [fit(n.node, cols.name)];
  if (cols.address) cells.push(fit(n.address, cols.address));
  if (cols.role) cells.push(fit(n.role, cols.role));
  if (cols.version) cells.push(fit(n.version, cols.version));
  if (cols.change) cells.push(fit(cols.change > 1 ? n.change : 'c', cols.change));
  if (cols.deadline) cells.push(fit(n.deadline, cols.deadline));
  if (cols.health) cells.push(fit(cols.health > 2 ? n.health : 'h', cols.health));
  cells.push(n.state);
  return c.theme.paint(fit(`  ${cells.join(' ')}`, c.width), 'muted');
}

interface Group {
  role: string;
  views: NodeView[];
}

function groupsOf(views: readonly NodeView[]): Group[] {
  const byRole = new Map<string, Group>();
  for (const v of views) {
    let g = byRole.get(v.role);
    if (!g) byRole.set(v.role, (g = { role: v.role, views: [] }));
    g.views.push(v);
  }
  return [...byRole.values()];
}

const isBusy = (v: NodeView): boolean => v.state !== 'idle' && v.state !== 'pending' && v.state !== 'passed' && v.state !== 'skipped';

/** The dot map of a group: lines of glyphs, a bucket of nodes per glyph when they do not fit. */
export function dotMap(
  views: readonly NodeView[],
  width: number,
  maxLines: number,
  theme: Theme,
  selected?: string,
): { lines: string[]; perCell: number } {
  const cellsPerLine = Math.max(1, width);
  const perCell = Math.max(1, Math.ceil(views.length / (cellsPerLine * Math.max(1, maxLines))));
  const cells: { state: DisplayState; selected: boolean }[] = [];
  for (let i = 0; i < views.length; i += perCell) {
    let worst: DisplayState = views[i]!.state;
    let sel = false;
    for (let j = i; j < Math.min(views.length, i + perCell); j++) {
      const v = views[j]!;
      if (SEVERITY[v.state] > SEVERITY[worst]) worst = v.state;
      if (v.name === selected) sel = true;
    }
    cells.push({ state: worst, selected: sel });
  }
  const lines: string[] = [];
  for (let start = 0; start < cells.length; start += cellsPerLine) {
    let line = '';
    let run = '';
    let runState: DisplayState | undefined;
    const flush = () => {
      if (run && runState) line += theme.paint(run, theme.tone(runState));
      run = '';
    };
    for (const cell of cells.slice(start, start + cellsPerLine)) {
      if (cell.selected) {
        flush();
        line += theme.paint(DOT[cell.state], theme.tone(cell.state), { inverse: true });
        runState = undefined;
        continue;
      }
      if (cell.state !== runState) {
        flush();
        runState = cell.state;
      }
      run += DOT[cell.state];
    }
    flush();
    lines.push(line);
  }
  return { lines, perCell };
}

/** Counts per state, as `●140 ◐5 ○1854 ✖1`. */
export function stateCounts(views: readonly NodeView[], theme: Theme, w: UiWords = en): string {
  const counts = new Map<DisplayState, number>();
  for (const v of views) {
    const s = v.state === 'refused' ? 'failed' : v.state;
    counts.set(s, (counts.get(s) ?? 0) + 1);
  }
  const parts: string[] = [];
  for (const s of COUNT_ORDER) {
    const n = counts.get(s);
    if (n) parts.push(theme.paint(`${DOT[s]}${n} ${s === 'idle' ? w.notStarted : w.state(s)}`, theme.tone(s)));
  }
  return parts.join('  ');
}

interface Line {
  text: string;
  node?: string;
}

/** The grid's rows for a pane `height` rows high (its title not included). */
export function renderGrid(input: GridInput): GridOutput {
  const { width, height, theme } = input;
  const shown = filterNodes(input.views, input.filter, input.health);
  const order = shown.map((v) => v.name);
  const versions = shown.map((v) => input.version(v));
  const anyProbe = shown.some((v) => input.probed.has(v.role));
  const anyDeadline = shown.some((v) => v.deadline !== undefined);
  const c: RowContext = {
    cols: columnsFor(width, shown, versions, anyProbe, anyDeadline),
    width,
    now: input.now,
    theme,
    spinner: input.spinner,
    health: input.health,
    probed: input.probed,
    version: input.version,
    words: input.words ?? en,
  };
  const row = (v: NodeView): Line => ({ text: nodeRow(v, c, v.name === input.selected, input.focused), node: v.name });
  if (height <= 0) return { lines: [], order, page: 1, shown: shown.length, total: input.views.length };
  if (shown.length === 0) {
    const why = input.filter ? c.words.noNodeMatches(input.filter) : c.words.noNodes;
    return {
      lines: [theme.paint(fit(`  ${why}`, width), 'muted'), ...blank(height - 1, width)],
      order,
      page: 1,
      shown: 0,
      total: input.views.length,
    };
  }

  const groups = groupsOf(shown);
  // Everything in rows, with the column header, when it fits.
  if (shown.length + 1 <= height) {
    const lines = [headerRow(c), ...shown.map((v) => row(v).text)];
    return {
      lines: [...lines, ...blank(height - lines.length, width)],
      order,
      page: Math.max(1, height - 2),
      shown: shown.length,
      total: input.views.length,
    };
  }

  // Collapse the biggest groups until the estimate fits.
  const compact = new Set<Group>();
  const dotWidth = Math.max(1, width - 2);
  const compactCost = (g: Group) =>
    1 + Math.min(3, Math.ceil(g.views.length / dotWidth)) + (g.views.some((v) => v.name === input.selected) ? 1 : 0);
  const cost = () => groups.reduce((n, g) => n + (compact.has(g) ? compactCost(g) : g.views.length), 1);
  for (const g of [...groups].sort((a, b) => b.views.length - a.views.length)) {
    if (cost() <= height) break;
    // Small groups (masters) keep a row per node; a tiny pane scrolls instead.
    if (g.views.length > 5) compact.add(g);
  }
  const spare = Math.max(0, height - cost());
  const lines: Line[] = [{ text: headerRow(c) }];
  let page = 1;
  // Busy nodes of compact groups get rows with what is left, shared in group order.
  let busyRoom = spare;
  for (const g of groups) {
    if (!compact.has(g)) {
      for (const v of g.views) lines.push(row(v));
      continue;
    }
    const title = input.roleTitles[g.role] ?? g.role;
    const label = `  ${title} ${g.views.length}  `;
    lines.push({
      text: theme.paint(truncate(label, width), 'title') + truncateStyled(stateCounts(g.views, theme, c.words), width - textWidth(label)),
    });
    const maxDotLines = Math.min(3, Math.ceil(g.views.length / dotWidth));
    const map = dotMap(g.views, dotWidth, maxDotLines, theme, input.selected);
    page = Math.max(page, map.perCell * dotWidth);
    for (const l of map.lines) lines.push({ text: `  ${l}` });
    const sel = g.views.find((v) => v.name === input.selected);
    if (sel) lines.push(row(sel));
    for (const v of g.views) {
      if (busyRoom <= 0) break;
      if (v !== sel && isBusy(v)) {
        lines.push(row(v));
        busyRoom -= 1;
      }
    }
  }
  // Still too tall: keep the header and a window around the selection, saying what is above and
  // below it.
  let body = lines.slice(1);
  const room = height - 1;
  if (body.length > room)
    body = windowAround(
      body,
      room,
      Math.max(
        0,
        body.findIndex((l) => l.node === input.selected),
      ),
      width,
      theme,
      c.words,
    );
  const out = [lines[0]!.text, ...body.map((l) => l.text)];
  return { lines: [...out, ...blank(height - out.length, width)], order, page, shown: shown.length, total: input.views.length };
}

/** `room` lines of `all` around line `at`, with "n more" lines where some are left out. */
function windowAround(all: Line[], room: number, at: number, width: number, theme: Theme, w: UiWords): Line[] {
  if (room < 3) return all.slice(Math.min(at, all.length - room), Math.min(at, all.length - room) + room);
  let start = Math.max(0, Math.min(at - Math.floor((room - 2) / 2), all.length - (room - 2)));
  let end = start + (room - 2);
  // Give a row back to the list where no "more" line is needed.
  const fill = () => room - (end - start) - (start > 0 ? 1 : 0) - (end < all.length ? 1 : 0);
  while (fill() > 0) {
    if (end < all.length) end += 1;
    else if (start > 0) start -= 1;
    else break;
  }
  while (fill() < 0) {
    if (end - 1 > at) end -= 1;
    else start += 1;
  }
  const more = (n: number, where: 'above' | 'below') => ({
    text: theme.paint(fit(`  ${w.moreNodes(where, n)}`, width), 'muted'),
  });
  return [
    ...(start > 0 ? [more(start, 'above')] : []),
    ...all.slice(start, end),
    ...(end < all.length ? [more(all.length - end, 'below')] : []),
  ];
}

function blank(n: number, width: number): string[] {
  return n > 0 ? Array.from({ length: n }, () => ' '.repeat(width)) : [];
}
