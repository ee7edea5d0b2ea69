// A training starts with its briefing on screen, in the TUI too: enter acknowledges it, nothing
// runs under it, and the header names no scenario (its name would give the fault away).
import { describe, expect, it } from 'vitest';
import { en } from '../../src/words/words.js';
import { scenarioDefinitions } from '../../src/sim/scenarios.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { mount, wait } from './mount.js';

const rb = runbook([section('prepare', [{ id: 'hello', title: 'Say hello', run: 'echo hello' }])]);
const registrar = scenarioDefinitions.find((s) => s.name === 'registrar-stuck')!;
const briefing = registrar.description.replace('{installed}', '1.11.4');

describe('the training briefing in the TUI', () => {
  it('is shown at start, holds every key but enter and q, and the header says training, not the scenario', async () => {
    // The fake stands in for a node: under test is what the screen shows and when the run may start.
    const t = new FakeTransport().expect('echo hello', { stdout: 'hello\n' });
    const { r, runner } = await mount(stateOf(rb), () => t, { training: true, briefing, target: en.train.target, columns: 100, rows: 30 });
    const first = await r.waitFor('Training briefing');
    expect(first).toContain('Patch every node of this DC/OS 1.11');
    expect(first).toContain('enter begin');
    expect(first).not.toMatch(/registrar-stuck|registrar does not recover/);
    expect(r.lines()[0]).toContain('training');
    // Keys do nothing under the briefing (a j, an r, a y): the run has not started.
    await r.press('j', 'r', 'y');
    await r.waitFor('press enter to begin');
    expect(runner.getState().phase).toBe('ready');
    // enter closes the briefing only; the next one starts the run.
    await r.press('enter');
    await r.waitFor((f) => !f.includes('Training briefing'));
    expect(runner.getState().phase).toBe('ready');
    await r.press('enter');
    await r.waitFor('The run passed');
    t.verify();
  });

  it('a play without a briefing starts as before: the first enter starts the run', async () => {
    const t = new FakeTransport().expect('echo hello', { stdout: 'hello\n' });
    const { r } = await mount(stateOf(rb), () => t);
    await r.waitFor('Press enter to start');
    expect(r.frame()).not.toContain('Training briefing');
    await r.press('enter');
    await r.waitFor('The run passed');
    await wait(0);
    t.verify();
  });
});

describe('how to continue, inside the TUI', () => {
  it('a training that ended badly or stopped says `runbook train --resume <run>`; one that passed says nothing of it', async () => {
    const { statusLine } = await import('../../src/ui/panes/status-line.js');
    const { resumeCommand } = await import('../../src/ui/panes/dialogs.js');
    const { createTheme } = await import('../../src/ui/terminal/theme.js');
    const base = { phase: 'finished' as const, waiting: 0, width: 160, theme: createTheme('mono'), resume: resumeCommand(true, 'r-1') };
    expect(statusLine({ ...base, outcome: 'failed' })).toContain('q quits; runbook train --resume r-1 continues it.');
    expect(statusLine({ ...base, outcome: 'passed' })).not.toContain('--resume');
    expect(resumeCommand(false, 'r-1')).toBe('runbook play --resume');
  });
});
