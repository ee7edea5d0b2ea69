// Titles, why, hints, deadline texts and the header as the run shows them: the engine fills in
// their templates (params, and vars once captured; secrets masked) and the screen shows exactly
// that, never the runbook's raw text.
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/engine/state.js';
import { stepRows, nodeView } from '../../src/ui/app/view-model.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { patchCluster } from './fixtures.js';
import { mount, wait } from './mount.js';

const URL = 'http://10.0.0.10/upgrade/5f0c/dcos_node_upgrade.sh';
const SECRET = 'tok-9f8e7d6c5b4a';

const templated = runbook(
  [
    section(
      'bootstrap',
      [
        {
          id: 'generate',
          title: 'Generate the {{params.target}} script',
          run: 'dcos_generate_config.ee.sh --generate-node-upgrade-script {{params.from}}',
          capture: { patch_url: 'Node upgrade script URL: (\\S+)' },
          why: 'Builds {{params.target}} for nodes on {{params.from}}.',
        },
      ],
      { title: 'Build the {{params.target}} script' },
    ),
    section(
      'masters',
      [
        {
          id: 'run-patch',
          title: 'Run {{vars.patch_url}} on {{node.name}}',
          run: 'curl -fsSO {{vars.patch_url}} && sudo bash dcos_node_upgrade.sh',
          destructive: true,
          why: 'Patches {{node.name}} to {{params.target}}; the token {{params.token}} stays secret.',
          hint: 'Read {{vars.patch_url}} again.',
          deadline: { after: '5m', text: 'expires on {{params.target}}' },
        },
      ],
      {
        on: 'master',
        strategy: 'serial',
        title: 'Patch the masters to {{params.target}}',
        why: 'Masters first, then {{vars.patch_url}} for agents.',
      },
    ),
  ],
  {
    title: 'Patch',
    params: { from: { default: '1.11.4' }, target: { default: '1.11.5' }, token: { secret: true } },
    header: { patch: '{{params.from}} -> {{params.target}}', script: '{{vars.patch_url}}' },
  },
);

function templatedState(): RunState {
  return stateOf(templated, patchCluster(2, 0), { from: '1.11.4', target: '1.11.5', token: SECRET }, ['token']);
}

describe('titles as the run shows them', () => {
  it('the step list, the header, the grid and the confirmation show params filled in and a var once captured; secrets masked', async () => {
    const t = new FakeTransport()
      .expect('dcos_generate_config.ee.sh --generate-node-upgrade-script 1.11.4', {
        stdout: `Generating configuration files...\nNode upgrade script URL: ${URL}\n`,
      })
      .expect(`curl -fsSO ${URL} && sudo bash dcos_node_upgrade.sh`, { hang: true }, { node: 'master-1' });
    const { r } = await mount(templatedState(), () => t, { columns: 160, rows: 40, training: true });

    // Before the run: params filled in; the var not captured yet shows as written.
    let frame = await r.waitFor('Press enter to start');
    expect(frame).toContain('1.11.4 -> 1.11.5');
    expect(frame).toContain('script: {{vars.patch_url}}');
    expect(frame).toContain('Build the 1.11.5 script');
    expect(frame).toContain('Generate the 1.11.5 script');
    expect(frame).toContain('Patch the masters to 1.11.5');
    expect(frame).toContain('Builds 1.11.5 for nodes on 1.11.4.');
    expect(frame).not.toContain('{{params.');
    // The cursor on the masters' section: its why and its step, before the var exists.
    await r.press('j');
    frame = await r.waitFor('Masters first, then {{vars.patch_url}} for agents.');
    await r.press('j');
    frame = await r.waitFor('Run {{vars.patch_url}} on {{node.name}}');

    // The var is captured on the way: the confirmation, the step list, the grid and the header say it.
    await r.press('enter');
    frame = await r.waitFor('Run on master-1?');
    expect(frame).toContain(`Run ${URL} on master-1  masters/run-patch`);
    expect(frame).toContain(`script: ${URL}`);
    expect(frame).toMatch(/› +\? Run http:\/\/10\.0\.0\.10\/upgrade\/5f0c\/dcos_node_upgrad… waiting/);
    expect(frame).toMatch(/› master-1 +10\.0\.4\.1 .*\? Run http:\/\/10\.0\.0\.10\/upgrade\/5f0c\/dcos_node_upgrade\.sh…/);
    expect(frame).toContain('why: Patches master-1 to 1.11.5; the token •••••• stays secret.');
    expect(frame).not.toContain('{{');

    // Running: the deadline's text as the run filled it in, beside the countdown.
    await wait(200);
    await r.press('y');
    frame = await r.waitFor((f) => /⏲ 0[45]:\d\d expires on 1\.11\.5/.test(f));
    expect(r.bytes()).not.toContain(SECRET);
  });

  it('a title that names a node shows each node its own; the step list uses the selected node', () => {
    const state = templatedState();
    const vars = { ...state, vars: { patch_url: URL } };
    const rows = stepRows(vars, new Set(['masters']), 0, 'master-2');
    expect(rows.find((r) => r.key === 'masters/run-patch')).toMatchObject({
      title: `Run ${URL} on master-2`,
      why: 'Patches master-2 to 1.11.5; the token •••••• stays secret.',
      hint: `Read ${URL} again.`,
    });
    expect(rows.find((r) => r.key === 'masters')?.why).toBe(`Masters first, then ${URL} for agents.`);
    // No node selected in the section: the node's ref stays as written.
    expect(stepRows(vars, new Set(['masters']), 0)[2]?.title).toBe(`Run ${URL} on {{node.name}}`);
    // A node's view follows a capture even when the node itself did not change.
    const m1 = {
      ...state.nodes.get('master-1')!,
      current: 'masters/run-patch',
      tasks: new Map([['masters/run-patch', { status: 'pending' as const }]]),
    };
    expect(nodeView(state, m1).step?.title).toBe('Run {{vars.patch_url}} on master-1');
    expect(nodeView(vars, m1).step?.title).toBe(`Run ${URL} on master-1`);
  });
});
