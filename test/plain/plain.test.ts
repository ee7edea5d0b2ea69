import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/engine/clock.js';
import type { JournalRecord } from '../../src/engine/events.js';
import { Runner } from '../../src/engine/runner.js';
import type { Prompt, RunState } from '../../src/engine/state.js';
import { replay } from '../../src/engine/update.js';
import { formatRecord, promptLine, summaryLine } from '../../src/plain/format.js';
import { LineReader } from '../../src/plain/line-reader.js';
import { runPlain } from '../../src/plain/plain.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import type { Step } from '../../src/runbook/schema.js';
import { cluster, runbook, section, stateOf } from '../engine/fixtures.js';

process.env.TZ = 'UTC';

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c) => (text += String(c)));
  return { stream, text: () => text };
}

async function play(state: RunState, transport: FakeTransport, input: string, options: { autoConfirm?: boolean } = {}) {
  const out = collect();
  const err = collect();
  const records: JournalRecord[] = [];
  const runner = new Runner({
    state,
    transportFor: () => transport,
    clock: new FakeClock(),
    by: 'alice',
    journal: { append: async (r) => void records.push(...r) },
    ...(options.autoConfirm ? { autoConfirm: '--yes (simulator)' } : {}),
  });
  const status = await runPlain(runner, {
    stdout: out.stream,
    stderr: err.stream,
    answers: new LineReader(Readable.from([input])),
    journal: '/state/runs/r.jsonl',
    ...(options.autoConfirm ? { autoConfirm: true } : {}),
  });
  return { status, stdout: out.text(), stderr: err.text(), records };
}

const patch = runbook([
  section(
    'masters',
    [
      { id: 'run-patch-script', title: 'Run the node patch script', run: 'sudo bash dcos_node_upgrade.sh', destructive: true },
      { id: 'version', run: 'mesos-master --version', expect: { regex: '^mesos 1\\.5\\.' } },
    ],
    { on: 'master', strategy: 'serial' },
  ),
]);

