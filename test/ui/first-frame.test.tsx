// The first frame drawn before Ink is loaded must be the App's own first frame, row for row: the
// screen writer then has nothing to redraw when Ink mounts, and the operator sees no jump. Both
// are taken for the same fresh run at several sizes, themes and runbooks (the shipped DC/OS
// runbook on the default training cluster, in English and Chinese).
import path from 'node:path';
import React from 'react';
import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/engine/plan.js';
import { Runner } from '../../src/engine/runner.js';
import { createRunState, type RunState } from '../../src/engine/state.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { simulatedNodes } from '../../src/sim/index.js';
import { App } from '../../src/ui/app/App.js';
import { TuiController } from '../../src/ui/app/controller.js';
import { canDrawFirstFrame, firstFrameRows } from '../../src/ui/app/first-frame.js';
import { SPINNER_FRAMES, createTheme } from '../../src/ui/terminal/theme.js';
import { freshState } from './fixtures.js';
import { renderScreen } from './terminal.js';

const root = path.join(import.meta.dirname, '..', '..');

async function shippedState(file: string): Promise<RunState> {
  const inventory = { source: 'sim:happy', name: 'sim-happy', nodes: simulatedNodes({ scenario: 'happy' }), simulated: true };
  const { runbook, digest } = await loadRunbook(path.join(root, 'runbooks', file), { inventory });
  const plan = buildPlan(runbook, inventory, { file });
  const params = { installed_version: '1.11.4', target_version: '1.11.5', security: 'permissive', security_change: 'keep' };
  return createRunState({ plan, runId: 'r1', file, digest, params, by: 'alice', inventory: { source: 'sim:happy', simulated: true } });
}

/** The App's first frame for the state, as the rows it hands the screen writer. */
async function appFirstFrame(state: RunState, columns: number, rows: number, theme: string, training: boolean): Promise<string[]> {
  const runner = new Runner({ state, transportFor: () => ({}) as never, by: 'alice' });
  const controller = new TuiController({
    runner,
    transportFor: () => ({}) as never,
    size: { columns, rows },
    health: false,
    target: 'sim:happy',
    training,
  });
  const frames: (readonly string[])[] = [];
  const r = await renderScreen(<App controller={controller} theme={createTheme(theme as 'mono')} />, {
    columns,
    rows,
    onFrame: (f) => frames.push(f),
  });
  controller.close();
  r.unmount();
  return [...frames[0]!];
}

describe('the first frame, drawn before Ink', () => {
  it.each([
    ['the test runbook, 100x30, mono', 'fixture', 100, 30, 'mono', false],
    ['the test runbook, 80x24, dark', 'fixture', 80, 24, 'dark', false],
    ['the DC/OS runbook, 120x40, dark, training', 'dcos-1.11-patch.yaml', 120, 40, 'dark', true],
    ['the DC/OS runbook in Chinese, 100x30, light, training', 'dcos-1.11-patch.zh-CN.yaml', 100, 30, 'light', true],
    ['the DC/OS runbook, 250x70, mono', 'dcos-1.11-patch.yaml', 250, 70, 'mono', false],
    ['a terminal too small', 'fixture', 30, 10, 'mono', false],
  ])('is the App first frame, row for row: %s', async (_what, which, columns, rows, theme, training) => {
    const state = which === 'fixture' ? freshState(3, 20) : await shippedState(which as string);
    expect(canDrawFirstFrame(state)).toBe(true);
    const app = await appFirstFrame(state, columns as number, rows as number, theme as string, training as boolean);
    const ours = firstFrameRows(state, {
      columns: columns as number,
      rows: rows as number,
      theme: createTheme(theme as 'mono'),
      target: 'sim:happy',
      training: training as boolean,
      now: Date.now(),
      spinner: SPINNER_FRAMES[0],
    });
    expect(ours).toEqual(app);
  });

  it('is not drawn for a run that already started (a resume): the App draws it', () => {
    const state = freshState(1, 1);
    expect(canDrawFirstFrame({ ...state, phase: 'running' })).toBe(false);
  });
});
