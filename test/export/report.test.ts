// The run report from journals the real engine writes: the reducer, the runner, the local
// transport (real /bin/sh) and the journal on disk in a temp directory.
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { Journal, readJournal } from '../../src/engine/journal.js';
import { buildPlan } from '../../src/engine/plan.js';
import { Runner } from '../../src/engine/runner.js';
import { createRunState } from '../../src/engine/state.js';
import { replay } from '../../src/engine/update.js';
import { buildReport } from '../../src/export/report-model.js';
import { renderReportHtml, renderReportMarkdown } from '../../src/export/report-render.js';
import type { Runbook, Scalar } from '../../src/runbook/schema.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { tempDir } from '../helpers/real-shell.js';

const SECRET = 'hunter2-SECRET-4711';
const RUN_ID = '20261125-171800-ab12';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor(predicate: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const runbook: Runbook = {
  id: 'report-sample',
  title: 'A run worth reporting',
  params: { mode: { default: 'normal' }, token: { secret: true } },
  sections: [
    {
      id: 'checks',
      title: 'Checks',
      steps: [
        { id: 'hello', title: 'Say hello', run: 'echo hello' },
        { id: 'other', title: 'Only in the other mode', run: 'echo never', when: "params.mode == 'other'" },
        { id: 'ack', text: 'Read the release notes.', confirm: true },
      ],
    },
    {
      id: 'change',
      title: 'Change things',
      steps: [
        { id: 'wipe', title: 'Wipe the cache', run: 'echo wiping with {{params.token}}', destructive: true },
        {
          id: 'count',
          title: 'Wait for the counter',
          run: 'n=$(cat counter 2>/dev/null || echo 0); n=$((n+1)); echo $n > counter; echo "count $n"',
          until: { regex: 'count 3' },
          every: '50ms',
          timeout: '20s',
        },
        { id: 'boom', title: 'A step that fails', run: 'echo first line; echo "token {{params.token}}" >&2; echo last words; exit 3' },
      ],
    },
  ],
};

function stateFor(rb: Runbook, params: Record<string, Scalar>) {
  return createRunState({
    plan: buildPlan(rb),
    runId: RUN_ID,
    file: 'report-sample.yaml',
    digest: 'sha256:feedface',
    params,
    secrets: ['token'],
    by: 'alice',
  });
}

describe('report from a real journal', () => {
  it('says who, when, what ran with its exit and duration, who confirmed, what was skipped, what failed, and every gate attempt', async () => {
    const { dir, remove } = tempDir('runbook-report-');
    cleanups.push(remove);
    const transport = createLocalTransport({ cwd: dir });
    cleanups.push(() => transport.close());
    const journal = await Journal.create(dir, RUN_ID);
    cleanups.push(() => journal.close());
    const runner = new Runner({
      state: stateFor(runbook, { mode: 'normal', token: SECRET }),
      transportFor: () => transport,
      journal,
      by: 'alice',
      autoConfirm: 'alice (auto)',
    });
    runner.start();
    await waitFor(() => runner.getState().prompts.some((p) => p.kind !== 'confirm'));
    runner.dispatch({ type: 'abort', reason: 'boom is a known fault', by: 'bob' });
    expect(await runner.done).toBe('aborted');
    await journal.close();

    const { records } = await readJournal(journal.file);
    const doc = buildReport({ records, runbook, journal: `${RUN_ID}.jsonl` });
    const md = renderReportMarkdown(doc);
    const html = renderReportHtml(doc);
    for (const text of [md, html, JSON.stringify(doc)]) expect(text).not.toContain(SECRET);

    expect(doc.meta).toEqual(
      expect.arrayContaining([
        ['Run', RUN_ID],
        ['Runbook', 'report-sample: A run worth reporting'],
        ['Digest', 'sha256:feedface'],
        ['Who', 'alice'],
        ['Status', 'aborted'],
      ]),
    );
    expect(doc.params).toEqual([
      ['mode', 'normal'],
      ['token', '(masked)'],
    ]);
    // Every command with its exit status; the failing one and how long each took.
    const byStep = new Map(doc.commands.map((c) => [c.step.split(':')[0], c]));
    expect(byStep.get('checks/hello')).toMatchObject({ node: 'local', command: 'echo hello', exit: '0', status: 'passed' });
    expect(byStep.get('checks/hello')!.duration).toMatch(/^\d+(ms|s)/);
    expect(byStep.get('change/wipe')!.command).toBe('echo wiping with ••••••');
    expect(byStep.get('change/count')).toMatchObject({ attempts: 3, status: 'passed' });
    expect(byStep.get('change/boom')).toMatchObject({ exit: '3', status: 'failed', bad: true });
    // Confirmations and by whom; the skip with its reason; the failure with its output's tail.
    expect(doc.confirmations.map((c) => [c.step.split(':')[0], c.answer, c.by])).toEqual([
      ['checks/ack', 'yes', 'alice (auto)'],
      ['change/wipe', 'yes', 'alice (auto)'],
    ]);
    expect(doc.confirmations[1]).toMatchObject({ prompt: 'echo wiping with ••••••', command: true });
    expect(doc.confirmations[0]).toMatchObject({ prompt: 'Read the release notes.', command: false });
    expect(doc.skips).toEqual([expect.objectContaining({ node: 'local', reason: "when: params.mode == 'other' is false" })]);
    expect(doc.failures).toHaveLength(1);
    expect(doc.failures[0]).toMatchObject({ node: 'local', exit: '3' });
    expect(doc.failures[0]!.tail.join('\n')).toContain('last words');
    expect(doc.failures[0]!.tail.join('\n')).toContain('token ••••••');
    // The gate with its attempts.
    expect(doc.gates).toEqual([expect.objectContaining({ node: 'local', attempts: 3, outcome: 'passed', bad: false })]);
    expect(doc.gates[0]!.step).toBe('change/count: Wait for the counter');
    // Per node timelines: the run's own, then local.
    expect(doc.timelines.map((t) => t.node)).toEqual(['Run', 'local']);
    expect(doc.timelines[0]!.rows.at(-1)!.what).toBe('Finished: aborted');

    expect(md).toContain('# Run report: A run worth reporting');
    expect(md).toMatch(
      /\| .* \| local \| change\/boom: A step that fails \| `echo first line; echo "token ••••••" >&2; echo last words; exit 3` \| 1 \| 3 \| \d+m?s \| ✖ failed \|/,
    );
    expect(md).toContain('### ✖ local: change/boom: A step that fails');
    // stdout and stderr lines arrive in either order; each is in the block.
    const tail = /\*\*Last lines of output:\*\*\n\n```\n([\s\S]*?)\n```/.exec(md)?.[1]?.split('\n');
    expect(tail?.sort()).toEqual(['first line', 'last words', 'token ••••••']);
    expect(html).toContain('<tr class="fail">');
    expect(html).toContain('<h2>Gates</h2>');
  });

  it('reads a run that was interrupted and resumed as one story', async () => {
    const { dir, remove } = tempDir('runbook-report-');
    cleanups.push(remove);
    const rb: Runbook = {
      id: 'slow',
      title: 'Slow run',
      sections: [
        {
          id: 's',
          title: 'Slow',
          steps: [
            { id: 'first', run: 'echo one' },
            { id: 'sleep', title: 'Sleep a long time', run: 'sleep 30' },
            { id: 'last', run: 'echo done' },
          ],
        },
      ],
    };
    const transport = createLocalTransport({ cwd: dir, killGraceMs: 200 });
    cleanups.push(() => transport.close());
    const journal = await Journal.create(dir, RUN_ID);
    const state = createRunState({ plan: buildPlan(rb), runId: RUN_ID, file: 'slow.yaml', digest: 'd1', params: {}, by: 'alice' });
    const first = new Runner({ state, transportFor: () => transport, journal, by: 'alice' });
    first.start();
    await waitFor(() => first.getState().nodes.get('local')?.tasks.get('s/sleep')?.status === 'running');
    expect(await first.interrupt('SIGTERM')).toBe('interrupted');
    await journal.close();

    // The next day: rebuilt from the journal, the operator checks by hand and skips the step.
    const again = await Journal.reopen(journal.file);
    cleanups.push(() => again.close());
    const before = (await readJournal(journal.file)).records;
    const second = new Runner({
      state: replay(
        createRunState({ plan: buildPlan(rb), runId: RUN_ID, file: 'slow.yaml', digest: 'd1', params: {}, by: 'carol' }),
        before,
      ),
      transportFor: () => transport,
      journal: again,
      by: 'carol',
    });
    second.start();
    await waitFor(() => second.getState().prompts.length > 0);
    second.dispatch({ type: 'skip', task: 's/sleep@local', reason: 'checked by hand: it had finished' });
    expect(await second.done).toBe('passed');
    await again.close();

    const { records } = await readJournal(journal.file);
    const doc = buildReport({ records });
    const meta = new Map(doc.meta);
    expect(meta.get('Resumed')).toMatch(/, carol$/);
    expect(meta.get('Status')).toBe('passed');
    const sleep = doc.commands.filter((c) => c.step === 's/sleep: Sleep a long time');
    expect(sleep).toEqual([expect.objectContaining({ command: 'sleep 30', status: 'interrupted', bad: true })]);
    expect(doc.skips).toEqual([
      expect.objectContaining({ step: 's/sleep: Sleep a long time', reason: 'checked by hand: it had finished', by: 'carol' }),
    ]);
    const local = doc.timelines.find((t) => t.node === 'local')!.rows.map((r) => `${r.step.split(':')[0]} ${r.what.split(':')[0]}`);
    expect(local).toEqual(
      expect.arrayContaining(['s/first passed', 's/sleep started', 's/sleep interrupted', 's/sleep skipped', 's/last passed']),
    );
    expect(doc.commands.find((c) => c.command === 'echo done')).toMatchObject({ status: 'passed' });
    expect(renderReportMarkdown(doc)).toContain('| Resumed |');
  });

  it('says what changed in the inventory when a resume went on with it', () => {
    const records: JournalRecord[] = [
      {
        ts: '2026-11-25T17:18:00.000Z',
        event: 'run-started',
        run: RUN_ID,
        runbook: { id: 'x', title: 'X', file: 'x.yaml', digest: 'd' },
        inventory: { source: 'inv.yaml', digest: 'i1', simulated: false, nodes: [] },
        params: {},
        secrets: [],
        by: 'alice',
        header: {},
        total: 1,
      },
      {
        ts: '2026-11-25T18:00:00.000Z',
        event: 'resumed',
        run: RUN_ID,
        by: 'bob',
        digest: 'd',
        changedInventory: {
          digest: 'i2',
          changes: ['master-1: address 10.0.0.11 -> 10.0.0.12', 'master-2: address 10.0.0.12 -> 10.0.0.11'],
        },
      },
    ];
    const resumed = new Map(buildReport({ records }).meta).get('Resumed');
    expect(resumed).toMatch(
      /, bob \(inventory changed: master-1: address 10\.0\.0\.11 -> 10\.0\.0\.12; master-2: address 10\.0\.0\.12 -> 10\.0\.0\.11\)$/,
    );
  });

  it('says so when the journal ends before the run did', () => {
    const records: JournalRecord[] = [
      {
        ts: '2026-11-25T17:18:00.000Z',
        event: 'run-started',
        run: RUN_ID,
        runbook: { id: 'x', title: 'X', file: 'x.yaml', digest: 'd' },
        params: {},
        secrets: [],
        by: 'alice',
        header: {},
        total: 1,
      },
      {
        ts: '2026-11-25T17:18:01.000Z',
        event: 'step-started',
        run: RUN_ID,
        section: 's',
        step: 'a',
        node: 'master-1',
        attempt: 1,
        mode: 'run',
        command: 'sleep 600',
        title: 'Sleep',
      },
    ];
    const doc = buildReport({ records });
    expect(new Map(doc.summary).get('Status')).toBe('interrupted: the journal ends before the run did');
    expect(doc.commands[0]).toMatchObject({ status: 'interrupted', node: 'master-1' });
    expect(renderReportMarkdown(doc)).toContain('| 2026-11-25 17:18:01Z | master-1 | s/a: Sleep | `sleep 600` | 1 |  |  | interrupted |');
  });
  it('tells a failed pre-flight, lost connections and trusted keys, and uses titles as the run showed them', () => {
    const t = (s: number) => `2026-11-25T17:18:${String(s).padStart(2, '0')}.000Z`;
    const records: JournalRecord[] = [
      {
        ts: t(0),
        event: 'run-started',
        run: RUN_ID,
        runbook: { id: 'x', title: 'X', file: 'x.yaml', digest: 'd' },
        params: {},
        secrets: [],
        by: 'alice',
        header: {},
        total: 2,
      },
      { ts: t(1), event: 'preflight-started', run: RUN_ID, nodes: 2 },
      { ts: t(2), event: 'connection', run: RUN_ID, change: 'connected', node: 'master-1', host: '10.0.4.1', port: 22 },
      {
        ts: t(2),
        event: 'connection',
        run: RUN_ID,
        change: 'host-key-accepted',
        node: 'master-1',
        host: '10.0.4.1',
        port: 22,
        keyType: 'ssh-ed25519',
        fingerprint: 'SHA256:abc',
        file: '~/.ssh/known_hosts',
      },
      {
        ts: t(3),
        event: 'preflight-finished',
        run: RUN_ID,
        status: 'failed',
        nodes: 2,
        failures: [{ node: 'master-2', failure: 'host-key-changed', message: 'the host key of master-2 changed' }],
        durationMs: 2000,
      },
    ];
    const doc = buildReport({
      records,
      runbook: { id: 'x', title: 'X', sections: [{ id: 's', title: 'Raw {{params.p}}', steps: [{ id: 'a', text: 'hi' }] }] },
    });
    expect(doc.failures).toEqual([
      expect.objectContaining({ node: 'master-2', reason: 'host-key-changed: the host key of master-2 changed' }),
    ]);
    const m1 = doc.timelines.find((l) => l.node === 'master-1')!.rows.map((r) => r.what);
    expect(m1).toEqual(['new host key trusted: ssh-ed25519 SHA256:abc -> ~/.ssh/known_hosts']);
    expect(renderReportMarkdown(doc)).toContain('pre-flight (host keys and logins): failed');

    const shown = buildReport({
      records: [records[0]!, { ts: t(4), event: 'section-started', run: RUN_ID, section: 's', targets: 1, title: 'Shown 1.11.5' }],
      runbook: { id: 'x', title: 'X', sections: [{ id: 's', title: 'Raw {{params.p}}', steps: [{ id: 'a', text: 'hi' }] }] },
    });
    expect(renderReportMarkdown(shown)).toContain('Shown 1.11.5');
    expect(renderReportMarkdown(shown)).not.toContain('Raw {{params.p}}');
  });
});