describe('plain mode', () => {
  it('prints a line per event and the summary last; y confirms', async () => {
    const t = new FakeTransport().expect('sudo bash dcos_node_upgrade.sh').expect('mesos-master --version', { stdout: 'mesos 1.5.1\n' });
    const r = await play(stateOf(patch, cluster(1)), t, 'y\n');
    t.verify();
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      '[17:18:00] run 20261125-171800-ab12: Test runbook (test.yaml) by alice',
      '[17:18:00] section masters (1 target)',
      '[17:18:00] masters/run-patch-script@master-1 waiting for confirmation: sudo bash dcos_node_upgrade.sh',
      '[17:18:00] masters/run-patch-script@master-1 confirmed by alice',
      '[17:18:00] masters/run-patch-script@master-1 running: sudo bash dcos_node_upgrade.sh',
      '[17:18:00] masters/run-patch-script@master-1 passed: exit 0',
      '[17:18:00] masters/version@master-1 running: mesos-master --version',
      '[17:18:00] masters/version@master-1 passed: /^mesos 1\\.5\\./ matched "mesos 1.5." (exit 0)',
      '[17:18:00] section masters passed: 2 passed, 0 failed, 0 skipped',
      '[17:18:00] run passed',
      'summary: passed 2, failed 0, skipped 0, interrupted 0 in 00:00:00; journal /state/runs/r.jsonl',
      '',
    ]);
    expect(r.stderr).toBe('? masters/run-patch-script@master-1: Run on master-1: sudo bash dcos_node_upgrade.sh [y/N] \n');
  });

  it('end of input refuses, then aborts: nothing destructive runs and the exit status is 1', async () => {
    const t = new FakeTransport();
    const r = await play(stateOf(patch, cluster(1)), t, '');
    t.verify();
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('(end of input)');
    expect(r.records.map((x) => x.event)).toContain('aborted');
    expect(r.stdout).toContain('masters/run-patch-script@master-1 refused by alice: no answer: end of input: not run');
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      'summary: passed 0, failed 1, skipped 0, interrupted 0, not reached 1 in 00:00:00; journal /state/runs/r.jsonl',
    );
  });

  it('a failure: s asks for a reason, and the skip is recorded with it', async () => {
    const t = new FakeTransport().expect('sudo bash dcos_node_upgrade.sh').expect('mesos-master --version', { stdout: 'mesos 1.4.0\n' });
    const r = await play(stateOf(patch, cluster(1)), t, 'y\nx\ns\n\nversion checked by hand\n');
    t.verify();
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n')).toEqual([
      '? masters/run-patch-script@master-1: Run on master-1: sudo bash dcos_node_upgrade.sh [y/N] ',
      '? masters/version@master-1 failed: /^mesos 1\\.5\\./ not found in the output (last line: "mesos 1.4.0"). Retry, skip or abort? [r/s/a] ',
      'answer r, s or a',
      '? masters/version@master-1 failed: /^mesos 1\\.5\\./ not found in the output (last line: "mesos 1.4.0"). Retry, skip or abort? [r/s/a] ',
      '? reason to skip masters/version@master-1: ',
      'a reason is required',
      '? reason to skip masters/version@master-1: ',
      '',
    ]);
    expect(r.stdout).toContain(
      'masters/version@master-1 failed: /^mesos 1\\.5\\./ not found in the output (last line: "mesos 1.4.0")\n    | mesos 1.4.0\n',
    );
    expect(r.stdout).toContain('masters/version@master-1 skipped by alice: version checked by hand');
  });

  it('--yes on the simulator: confirmations are not asked', async () => {
    const t = new FakeTransport()
      .expect('sudo bash dcos_node_upgrade.sh', {}, { times: 2 })
      .expect('mesos-master --version', { stdout: 'mesos 1.5.1\n' }, { times: 2 });
    const r = await play(stateOf(patch, cluster(2)), t, '', { autoConfirm: true });
    t.verify();
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('confirmed by --yes (simulator)');
  });

  it('resumed with an interrupted step: d marks it done with a reason', async () => {
    const t0 = new FakeTransport().expect('sudo bash dcos_node_upgrade.sh', { hang: true });
    const first = new Runner({
      state: stateOf(patch, cluster(1)),
      transportFor: () => t0,
      clock: new FakeClock(),
      by: 'alice',
      autoConfirm: '--yes (simulator)',
    });
    const records: JournalRecord[] = [];
    first.subscribe((_s, c) => records.push(...c.records));
    first.start();
    await new Promise((r) => setTimeout(r, 20));
    await first.interrupt('SIGTERM');
    const t = new FakeTransport().expect('mesos-master --version', { stdout: 'mesos 1.5.1\n' });
    const r = await play(replay(stateOf(patch, cluster(1)), records), t, 'v\nd\nchecked: node reports 1.11.2\n');
    t.verify();
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n')).toEqual([
      '? masters/run-patch-script@master-1 was interrupted while running: sudo bash dcos_node_upgrade.sh [r=run again, d=mark done, s=skip, a=abort] ',
      'answer r, d, s or a (verify again is not offered: it is destructive: its gate is the result of the command itself)',
      '? masters/run-patch-script@master-1 was interrupted while running: sudo bash dcos_node_upgrade.sh [r=run again, d=mark done, s=skip, a=abort] ',
      '? reason to mark done masters/run-patch-script@master-1: ',
      '',
    ]);
    expect(r.stdout).toContain('masters/run-patch-script@master-1 marked done by alice: checked: node reports 1.11.2');
  });
});

