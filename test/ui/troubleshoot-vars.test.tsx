// Troubleshooting commands that name a var: shown as written until it is captured, never run with
// the ref's text in them (the pane says what they need and which step captures it), and run
// with the value once it is there.
import { describe, expect, it } from 'vitest';
import type { RunState } from '../../src/engine/state.js';
import { troubleshootCommands } from '../../src/diagnostics/troubleshoot.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { patchCluster } from './fixtures.js';
import { mount } from './mount.js';

const URL = 'http://10.0.0.10/upgrade/5f0c/dcos_node_upgrade.sh';

const rb = runbook(
  [
    section(
      'bootstrap',
      [{ id: 'generate', title: 'Generate the node patch script', run: 'generate', capture: { patch_url: 'URL: (\\S+)' } }],
      { title: 'Build the node patch script' },
    ),
    section('masters', [{ id: 'patch', title: 'Patch', run: 'patch' }], { on: 'master', title: 'Patch the masters' }),
  ],
  {
    title: 'Patch',
    params: { jwt: { secret: true, when: "params.security == 'strict'" }, security: { default: 'disabled' } },
    roles: {
      master: {
        troubleshoot: [
          { title: 'patch script on {{node.name}}', run: 'curl -fsSI {{vars.patch_url}}', why: 'Is {{vars.patch_url}} served?' },
          { title: 'metrics', run: 'curl -H "Authorization: token={{params.jwt}}" https://{{node.ip}}:5050/metrics/snapshot' },
          { title: 'old', run: 'cat {{vars.old_url}}' },
          { title: 'follow', run: 'journalctl -u x', follow: 'journalctl -f -u x --grep {{vars.patch_url}}' },
        ],
      },
    },
  },
);

function state(): RunState {
  return stateOf(rb, patchCluster(1, 0), { security: 'disabled', jwt: undefined }, ['jwt']);
}

describe('troubleshooting commands with templates', () => {
  it('a var not captured yet: the command shows as written and says what it needs; once captured it runs with the value', () => {
    const s = state();
    const [script, metrics, old, follow] = troubleshootCommands(s, 'master-1');
    expect(script).toMatchObject({
      title: 'patch script on master-1',
      name: 'patch script on {{node.name}}',
      why: 'Is {{vars.patch_url}} served?',
      run: '',
      display: 'curl -fsSI {{vars.patch_url}}',
      error:
        'needs vars.patch_url, captured by "Generate the node patch script" in the "Build the node patch script" section; it has not captured it yet',
    });
    expect(metrics).toMatchObject({ run: '', display: 'curl -H "Authorization: token=••••••" https://10.0.4.1:5050/metrics/snapshot' });
    expect(metrics?.error).toBe('needs params.jwt, which has no value (the param was not asked, or its "when" did not hold)');
    expect(old?.error).toBe('needs vars.old_url, which no step of this runbook captures');
    expect(follow).toMatchObject({ live: true, display: 'journalctl -f -u x --grep {{vars.patch_url}}', follow: { run: '' } });
    expect(follow?.error).toMatch(/^needs vars\.patch_url/);

    // Captured: the same commands, filled in (a new var is a new list, not a stale cached one).
    const captured = { ...s, vars: { patch_url: URL } };
    expect(troubleshootCommands(captured, 'master-1')[0]).toMatchObject({
      run: `curl -fsSI ${URL}`,
      display: `curl -fsSI ${URL}`,
      why: `Is ${URL} served?`,
    });
    expect(troubleshootCommands(captured, 'master-1')[0]?.error).toBeUndefined();
    // The section ran and did not capture it: said so.
    const ran = { ...s, sections: s.sections.map((x) => (x.id === 'bootstrap' ? { ...x, status: 'passed' as const } : x)) };
    expect(troubleshootCommands(ran, 'master-1')[0]?.error).toMatch(/section; it did not capture it$/);
  });

  it('in the pane: refused with a line that says what it needs, nothing run; after the capture it runs with the value', async () => {
    const t = new FakeTransport()
      .expect('generate', { stdout: `URL: ${URL}\n` })
      .expect('patch', { hang: true }, { node: 'master-1' })
      .expect(`curl -fsSI ${URL}`, { stdout: 'HTTP/1.1 200 OK\n' }, { node: 'master-1' });
    const { r } = await mount(state(), () => t, { columns: 160, rows: 40 });
    await r.waitFor('Press enter to start');
    // master-1 selected, then t: its first command needs the var.
    await r.press('tab', 'j', 't');
    let frame = await r.waitFor('not run on master-1');
    expect(frame).toMatch(/Troubleshoot ◂ +master-1 .*failed not run/);
    expect(frame).toContain('1 patch script on master-1  2 metrics  3 old  4 follow');
    expect(frame).toContain('$ curl -fsSI {{vars.patch_url}}');
    expect(frame).toContain(
      'not run on master-1: needs vars.patch_url, captured by "Generate the node patch script" in the "Build the node patch script" section; it has not captured it yet',
    );
    expect(t.calls).toEqual([]);
    // 2 needs a secret param that has no value: refused too, the secret's place masked.
    await r.press('2');
    frame = await r.waitFor('not run on master-1: needs params.jwt');
    expect(frame).toContain('$ curl -H "Authorization: token=••••••" https://10.0.4.1:5050/metrics/snapshot');
    expect(t.calls).toEqual([]);

    // The run captures the URL; t again on master-1 runs the command with it.
    await r.press('t', 'enter');
    await r.waitFor((f) => f.includes('master-1') && f.includes('Patch 00:'));
    await r.press('t');
    frame = await r.waitFor('HTTP/1.1 200 OK');
    expect(frame).toContain(`$ curl -fsSI ${URL}`);
    expect(t.calls.map((c) => c.command)).toEqual(['generate', 'patch', `curl -fsSI ${URL}`]);
    expect(t.calls.some((c) => c.command.includes('{{'))).toBe(false);
  });
});
