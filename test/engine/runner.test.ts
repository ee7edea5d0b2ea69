// The runner against a fake transport with expectations and a fake clock: every command the
// runbook should run is expected, and nothing else may run.
import { readFileSync } from 'node:fs';
import { afterEach, describe as group, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/engine/clock.js';
import type { JournalRecord, OperatorAction } from '../../src/engine/events.js';
import { Journal, readJournal } from '../../src/engine/journal.js';
import { Runner, type RecordSink } from '../../src/engine/runner.js';
import type { RunState } from '../../src/engine/state.js';
import { replay } from '../../src/engine/update.js';
import type { InventoryNode } from '../../src/inventory/types.js';
import type { Runbook } from '../../src/runbook/schema.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { tempDir, waitUntil } from '../helpers/real-shell.js';
import { cluster, describe as line, runbook, section, stateOf } from './fixtures.js';

class Sink implements RecordSink {
  records: JournalRecord[] = [];
  async append(records: readonly JournalRecord[]): Promise<void> {
    this.records.push(...records);
  }
  log(): string[] {
    return this.records.map(line);
  }
}

/** A fake SSH transport for the pre-flight: connect() answers per node, and counts how many at once. */
class ConnectingFake extends FakeTransport {
  connected: string[] = [];
  most = 0;
  private open = 0;
  onConnect?: (node: string) => void;
  constructor(private readonly replies: Record<string, { ok: false; failure: string; message: string }>) {
    super();
  }
  async connect(node: InventoryNode): Promise<{ ok: true } | { ok: false; failure: string; message: string }> {
    this.open += 1;
    this.most = Math.max(this.most, this.open);
    await new Promise((r) => setTimeout(r, 5));
    this.open -= 1;
    this.connected.push(node.name);
    const failed = this.replies[node.name];
    if (!failed) this.onConnect?.(node.name);
    return failed ?? { ok: true };
  }
}

const cleanups: (() => void)[] = [];

async function waitFor(predicate: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function setup(state: RunState, options: { autoConfirm?: string; journal?: RecordSink } = {}) {
  const transport = new FakeTransport();
  const clock = new FakeClock();
  const sink = new Sink();
  const runner = new Runner({
    state,
    transportFor: () => transport,
    journal: options.journal ?? sink,
    clock,
    by: 'alice',
    ...(options.autoConfirm ? { autoConfirm: options.autoConfirm } : {}),
  });
  const act = async (action: OperatorAction) => {
    runner.dispatch(action);
    await settle();
  };
  return { transport, clock, sink, runner, act };
}

group('runner', () => {
  it(
    'a backtracking pattern on hostile output is searched off the event loop: a timer (the spinner, the keys) keeps ticking',
    { timeout: 30_000 },
    async () => {
      // 2^30 ways to split the y's before the "!": the search runs until its 3 s limit.
      const hostile = `${'log line\n'.repeat(1000)}${'y'.repeat(30)}!\n`;
      const t = new FakeTransport().expect('status', { stdout: hostile });
      const rb = runbook([section('m', [{ id: 'gate', run: 'status', expect: { regex: '^(y+)+$' } }], { on: 'master' })]);
      const runner = new Runner({ state: stateOf(rb, cluster(1)), transportFor: () => t, by: 'alice' });
      let last = performance.now();
      let worst = 0;
      const tick = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last);
        last = now;
      }, 10);
      cleanups.push(() => clearInterval(tick));
      const started = performance.now();
      runner.start();
      await waitFor(() => runner.getState().prompts.some((p) => p.kind === 'failure'), 15_000);
      const took = performance.now() - started;
      clearInterval(tick);
      expect(took).toBeGreaterThan(2500); // the search did run to its limit...
      expect(worst).toBeLessThan(250); // ...while the loop went on
      expect(runner.getState().nodes.get('master-1')?.tasks.get('m/gate')).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('/^(y+)+$/ backtracks (no answer within 3 s on this output'),
      });
      runner.dispatch({ type: 'abort' });
      expect(await runner.done).toBe('aborted');
    },
  );

  it('searched off the loop, a pattern still matches and captures as before', async () => {
    const t = new FakeTransport().expect('gen', {
      stdout: 'Generating\nNode upgrade script URL: http://10.0.0.5/u/dcos_node_upgrade.sh\n',
    });
    const rb = runbook([
      section('b', [
        {
          id: 'gen',
          run: 'gen',
          capture: { patch_url: 'Node (?:patch|upgrade) script URL: (\\S+)' },
          expect: { regex: '^(Generating|Done)+$' },
        },
      ]),
    ]);
    const runner = new Runner({ state: stateOf(rb), transportFor: () => t, by: 'alice' });
    runner.start();
    expect(await runner.done).toBe('passed');
    expect(runner.getState().vars.patch_url).toBe('http://10.0.0.5/u/dcos_node_upgrade.sh');
  });

  it('fans out over agents at the concurrency, each agent through its steps', async () => {
    const rb = runbook([
      section(
        'agents',
        [
          { id: 'rm', run: 'sudo rm -f /opt/mesosphere/lib/libltdl.so.7' },
          { id: 'ver', run: 'cat /opt/mesosphere/etc/dcos-version.json' },
        ],
        { on: 'agent', strategy: 'parallel', concurrency: 3 },
      ),
    ]);
    const { transport, runner } = setup(stateOf(rb, cluster(0, 7)));
    transport.expect('sudo rm -f /opt/mesosphere/lib/libltdl.so.7', {}, { times: 7 });
    transport.expect('cat /opt/mesosphere/etc/dcos-version.json', { stdout: '{"version": "1.11.2"}\n' }, { times: 7 });
    let most = 0;
    runner.subscribe((s) => (most = Math.max(most, s.sections[0]!.active.length)));
    runner.start();
    expect(await runner.done).toBe('passed');
    transport.verify();
    expect(most).toBe(3);
    expect(new Set(transport.calls.map((c) => c.node)).size).toBe(7);
    // Each agent ran rm before ver.
    for (let i = 1; i <= 7; i++) {
      const mine = transport.calls.filter((c) => c.node === `agent-${i}`).map((c) => c.command.split(' ')[0]);
      expect(mine).toEqual(['sudo', 'cat']);
    }
  });

  it('a sink that fails one write and takes the next: no command of a later round runs', async () => {
    // agent-1 finishes first: its round's write fails, slowly. agent-2 finishes meanwhile: its
    // round's write is taken at once. Its next step must not start: the run stops on the failure.
    const rb = runbook([
      section(
        'agents',
        [
          { id: 'one', run: 'one' },
          { id: 'two', run: 'two' },
        ],
        { on: 'agent', strategy: 'parallel' },
      ),
    ]);
    const transport = new FakeTransport()
      .expect('one', { delayMs: 5 }, { node: 'agent-1' })
      .expect('one', { delayMs: 30 }, { node: 'agent-2' })
      .expect('two', {}, { times: 2 });
    let failing = false;
    const records: JournalRecord[] = [];
    const sink: RecordSink = {
      async append(batch) {
        const startsTwo = batch.some((r) => r.event === 'step-started' && r.step === 'two' && r.node === 'agent-1');
        if (startsTwo && !failing) {
          failing = true;
          await new Promise((r) => setTimeout(r, 80));
          throw new Error('disk full');
        }
        records.push(...batch);
      },
    };
    const runner = new Runner({ state: stateOf(rb, cluster(0, 2)), transportFor: () => transport, journal: sink, by: 'alice' });
    runner.start();
    expect(await runner.done).toBe('interrupted');
    // agent-2's round was applied and written while agent-1's write was still failing...
    expect(records.some((r) => r.event === 'step-started' && r.step === 'two' && r.node === 'agent-2')).toBe(true);
    // ...and its command never ran, nor agent-1's.
    expect(transport.calls.filter((c) => c.command === 'two')).toEqual([]);
    expect(runner.fatal).toContain('disk full');
  });

  it('two keys in one read, the first of them ending the run: nothing spins behind it', async () => {
    const rb = runbook([section('m', [{ id: 'one', run: 'one' }], { on: 'master' })]);
    const transport = new FakeTransport().expect('one', { exit: 1 });
    const runner = new Runner({ state: stateOf(rb, cluster(1)), transportFor: () => transport, journal: new Sink(), by: 'alice' });
    runner.start();
    await waitFor(() => runner.getState().prompts.some((p) => p.kind === 'failure'));
    // The terminal hands over two keys at once: both are dispatched in one go.
    runner.dispatch({ type: 'abort' });
    runner.dispatch({ type: 'abort' });
    expect(await runner.done).toBe('aborted');
    await new Promise((r) => setTimeout(r, 50));
    // A loop that goes on re-arming itself keeps an immediate pending for ever (and a core busy).
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Immediate')).toEqual([]);
  });

  it('polls on its clock until the gate holds; every attempt is recorded', async () => {
    const rb = runbook([
      section(
        'masters',
        [
          {
            id: 'recovered',
            run: 'curl -fsS http://{{node.ip}}:5050/metrics/snapshot',
            until: { json: 'registrar/log/recovered', equals: 1 },
            every: '10s',
            timeout: '15m',
          },
        ],
        { on: 'master' },
      ),
    ]);
    const { transport, clock, sink, runner } = setup(stateOf(rb, cluster(1)));
    transport
      .expect('curl -fsS http://10.0.4.1:5050/metrics/snapshot', {
        exit: 7,
        stderr: 'curl: (7) Failed to connect to 10.0.4.1 port 5050: Connection refused\n',
      })
      .expect('curl -fsS http://10.0.4.1:5050/metrics/snapshot', { stdout: '{"registrar\\/log\\/recovered":0.0}\n' })
      .expect('curl -fsS http://10.0.4.1:5050/metrics/snapshot', { stdout: '{"registrar\\/log\\/recovered":1.0}\n' });
    runner.start();
    await settle();
    expect(runner.getState().nodes.get('master-1')?.tasks.get('masters/recovered')).toMatchObject({ status: 'polling', attempt: 1 });
    await clock.advance(10_000);
    await clock.advance(10_000);
    expect(await runner.done).toBe('passed');
    transport.verify();
    expect(sink.log().filter((l) => l.startsWith('attempt'))).toEqual([
      'attempt masters/recovered@master-1 #1 no: exit 7, expected 0: curl: (7) Failed to connect to 10.0.4.1 port 5050: Connection refused',
      'attempt-started masters/recovered@master-1 #2',
      'attempt masters/recovered@master-1 #2 no: registrar/log/recovered: 0, expected 1',
      'attempt-started masters/recovered@master-1 #3',
      'attempt masters/recovered@master-1 #3 ok: registrar/log/recovered = 1',
    ]);
    // Each attempt's start carries its time: 10 s apart on the clock.
    const starts = sink.records.filter((r) => r.event === 'step-started' || r.event === 'attempt-started').map((r) => Date.parse(r.ts));
    expect(starts.map((t) => t - starts[0]!)).toEqual([0, 10_000, 20_000]);
    const output = sink.records.find((r) => r.event === 'output');
    expect(output).toMatchObject({ attempt: 3, lines: 1, tail: ['{"registrar\\/log\\/recovered":1.0}'] });
    expect(runner.getState().nodes.get('master-1')?.tasks.get('masters/recovered')).toMatchObject({ status: 'passed', durationMs: 20_000 });
  });

  it('captures a var, confirms a destructive step by command and node, and runs it with the var', async () => {
    const rb = runbook([
      section(
        'bootstrap',
        [
          {
            id: 'gen',
            run: 'dcos_generate_config.ee.sh --generate-node-upgrade-script {{params.installed_version}}',
            capture: { patch_url: 'Node (?:patch|upgrade) script URL: (\\S+)' },
          },
        ],
        { on: 'bootstrap' },
      ),
      section('masters', [{ id: 'patch', run: 'curl -O {{vars.patch_url}} && sudo bash dcos_node_upgrade.sh', destructive: true }], {
        on: 'master',
      }),
    ]);
    const { transport, runner, act } = setup(stateOf(rb, cluster(1), { installed_version: '1.11.1' }));
    transport.expect('dcos_generate_config.ee.sh --generate-node-upgrade-script 1.11.1', {
      stdout: 'Node upgrade script URL: http://10.0.0.5:80/upgrade/5f0c/dcos_node_upgrade.sh\n',
      stderr: 'Generating configuration files...\n',
    });
    transport.expect(
      'curl -O http://10.0.0.5:80/upgrade/5f0c/dcos_node_upgrade.sh && sudo bash dcos_node_upgrade.sh',
      { stdout: 'Upgrading DC/OS master 1.11.1 -> 1.11.2\n' },
      { node: 'master-1' },
    );
    runner.start();
    // The capture's pattern is searched in the regex worker, off the event loop: wait for its answer.
    await waitUntil(() => runner.getState().prompts.length > 0, 5_000);
    const prompt = runner.getState().prompts[0];
    expect(prompt).toMatchObject({
      kind: 'confirm',
      node: 'master-1',
      command: 'curl -O http://10.0.0.5:80/upgrade/5f0c/dcos_node_upgrade.sh && sudo bash dcos_node_upgrade.sh',
      destructive: true,
    });
    expect(transport.calls).toHaveLength(1); // nothing destructive ran yet
    await act({ type: 'confirm', prompt: prompt!.id });
    expect(await runner.done).toBe('passed');
    transport.verify();
    expect(runner.getState().vars).toEqual({ patch_url: 'http://10.0.0.5:80/upgrade/5f0c/dcos_node_upgrade.sh' });
    expect(runner.output.lines('master-1').map((l) => l.text)).toEqual(['Upgrading DC/OS master 1.11.1 -> 1.11.2']);
  });

  it('refused: the command never runs; skip needs a reason and is recorded with it', async () => {
    const rb = runbook([
      section(
        'm',
        [
          { id: 'patch', run: 'sudo bash x.sh', destructive: true },
          { id: 'after', run: 'true' },
        ],
        { on: 'master' },
      ),
    ]);
    const { transport, sink, runner, act } = setup(stateOf(rb, cluster(1)));
    transport.expect('true');
    const rejected: string[] = [];
    runner.subscribe((_s, change) => rejected.push(...change.rejected.map((r) => r.message)));
    runner.start();
    await settle();
    await act({ type: 'refuse', prompt: 'confirm:m/patch@master-1' });
    await act({ type: 'skip', task: 'm/patch@master-1', reason: '' });
    expect(rejected).toEqual(['a reason is required to skip']);
    await act({ type: 'skip', task: 'm/patch@master-1', reason: 'patched by hand last night' });
    expect(await runner.done).toBe('passed');
    transport.verify();
    expect(sink.records.find((r) => r.event === 'step-finished' && r.status === 'skipped')).toMatchObject({
      by: 'alice',
      reason: 'patched by hand last night',
    });
    expect(sink.records.find((r) => r.event === 'step-finished' && r.status === 'refused')).toMatchObject({ by: 'alice' });
  });

  it('--yes answers confirmations (typed ones too) as the simulator user', async () => {
    const rb = runbook([section('m', [{ id: 'wipe', run: 'rm -rf /tmp/x', confirm: { typed: '{{node.name}}' } }], { on: 'master' })]);
    const { transport, sink, runner } = setup(stateOf(rb, cluster(2)), { autoConfirm: '--yes (simulator)' });
    transport.expect('rm -rf /tmp/x', {}, { times: 2 });
    runner.start();
    expect(await runner.done).toBe('passed');
    transport.verify();
    expect(sink.records.filter((r) => r.event === 'confirmation-answered').map((r) => ('by' in r ? r.by : ''))).toEqual([
      '--yes (simulator)',
      '--yes (simulator)',
    ]);
  });

  it('--yes answers the nodes of a batch one by one, as ever: no group', async () => {
    const rb = runbook([
      section('agents', [{ id: 'patch', run: 'patch {{node.name}}', destructive: true }], { on: 'agent', strategy: { batch: 3 } }),
    ]);
    const { transport, sink, runner } = setup(stateOf(rb, cluster(0, 3)), { autoConfirm: '--yes (simulator)' });
    for (let i = 1; i <= 3; i++) transport.expect(`patch agent-${i}`);
    runner.start();
    expect(await runner.done).toBe('passed');
    transport.verify();
    const answers = sink.records.filter((r) => r.event === 'confirmation-answered');
    expect(answers).toHaveLength(3);
    expect(answers.every((r) => r.event === 'confirmation-answered' && r.group === undefined && r.by === '--yes (simulator)')).toBe(true);
  });

  it('one answer for a batch runs the step on every node named, and only there', async () => {
    const rb = runbook([
      section('agents', [{ id: 'patch', run: 'patch {{node.name}}', destructive: true }], {
        on: 'agent',
        strategy: 'parallel',
        concurrency: 3,
      }),
    ]);
    const { transport, sink, runner, act } = setup(stateOf(rb, cluster(0, 4)));
    for (let i = 1; i <= 4; i++) transport.expect(`patch agent-${i}`);
    runner.start();
    await settle();
    expect(transport.calls).toEqual([]);
    await act({ type: 'confirm-group', prompts: ['confirm:agents/patch@agent-1', 'confirm:agents/patch@agent-3'] });
    expect(transport.calls.map((c) => c.node).sort()).toEqual(['agent-1', 'agent-3']);
    // agent-2 still waits for its own answer; agent-4 came in when a node finished, and waits too.
    expect(runner.getState().prompts.map((p) => p.node)).toEqual(['agent-2', 'agent-4']);
    await act({ type: 'confirm-group', prompts: ['confirm:agents/patch@agent-2', 'confirm:agents/patch@agent-4'] });
    expect(await runner.done).toBe('passed');
    transport.verify();
    expect(sink.log().filter((l) => l.startsWith('confirmation-answered'))).toEqual([
      'confirmation-answered agents/patch@agent-1 yes by alice',
      'confirmation-answered agents/patch@agent-3 yes by alice',
      'confirmation-answered agents/patch@agent-2 yes by alice',
      'confirmation-answered agents/patch@agent-4 yes by alice',
    ]);
  });

  it('retry runs the failed step again; abort ends the run with running commands let finish', async () => {
    const rb = runbook([section('agents', [{ id: 'x', run: 'check {{node.name}}' }], { on: 'agent', strategy: 'parallel' })]);
    const { transport, runner, act } = setup(stateOf(rb, cluster(0, 2)));
    transport.expect('check agent-1', { exit: 1 }).expect('check agent-1', { exit: 1 }).expect('check agent-2', { delayMs: 50 });
    runner.start();
    await settle();
    expect(runner.getState().prompts.map((p) => p.id)).toEqual(['failure:agents/x@agent-1']);
    await act({ type: 'retry', task: 'agents/x@agent-1' });
    expect(runner.getState().prompts.map((p) => p.id)).toEqual(['failure:agents/x@agent-1']);
    await act({ type: 'abort', reason: 'stop' });
    expect(runner.getState().phase).toBe('aborting'); // agent-2 still running
    expect(await runner.done).toBe('aborted');
    transport.verify();
    expect(runner.getState().nodes.get('agent-2')?.tasks.get('agents/x')).toMatchObject({ status: 'passed' });
  });

  it(
    'a gate whose pattern backtracks on a megabyte of hostile output fails on every node within the limit, polled no more',
    { timeout: 30_000 },
    async () => {
      const rb = runbook([
        section('agents', [{ id: 'ready', run: 'status', until: { regex: '^(z+)+$' }, every: '10s', timeout: '15m' }], {
          on: 'agent',
          strategy: 'parallel',
        }),
      ]);
      const { transport, runner, act } = setup(stateOf(rb, cluster(0, 3)));
      // 2^30 ways to split the z's before the "!": about 20 s for each node without a limit.
      transport.expect('status', { stdout: `${'log line\n'.repeat(120_000)}${'z'.repeat(30)}!\n` }, { times: 3 });
      const started = Date.now();
      runner.start();
      await waitFor(() => runner.getState().prompts.length === 3, 20_000);
      expect(Date.now() - started).toBeLessThan(10_000);
      for (const n of [1, 2, 3]) {
        const task = runner.getState().nodes.get(`agent-${n}`)?.tasks.get('agents/ready');
        expect(task?.status === 'failed' && task.reason).toMatch(
          /^\/\^\(z\+\)\+\$\/ backtracks \(no answer within 3 s on (this|earlier) output.*\): the check cannot be decided; simplify the pattern$/,
        );
      }
      await act({ type: 'abort' });
      expect(await runner.done).toBe('aborted');
      transport.verify();
      expect(transport.calls).toHaveLength(3);
    },
  );

  it('a dropped connection is failed, outcome unknown, never passed', async () => {
    const rb = runbook([section('m', [{ id: 'patch', run: 'sudo bash dcos_node_upgrade.sh' }], { on: 'master' })]);
    const { transport, runner, act } = setup(stateOf(rb, cluster(1)));
    transport.expect('sudo bash dcos_node_upgrade.sh', {
      failure: 'connection-lost',
      message: 'The connection to master-1 (10.0.4.1:22) was lost while the command ran; its outcome is unknown.',
    });
    runner.start();
    await settle();
    const task = runner.getState().nodes.get('master-1')?.tasks.get('m/patch');
    expect(task).toMatchObject({ status: 'failed', outcomeUnknown: true });
    expect(task?.status === 'failed' && task.reason).toMatch(/^connection lost during the command \(outcome unknown\)/);
    await act({ type: 'abort' });
    expect(await runner.done).toBe('aborted');
  });

  it('shows a deadline countdown and records when it passes', async () => {
    const rb = runbook([
      section(
        'agents',
        [
          { id: 'patch', run: 'patch', deadline: { after: '5m', text: 'the agent expires' } },
          { id: 'registered', run: 'metrics', until: { json: 'slave/registered', equals: 1 }, every: '1m', timeout: '10m' },
        ],
        { on: 'agent' },
      ),
    ]);
    const { transport, clock, sink, runner } = setup(stateOf(rb, cluster(0, 1)));
    transport
      .expect('patch')
      .expect('metrics', { stdout: '{"slave\\/registered":0.0}' }, { times: 6 })
      .expect('metrics', { stdout: '{"slave\\/registered":1.0}' });
    runner.start();
    await settle();
    expect(runner.getState().nodes.get('agent-1')?.deadline).toMatchObject({ at: clock.now() + 300_000, passed: false });
    for (let i = 0; i < 6; i++) await clock.advance(60_000);
    expect(await runner.done).toBe('passed');
    transport.verify();
    expect(sink.log()).toContain('deadline-passed agents/patch@agent-1');
  });

  it('reads the files a built-in check names on the node, quoted, and judges by it', async () => {
    const rb = runbook([
      section(
        'bootstrap',
        [
          {
            id: 'config',
            check: {
              builtin: 'dcos/config-change',
              with: { previous: '/root/old config.yaml', current: 'genconf/config.yaml', from: '1.11.1', to: '1.11.2' },
            },
          },
        ],
        { on: 'bootstrap' },
      ),
    ]);
    const { transport, runner, act } = setup(stateOf(rb, cluster(0)));
    const config =
      'bootstrap_url: http://10.0.0.5:80\nsecurity: permissive\nfault_domain_enabled: false\nenable_ipv6: false\nresolvers:\n- 169.254.169.253\n';
    transport
      .expect("cat -- '/root/old config.yaml'", { stdout: config })
      .expect("cat -- 'genconf/config.yaml'", { stdout: config.replace('169.254.169.253', '8.8.8.8') });
    runner.start();
    await settle();
    const task = runner.getState().nodes.get('bootstrap')?.tasks.get('bootstrap/config');
    transport.verify();
    // Patching and changing config in one pass is refused.
    expect(task).toMatchObject({ status: 'failed' });
    await act({ type: 'abort' });
    await runner.done;
  });

  it('SIGINT: the running command is stopped, the step is interrupted, the run can be resumed', async () => {
    const rb = runbook([
      section(
        'm',
        [
          { id: 'a', run: 'a' },
          { id: 'b', run: 'sleep 600' },
        ],
        { on: 'master' },
      ),
    ]);
    const state = stateOf(rb, cluster(1));
    const { transport, sink, runner } = setup(state);
    transport.expect('a').expect('sleep 600', { hang: true });
    runner.start();
    await settle();
    expect(await runner.interrupt('SIGINT')).toBe('interrupted');
    await settle();
    transport.verify();
    expect(sink.log().slice(-2)).toEqual(['interrupted m/b@master-1 interrupted', 'run-finished interrupted']);

    // Resume from the records: nothing that finished runs again; b waits for the operator.
    const resumed = setup(replay(stateOf(rb, cluster(1)), sink.records));
    resumed.transport.expect('sleep 600');
    resumed.runner.start();
    await settle();
    expect(resumed.runner.getState().prompts.map((p) => p.id)).toEqual(['interrupted:m/b@master-1']);
    expect(resumed.transport.calls).toEqual([]);
    await resumed.act({ type: 'rerun', task: 'm/b@master-1' });
    expect(await resumed.runner.done).toBe('passed');
    resumed.transport.verify();
  });

  it('journals to disk: every record is in the file and replays to the same state; secrets are nowhere', async () => {
    const { dir, remove } = tempDir('runbook-journal-');
    cleanups.push(remove);
    const secret = 'eyJhbGciOi-very-secret';
    const rb: Runbook = runbook(
      [
        section(
          'm',
          [
            {
              id: 'metrics',
              run: 'curl -H "Authorization: token={{params.jwt}}" https://{{node.ip}}:5050/metrics/snapshot',
              expect: { json: 'registrar/log/recovered', equals: 1 },
              capture: { echoed: 'token=(\\S+)' },
            },
            { id: 'fail', run: 'echo {{params.jwt}} >&2; exit 3' },
          ],
          { on: 'master' },
        ),
      ],
      { params: { jwt: { secret: true } } },
    );
    const journal = await Journal.create(dir, '20261125-171800-ab12');
    const { transport, runner, act } = setup(stateOf(rb, cluster(1), { jwt: secret }, ['jwt']), { journal });
    transport.expect(`curl -H "Authorization: token=${secret}" https://10.0.4.1:5050/metrics/snapshot`, {
      stdout: `{"registrar\\/log\\/recovered":1.0}\nserver said token=${secret}\n`,
    });
    transport.expect(`echo ${secret} >&2; exit 3`, { exit: 3, stderr: `${secret}\n`, message: `failed with ${secret}` });
    const seen: string[] = [];
    runner.subscribe((s, change) => seen.push(JSON.stringify(change.records), JSON.stringify(s.prompts), JSON.stringify(s.vars)));
    runner.start();
    // Real fsyncs take real time.
    await waitFor(() => runner.getState().prompts.length > 0);
    await act({ type: 'abort' });
    await runner.done;
    await journal.close();
    transport.verify();
    const text = readFileSync(journal.file, 'utf8');
    expect(text).not.toContain(secret);
    expect(seen.join('\n')).not.toContain(secret);
    expect(JSON.stringify(runner.output.lines('master-1'))).not.toContain(secret);
    expect(text).toContain('token=••••••');
    const { records, torn } = await readJournal(journal.file);
    expect(torn).toBe(false);
    expect(records.at(-1)).toMatchObject({ event: 'run-finished', status: 'aborted' });
    const rebuilt = replay(stateOf(rb, cluster(1), { jwt: secret }, ['jwt']), records);
    expect(rebuilt.nodes).toEqual(runner.getState().nodes);
    expect(rebuilt.counters).toEqual(runner.getState().counters);
  });

  it('pre-flight: connects to every SSH node at a bounded concurrency before the first step, lists every node that fails, runs nothing', async () => {
    const rb = runbook([
      section('prep', [{ id: 'local', run: 'echo local' }]),
      section('agents', [{ id: 'x', run: 'x' }], { on: 'agent', strategy: 'parallel' }),
    ]);
    const ssh = new ConnectingFake({
      'agent-3': { ok: false, failure: 'host-key-changed', message: 'The host key of agent-3 changed.' },
      'agent-7': { ok: false, failure: 'auth-failed', message: 'Could not log in to agent-7.' },
    });
    const local = new FakeTransport();
    const sink = new Sink();
    const runner = new Runner({
      state: stateOf(rb, cluster(0, 9)),
      transportFor: (n) => (n.name === 'local' ? local : ssh),
      journal: sink,
      clock: new FakeClock(),
      by: 'alice',
      preflightConcurrency: 4,
    });
    runner.start();
    expect(await runner.done).toBe('failed');
    expect(ssh.connected.sort()).toEqual(Array.from({ length: 9 }, (_, i) => `agent-${i + 1}`).sort());
    expect(ssh.most).toBe(4);
    local.verify(); // nothing ran, not even on this machine
    ssh.verify();
    expect(sink.log()).toEqual(['run-started', 'preflight-started', 'preflight-finished failed', 'run-finished failed']);
    expect(sink.records[2]).toMatchObject({
      nodes: 9,
      failures: [
        { node: 'agent-3', failure: 'host-key-changed', message: 'The host key of agent-3 changed.' },
        { node: 'agent-7', failure: 'auth-failed', message: 'Could not log in to agent-7.' },
      ],
    });
  });

  it('pre-flight passed: the steps run; connection events of the transport are journalled', async () => {
    const rb = runbook([section('m', [{ id: 'x', run: 'x' }], { on: 'master' })]);
    const ssh = new ConnectingFake({});
    ssh.expect('x', {}, { times: 2 });
    const sink = new Sink();
    const runner = new Runner({
      state: stateOf(rb, cluster(2)),
      transportFor: () => ssh,
      journal: sink,
      clock: new FakeClock(),
      by: 'alice',
    });
    ssh.onConnect = (node) => runner.noteConnection({ type: 'connected', node, host: '10.0.4.1', port: 22, user: 'core' });
    runner.start();
    expect(await runner.done).toBe('passed');
    ssh.verify();
    expect(sink.log().slice(0, 5)).toEqual([
      'run-started',
      'preflight-started',
      'connection connected master-1',
      'connection connected master-2',
      'preflight-finished passed',
    ]);
  });
});