describe('plain mode: one answer for the nodes waiting on a step', () => {
  const batch = (run: string, extra: Partial<Step> = {}) =>
    runbook([
      section('agents', [{ id: 'patch', title: 'Run the node patch script', run, destructive: true, ...extra }], {
        on: 'agent',
        strategy: { batch: 3 },
      }),
    ]);

  it('a confirms every node waiting, named in the question; one record per node, one group', async () => {
    const t = new FakeTransport().expect('sudo bash dcos_node_upgrade.sh', {}, { times: 3 });
    const r = await play(stateOf(batch('sudo bash dcos_node_upgrade.sh'), cluster(0, 3)), t, 'a\n');
    t.verify();
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      '? agents/patch@agent-1: Run on agent-1: sudo bash dcos_node_upgrade.sh [y=this node, a=all 3 waiting on this step: agent-1, agent-2, agent-3; N=no] \n',
    );
    expect(r.stdout).toContain('[17:18:00] agents/patch@agent-2 confirmed by alice (one answer for the nodes waiting on this step)\n');
    const answers = r.records.filter((x) => x.event === 'confirmation-answered');
    expect(answers.map((x) => x.node)).toEqual(['agent-1', 'agent-2', 'agent-3']);
    expect(new Set(answers.map((x) => (x.event === 'confirmation-answered' ? `${x.by} ${x.group}` : ''))).size).toBe(1);
  });

  it('y answers this node only; the next question offers the nodes still waiting', async () => {
    const t = new FakeTransport().expect('sudo bash x.sh', {}, { times: 3 });
    const r = await play(stateOf(batch('sudo bash x.sh'), cluster(0, 3)), t, 'y\nx\na\n');
    t.verify();
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n')).toEqual([
      '? agents/patch@agent-1: Run on agent-1: sudo bash x.sh [y=this node, a=all 3 waiting on this step: agent-1, agent-2, agent-3; N=no] ',
      '? agents/patch@agent-2: Run on agent-2: sudo bash x.sh [y=this node, a=all 2 waiting on this step: agent-2, agent-3; N=no] ',
      'answer y, a or n',
      '? agents/patch@agent-2: Run on agent-2: sudo bash x.sh [y=this node, a=all 2 waiting on this step: agent-2, agent-3; N=no] ',
      '',
    ]);
    const groups = r.records.flatMap((x) => (x.event === 'confirmation-answered' ? [x.group ?? 'alone'] : []));
    expect(groups[0]).toBe('alone');
    expect(groups[1]).toBe(groups[2]);
    expect(groups[1]).not.toBe('alone');
  });

  it('commands that differ by node are listed, each with its node, before the question', async () => {
    const t = new FakeTransport();
    for (let i = 1; i <= 2; i++) t.expect(`curl -fsS http://10.0.1.${i}:5051/x`);
    const r = await play(stateOf(batch('curl -fsS http://{{node.ip}}:5051/x'), cluster(0, 2)), t, 'a\n');
    t.verify();
    expect(r.stderr.split('\n')).toEqual([
      '  2 nodes wait on agents/patch:',
      '    agent-1: curl -fsS http://10.0.1.1:5051/x',
      '    agent-2: curl -fsS http://10.0.1.2:5051/x',
      '? agents/patch@agent-1: Run on agent-1: curl -fsS http://10.0.1.1:5051/x [y=this node, a=all 2 listed above, each its own command; N=no] ',
      '',
    ]);
  });

  it('a typed confirmation is never offered for a group: each node types its own', async () => {
    const t = new FakeTransport().expect('wipe', {}, { node: 'agent-1' }).expect('wipe', {}, { node: 'agent-2' });
    const r = await play(stateOf(batch('wipe', { confirm: { typed: '{{node.name}}' } }), cluster(0, 2)), t, 'agent-1\nagent-2\n');
    t.verify();
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n')).toEqual([
      '? agents/patch@agent-1: Run on agent-1: wipe [type "agent-1" to confirm] ',
      '? agents/patch@agent-2: Run on agent-2: wipe [type "agent-2" to confirm] ',
      '',
    ]);
    expect(r.records.some((x) => x.event === 'confirmation-answered' && x.group !== undefined)).toBe(false);
  });

  it('--yes answers each node as ever', async () => {
    const t = new FakeTransport().expect('x', {}, { times: 3 });
    const r = await play(stateOf(batch('x'), cluster(0, 3)), t, '', { autoConfirm: true });
    t.verify();
    expect(r.stderr).toBe('');
    expect(
      r.records.filter((x) => x.event === 'confirmation-answered' && x.group === undefined && x.by === '--yes (simulator)'),
    ).toHaveLength(3);
  });
});

