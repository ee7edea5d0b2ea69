// The container: reads the controller's snapshot, keeps the screen's state (ui-state.ts), turns
// keys into the reducer's messages and its effects into the controller's I/O, and hands the
// Screen its props. Everything it shows is derived here from the run's state; nothing is run here.
import { useInput } from 'ink';
import React, { useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { confirmGroup, taskOf, type Prompt } from '../../engine/state.js';
import { tallyOfState, tallyText } from '../../engine/tally.js';
import type { TuiController } from './controller.js';
import { briefingText, quitText, resumeCommand, reasonText, type ConfirmInfo } from '../panes/dialogs.js';
import { dialogLayout } from './dialog-layout.js';
import { deadlineCountdown, filterNodes } from '../panes/grid.js';
import { probedRoles } from './health.js';
import { helpRows } from '../panes/help-overlay.js';
import { keyName } from './keymap.js';
import { useSpinner } from './animation.js';
import { Screen, type ScreenProps } from './Screen.js';
import type { Theme } from '../terminal/theme.js';
import { suggestedCommand, troubleshootCommands } from './troubleshoot.js';
import { activeMode, groupKey, initialUiState, uiUpdate, type UiContext, type UiMsg, type UiState } from './ui-state.js';
import { useTicker } from './use-ticker.js';
import {
  activePrompt,
  headerView,
  heldInfo,
  nodeVersion,
  nodeView,
  preflightView,
  runningCommands,
  stepRows,
  stepWhy,
  type NodeView,
} from './view-model.js';
import { preflightRows } from '../panes/preflight-pane.js';
import { stepOutput } from '../panes/attempt-output.js';

export interface AppProps {
  controller: TuiController;
  theme: Theme;
}

const MESSAGE_MS = 5000;
const NONE_REFUSED: readonly never[] = [];

/** Steps whose command will print nothing more. */
const ENDED: ReadonlySet<string> = new Set(['passed', 'failed', 'skipped', 'refused', 'interrupted']);

export function App({ controller, theme }: AppProps) {
  const snap = useSyncExternalStore(controller.subscribe, controller.snapshot);
  const { state, size } = snap;
  const [ui, setUi] = useState<UiState>(() => ({ ...initialUiState(), ...(controller.briefing ? { briefing: true } : {}) }));
  const uiRef = useRef(ui);
  uiRef.current = ui;
  const live = state.phase === 'running' || state.phase === 'paused' || state.phase === 'aborting';
  const tick = useTicker(live ? 1000 : 0);
  const now = controller.clock.now();
  const wall = controller.wallClock();

  // ---- what is asked of the operator ----
  const confirm = useMemo(() => {
    let first: Extract<Prompt, { kind: 'confirm' }> | undefined;
    for (const p of state.prompts) if (p.kind === 'confirm' && (!first || p.askedAt < first.askedAt)) first = p;
    return first;
  }, [state.prompts]);
  // Other nodes waiting on the same step, which `a` may confirm with it.
  const group = useMemo(() => (confirm ? confirmGroup(state, confirm.id) : undefined), [confirm, state.prompts]);

  // ---- nodes ----
  // A captured var may fill in a title, a pre-flight may refuse nodes: views are checked again
  // when either changes (each is cached).
  const views = useMemo(
    () => [...state.nodes.values()].map((n) => nodeView(state, n)),
    [state.nodes, state.vars, state.preflight, state.prompts, state.phase],
  );
  // ---- the pre-flight: while it checks the nodes, and the nodes it refused ----
  const preflight = useMemo(() => preflightView(state, now), [state.preflight, tick]);
  const refused = preflight?.status === 'failed' ? preflight.failures : NONE_REFUSED;
  const showReport = preflight !== undefined && (preflight.status === 'running' || refused.length > 0);
  const report = useMemo(
    () => (showReport && preflight ? preflightRows(preflight, size.columns, theme) : undefined),
    [showReport, preflight?.status, preflight?.failures, size.columns, theme],
  );

  const autoNode = useMemo(() => {
    if (confirm) return confirm.node;
    const first = activePrompt(state);
    if (first) return first.node;
    if (refused[0]) return refused[0].node;
    return views.find((v) => v.state === 'running' || v.state === 'polling')?.name;
  }, [confirm, state.prompts, views, refused]);
  const selectedNode = (ui.nodePinned ? ui.selectedNode : (autoNode ?? ui.selectedNode)) ?? views[0]?.name;
  const decision = useMemo(() => {
    const decisions = state.prompts.filter((p): p is Extract<Prompt, { kind: 'failure' | 'interrupted' }> => p.kind !== 'confirm');
    return decisions.find((p) => p.node === selectedNode) ?? decisions.sort((a, b) => a.askedAt - b.askedAt)[0];
  }, [state.prompts, selectedNode]);

  // ---- steps ----
  const current = state.sections[state.sectionIndex]?.id;
  const [cursorSection] = (ui.stepPinned ? (ui.stepCursor ?? '') : '').split('/');
  const expanded = useMemo(() => new Set([current, cursorSection].filter((s): s is string => Boolean(s))), [current, cursorSection]);
  const rows = useMemo(() => stepRows(state, expanded, now, selectedNode), [state, expanded, tick, selectedNode]);
  const autoCursor = useMemo(() => {
    const inCurrent = rows.filter((r) => r.kind === 'step' && r.key.startsWith(`${current}/`));
    const busy =
      inCurrent.find((r) => r.state !== 'passed' && r.state !== 'skipped' && r.state !== 'pending') ??
      inCurrent.find((r) => r.state === 'pending');
    return busy?.key ?? current ?? rows[0]?.key;
  }, [rows, current]);
  const cursor = ui.stepPinned ? ui.stepCursor : autoCursor;

  // ---- layout and panes ----
  const quit = ui.quit
    ? quitText(
        {
          running: runningCommands(state),
          now,
          phase: state.phase,
          ...heldInfo(views),
          training: controller.training,
          runId: state.run.id,
        },
        size.columns,
        theme,
      )
    : undefined;
  const reason = ui.input?.kind === 'reason' ? reasonText(ui.input.purpose, ui.input.task, ui.input.text, theme, size.columns) : undefined;
  const confirmInfo: ConfirmInfo | undefined = confirm
    ? {
        prompt: confirm,
        address: state.plan.targets.get(confirm.node)?.ip,
        role: state.plan.targets.get(confirm.node)?.roles[0],
        typed: ui.typed.prompt === `${confirm.id}#${confirm.askedAt}` ? ui.typed.text : '',
        others: state.prompts.filter((p) => p.kind === 'confirm' && p !== confirm && !group?.prompts.includes(p)).map((p) => p.node),
        why: stepWhy(state, confirm.section, confirm.step, confirm.node).why,
        training: controller.training,
        ...(group
          ? {
              group: {
                sameCommand: group.sameCommand,
                // The node asked about first, then the others in the order they were asked.
                nodes: [confirm, ...group.prompts.filter((p) => p !== confirm)].map((p) => ({
                  node: p.node,
                  ...(state.plan.targets.get(p.node)?.ip ? { address: state.plan.targets.get(p.node)!.ip } : {}),
                  ...(p.command !== undefined ? { command: p.command } : {}),
                })),
              },
            }
          : {}),
      }
    : undefined;
  const placed = dialogLayout({
    columns: size.columns,
    rows: size.rows,
    troubleshoot: ui.troubleshoot.open,
    ...(report ? { reportRows: report.length + 1 } : {}),
    ...(quit ? { quit } : {}),
    ...(ui.briefing && controller.briefing ? { briefing: briefingText(controller.briefing, size.columns, controller.briefingTitle) } : {}),
    ...(reason ? { reason } : {}),
    ...(confirmInfo ? { confirm: confirmInfo } : {}),
    theme,
  });
  const { dialog, layout } = placed;
  // `a` answers for the nodes the dialog lists, and only when they are listed.
  const listed = placed.listed ? group : undefined;

  const selectedState = selectedNode ? state.nodes.get(selectedNode) : undefined;
  const task = selectedState?.current ? `${selectedState.current}@${selectedNode}` : undefined;
  const attempts = selectedState?.current ? selectedState.attempts?.get(selectedState.current) : undefined;
  const allOutput = useMemo(
    () => (selectedState && task ? stepOutput(selectedState, controller.runner.output.lines(selectedState.name, task)) : []),
    [selectedNode, task, state.outputVersion, attempts],
  );
  const outputHeight = Math.max(0, layout.output - 1);
  const outputScroll = Math.min(ui.outputScroll, Math.max(0, allOutput.length - outputHeight));
  const outputLines = useMemo(
    () => allOutput.slice(Math.max(0, allOutput.length - outputHeight - outputScroll), allOutput.length - outputScroll),
    [allOutput, outputHeight, outputScroll],
  );
  const currentTask = selectedState?.current ? selectedState.tasks.get(selectedState.current) : undefined;
  const command = currentTask && 'command' in currentTask ? currentTask.command : undefined;
  // The selected node's countdown with the text the run gave it (filled in when its step started).
  const nodeDeadline =
    selectedState?.deadline && selectedState.summary !== 'passed' && selectedState.summary !== 'skipped'
      ? selectedState.deadline
      : undefined;
  const deadline = nodeDeadline ? [deadlineCountdown(nodeDeadline, now).text, nodeDeadline.text].filter(Boolean).join(' ') : undefined;

  const tsCommands = useMemo(() => (selectedNode ? troubleshootCommands(state, selectedNode) : []), [state.plan, selectedNode, state.vars]);
  const ts = controller.troubleshooter.view();
  const tsHeight = Math.max(0, layout.troubleshoot - 3);
  const tsScroll = Math.min(ui.troubleshoot.scroll, Math.max(0, ts.lines.length - tsHeight));
  const tsLines = useMemo(
    () => ts.lines.slice(Math.max(0, ts.lines.length - tsHeight - tsScroll), ts.lines.length - tsScroll),
    [ts, snap.troubleshootVersion, tsHeight, tsScroll],
  );

  const probed = useMemo(() => probedRoles(state), [state.plan]);
  const roleTitles = useMemo(
    () => Object.fromEntries(Object.entries(state.plan.runbook.roles ?? {}).map(([k, r]) => [k, r.title ?? k])),
    [state.plan],
  );
  const facts = useMemo(() => ({ health: controller.health.facts, versions: snap.versions }), [snap.healthVersion, snap.versionsVersion]);
  const version = useMemo(() => (v: NodeView) => nodeVersion(state, v, facts), [state.run, facts, views]);
  const gridPage = Math.max(1, layout.body - 2);

  const mode = activeMode(ui, { confirm });
  const ctx: UiContext = {
    phase: state.phase,
    ...(confirm ? { confirm } : {}),
    ...(listed ? { group: listed } : {}),
    ...(group && !listed
      ? {
          groupUnlisted: `a not offered: the ${group.prompts.length} nodes waiting do not fit on screen to be listed; y answers ${confirm!.node}`,
        }
      : {}),
    ...(decision ? { decision } : {}),
    running: state.counters.running,
    stepKeys: rows.map((r) => r.key),
    ...(cursor ? { stepCursor: cursor } : {}),
    nodeOrder: ui.filter ? filterNodes(views, ui.filter, controller.health.facts).map((v) => v.name) : views.map((v) => v.name),
    ...(selectedNode ? { selectedNode } : {}),
    nodePage: gridPage,
    outputLines: allOutput.length,
    outputHeight,
    ...(report ? { report: { lines: report.length, height: outputHeight } } : {}),
    troubleshootLines: ts.lines.length,
    troubleshootHeight: tsHeight,
    troubleshootCount: tsCommands.length,
    ...(selectedNode && suggestedCommand(state, selectedNode) !== undefined
      ? { troubleshootSuggested: suggestedCommand(state, selectedNode)! }
      : {}),
    helpLines: ui.help.open ? helpRows(size.columns - 4, theme).length : 0,
    inTmux: controller.inTmux,
  };
  const ctxRef = useRef(ctx);
  ctxRef.current = ctx;

  const send = (msg: UiMsg) => {
    const r = uiUpdate(uiRef.current, msg, ctxRef.current);
    uiRef.current = r.ui;
    setUi(r.ui);
    for (const e of r.effects) controller.perform(e);
  };

  useInput((input, key) => {
    controller.keyPressed();
    send({ type: 'key', name: keyName(input, key), input, at: controller.wallClock() });
  });

  // A new confirmation on screen starts the key-repeat guard; a new failure opens troubleshooting.
  const confirmKey = confirm ? `${confirm.id}#${confirm.askedAt}` : undefined;
  useEffect(() => {
    if (confirmKey) send({ type: 'prompt-shown', prompt: confirmKey, at: controller.wallClock() });
  }, [confirmKey]);
  // The nodes listed for `a`: a change (a node joins or leaves) restarts its guard.
  const listedKey = groupKey(listed);
  useEffect(() => {
    send({ type: 'group-shown', ...(listedKey !== undefined ? { group: listedKey } : {}), at: controller.wallClock() });
  }, [listedKey]);
  // A pre-flight that refused nodes: its report gets the focus (j/k scroll it), from its top.
  const refusedKey = refused.length > 0 ? String(state.preflight?.startedAt) : undefined;
  useEffect(() => {
    if (refusedKey) send({ type: 'preflight-failed', at: controller.wallClock() });
  }, [refusedKey]);
  const seenFailures = useRef(new Set<string>());
  useEffect(() => {
    for (const p of state.prompts) {
      if (p.kind !== 'failure') continue;
      const key = `${p.id}#${p.askedAt}`;
      if (seenFailures.current.has(key)) continue;
      seenFailures.current.add(key);
      // Refused by the operator: nothing ran, there is nothing to troubleshoot.
      if (taskOf(state, p.section, p.step, p.node).status === 'refused') continue;
      const index = suggestedCommand(state, p.node);
      if (troubleshootCommands(state, p.node).length > 0)
        send({ type: 'gate-failed', node: p.node, ...(index !== undefined ? { index } : {}), at: controller.wallClock() });
      break;
    }
  }, [state.prompts]);

  // The newest message; at the same moment an error (the engine refusing what a key asked) wins.
  // An error said before the run's phase or its pre-flight changed is about what was, not what is
  // (a pause refused during the pre-flight must not hide how the pre-flight ended).
  const situation = `${state.phase}/${state.preflight?.status ?? ''}`;
  const changed = useRef({ situation, at: 0 });
  if (changed.current.situation !== situation) changed.current = { situation, at: wall };
  const message = [ui.message, snap.notice]
    .filter((m): m is NonNullable<typeof m> => m !== undefined && wall - m.at < MESSAGE_MS && !(m.error && m.at < changed.current.at))
    .sort((a, b) => b.at - a.at || Number(b.error) - Number(a.error))[0];
  const spinner = useSpinner();

  const props: ScreenProps = {
    layout,
    theme,
    mode,
    group: mode === 'confirm' && listed !== undefined,
    header: headerView(state, now, controller.target),
    steps: { rows, ...(cursor ? { cursor } : {}), focused: mode === 'steps', training: controller.training, spinner },
    grid: {
      views,
      version,
      health: controller.health.facts,
      healthVersion: snap.healthVersion,
      probed,
      roleTitles,
      ...(selectedNode ? { selected: selectedNode } : {}),
      filter: ui.input?.kind === 'filter' ? ui.input.text : ui.filter,
      focused: mode === 'nodes',
      now,
      spinner,
    },
    output: {
      ...(selectedNode ? { node: selectedNode } : {}),
      ...(selectedState?.current ? { step: selectedState.current.split('/')[1] } : {}),
      ...(command ? { command } : {}),
      lines: outputLines,
      scroll: outputScroll,
      total: allOutput.length,
      focused: mode === 'output',
      version: state.outputVersion,
      ...(deadline ? { deadline } : {}),
      ...(currentTask && ENDED.has(currentTask.status) ? { ended: true } : {}),
    },
    ...(ui.troubleshoot.open
      ? {
          troubleshoot: {
            ...(selectedNode ? { node: ts.node ?? selectedNode } : {}),
            commands: tsCommands,
            ...(ts.index !== undefined ? { index: ts.index } : {}),
            ...(ts.display ? { display: ts.display } : {}),
            status: ts.status,
            ...(ts.ended ? { ended: ts.ended } : {}),
            lines: tsLines,
            scroll: tsScroll,
            focused: mode === 'troubleshoot',
            version: ts.version,
          },
        }
      : {}),
    ...(report && preflight ? { preflight: { view: preflight, rows: report, scroll: ui.reportScroll, focused: mode === 'output' } } : {}),
    ...(dialog ? { dialog } : {}),
    ...(ui.help.open && mode === 'help' ? { help: { scroll: ui.help.scroll } } : {}),
    status: {
      phase: state.phase,
      ...(state.outcome ? { outcome: state.outcome } : {}),
      ...(state.phase === 'finished' ? { tally: tallyText(tallyOfState(state)) } : {}),
      resume: resumeCommand(controller.training, state.run.id),
      ...(decision ? { decision } : {}),
      waiting: state.prompts.filter((p) => p.kind === 'confirm').length,
      ...(ui.input?.kind === 'filter' ? { filterInput: ui.input.text } : {}),
      ...(message ? { message } : {}),
      ...(preflight
        ? { preflight: { status: preflight.status, nodes: preflight.nodes, failed: refused.length, elapsed: preflight.elapsed } }
        : {}),
    },
  };
  return <Screen {...props} />;
}
