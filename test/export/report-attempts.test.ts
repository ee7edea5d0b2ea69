// The report lists each start of a step: a failure that was retried stays in the report, marked
// with what the step ended with, and is not counted as the run's failure.
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/export/report-model.js';
import { renderReportMarkdown } from '../../src/export/report-render.js';
import { Driver, cluster, runbook, section, stateOf } from '../engine/fixtures.js';

const rb = runbook([
  section(
    'm',
    [
      { id: 'fetch', title: 'Fetch', run: 'fetch' },
      { id: 'check', run: 'check' },
    ],
    { on: 'master' },
  ),
]);

function play(second: 'retry-pass' | 'skip'): Driver {
  const d = new Driver(stateOf(rb, cluster(1)));
  d.start();
  d.done('m/fetch@master-1', { exit: 7, stderr: 'no route to host\n' });
  if (second === 'retry-pass') {
    d.act({ type: 'retry', task: 'm/fetch@master-1' }, 'bob');
    d.done('m/fetch@master-1', { exit: 0 });
  } else d.act({ type: 'skip', task: 'm/fetch@master-1', reason: 'fetched by hand' }, 'bob');
  d.done('m/check@master-1', { exit: 0 });
  return d;
}

describe('attempts in the run report', () => {
  it('a failure then a retry that passed: both starts listed, the failure says what came after', () => {
    const doc = buildReport({ records: play('retry-pass').records, runbook: rb });
    expect(doc.commands.map((c) => [c.step, c.status])).toEqual([
      ['m/fetch: Fetch (attempt 1)', 'failed'],
      ['m/fetch: Fetch (attempt 2)', 'passed'],
      ['m/check', 'passed'],
    ]);
    expect(doc.failures).toEqual([
      expect.objectContaining({ step: 'm/fetch: Fetch (attempt 1)', exit: '7', afterwards: 'passed, attempt 2' }),
    ]);
    const md = renderReportMarkdown(doc);
    expect(md).toContain('**Afterwards:** passed, attempt 2');
  });

  it('a failure the operator would not retry (skipped): the failure is kept and says it was skipped, by whom and why', () => {
    const doc = buildReport({ records: play('skip').records, runbook: rb });
    expect(doc.failures).toEqual([
      expect.objectContaining({ step: 'm/fetch: Fetch', afterwards: 'skipped, bob, fetched by hand', tail: [] }),
    ]);
  });
});