describe('plain mode: an answer applies to the question it was typed for', () => {
  const batch = runbook([
    section('agents', [{ id: 'patch', title: 'Run the node patch script', run: 'sudo bash x.sh', destructive: true }], {
      on: 'agent',
      strategy: { batch: 3 },
    }),
  ]);

  it('on a busy run with a slow journal, the next question waits until the last answer is on disk, and offers only the nodes still waiting', async () => {
    const t = new FakeTransport().expect('sudo bash x.sh', {}, { times: 3 });
    const err = collect();
    const records: JournalRecord[] = [];
    // A journal on a slow disk: each fsync takes 30 ms, longer than the player takes to ask.
    const journal = {
      append: async (r: readonly JournalRecord[]) => void (await new Promise((ok) => setTimeout(ok, 30)), records.push(...r)),
    };
    const runner = new Runner({
      state: stateOf(batch, cluster(0, 3)),
      transportFor: () => t,
      clock: new FakeClock(),
      by: 'alice',
      journal,
    });
    // Other events keep arriving (connections of other nodes), so an answer is queued behind them.
    const busy = setInterval(
      () => runner.noteConnection({ type: 'connected', node: 'agent-1', host: '127.0.0.1', port: 22, user: 'alice' }),
      5,
    );
    const status = await runPlain(runner, {
      stdout: new PassThrough().resume(),
      stderr: err.stream,
      answers: new LineReader(Readable.from(['y\na\n'])),
    }).finally(() => clearInterval(busy));
    expect(status).toBe(0);
    expect(err.text().split('\n')).toEqual([
      '? agents/patch@agent-1: Run on agent-1: sudo bash x.sh [y=this node, a=all 3 waiting on this step: agent-1, agent-2, agent-3; N=no] ',
      '? agents/patch@agent-2: Run on agent-2: sudo bash x.sh [y=this node, a=all 2 waiting on this step: agent-2, agent-3; N=no] ',
      '',
    ]);
    expect(records.filter((x) => x.event === 'confirmation-answered').map((x) => x.node)).toEqual(['agent-1', 'agent-2', 'agent-3']);
  });

  it('an error said while a question waits is followed by the question again, so it stays the last line', async () => {
    const t = new FakeTransport().expect('sudo bash x.sh', {}, { times: 1 });
    const err = collect();
    const stdin = new PassThrough();
    const runner = new Runner({ state: stateOf(batch, cluster(0, 1)), transportFor: () => t, clock: new FakeClock(), by: 'alice' });
    const playing = runPlain(runner, { stdout: new PassThrough().resume(), stderr: err.stream, answers: new LineReader(stdin) });
    const question = '? agents/patch@agent-1: Run on agent-1: sudo bash x.sh [y/N] ';
    await waitFor(() => err.text() === question);
    // Someone else (a second window of the same player, a signal handler) acts on a prompt that is not there.
    runner.dispatch({ type: 'confirm', prompt: 'confirm:agents/patch@agent-9' });
    await waitFor(() => err.text().length > question.length);
    expect(err.text()).toBe(`${question}\nrunbook: no confirmation confirm:agents/patch@agent-9 is waiting\n${question}`);
    stdin.end('y\n');
    expect(await playing).toBe(0);
    t.verify();
  });
});

async function waitFor(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
}

