// The first frame of a fresh run, drawn before React and Ink are loaded: loading them takes longer
// than everything else before the first frame (docs/architecture.md, "First frame"). These are the
// rows the App and its Screen draw for a run that waits for enter, computed from the same view
// model and panes without a React tree; once Ink has mounted, the App's first frame replaces them
// (the screen writer rewrites only the rows that differ, which is none: a test holds them equal).
// Nothing here may import react or ink.
import type { RunState } from '../../engine/state.js';
import { headerLine } from '../panes/header.js';
import { helpBarLine } from '../panes/help-bar.js';
import { nodeGridLines } from '../panes/node-grid.js';
import { outputPaneLines } from '../panes/output-pane.js';
import { statusLine } from '../panes/status-line.js';
import { stepListLines } from '../panes/step-list.js';
import { ScreenWriter, trimRow } from '../terminal/screen-writer.js';
import { SPINNER_MARK, chooseTheme, type Theme } from '../terminal/theme.js';
import { fit, padEnd, wrap } from '../terminal/text-width.js';
import { dialogLayout } from './dialog-layout.js';
import { probedRoles } from '../../diagnostics/health.js';
import { headerView, nodeVersion, nodeView, stepRows, type NodeFacts } from './view-model.js';
import { uiWordsFor, type UiWords } from '../../words/words.js';

export interface FirstFrameOptions {
  columns: number;
  rows: number;
  theme: Theme;
  /** The header's target (the cluster's name, or sim:<scenario>). */
  target: string;
  training?: boolean;
  /** The run's clock now. */
  now: number;
  /** The spinner glyph (the mark the screen writer animates; tests freeze it). */
  spinner?: string;
  /** The UI's own words: --lang or the setting, else the runbook's language. */
  words?: UiWords;
}

/** Whether the run is one the first frame can be drawn for: fresh, nothing asked, nothing checked yet. */
export const canDrawFirstFrame = (state: RunState): boolean =>
  state.phase === 'ready' && state.prompts.length === 0 && state.preflight === undefined;

/** The rows of a fresh run's screen, as the App's first frame has them. */
export function firstFrameRows(state: RunState, o: FirstFrameOptions): string[] {
  const { columns, rows: height, theme, now } = o;
  const spinner = o.spinner ?? SPINNER_MARK;
  const words = o.words ?? uiWordsFor(state.plan.runbook.lang);
  const { layout: l } = dialogLayout({ columns, rows: height, troubleshoot: false, theme });
  if (l.tooSmall)
    return wrap(l.tooSmall, Math.max(1, l.columns))
      .slice(0, l.rows)
      .map((t) => fit(t, l.columns));
  const views = [...state.nodes.values()].map((n) => nodeView(state, n, words));
  // Nothing runs and nothing is asked: the selection is the first node, the cursor the first section.
  const selected = views[0]?.name;
  const current = state.sections[state.sectionIndex]?.id;
  const expanded = new Set([current].filter((s): s is string => Boolean(s)));
  const stepList = stepRows(state, expanded, now, selected, words);
  const inCurrent = stepList.filter((r) => r.kind === 'step' && r.key.startsWith(`${current}/`));
  const busy =
    inCurrent.find((r) => r.state !== 'passed' && r.state !== 'skipped' && r.state !== 'pending') ??
    inCurrent.find((r) => r.state === 'pending');
  const cursor = busy?.key ?? current ?? stepList[0]?.key;
  const facts: NodeFacts = { health: new Map(), versions: new Map() };
  const roleTitles = Object.fromEntries(Object.entries(state.plan.runbook.roles ?? {}).map(([k, r]) => [k, r.title ?? k]));

  const header = headerLine({ view: headerView(state, now, o.target), width: l.columns, theme, words });
  const steps = stepListLines({
    rows: stepList,
    ...(cursor ? { cursor } : {}),
    focused: true,
    training: o.training ?? false,
    spinner,
    width: l.stepsWidth,
    height: l.body,
    theme,
    words,
  });
  const grid = nodeGridLines({
    views,
    version: (v) => nodeVersion(state, v, facts),
    health: facts.health,
    healthVersion: 0,
    probed: probedRoles(state),
    roleTitles,
    ...(selected ? { selected } : {}),
    filter: '',
    focused: false,
    now,
    spinner,
    width: l.nodesWidth,
    height: l.body,
    theme,
    words,
  });
  const output = outputPaneLines({
    ...(selected ? { node: selected } : {}),
    lines: [],
    scroll: 0,
    total: 0,
    focused: false,
    version: state.outputVersion,
    width: l.columns,
    height: l.output,
    theme,
    words,
  });
  const status = statusLine({ phase: state.phase, waiting: 0, width: l.columns, theme, words });
  const bar = helpBarLine({ mode: 'steps', group: false, width: l.columns, theme, words });

  const all = [header];
  for (let i = 0; i < l.body; i++)
    all.push(`${steps[i] === undefined ? ' '.repeat(l.stepsWidth) : padEnd(steps[i]!, l.stepsWidth)} ${grid[i] ?? ''}`);
  for (let i = 0; i < l.output; i++) all.push(output[i] ?? ' '.repeat(l.columns));
  all.push(status, bar);
  return all.slice(0, l.rows).map(trimRow);
}

/** A screen already on the terminal: its writer (in the alternate screen) and the size it was drawn at. */
export interface DrawnScreen {
  writer: ScreenWriter;
  size: { columns: number; rows: number };
}

/**
 * Enters the alternate screen and draws a fresh run's first frame at once; runTui takes the writer
 * over. Undefined when the run is not fresh (the App draws its first frame then).
 */
export function drawFirstFrame(
  state: RunState,
  io: { stdin?: NodeJS.ReadStream; stdout: NodeJS.WriteStream; env: NodeJS.ProcessEnv; theme?: string; noColor?: boolean; maxFps?: number },
  o: { target: string; training?: boolean; now: number; lang?: string },
): DrawnScreen | undefined {
  if (!canDrawFirstFrame(state)) return undefined;
  const theme = chooseTheme({
    env: io.env,
    ...(io.theme !== undefined ? { theme: io.theme } : {}),
    ...(io.noColor ? { noColor: true } : {}),
  });
  const size = { columns: io.stdout.columns || 80, rows: io.stdout.rows || 24 };
  const writer = new ScreenWriter(io.stdout, () => size, { maxFps: io.maxFps ?? 20 });
  // Keys pressed before Ink reads them: raw now, so the terminal neither echoes them over the
  // frame nor turns enter into a newline; they wait, unread, for Ink.
  if (io.stdin?.isTTY && typeof io.stdin.setRawMode === 'function') io.stdin.setRawMode(true);
  writer.enter();
  const words = uiWordsFor(o.lang ?? state.plan.runbook.lang);
  writer.frame(firstFrameRows(state, { ...size, theme, target: o.target, ...(o.training ? { training: true } : {}), now: o.now, words }));
  writer.flush();
  return { writer, size };
}
