// The output pane through the path the product takes (runner, App, screen writer, a headless
// terminal): a step that failed and was retried shows each attempt's output under its own rule.
import { describe, expect, it } from 'vitest';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { timeOfDay, withAttemptRules } from '../../src/ui/panes/attempt-output.js';
import { attemptsOf, type Attempt } from '../../src/engine/state.js';
import type { StoredLine } from '../../src/engine/output.js';
import { en, zh } from '../../src/words/words.js';
import { mount } from './mount.js';

const rb = runbook([section('prepare', [{ id: 'fetch', title: 'Fetch the script', run: 'fetch-script' }])]);

describe('attempts in the output pane', () => {
  it('a failure then a retry: two labelled rules, each over its own output, the failure kept', async () => {
    // The fake stands in for a node here: what is under test is the pane, not the transport.
    const t = new FakeTransport()
      .expect('fetch-script', { exit: 7, stdout: 'curl: (7) Failed to connect\n' })
      .expect('fetch-script', { exit: 0, stdout: 'saved dcos_node_upgrade.sh\n' });
    const { r, runner } = await mount(stateOf(rb), () => t);
    await r.press('enter');
    await r.waitFor('r retry');
    const first = attemptsOf(runner.getState(), 'prepare', 'fetch', 'local')[0]!;
    // One attempt so far: the pane looks as it always did.
    expect(r.frame()).not.toContain('attempt 1 of fetch');
    await r.press('r');
    const frame = await r.waitFor((f) => f.includes('attempt 2 of fetch') && f.includes('saved dcos') && !f.includes('running'));
    const second = attemptsOf(runner.getState(), 'prepare', 'fetch', 'local')[1]!;
    const rows = frame.split('\n').map((l) => l.trim());
    const rule1 = rows.findIndex((l) => l.includes(`attempt 1 of fetch, ${timeOfDay(first.startedAt)}, exit 7`));
    const rule2 = rows.findIndex((l) => l.includes(`attempt 2 of fetch, ${timeOfDay(second.startedAt)}, exit 0`));
    expect(rule1).toBeGreaterThan(0);
    expect(rows[rule1 + 1]).toContain('curl: (7) Failed to connect');
    expect(rule2).toBe(rule1 + 2);
    expect(rows[rule2 + 1]).toContain('saved dcos_node_upgrade.sh');
    expect(t.unexpected).toEqual([]);
  });
});

describe('attempt rules in the run language', () => {
  // Three attempts: a failure, an interruption whose lines came from the journal (a resume), a run.
  const attempts: Attempt[] = [
    { number: 1, mode: 'run', startedAt: 0, status: 'failed', endedAt: 1, exit: 7, reason: 'exit 7, expected 0' },
    {
      number: 2,
      mode: 'run',
      startedAt: 2,
      status: 'interrupted',
      endedAt: 3,
      reason: 'the player stopped',
      output: { lines: 40, bytes: 900, sha256: 'x', tail: ['downloading'] },
    },
    { number: 3, mode: 'run', startedAt: 4, status: 'running' },
  ];
  const lines: StoredLine[] = [
    { stream: 'stdout', text: 'curl: (7) Failed to connect', task: 'prepare/fetch@local', attempt: 1 },
    { stream: 'stdout', text: 'saved dcos_node_upgrade.sh', task: 'prepare/fetch@local', attempt: 3 },
  ];
  const rules = (w: typeof en) =>
    withAttemptRules(lines, attempts, 'fetch', w)
      .filter((l) => 'rule' in l && l.rule)
      .map((l) => l.text);

  it('Chinese: no English word of the UI in the rules; English: the words the operator reads today', () => {
    const zhRules = rules(zh);
    expect(zhRules).toHaveLength(4);
    for (const r of zhRules) expect(r.replace('fetch', '')).not.toMatch(/[A-Za-z]{3,}/);
    expect(rules(en)).toEqual([
      `attempt 1 of fetch, ${timeOfDay(0)}, exit 7`,
      `attempt 2 of fetch, ${timeOfDay(2)}, interrupted`,
      '(last 1 of 40 lines, from the journal)',
      `attempt 3 of fetch, ${timeOfDay(4)}, running`,
    ]);
  });
});