describe('plain format', () => {
  it('shows attempts with the wait until the next', () => {
    expect(
      formatRecord({
        ts: '2026-11-25T12:01:03.000Z',
        run: 'r',
        event: 'attempt',
        section: 'masters',
        step: 'recovered',
        node: 'master-2',
        attempt: 3,
        ok: false,
        message: 'registrar/log/recovered: 0, expected 1',
        nextAt: Date.parse('2026-11-25T12:01:13.000Z'),
      }),
    ).toEqual(['[12:01:03] masters/recovered@master-2 attempt 3 not yet: registrar/log/recovered: 0, expected 1; again in 10s']);
  });

  const base = { task: 'm/x@master-1', section: 'm', step: 'x', node: 'master-1', title: 'Acknowledge', askedAt: 0 };
  const confirm = (extra: Partial<Extract<Prompt, { kind: 'confirm' }>>): Prompt => ({
    ...base,
    id: 'confirm:m/x@master-1',
    kind: 'confirm',
    destructive: false,
    ...extra,
  });
  it.each<[string, Prompt, string]>([
    [
      'a text that ends its own sentence',
      confirm({ text: 'Back up ZooKeeper before you patch it.' }),
      '? m/x@master-1: Back up ZooKeeper before you patch it. Done? [y/N] ',
    ],
    [
      'a text without a period gets one',
      confirm({ text: 'The GUI may be inconsistent' }),
      '? m/x@master-1: The GUI may be inconsistent. Done? [y/N] ',
    ],
    [
      'a question, an exclamation, a quote',
      confirm({ text: 'Is the backup on the bastion?' }),
      '? m/x@master-1: Is the backup on the bastion? Done? [y/N] ',
    ],
    ['', confirm({ text: 'Say "stop."' }), '? m/x@master-1: Say "stop." Done? [y/N] '],
    [
      'Chinese text ends with its own full stop',
      confirm({ text: '补丁前请先备份 ZooKeeper。' }),
      '? m/x@master-1: 补丁前请先备份 ZooKeeper。 Done? [y/N] ',
    ],
    [
      'a text over several lines is one line',
      confirm({ text: 'First line\n  second line.\n' }),
      '? m/x@master-1: First line second line. Done? [y/N] ',
    ],
    ['no text: the title', confirm({}), '? m/x@master-1: Acknowledge. Done? [y/N] '],
    [
      'a command, nothing after it',
      confirm({ command: 'sudo bash dcos_node_upgrade.sh', destructive: true }),
      '? m/x@master-1: Run on master-1: sudo bash dcos_node_upgrade.sh [y/N] ',
    ],
    ['a command ending in a dot keeps it alone', confirm({ command: 'ls .' }), '? m/x@master-1: Run on master-1: ls . [y/N] '],
    [
      'the confirm text before the command',
      confirm({ command: 'rm -rf /tmp/scratch', text: 'Wipe the scratch space.' }),
      '? m/x@master-1: Wipe the scratch space. Run on master-1: rm -rf /tmp/scratch [y/N] ',
    ],
    [
      'a checklist, items with and without periods',
      confirm({ text: 'Backups', checklist: ['ZooKeeper backed up.', 'IAM database dumped'] }),
      '? m/x@master-1: Backups. Check: ZooKeeper backed up; IAM database dumped. Done? [y/N] ',
    ],
    [
      'a typed confirmation with its command',
      confirm({ command: 'rm -rf /var/lib/mesos', typed: 'master-1', destructive: true }),
      '? m/x@master-1: Run on master-1: rm -rf /var/lib/mesos [type "master-1" to confirm] ',
    ],
    [
      'a typed confirmation of a text',
      confirm({ text: 'Decommission this node.', typed: 'master-1' }),
      '? m/x@master-1: Decommission this node. [type "master-1" to confirm] ',
    ],
    [
      'a failure whose reason ends with a period',
      {
        ...base,
        id: 'failure:m/x@master-1',
        kind: 'failure',
        reason: 'connection lost during the command (outcome unknown): The connection to master-1 was lost.',
        choices: ['retry', 'skip', 'abort'],
      },
      '? m/x@master-1 failed: connection lost during the command (outcome unknown): The connection to master-1 was lost. Retry, skip or abort? [r/s/a] ',
    ],
    [
      'a failure without one',
      { ...base, id: 'failure:m/x@master-1', kind: 'failure', reason: 'exit 1, expected 0', choices: ['retry', 'skip', 'abort'] },
      '? m/x@master-1 failed: exit 1, expected 0. Retry, skip or abort? [r/s/a] ',
    ],
    [
      'interrupted while a command ending in a dot ran',
      {
        ...base,
        id: 'interrupted:m/x@master-1',
        kind: 'interrupted',
        command: 'cd /opt && ls .',
        choices: ['verify', 'rerun', 'mark-done', 'skip', 'abort'],
      },
      '? m/x@master-1 was interrupted while running: cd /opt && ls . [v=verify again, r=run again, d=mark done, s=skip, a=abort] ',
    ],
    [
      'interrupted without a command',
      {
        ...base,
        id: 'interrupted:m/x@master-1',
        kind: 'interrupted',
        choices: ['rerun', 'mark-done', 'skip', 'abort'],
        verifyUnavailable: 'it has no command or check to verify',
      },
      '? m/x@master-1 was interrupted [r=run again, d=mark done, s=skip, a=abort] ',
    ],
  ])('prompt line: %s', (_name, prompt, line) => {
    expect(promptLine(prompt)).toBe(line);
  });

  it('a section line shows its title as shown then, and its text under it', () => {
    const rb = runbook([
      section('masters', [{ id: 'x', run: 'true' }], {
        on: 'master',
        title: 'Patch to {{params.to}}',
        text: 'One master at a time.\nWatch {{vars.url}}.',
      }),
    ]);
    const state = stateOf(rb, cluster(1), { to: '1.11.2' });
    expect(
      formatRecord(
        { ts: '2026-11-25T12:01:03.000Z', run: 'r', event: 'section-started', section: 'masters', title: 'Patch to 1.11.2', targets: 3 },
        state,
      ),
    ).toEqual(['[12:01:03] section masters: Patch to 1.11.2 (3 targets)', '    One master at a time. Watch {{vars.url}}.']);
    // A journal written before titles were recorded: the title as shown now.
    expect(
      formatRecord({ ts: '2026-11-25T12:01:03.000Z', run: 'r', event: 'section-started', section: 'masters', targets: 1 }, state)[0],
    ).toBe('[12:01:03] section masters: Patch to 1.11.2 (1 target)');
  });

  it('sums up in one line', () => {
    const tally = { total: 61, passed: 37, failed: 0, skipped: 2, notRunWhen: 22, interrupted: 0, notReached: 0, skips: [] };
    expect(summaryLine(tally, 751_000, '/s/runs/x.jsonl')).toBe(
      'summary: passed 37, failed 0, skipped 2, interrupted 0, not run (when) 22 in 00:12:31; journal /s/runs/x.jsonl',
    );
    expect(summaryLine({ ...tally, notRunWhen: 0, notReached: 3 }, 0)).toBe(
      'summary: passed 37, failed 0, skipped 2, interrupted 0, not reached 3 in 00:00:00',
    );
  });
});
