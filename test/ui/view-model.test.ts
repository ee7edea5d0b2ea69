import { describe, expect, it } from 'vitest';
import {
  activePrompt,
  changeState,
  headerVersions,
  headerView,
  nodeDisplayState,
  nodeVersion,
  nodeView,
  runningCommands,
  stepRows,
  NO_FACTS,
} from '../../src/ui/app/view-model.js';
import { atFirstConfirmation, freshState, masterPolling, T0 } from './fixtures.js';

describe('view model', () => {
  it('header: title, the runbook header fields, step n/N, elapsed time', () => {
    const d = masterPolling();
    const h = headerView(d.state, T0 + 75_000, 'sim:happy');
    expect(h).toMatchObject({
      title: 'Patch a live DC/OS 1.11 cluster',
      fields: [
        { name: 'patch', value: '1.11.1 -> 1.11.2' },
        { name: 'security', value: 'permissive' },
      ],
      step: 'step 3/47',
      elapsed: '00:01:15',
      target: 'sim:happy',
      phase: 'running',
    });
    expect(headerView(freshState(), T0, 'x').elapsed).toBe('00:00:00');
  });

  it('step list: every section; steps of the expanded ones with state and detail', () => {
    const d = masterPolling();
    const rows = stepRows(d.state, new Set(['masters']), T0 + 41_000 + 30_000);
    expect(rows.map((r) => [r.kind, r.title, r.state, r.detail])).toEqual([
      ['section', 'Prerequisites', 'passed', ''],
      ['section', 'Patch the masters', 'running', '0/3'],
      ['step', 'Run the node patch script', 'pending', '1/3'],
      ['step', 'Mesos registrar recovered', 'polling', 'master-1 #1 00:14:30 left'],
      ['section', 'Patch the agents', 'pending', '0/20'],
    ]);
    expect(rows[2]?.why).toBe('Installs the new packages and restarts the DC/OS units on this master.');
    // With master-1 selected, the step it passed shows as passed (still 1 of 3 nodes).
    expect(stepRows(d.state, new Set(['masters']), T0, 'master-1')[2]).toMatchObject({ state: 'passed', detail: '1/3' });
  });

  it('a waiting confirmation and a failure show in the step list', () => {
    const d = atFirstConfirmation();
    expect(stepRows(d.state, new Set(['masters']), T0)[2]).toMatchObject({ state: 'confirm', detail: 'waiting' });
    d.act({ type: 'refuse', prompt: 'confirm:masters/run-patch-script@master-1' });
    expect(stepRows(d.state, new Set(['masters']), T0)[2]).toMatchObject({ state: 'failed', detail: 'master-1: refused by alice' });
    // The hint is about a script that ran and failed: not shown for one refused.
    expect(stepRows(d.state, new Set(['masters']), T0, 'master-1')[2]?.hint).toBeUndefined();
    expect(stepRows(d.state, new Set(['masters']), T0, 'master-2')[2]?.hint).toBe('Read the last lines of the script.');
  });

  it('nodes: display state, change state and the version rule', () => {
    const d = masterPolling();
    const m1 = d.state.nodes.get('master-1')!;
    const m2 = d.state.nodes.get('master-2')!;
    expect(nodeDisplayState(m1)).toBe('polling');
    expect(changeState(d.state, m1)).toBe('changing');
    expect(changeState(d.state, m2)).toBe('before');
    expect(changeState(d.state, d.state.nodes.get('local')!)).toBe('none');
    const v1 = nodeView(d.state, m1);
    expect(v1).toMatchObject({ name: 'master-1', address: '10.0.4.1', role: 'master', state: 'polling', change: 'changing' });
    expect(nodeView(d.state, m1)).toBe(v1);
    // Before and during the change: the header's "from"; a captured version wins.
    expect(nodeVersion(d.state, v1, NO_FACTS)).toBe('1.11.1');
    expect(nodeVersion(d.state, v1, { ...NO_FACTS, versions: new Map([['master-1', '1.11.2-rc']]) })).toBe('1.11.2-rc');
    d.advance(10_000);
    d.send({ type: 'timer', task: 'masters/recovered@master-1', attempt: 1, kind: 'poll' });
    d.done('masters/recovered@master-1', { stdout: '{"registrar\\/log\\/recovered":1.0}' });
    const done = nodeView(d.state, d.state.nodes.get('master-1')!);
    expect(done.change).toBe('changed');
    expect(nodeVersion(d.state, done, NO_FACTS)).toBe('1.11.2');
  });

  it('a failed destructive step makes the change failed', () => {
    const d = masterPolling();
    d.advance(15 * 60_000);
    const before = d.state;
    d.send({ type: 'timer', task: 'masters/recovered@master-1', attempt: 1, kind: 'poll' });
    d.done('masters/recovered@master-1', { stdout: '{"registrar\\/log\\/recovered":0.0}' });
    expect(d.state).not.toBe(before);
    expect(nodeView(d.state, d.state.nodes.get('master-1')!).state).toBe('failed');
  });

  it('reads "A -> B" in the header as the versions from and to', () => {
    expect(headerVersions({ patch: '1.11.1 -> 1.11.2' })).toEqual({ from: '1.11.1', to: '1.11.2' });
    expect(headerVersions({ security: 'strict' })).toBeUndefined();
  });

  it('the prompt first asked, and what runs (for the quit dialog)', () => {
    expect(activePrompt(atFirstConfirmation().state)?.node).toBe('master-1');
    expect(runningCommands(masterPolling().state)).toEqual([
      { node: 'master-1', key: 'masters/recovered', command: 'curl -fsS http://10.0.4.1:5050/metrics/snapshot', startedAt: T0 + 41_000 },
    ]);
  });
});
