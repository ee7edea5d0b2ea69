import { describe as group, expect, it } from 'vitest';
import { sectionText, stepText } from '../../src/engine/display.js';
import { replay, update } from '../../src/engine/update.js';
import { confirmGroup, createRunState } from '../../src/engine/state.js';
import type { Runbook, Step } from '../../src/runbook/schema.js';
import { buildPlan } from '../../src/engine/plan.js';
import { Driver, T0, cluster, runbook, section, stateOf } from './fixtures.js';

const METRICS_0 = '{"registrar\\/log\\/recovered":0.0}';
const METRICS_1 = '{"registrar\\/log\\/recovered":1.0}';

group('a local section, one step', () => {
  const rb = runbook([section('prepare', [{ id: 'hello', run: 'echo hello' }])]);

  it('starts: the facts first, then the command', () => {
    const d = new Driver(stateOf(rb));
    d.start();
    expect(d.take()).toEqual({
      log: ['run-started', 'section-started prepare', 'node-started prepare@local', 'step-started prepare/hello@local'],
      execs: ['prepare/hello@local: echo hello'],
    });
    expect(d.state.phase).toBe('running');
    expect(d.state.nodes.get('local')?.tasks.get('prepare/hello')).toMatchObject({ status: 'running', attempt: 1 });
    expect(d.state.counters).toMatchObject({ total: 1, done: 0, running: 1 });
  });

  it('passes and finishes the run', () => {
    const d = new Driver(stateOf(rb));
    d.start();
    d.take();
    d.advance(1500);
    const effects = d.done('prepare/hello@local', { exit: 0, stdout: 'hello\n' });
    expect(d.log()).toEqual([
      'step-finished prepare/hello@local passed: exit 0',
      'node-finished prepare@local passed',
      'section-finished prepare passed',
      'run-finished passed',
    ]);
    expect(effects.at(-1)).toEqual({ type: 'done', outcome: 'passed' });
    expect(d.state.nodes.get('local')?.tasks.get('prepare/hello')).toEqual({
      status: 'passed',
      exit: 0,
      durationMs: 1500,
      message: 'exit 0',
    });
    expect(d.state).toMatchObject({ phase: 'finished', outcome: 'passed', counters: { done: 1, passed: 1, running: 0 } });
  });

  it('a failure asks the operator; retry runs it again; skip needs a reason', () => {
    const d = new Driver(stateOf(rb));
    d.start();
    d.take();
    d.done('prepare/hello@local', { exit: 1, stderr: 'no such file\n' });
    expect(d.take().log).toEqual([
      'step-finished prepare/hello@local failed: exit 1, expected 0: no such file',
      'decision-asked prepare/hello@local',
    ]);
    expect(d.state.prompts).toEqual([
      expect.objectContaining({
        id: 'failure:prepare/hello@local',
        kind: 'failure',
        node: 'local',
        reason: 'exit 1, expected 0: no such file',
        choices: ['retry', 'skip', 'abort'],
      }),
    ]);
    d.act({ type: 'retry', task: 'prepare/hello@local' });
    expect(d.take()).toEqual({
      log: ['retry prepare/hello@local', 'step-started prepare/hello@local'],
      execs: ['prepare/hello@local: echo hello'],
    });
    expect(d.state.prompts).toEqual([]);
    d.done('prepare/hello@local', { exit: 1 });
    d.take();
    const rejected = d.act({ type: 'skip', task: 'prepare/hello@local', reason: '  ' });
    expect(rejected).toEqual([expect.objectContaining({ type: 'rejected', message: 'a reason is required to skip' })]);
    d.act({ type: 'skip', task: 'prepare/hello@local', reason: 'checked by hand' }, 'bob');
    expect(d.log()).toEqual([
      'step-finished prepare/hello@local skipped by bob: checked by hand',
      'node-finished prepare@local passed',
      'section-finished prepare passed',
      'run-finished passed',
    ]);
    expect(d.state.counters).toMatchObject({ skipped: 1, failed: 0, done: 1 });
  });

  it('abort ends the run as aborted', () => {
    const d = new Driver(stateOf(rb));
    d.start();
    d.done('prepare/hello@local', { exit: 1 });
    d.take();
    d.act({ type: 'abort', reason: 'wrong cluster' });
    expect(d.log()).toEqual(['aborted', 'run-finished aborted']);
    expect(d.state.outcome).toBe('aborted');
  });
});

group('strategies', () => {
  const steps = [
    { id: 'a', run: 'echo a {{node.name}}' },
    { id: 'b', run: 'echo b {{node.name}}' },
  ];

  it('serial: one master through every step, then the next', () => {
    const d = new Driver(stateOf(runbook([section('masters', steps, { on: 'master', strategy: 'serial' })]), cluster(3)));
    d.start();
    expect(d.take().execs).toEqual(['masters/a@master-1: echo a master-1']);
    d.done('masters/a@master-1');
    expect(d.take().execs).toEqual(['masters/b@master-1: echo b master-1']);
    d.done('masters/b@master-1');
    expect(d.take()).toEqual({
      log: [
        'step-finished masters/b@master-1 passed: exit 0',
        'node-finished masters@master-1 passed',
        'node-started masters@master-2',
        'step-started masters/a@master-2',
      ],
      execs: ['masters/a@master-2: echo a master-2'],
    });
    expect(d.state.nodes.get('master-1')?.summary).toBe('passed');
    expect(d.state.nodes.get('master-3')?.summary).toBe('pending');
  });

  it('parallel: up to the concurrency, a new node as one finishes', () => {
    const d = new Driver(
      stateOf(runbook([section('agents', [steps[0]!], { on: 'agent', strategy: 'parallel', concurrency: 2 })]), cluster(0, 5)),
    );
    d.start();
    expect(d.take().execs).toEqual(['agents/a@agent-1: echo a agent-1', 'agents/a@agent-2: echo a agent-2']);
    d.done('agents/a@agent-2');
    expect(d.take().execs).toEqual(['agents/a@agent-3: echo a agent-3']);
    expect(d.state.sections[0]).toMatchObject({ active: ['agent-1', 'agent-3'], nodesDone: 1, nextTarget: 3 });
  });

  it('batch: the next batch waits for the whole of this one', () => {
    const d = new Driver(stateOf(runbook([section('agents', [steps[0]!], { on: 'agent', strategy: { batch: 2 } })]), cluster(0, 5)));
    d.start();
    expect(d.take().execs).toEqual(['agents/a@agent-1: echo a agent-1', 'agents/a@agent-2: echo a agent-2']);
    d.done('agents/a@agent-1');
    expect(d.take().execs).toEqual([]);
    d.done('agents/a@agent-2');
    expect(d.take().execs).toEqual(['agents/a@agent-3: echo a agent-3', 'agents/a@agent-4: echo a agent-4']);
  });

  it("batch from a param: the operator's size is used; a size that is not a whole number stops the run before any node starts", () => {
    const rb = runbook([section('agents', [steps[0]!], { on: 'agent', strategy: { batch: '{{params.agent_batch}}' } })], {
      params: { agent_batch: { default: '5' } },
    });
    const d = new Driver(stateOf(rb, cluster(0, 5), { agent_batch: '3' }));
    d.start();
    expect(d.take().execs).toEqual([
      'agents/a@agent-1: echo a agent-1',
      'agents/a@agent-2: echo a agent-2',
      'agents/a@agent-3: echo a agent-3',
    ]);
    for (const bad of ['0', 'two', '', '2.5']) {
      const e = new Driver(stateOf(rb, cluster(0, 5), { agent_batch: bad }));
      e.start();
      const aborted = e.records.find((r) => r.event === 'aborted');
      const { log, execs } = e.take();
      expect(execs).toEqual([]);
      expect(log).not.toContain('node-started agents@agent-1');
      expect(aborted).toMatchObject({
        reason: `section agents: the batch size params.agent_batch must be a whole number of at least 1, not ${JSON.stringify(bad)}`,
      });
    }
  });

  it('max_failures: tolerated failures leave the node failed; one more stops the section and asks', () => {
    const d = new Driver(
      stateOf(
        runbook([section('agents', [steps[0]!], { on: 'agent', strategy: 'parallel', concurrency: 2, max_failures: 1 })]),
        cluster(0, 4),
      ),
    );
    d.start();
    d.take();
    d.done('agents/a@agent-1', { exit: 3 });
    expect(d.take()).toEqual({
      log: [
        'step-finished agents/a@agent-1 failed: exit 3, expected 0',
        'node-finished agents@agent-1 failed',
        'node-started agents@agent-3',
        'step-started agents/a@agent-3',
      ],
      execs: ['agents/a@agent-3: echo a agent-3'],
    });
    d.done('agents/a@agent-2', { exit: 3 });
    expect(d.take()).toEqual({
      log: ['step-finished agents/a@agent-2 failed: exit 3, expected 0', 'decision-asked agents/a@agent-2'],
      execs: [],
    });
    // Stopped: agent-3 finishing does not let agent-4 in.
    d.done('agents/a@agent-3');
    expect(d.take()).toEqual({ log: ['step-finished agents/a@agent-3 passed: exit 0', 'node-finished agents@agent-3 passed'], execs: [] });
    d.act({ type: 'skip', task: 'agents/a@agent-2', reason: 'agent is being decommissioned' });
    expect(d.take().execs).toEqual(['agents/a@agent-4: echo a agent-4']);
    d.done('agents/a@agent-4');
    expect(d.log().slice(-2)).toEqual(['section-finished agents failed', 'run-finished failed']);
    expect(d.state.nodes.get('agent-1')).toMatchObject({ summary: 'failed', failedIn: 'agents' });
  });

  it('a batch stopped by one failed node: the others that passed a step are held, not running, until the decision', () => {
    const rb = runbook([
      section(
        'agents',
        [
          { id: 'a', run: 'a' },
          { id: 'b', run: 'b' },
        ],
        { on: 'agent', strategy: { batch: 3 } },
      ),
    ]);
    const d = new Driver(stateOf(rb, cluster(0, 3)));
    d.start();
    d.done('agents/a@agent-2', { exit: 1 });
    d.done('agents/a@agent-1');
    d.done('agents/a@agent-3');
    expect(d.state.counters.running).toBe(0);
    expect(['agent-1', 'agent-2', 'agent-3'].map((n) => d.state.nodes.get(n)?.summary)).toEqual(['held', 'failed', 'held']);
    d.act({ type: 'skip', task: 'agents/a@agent-2', reason: 'patched by hand' });
    expect(['agent-1', 'agent-2', 'agent-3'].map((n) => d.state.nodes.get(n)?.summary)).toEqual(['running', 'running', 'running']);
  });

  it('a node that failed in one section is left out of the next', () => {
    const rb = runbook([
      section('check', [steps[0]!], { on: 'agent', strategy: 'parallel', max_failures: 5 }),
      section('patch', [steps[1]!], { on: 'agent', strategy: 'parallel' }),
    ]);
    const d = new Driver(stateOf(rb, cluster(0, 2)));
    d.start();
    d.done('check/a@agent-1', { exit: 1 });
    d.take();
    d.done('check/a@agent-2');
    const { log, execs } = d.take();
    expect(log).toContain('node-excluded patch@agent-1');
    expect(execs).toEqual(['patch/b@agent-2: echo b agent-2']);
  });
});

group('confirmations', () => {
  const rb = runbook([
    section('masters', [{ id: 'patch', title: 'Run the patch script', run: 'sudo bash dcos_node_upgrade.sh', destructive: true }], {
      on: 'master',
    }),
  ]);

  it('a destructive step waits, naming the command and the node, and runs when confirmed', () => {
    const d = new Driver(stateOf(rb, cluster(1)));
    d.start();
    expect(d.take()).toEqual({
      log: ['run-started', 'section-started masters', 'node-started masters@master-1', 'confirmation-asked masters/patch@master-1'],
      execs: [],
    });
    expect(d.state.prompts[0]).toMatchObject({
      kind: 'confirm',
      id: 'confirm:masters/patch@master-1',
      node: 'master-1',
      command: 'sudo bash dcos_node_upgrade.sh',
      destructive: true,
    });
    expect(d.state.nodes.get('master-1')?.summary).toBe('waiting');
    d.act({ type: 'confirm', prompt: 'confirm:masters/patch@master-1' });
    expect(d.take()).toEqual({
      log: ['confirmation-answered masters/patch@master-1 yes by alice', 'step-started masters/patch@master-1'],
      execs: ['masters/patch@master-1: sudo bash dcos_node_upgrade.sh'],
    });
  });

  it('refused: not run, recorded, and the operator decides what next', () => {
    const d = new Driver(stateOf(rb, cluster(1)));
    d.start();
    d.take();
    d.act({ type: 'refuse', prompt: 'confirm:masters/patch@master-1' });
    expect(d.take()).toEqual({
      log: [
        'confirmation-answered masters/patch@master-1 no by alice',
        'step-finished masters/patch@master-1 refused by alice',
        'decision-asked masters/patch@master-1',
      ],
      execs: [],
    });
    expect(d.state.nodes.get('master-1')?.tasks.get('masters/patch')).toEqual({ status: 'refused', by: 'alice' });
    d.act({ type: 'retry', task: 'masters/patch@master-1' });
    expect(d.take().log).toEqual(['retry masters/patch@master-1', 'confirmation-asked masters/patch@master-1']);
  });

  it('a typed confirmation must match', () => {
    const typed = runbook([
      section('m', [{ id: 'wipe', run: 'rm -rf /var/lib/mesos', confirm: { typed: '{{node.name}}' } }], { on: 'master' }),
    ]);
    const d = new Driver(stateOf(typed, cluster(1)));
    d.start();
    expect(d.state.prompts[0]).toMatchObject({ typed: 'master-1' });
    d.take();
    d.act({ type: 'confirm', prompt: 'confirm:m/wipe@master-1', typed: 'master-2' });
    expect(d.take().log).toEqual([
      'confirmation-answered m/wipe@master-1 no by alice',
      'step-finished m/wipe@master-1 refused by alice: the typed text did not match "master-1"',
      'decision-asked m/wipe@master-1',
    ]);
    d.act({ type: 'retry', task: 'm/wipe@master-1' });
    d.act({ type: 'confirm', prompt: 'confirm:m/wipe@master-1', typed: 'master-1' });
    expect(d.take().execs).toEqual(['m/wipe@master-1: rm -rf /var/lib/mesos']);
  });

  it('a note with confirm: true is acknowledged and passes without a command', () => {
    const note = runbook([section('notes', [{ id: 'ack-gui', text: 'The GUI may be inconsistent.', confirm: true }])]);
    const d = new Driver(stateOf(note));
    d.start();
    expect(d.state.prompts[0]).toMatchObject({ kind: 'confirm', text: 'The GUI may be inconsistent.', destructive: false });
    d.take();
    d.act({ type: 'confirm', prompt: 'confirm:notes/ack-gui@local' });
    expect(d.log()).toEqual([
      'confirmation-answered notes/ack-gui@local yes by alice',
      'step-started notes/ack-gui@local',
      'step-finished notes/ack-gui@local passed: acknowledged',
      'node-finished notes@local passed',
      'section-finished notes passed',
      'run-finished passed',
    ]);
  });
});

group('gates and polls', () => {
  const rb = runbook([
    section(
      'masters',
      [
        {
          id: 'recovered',
          run: 'curl -fsS http://{{node.ip}}:5050/metrics/snapshot',
          until: { json: 'registrar/log/recovered', equals: 1 },
          every: '10s',
          timeout: '30s',
        },
      ],
      { on: 'master' },
    ),
  ]);

  it('polls until true; each attempt is a record', () => {
    const d = new Driver(stateOf(rb, cluster(1)));
    d.start();
    expect(d.take().execs).toEqual(['masters/recovered@master-1: curl -fsS http://10.0.4.1:5050/metrics/snapshot']);
    d.done('masters/recovered@master-1', { stdout: METRICS_0 });
    const first = d.take();
    expect(first.log).toEqual(['attempt masters/recovered@master-1 #1 no: registrar/log/recovered: 0, expected 1']);
    expect(d.effects).toEqual([]);
    expect(d.state.nodes.get('master-1')?.tasks.get('masters/recovered')).toMatchObject({
      status: 'polling',
      attempt: 1,
      nextAt: T0 + 10_000,
      deadlineAt: T0 + 30_000,
    });
    d.advance(10_000);
    d.send({ type: 'timer', task: 'masters/recovered@master-1', attempt: 1, kind: 'poll' });
    // The start of each later attempt is journalled (the first starts with step-started).
    expect(d.take()).toEqual({
      log: ['attempt-started masters/recovered@master-1 #2'],
      execs: ['masters/recovered@master-1: curl -fsS http://10.0.4.1:5050/metrics/snapshot'],
    });
    expect(d.records).toEqual([]);
    expect(d.state.nodes.get('master-1')?.tasks.get('masters/recovered')).toMatchObject({ status: 'running', attempt: 2, startedAt: T0 });
    d.done('masters/recovered@master-1', { stdout: METRICS_1 });
    expect(d.log().slice(0, 2)).toEqual([
      'attempt masters/recovered@master-1 #2 ok: registrar/log/recovered = 1',
      'step-finished masters/recovered@master-1 passed: registrar/log/recovered = 1',
    ]);
  });

  it.each([
    ['during an attempt', true, 'the player stopped during poll attempt 2'],
    ['between attempts', false, 'the player stopped between poll attempts (after attempt 1)'],
  ])('resumed after the player died %s: the journal alone says which, and the step is interrupted', (_when, inFlight, reason) => {
    const d = new Driver(stateOf(rb, cluster(1)));
    d.start();
    d.done('masters/recovered@master-1', { stdout: METRICS_0 });
    d.advance(10_000);
    if (inFlight) d.send({ type: 'timer', task: 'masters/recovered@master-1', attempt: 1, kind: 'poll' });
    const rebuilt = replay(stateOf(rb, cluster(1)), d.records);
    expect(rebuilt.nodes.get('master-1')?.tasks.get('masters/recovered')).toMatchObject({
      status: inFlight ? 'running' : 'polling',
      attempt: inFlight ? 2 : 1,
    });
    const r = new Driver(rebuilt);
    r.send({ type: 'resume', by: 'bob', digest: 'd1' });
    expect(r.records.find((x) => x.event === 'interrupted')).toMatchObject({ step: 'recovered', reason });
    expect(r.state.prompts.map((p) => p.id)).toEqual(['interrupted:masters/recovered@master-1']);
  });

  it('a poll that never holds fails at its timeout, saying how often it tried', () => {
    const d = new Driver(stateOf(rb, cluster(1)));
    d.start();
    for (let attempt = 1; attempt <= 3; attempt++) {
      d.done('masters/recovered@master-1', { stdout: METRICS_0 });
      d.advance(10_000);
      d.send({ type: 'timer', task: 'masters/recovered@master-1', attempt, kind: 'poll' });
    }
    d.take();
    d.done('masters/recovered@master-1', { stdout: METRICS_0 });
    expect(d.log()).toEqual([
      'attempt masters/recovered@master-1 #4 no: registrar/log/recovered: 0, expected 1',
      'step-finished masters/recovered@master-1 failed: still not true after 4 attempts in 30s: registrar/log/recovered: 0, expected 1',
      'decision-asked masters/recovered@master-1',
    ]);
  });

  it('a dropped connection fails the step, outcome unknown: never passed', () => {
    const d = new Driver(stateOf(runbook([section('m', [{ id: 'x', run: 'true' }], { on: 'master' })]), cluster(1)));
    d.start();
    d.done('m/x@master-1', { exit: null, failure: 'connection-lost', message: 'The connection to master-1 (10.0.4.1:22) was lost.' });
    expect(d.state.nodes.get('master-1')?.tasks.get('m/x')).toEqual({
      status: 'failed',
      reason: 'connection lost during the command (outcome unknown): The connection to master-1 (10.0.4.1:22) was lost.',
      outcomeUnknown: true,
      durationMs: 0,
    });
  });

  it('a timed-out command fails, naming its limit', () => {
    const d = new Driver(stateOf(runbook([section('s', [{ id: 'hang', run: 'sleep 100', timeout: '2s' }])])));
    d.start();
    d.done('s/hang@local', { exit: null, failure: 'timeout' });
    expect(d.state.nodes.get('local')?.tasks.get('s/hang')).toMatchObject({
      status: 'failed',
      reason: 'timed out after 2s (outcome unknown)',
    });
  });

  it("every command has a limit: the step's timeout, else the runbook's step_timeout, else 30m", () => {
    const limits = (extra: Partial<Runbook>, step: Partial<Step>) => {
      const d = new Driver(stateOf(runbook([section('s', [{ id: 'a', run: 'sleep 100', ...step }])], extra)));
      d.start();
      return d.lastExec.get('s/a@local')?.timeoutMs;
    };
    expect(limits({}, {})).toBe(30 * 60_000);
    expect(limits({ step_timeout: '5m' }, {})).toBe(5 * 60_000);
    expect(limits({ step_timeout: '5m' }, { timeout: '45m' })).toBe(45 * 60_000);
    const d = new Driver(stateOf(runbook([section('s', [{ id: 'hang', run: 'sleep 100' }])], { step_timeout: '90s' })));
    d.start();
    d.done('s/hang@local', { exit: null, failure: 'timeout' });
    expect(d.state.nodes.get('local')?.tasks.get('s/hang')).toMatchObject({
      status: 'failed',
      reason: 'timed out after 1m30s (outcome unknown)',
      outcomeUnknown: true,
    });
  });

  it('capture stores a var that later commands use, shell-quoted', () => {
    const rb2 = runbook([
      section('bootstrap', [{ id: 'gen', run: 'gen', capture: { patch_url: 'Node (?:patch|upgrade) script URL: (\\S+)' } }], {
        on: 'bootstrap',
      }),
      section('masters', [{ id: 'get', run: 'curl -O {{vars.patch_url}}' }], { on: 'master' }),
    ]);
    const d = new Driver(stateOf(rb2, cluster(1)));
    d.start();
    d.take();
    d.done('bootstrap/gen@bootstrap', { stdout: "Node upgrade script URL: http://10.0.0.5/x'y.sh\n", stderr: 'Generating...\n' });
    const { log, execs } = d.take();
    expect(log.slice(0, 2)).toEqual([
      "captured bootstrap/gen@bootstrap patch_url=http://10.0.0.5/x'y.sh",
      'step-finished bootstrap/gen@bootstrap passed: exit 0',
    ]);
    expect(execs).toEqual([`masters/get@master-1: curl -O 'http://10.0.0.5/x'\\''y.sh'`]);
    expect(d.state.vars).toEqual({ patch_url: "http://10.0.0.5/x'y.sh" });
  });

  it('a captured value of the wrong shape fails the step and is never set, so no later command gets it', () => {
    const shaped = { patch_url: { regex: 'Node (?:patch|upgrade) script URL: (\\S+)', shape: 'url' as const } };
    const rb2 = runbook([
      section('bootstrap', [{ id: 'gen', run: 'gen', capture: shaped }], { on: 'bootstrap' }),
      section('masters', [{ id: 'get', run: 'curl -O {{vars.patch_url}}' }], { on: 'master' }),
    ]);
    // What a compromised bootstrap node prints instead of a URL: no command may receive it.
    for (const hostile of [
      'http://10.0.0.5/$(touch${IFS}/tmp/x)/dcos_node_upgrade.sh',
      '-oProxyCommand=sh',
      'file:///etc/shadow',
      'http://10.0.0.5/a;b',
      'http://-x/',
    ]) {
      const d = new Driver(stateOf(rb2, cluster(1)));
      d.start();
      d.take();
      d.done('bootstrap/gen@bootstrap', { stdout: `Node upgrade script URL: ${hostile}\n` });
      const task = d.state.nodes.get('bootstrap')?.tasks.get('bootstrap/gen');
      expect(task, hostile).toMatchObject({ status: 'failed' });
      expect(task?.status === 'failed' && task.reason).toMatch(
        /^capture patch_url: the captured value \(\d+ characters\) is not an http or https URL: .*; vars\.patch_url is not set$/,
      );
      expect(task?.status === 'failed' && task.reason).not.toContain(hostile);
      expect(d.state.vars).toEqual({});
      expect(d.take().execs).toEqual([]);
    }
    const d = new Driver(stateOf(rb2, cluster(1)));
    d.start();
    d.take();
    d.done('bootstrap/gen@bootstrap', { stdout: 'Node upgrade script URL: http://10.0.0.5:80/upgrade/5f0c/dcos_node_upgrade.sh\n' });
    expect(d.take().execs).toEqual(['masters/get@master-1: curl -O http://10.0.0.5:80/upgrade/5f0c/dcos_node_upgrade.sh']);
  });

  it('a capture with a pattern fails on a value that does not match it whole', () => {
    const d = new Driver(
      stateOf(runbook([section('b', [{ id: 'gen', run: 'gen', capture: { v: { regex: 'v=(\\S+)', pattern: '1\\.11\\.\\d+' } } }])])),
    );
    d.start();
    d.done('b/gen@local', { stdout: 'v=1.11.4x\n' });
    expect(d.state.nodes.get('local')?.tasks.get('b/gen')).toMatchObject({
      status: 'failed',
      reason: 'capture v: the captured value (7 characters) does not match 1\\.11\\.\\d+; vars.v is not set',
    });
  });

  it('a capture that finds nothing fails the step', () => {
    const d = new Driver(stateOf(runbook([section('b', [{ id: 'gen', run: 'gen', capture: { url: 'URL: (\\S+)' } }])])));
    d.start();
    d.done('b/gen@local', { stdout: 'Must provide the version of the cluster upgrading from\n' });
    expect(d.state.nodes.get('local')?.tasks.get('b/gen')).toMatchObject({
      status: 'failed',
      reason: 'capture url: /URL: (\\S+)/ not found in the output (last line: "Must provide the version of the cluster upgrading from")',
    });
  });

  it(
    'a gate whose pattern backtracks on hostile output fails at once, within the time limit, instead of polling',
    { timeout: 30_000 },
    () => {
      const d = new Driver(
        stateOf(
          runbook([
            section('m', [{ id: 'up', run: 'status', until: { regex: '^(x+)+$' }, every: '10s', timeout: '15m' }], {
              on: 'master',
              strategy: 'parallel',
            }),
          ]),
          cluster(2),
        ),
      );
      d.start();
      d.take();
      // 2^30 ways to split the x's before the "!", on a megabyte of output: about 20 s without a limit.
      const hostile = `${'log line\n'.repeat(120_000)}${'x'.repeat(30)}!\n`;
      const started = Date.now();
      d.done('m/up@master-1', { stdout: hostile });
      expect(Date.now() - started).toBeLessThan(8000);
      const message = `/^(x+)+$/ backtracks (no answer within 3 s on this output of ${hostile.length} characters): the check cannot be decided; simplify the pattern`;
      expect(d.take().log).toEqual([
        `attempt m/up@master-1 #1 no: ${message}`,
        `step-finished m/up@master-1 failed: ${message}`,
        'decision-asked m/up@master-1',
      ]);
      // The same pattern on the next node is not tried again: the player does not stall once per node.
      const again = Date.now();
      d.done('m/up@master-2', { stdout: 'xxx\n' });
      expect(Date.now() - again).toBeLessThan(500);
      expect(d.state.nodes.get('master-2')?.tasks.get('m/up')).toMatchObject({
        status: 'failed',
        reason: expect.stringContaining('/^(x+)+$/ backtracks (no answer within 3 s on earlier output, so it is not tried again)'),
      });
    },
  );

  it('a capture whose pattern backtracks fails the step', { timeout: 30_000 }, () => {
    const d = new Driver(stateOf(runbook([section('b', [{ id: 'gen', run: 'gen', capture: { url: '^(u+)+:' } }])])));
    d.start();
    d.done('b/gen@local', { stdout: `${'u'.repeat(30)}\n` });
    expect(d.state.nodes.get('local')?.tasks.get('b/gen')).toMatchObject({
      status: 'failed',
      reason:
        'capture url: /^(u+)+:/ backtracks (no answer within 3 s on this output of 31 characters): nothing is captured; simplify the pattern',
    });
  });

  it('a builtin verdict decides the step', () => {
    const d = new Driver(
      stateOf(runbook([section('g', [{ id: 'path', check: { builtin: 'dcos/patch-path', with: { from: '1.11.1', to: '1.12.0' } } }])])),
    );
    d.start();
    const exec = d.effects.find((e) => e.type === 'exec');
    expect(exec).toMatchObject({ builtin: { name: 'dcos/patch-path', args: { from: '1.11.1', to: '1.12.0' } } });
    d.send({
      type: 'exec-done',
      task: 'g/path@local',
      attempt: 1,
      result: { exit: 0, stdout: '', stderr: '', durationMs: 0 },
      builtin: { ok: false, message: '1.11.1 -> 1.12.0 changes the minor version' },
    });
    expect(d.state.nodes.get('local')?.tasks.get('g/path')).toMatchObject({
      status: 'failed',
      reason: '1.11.1 -> 1.12.0 changes the minor version',
    });
  });
});

group('when, deadlines, secrets', () => {
  it('a false when skips the step or the section, saying why', () => {
    const rb = runbook(
      [
        section('strict', [{ id: 'x', run: 'true' }], { when: "params.security == 'strict'" }),
        section('all', [
          { id: 'y', run: 'true', when: "params.security != 'disabled'" },
          { id: 'z', run: 'true' },
        ]),
      ],
      { params: { security: { choices: ['disabled', 'permissive', 'strict'] } } },
    );
    const d = new Driver(stateOf(rb, undefined, { security: 'disabled' }));
    d.start();
    expect(d.take()).toEqual({
      log: [
        'run-started',
        "section-skipped strict: when: params.security == 'strict' is false",
        'section-started all',
        'node-started all@local',
        "step-finished all/y@local skipped: when: params.security != 'disabled' is false",
        'step-started all/z@local',
      ],
      execs: ['all/z@local: true'],
    });
  });

  it('a deadline starts a countdown on the node and says when it passes', () => {
    const rb = runbook([
      section(
        'agents',
        [
          { id: 'patch', run: 'x', deadline: { after: '5m', text: 'Mesos expires the agent' } },
          { id: 'gate', run: 'y' },
        ],
        { on: 'agent' },
      ),
    ]);
    const d = new Driver(stateOf(rb, cluster(0, 1)));
    d.start();
    expect(d.effects).toContainEqual({ type: 'timer', task: 'agents/patch@agent-1', attempt: 0, kind: 'deadline', at: T0 + 300_000 });
    expect(d.state.nodes.get('agent-1')?.deadline).toEqual({
      step: 'agents/patch',
      startedAt: T0,
      at: T0 + 300_000,
      text: 'Mesos expires the agent',
      passed: false,
    });
    d.done('agents/patch@agent-1');
    d.advance(300_000);
    d.take();
    d.send({ type: 'timer', task: 'agents/patch@agent-1', attempt: 0, kind: 'deadline' });
    expect(d.log()).toEqual(['deadline-passed agents/patch@agent-1']);
    expect(d.state.nodes.get('agent-1')?.deadline?.passed).toBe(true);
    d.done('agents/gate@agent-1');
    expect(d.state.nodes.get('agent-1')?.deadline).toBeUndefined();
  });

  it('a deadline ends when the gate that answers it passes: no "over" on an agent that registered in time', () => {
    const steps = [
      {
        id: 'patch',
        run: 'x',
        deadline: { after: '5m', text: 'Mesos expires the agent', answered_by: ['registered-strict', 'registered'] },
      },
      { id: 'registered', run: 'y' },
      { id: 'ui', text: 'Look at the Mesos UI', confirm: true },
    ];
    const rb = runbook([section('agents', steps, { on: 'agent' })]);
    const d = new Driver(stateOf(rb, cluster(0, 1)));
    d.start();
    d.advance(60_000);
    d.done('agents/patch@agent-1');
    expect(d.state.nodes.get('agent-1')?.deadline?.passed).toBe(false);
    d.advance(60_000);
    d.done('agents/registered@agent-1');
    expect(d.state.nodes.get('agent-1')?.deadline).toBeUndefined();
    // The operator reads the UI note slowly: the 5 minutes go by, and nothing says "over".
    d.advance(600_000);
    d.take();
    d.send({ type: 'timer', task: 'agents/patch@agent-1', attempt: 0, kind: 'deadline' });
    expect(d.log()).toEqual([]);
    expect(d.state.nodes.get('agent-1')?.deadline).toBeUndefined();
  });

  it('a resumed run rebuilds an answered deadline as ended, and a running one as running', () => {
    const steps = [
      { id: 'patch', run: 'x', deadline: { after: '5m', answered_by: 'registered' } },
      { id: 'registered', run: 'y' },
      { id: 'ui', text: 'Look at the Mesos UI', confirm: true },
    ];
    const rb = runbook([section('agents', steps, { on: 'agent', strategy: { batch: 2 } })]);
    const d = new Driver(stateOf(rb, cluster(0, 2)));
    d.start();
    d.done('agents/patch@agent-1');
    d.done('agents/patch@agent-2');
    d.done('agents/registered@agent-1');
    const all = [...d.records];
    const rebuilt = replay(stateOf(rb, cluster(0, 2)), all);
    expect(rebuilt.nodes.get('agent-1')?.deadline).toBeUndefined();
    expect(rebuilt.nodes.get('agent-2')?.deadline).toMatchObject({ step: 'agents/patch', passed: false });
  });

  it('a deadline not answered in time still passes; only the gate named ends it, and only by passing', () => {
    const steps = [
      { id: 'patch', run: 'x', deadline: { after: '5m', answered_by: 'registered' } },
      { id: 'other', run: 'z' },
      { id: 'registered', run: 'y', expect: { exit: 0 } },
      { id: 'ui', text: 'Look at the Mesos UI', confirm: true },
    ];
    const rb = runbook([section('agents', steps, { on: 'agent' })]);
    const d = new Driver(stateOf(rb, cluster(0, 1)));
    d.start();
    d.done('agents/patch@agent-1');
    d.done('agents/other@agent-1');
    expect(d.state.nodes.get('agent-1')?.deadline?.passed).toBe(false);
    d.advance(300_000);
    d.take();
    d.send({ type: 'timer', task: 'agents/patch@agent-1', attempt: 0, kind: 'deadline' });
    expect(d.log()).toEqual(['deadline-passed agents/patch@agent-1']);
    expect(d.state.nodes.get('agent-1')?.deadline?.passed).toBe(true);
    // Registered after the countdown ran out: "over" stays, because it was.
    d.done('agents/registered@agent-1');
    expect(d.state.nodes.get('agent-1')?.deadline).toMatchObject({ step: 'agents/patch', passed: true });
  });

  it('a failing gate does not end a deadline', () => {
    const steps = [
      { id: 'patch', run: 'x', deadline: { after: '5m', answered_by: 'registered' } },
      { id: 'registered', run: 'y', expect: { exit: 0 } },
    ];
    const rb = runbook([section('agents', steps, { on: 'agent' })]);
    const d = new Driver(stateOf(rb, cluster(0, 1)));
    d.start();
    d.done('agents/patch@agent-1');
    d.done('agents/registered@agent-1', { exit: 7 });
    expect(d.state.nodes.get('agent-1')?.tasks.get('agents/registered')?.status).toBe('failed');
    expect(d.state.nodes.get('agent-1')?.deadline).toMatchObject({ passed: false });
  });

  it('secrets reach the command, never a record', () => {
    const rb = runbook(
      [
        section('m', [{ id: 'metrics', run: 'curl -H "Authorization: token={{params.jwt}}" https://{{node.ip}}:5050/metrics/snapshot' }], {
          on: 'master',
        }),
      ],
      {
        params: { jwt: { secret: true } },
      },
    );
    const d = new Driver(stateOf(rb, cluster(1), { jwt: 's3cr3t-t0ken' }, ['jwt']));
    d.start();
    const exec = d.effects.find((e) => e.type === 'exec');
    expect(exec).toMatchObject({
      command: 'curl -H "Authorization: token=s3cr3t-t0ken" https://10.0.4.1:5050/metrics/snapshot',
      display: 'curl -H "Authorization: token=••••••" https://10.0.4.1:5050/metrics/snapshot',
    });
    d.done('m/metrics@master-1', { exit: 7 });
    expect(JSON.stringify(d.records)).not.toContain('s3cr3t');
    expect(d.records[0]).toMatchObject({ event: 'run-started', params: { jwt: '••••••' }, secrets: ['jwt'] });
  });
});

group('interruption and resume', () => {
  const rb = runbook([
    section(
      'masters',
      [
        { id: 'a', run: 'echo a' },
        { id: 'b', run: 'echo b', until: { exit: 0 } },
      ],
      { on: 'master' },
    ),
  ]);

  it('SIGINT: the running step is interrupted, commands stopped, the run ends interrupted', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.start();
    d.take();
    const effects = d.send({ type: 'interrupt', signal: 'SIGINT' });
    expect(d.log()).toEqual(['interrupted masters/a@master-1 interrupted', 'run-finished interrupted']);
    expect(effects.filter((e) => e.type !== 'journal')).toEqual([{ type: 'cancel' }, { type: 'done', outcome: 'interrupted' }]);
    // Its only gate is its own exit status: verifying would mean running it again.
    expect(d.state.prompts[0]).toMatchObject({
      kind: 'interrupted',
      choices: ['rerun', 'mark-done', 'skip', 'abort'],
      verifyUnavailable: 'it has no gate to check',
    });
  });

  it('replaying the records rebuilds the same state', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.start();
    d.done('masters/a@master-1');
    d.done('masters/b@master-1', { exit: 1 });
    d.advance(10_000);
    const fresh = stateOf(rb, cluster(2));
    const rebuilt = replay(fresh, d.records);
    const strip = (s: typeof rebuilt) => ({ ...s, plan: undefined, now: undefined });
    expect(strip(rebuilt)).toEqual(strip(d.state));
  });

  it('replaying rebuilds the same times when the clock reads fractions of a millisecond', () => {
    // A monotonic clock gives times like 1733500000123.7; the records keep whole milliseconds,
    // and the live state must hold what a replay of them reads back, not the finer time.
    const d = new Driver(stateOf(rb, cluster(2)));
    d.now += 0.7;
    d.start();
    d.now += 1234.56;
    d.done('masters/a@master-1');
    d.now += 0.999;
    d.done('masters/b@master-1', { exit: 1 });
    const rebuilt = replay(stateOf(rb, cluster(2)), d.records);
    const strip = (s: typeof rebuilt) => ({ ...s, plan: undefined, now: undefined });
    expect(strip(rebuilt)).toEqual(strip(d.state));
    expect(d.state.run.startedAt).toBe(Math.floor(T0 + 0.7));
  });

  it('resume after kill -9: the running step is interrupted and waits for the operator', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.start();
    d.done('masters/a@master-1');
    // The player dies here, with masters/b running on master-1.
    const rebuilt = replay(stateOf(rb, cluster(2)), d.records);
    const r = new Driver(rebuilt);
    r.send({ type: 'resume', by: 'bob', digest: 'd1' });
    expect(r.take()).toEqual({ log: ['resumed', 'interrupted masters/b@master-1 interrupted'], execs: [] });
    expect(r.state.nodes.get('master-1')?.tasks.get('masters/a')).toMatchObject({ status: 'passed' });
    expect(r.state.prompts.map((p) => p.id)).toEqual(['interrupted:masters/b@master-1']);

    // verify again: one attempt of its gate, no confirmation.
    r.act({ type: 'verify', task: 'masters/b@master-1' }, 'bob');
    expect(r.take()).toEqual({ log: ['step-started masters/b@master-1'], execs: ['masters/b@master-1: echo b'] });
    r.done('masters/b@master-1');
    expect(r.log().slice(0, 3)).toEqual([
      'step-finished masters/b@master-1 passed: verified again after an interruption',
      'node-finished masters@master-1 passed',
      'node-started masters@master-2',
    ]);
  });

  it('mark done needs a reason; rerun asks again for a destructive step', () => {
    const destructive = runbook([section('m', [{ id: 'patch', run: 'sudo bash x.sh', destructive: true }], { on: 'master' })]);
    const d = new Driver(stateOf(destructive, cluster(1)));
    d.start();
    d.act({ type: 'confirm', prompt: 'confirm:m/patch@master-1' });
    const r = new Driver(replay(stateOf(destructive, cluster(1)), d.records));
    r.send({ type: 'resume', by: 'bob', digest: 'd1' });
    expect(r.state.prompts[0]).toMatchObject({
      kind: 'interrupted',
      choices: ['rerun', 'mark-done', 'skip', 'abort'],
      verifyUnavailable: 'it is destructive: its gate is the result of the command itself',
    });
    r.take();
    expect(r.act({ type: 'verify', task: 'm/patch@master-1' })).toEqual([expect.objectContaining({ type: 'rejected' })]);
    expect(r.act({ type: 'mark-done', task: 'm/patch@master-1', reason: '' })).toEqual([expect.objectContaining({ type: 'rejected' })]);
    r.act({ type: 'rerun', task: 'm/patch@master-1' }, 'bob');
    expect(r.take().log).toEqual(['retry m/patch@master-1', 'confirmation-asked m/patch@master-1']);
    r.act({ type: 'refuse', prompt: 'confirm:m/patch@master-1' }, 'bob');
    r.act({ type: 'skip', task: 'm/patch@master-1', reason: 'node already on 1.11.2' }, 'bob');
    expect(r.state.outcome).toBe('passed');
  });

  it('records for steps the runbook no longer has are ignored', () => {
    const plan = buildPlan(rb, cluster(1));
    const s = createRunState({ plan, runId: 'r', file: 'f', digest: 'd', params: {}, by: 'a' });
    const after = update(s, {
      ts: new Date(T0).toISOString(),
      run: 'r',
      event: 'step-started',
      section: 'gone',
      step: 'x',
      node: 'master-1',
      attempt: 1,
      mode: 'run',
      title: 'x',
    }).state;
    expect(after.counters).toEqual(s.counters);
  });
});

group('templates in human text', () => {
  // Titles, why, hints, deadline texts, section titles and texts and the header are templates:
  // filled in where the engine shows or journals them, secrets masked, a var not captured yet
  // shown as written, and never a crash.
  const rb = runbook(
    [
      section('bootstrap', [{ id: 'gen', title: 'Generate for {{params.to}}', run: 'gen', capture: { version: 'version (\\S+)' } }], {
        on: 'bootstrap',
        title: 'Build {{params.to}}',
      }),
      section(
        'masters',
        [
          {
            id: 'patch',
            title: 'Patch {{node.name}} to {{vars.version}} with {{params.jwt}}',
            why: 'Runs on {{node.ip}}; token {{params.jwt}}',
            hint: 'See {{vars.missing}}',
            run: 'x',
            destructive: true,
            deadline: { after: '5m', text: '{{node.name}} expires at {{vars.version}}' },
          },
          { id: 'broken', title: 'Bad {{ template', run: 'y' },
        ],
        { on: 'master', title: 'Patch the masters to {{vars.version}}', text: 'Token {{params.jwt}}, one master at a time.' },
      ),
    ],
    { header: { to: '{{vars.version}}', from: '{{params.from}}', token: '{{params.jwt}}' }, params: { jwt: { secret: true } } },
  );
  const fresh = () => stateOf(rb, cluster(1), { to: '1.11.2', from: '1.11.1', jwt: 'hunter2-token' }, ['jwt']);

  it('before anything is captured: header and titles show the var as written, secrets masked', () => {
    const s = fresh();
    expect(s.run.header).toEqual({ to: '{{vars.version}}', from: '1.11.1', token: '••••••' });
    expect(s.sections.map((x) => x.title)).toEqual(['Build 1.11.2', 'Patch the masters to {{vars.version}}']);
    expect(stepText(s, 'masters', 'patch', 'master-1')).toEqual({
      title: 'Patch master-1 to {{vars.version}} with ••••••',
      why: 'Runs on 10.0.4.1; token ••••••',
      hint: 'See {{vars.missing}}',
      deadline: 'master-1 expires at {{vars.version}}',
    });
    expect(stepText(s, 'masters', 'broken')).toEqual({ title: 'Bad {{ template' });
    expect(sectionText(s, 'masters')).toEqual({
      title: 'Patch the masters to {{vars.version}}',
      text: 'Token ••••••, one master at a time.',
    });
  });

  it('a captured var fills in the header and the sections still to come; records carry the text as shown', () => {
    const d = new Driver(fresh());
    d.start();
    expect(d.records.find((r) => r.event === 'section-started')).toMatchObject({ section: 'bootstrap', title: 'Build 1.11.2' });
    expect(d.records.find((r) => r.event === 'step-started')).toMatchObject({ title: 'Generate for 1.11.2' });
    d.done('bootstrap/gen@bootstrap', { stdout: 'version 1.11.2\n' });
    expect(d.state.run.header).toEqual({ to: '1.11.2', from: '1.11.1', token: '••••••' });
    expect(d.records.find((r) => r.event === 'section-started' && r.section === 'masters')).toMatchObject({
      title: 'Patch the masters to 1.11.2',
    });
    expect(d.state.sections[1]?.title).toBe('Patch the masters to 1.11.2');
    expect(d.state.prompts[0]).toMatchObject({ kind: 'confirm', title: 'Patch master-1 to 1.11.2 with ••••••' });
    expect(d.records.find((r) => r.event === 'confirmation-asked')).toMatchObject({ title: 'Patch master-1 to 1.11.2 with ••••••' });
    d.act({ type: 'confirm', prompt: 'confirm:masters/patch@master-1' });
    expect(d.records.filter((r) => r.event === 'step-started').at(-1)).toMatchObject({
      title: 'Patch master-1 to 1.11.2 with ••••••',
      deadlineText: 'master-1 expires at 1.11.2',
    });
    expect(d.state.nodes.get('master-1')?.deadline?.text).toBe('master-1 expires at 1.11.2');
    d.done('masters/patch@master-1');
    // A title that is not a readable template is shown as written; the step still runs.
    expect(d.records.filter((r) => r.event === 'step-started').at(-1)).toMatchObject({ step: 'broken', title: 'Bad {{ template' });
    d.done('masters/broken@master-1', { exit: 2 });
    expect(d.state.prompts[0]).toMatchObject({ kind: 'failure', title: 'Bad {{ template' });
    d.advance(300_000);
    d.send({ type: 'timer', task: 'masters/patch@master-1', attempt: 0, kind: 'deadline' });
    expect(d.records.at(-1)).toMatchObject({ event: 'deadline-passed', text: 'master-1 expires at 1.11.2' });
    expect(JSON.stringify(d.records)).not.toContain('hunter2');
    // Replaying the records rebuilds the same header and titles.
    const rebuilt = replay(fresh(), d.records);
    expect(rebuilt.run.header).toEqual(d.state.run.header);
    expect(rebuilt.sections).toEqual(d.state.sections);
  });

  it('a failure prompt names the step by its title on that node', () => {
    const d = new Driver(
      stateOf(runbook([section('m', [{ id: 'x', title: 'Check {{node.name}}', run: 'false' }], { on: 'master' })]), cluster(1)),
    );
    d.start();
    d.done('m/x@master-1', { exit: 1 });
    expect(d.state.prompts[0]).toMatchObject({ kind: 'failure', title: 'Check master-1' });
  });
});

group('one answer for several nodes waiting on the same step', () => {
  const patch = (run: string, extra: Partial<Step> = {}) =>
    runbook([
      section(
        'agents',
        [
          { id: 'patch', title: 'Run the patch script', run, destructive: true, ...extra },
          { id: 'after', run: 'true', confirm: 'Is the agent back?' },
        ],
        { on: 'agent', strategy: { batch: 3 } },
      ),
    ]);
  const ids = (n: number, step = 'patch') => Array.from({ length: n }, (_, i) => `confirm:agents/${step}@agent-${i + 1}`);

  it('the nodes of a batch wait together; one answer starts each, one record per node with a shared group', () => {
    const d = new Driver(stateOf(patch('sudo bash dcos_node_upgrade.sh'), cluster(0, 4)));
    d.start();
    expect(d.state.prompts.map((p) => p.id)).toEqual(ids(3));
    const group = confirmGroup(d.state, 'confirm:agents/patch@agent-2');
    expect(group).toMatchObject({ section: 'agents', step: 'patch', command: 'sudo bash dcos_node_upgrade.sh', sameCommand: true });
    expect(group?.prompts.map((p) => p.node)).toEqual(['agent-1', 'agent-2', 'agent-3']);
    d.take();
    d.act({ type: 'confirm-group', prompts: ids(3) }, 'bob');
    expect(d.take()).toEqual({
      log: [
        'confirmation-answered agents/patch@agent-1 yes by bob',
        'step-started agents/patch@agent-1',
        'confirmation-answered agents/patch@agent-2 yes by bob',
        'step-started agents/patch@agent-2',
        'confirmation-answered agents/patch@agent-3 yes by bob',
        'step-started agents/patch@agent-3',
      ],
      execs: [
        'agents/patch@agent-1: sudo bash dcos_node_upgrade.sh',
        'agents/patch@agent-2: sudo bash dcos_node_upgrade.sh',
        'agents/patch@agent-3: sudo bash dcos_node_upgrade.sh',
      ],
    });
    expect(d.state.prompts).toEqual([]);
  });

  it('the group id is the same on each record and new for each answer; replay rebuilds the state', () => {
    const d = new Driver(stateOf(patch('x'), cluster(0, 6)));
    d.start();
    d.act({ type: 'confirm-group', prompts: ids(3) });
    for (let i = 1; i <= 3; i++) d.done(`agents/patch@agent-${i}`);
    // Each node reached its next confirmation on its own; they are answered together all the same.
    d.act({ type: 'confirm-group', prompts: ids(3, 'after') });
    for (let i = 1; i <= 3; i++) d.done(`agents/after@agent-${i}`);
    d.act({
      type: 'confirm-group',
      prompts: ['confirm:agents/patch@agent-4', 'confirm:agents/patch@agent-5', 'confirm:agents/patch@agent-6'],
    });
    const answers = d.records.filter((r) => r.event === 'confirmation-answered');
    const groups = answers.map((r) => (r.event === 'confirmation-answered' ? r.group : undefined));
    expect(groups).toHaveLength(9);
    for (const part of [groups.slice(0, 3), groups.slice(3, 6), groups.slice(6)]) expect(new Set(part).size).toBe(1);
    expect(groups[0]).toMatch(/^agents\/patch#\d+$/);
    expect(groups[3]).toMatch(/^agents\/after#\d+$/);
    expect(new Set([groups[0], groups[3], groups[6]]).size).toBe(3);
    expect(answers.every((r) => r.event === 'confirmation-answered' && r.by === 'alice' && r.answer === 'yes')).toBe(true);
    const strip = (s: typeof d.state) => ({ ...s, plan: undefined, now: undefined });
    expect(strip(replay(stateOf(patch('x'), cluster(0, 6)), d.records))).toEqual(strip(d.state));
  });

  it('commands rendered per node: the group says they differ, each prompt keeps its own', () => {
    const d = new Driver(stateOf(patch('curl -fsS http://{{node.ip}}:5051/x'), cluster(0, 2)));
    d.start();
    const group = confirmGroup(d.state, 'confirm:agents/patch@agent-1');
    expect(group).toMatchObject({ sameCommand: false });
    expect(group?.command).toBeUndefined();
    expect(group?.prompts.map((p) => p.command)).toEqual(['curl -fsS http://10.0.1.1:5051/x', 'curl -fsS http://10.0.1.2:5051/x']);
  });

  it('a prompt alone, or a typed one, has no group', () => {
    const alone = new Driver(stateOf(patch('x'), cluster(0, 1)));
    alone.start();
    expect(confirmGroup(alone.state, 'confirm:agents/patch@agent-1')).toBeUndefined();
    const typed = new Driver(stateOf(patch('x', { confirm: { typed: '{{node.name}}' } }), cluster(0, 3)));
    typed.start();
    expect(typed.state.prompts).toHaveLength(3);
    expect(confirmGroup(typed.state, 'confirm:agents/patch@agent-1')).toBeUndefined();
  });

  it.each<[string, Runbook, number, (d: Driver) => readonly string[], string]>([
    [
      'typed confirmations: each node types its own',
      patch('x', { confirm: { typed: '{{node.name}}' } }),
      3,
      () => ids(3),
      'agent-1, agent-2, agent-3 must each type their confirmation: a typed confirmation is never answered for a group; nothing was confirmed',
    ],
    [
      'a prompt no longer waiting',
      patch('x'),
      3,
      (d) => (d.act({ type: 'confirm', prompt: 'confirm:agents/patch@agent-2' }), ids(3)),
      'no confirmation confirm:agents/patch@agent-2 is waiting; nothing was confirmed',
    ],
    [
      'a prompt that never was',
      patch('x'),
      3,
      () => [...ids(2), 'confirm:agents/patch@agent-9'],
      'no confirmation confirm:agents/patch@agent-9 is waiting; nothing was confirmed',
    ],
    [
      'a failure prompt',
      patch('x'),
      3,
      () => [...ids(2), 'failure:agents/patch@agent-3'],
      'no confirmation failure:agents/patch@agent-3 is waiting; nothing was confirmed',
    ],
    [
      'two different steps',
      patch('x'),
      2,
      (d) => {
        // agent-1 goes on to its next step, which asks too; agent-2 still waits on the first.
        d.act({ type: 'confirm', prompt: 'confirm:agents/patch@agent-1' });
        d.done('agents/patch@agent-1');
        return ['confirm:agents/patch@agent-2', 'confirm:agents/after@agent-1'];
      },
      'a group confirmation covers one step: agents/patch and agents/after differ; nothing was confirmed',
    ],
    ['nothing named', patch('x'), 3, () => [], 'a group confirmation names no prompt'],
    ['a prompt named twice', patch('x'), 3, () => [ids(1)[0]!, ids(1)[0]!], 'a group confirmation names a prompt twice'],
  ])('refused as a whole: %s', (_name, rb, agents, prompts, message) => {
    const d = new Driver(stateOf(rb, cluster(0, agents)));
    d.start();
    const named = prompts(d);
    d.take();
    const before = d.state;
    const effects = d.act({ type: 'confirm-group', prompts: named });
    expect(effects).toEqual([expect.objectContaining({ type: 'rejected', message })]);
    expect(d.records).toEqual([]);
    expect(d.state.prompts).toEqual(before.prompts);
  });
});

group('pre-flight', () => {
  const rb = runbook([
    section('prep', [{ id: 'note', run: 'echo here' }]),
    section('masters', [{ id: 'a', run: 'echo a' }], { on: 'master' }),
  ]);
  const nodes = ['master-1', 'master-2'];
  const refused = { node: 'master-2', failure: 'host-key-unknown', message: 'The host key of master-2 (10.0.4.2:22) is not known.' };

  it('a fresh run on SSH nodes checks every node before its first step, and only then starts', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.send({ type: 'start', preflight: nodes });
    expect(d.take()).toEqual({ log: ['run-started', 'preflight-started'], execs: [] });
    expect(d.effects).toEqual([]);
    expect(d.state.preflight).toEqual({ status: 'running', nodes: 2, startedAt: T0, failures: [] });
    d.send({ type: 'start', preflight: nodes });
    d.advance(1200);
    d.send({ type: 'preflight-done', failures: [] });
    expect(d.take()).toEqual({
      log: ['preflight-finished passed', 'section-started prep', 'node-started prep@local', 'step-started prep/note@local'],
      execs: ['prep/note@local: echo here'],
    });
    expect(d.records).toEqual([]);
    expect(d.state.preflight).toMatchObject({ status: 'passed', nodes: 2 });
  });

  it('the effect names the nodes to check', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    const effects = d.send({ type: 'start', preflight: nodes });
    expect(effects.filter((e) => e.type !== 'journal')).toEqual([{ type: 'preflight', nodes }]);
  });

  it('any node that cannot be used: the run ends failed and nothing ran, every failure recorded', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.send({ type: 'start', preflight: nodes });
    d.take();
    const other = { node: 'master-1', failure: 'auth-failed', message: 'Could not log in to master-1.' };
    const effects = d.send({ type: 'preflight-done', failures: [other, refused] });
    expect(d.log()).toEqual(['preflight-finished failed', 'run-finished failed']);
    expect(d.records[0]).toMatchObject({ event: 'preflight-finished', status: 'failed', nodes: 2, failures: [other, refused] });
    expect(d.records[1]).toMatchObject({ event: 'run-finished', status: 'failed', passed: 0, notRun: 3 });
    expect(effects.filter((e) => e.type !== 'journal')).toEqual([{ type: 'done', outcome: 'failed' }]);
    expect(d.state.preflight?.failures).toEqual([other, refused]);
  });

  it('while it checks, only abort is taken; an abort ends the run and a late answer changes nothing', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.send({ type: 'start', preflight: nodes });
    d.take();
    expect(d.act({ type: 'pause' })).toEqual([
      expect.objectContaining({
        type: 'rejected',
        message:
          'the pre-flight is checking every node first; only abort, or a decision on an interrupted or failed step, is possible until it ends',
      }),
    ]);
    d.act({ type: 'abort', reason: 'wrong inventory' });
    expect(d.take().log).toEqual(['aborted', 'run-finished aborted']);
    d.send({ type: 'preflight-done', failures: [] });
    expect(d.take()).toEqual({ log: [], execs: [] });
  });

  it.each<[string, (d: Driver) => void, string[]]>([
    // Passed or not, a resumed run's nodes are checked again: they may have changed meanwhile.
    [
      'its pre-flight passed: checked again all the same',
      (d) => d.send({ type: 'preflight-done', failures: [] }),
      ['resumed', 'interrupted prep/note@local interrupted', 'preflight-started'],
    ],
    [
      'its pre-flight failed: checked again',
      (d) => d.send({ type: 'preflight-done', failures: [refused] }),
      ['resumed', 'preflight-started'],
    ],
    ['the player died during the pre-flight: checked again', () => undefined, ['resumed', 'preflight-started']],
  ])('a resumed run whose %s', (_name, before, log) => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.send({ type: 'start', preflight: nodes });
    before(d);
    const r = new Driver(replay(stateOf(rb, cluster(2)), d.records));
    r.send({ type: 'resume', by: 'bob', digest: 'd1', preflight: nodes });
    expect(r.take().log).toEqual(log);
  });

  it('on resume the interrupted step is decided while every node is checked again; nothing runs before the check passes', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.send({ type: 'start', preflight: nodes });
    d.send({ type: 'preflight-done', failures: [] });
    const task = 'prep/note@local';
    const r = new Driver(replay(stateOf(rb, cluster(2)), d.records));
    r.send({ type: 'resume', by: 'bob', digest: 'd1', preflight: nodes });
    expect(r.take().log).toEqual(['resumed', 'interrupted prep/note@local interrupted', 'preflight-started']);
    // verify would run a command: not yet. rerun only records the choice; the step waits.
    expect(r.act({ type: 'verify', task })).toEqual([expect.objectContaining({ type: 'rejected' })]);
    r.act({ type: 'rerun', task });
    expect(r.take()).toEqual({ log: ['retry prep/note@local'], execs: [] });
    r.send({ type: 'preflight-done', failures: [] });
    expect(r.take()).toEqual({ log: ['preflight-finished passed', 'step-started prep/note@local'], execs: ['prep/note@local: echo here'] });
  });

  it('checked again on resume, the run goes on where it stopped once every node answers', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.send({ type: 'start', preflight: nodes });
    d.send({ type: 'preflight-done', failures: [refused] });
    const r = new Driver(replay(stateOf(rb, cluster(2)), d.records));
    r.send({ type: 'resume', by: 'bob', digest: 'd1', preflight: nodes });
    r.take();
    r.send({ type: 'preflight-done', failures: [] });
    expect(r.take()).toEqual({
      log: ['preflight-finished passed', 'section-started prep', 'node-started prep@local', 'step-started prep/note@local'],
      execs: ['prep/note@local: echo here'],
    });
  });

  it('SIGINT during the pre-flight: interrupted, nothing ran', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.send({ type: 'start', preflight: nodes });
    d.take();
    d.send({ type: 'interrupt', signal: 'SIGINT' });
    expect(d.take().log).toEqual(['run-finished interrupted']);
  });

  it('without nodes to check (this machine only, or transports that cannot connect) there is no pre-flight', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    d.send({ type: 'start', preflight: [] });
    expect(d.take().log.slice(0, 2)).toEqual(['run-started', 'section-started prep']);
    expect(d.state.preflight).toBeUndefined();
  });

  it('connection events become records while the run goes on, not before it starts or after it ends', () => {
    const d = new Driver(stateOf(rb, cluster(2)));
    const connected = { type: 'connected' as const, node: 'master-1', host: '10.0.4.1', port: 22, user: 'core' };
    d.send({ type: 'connection', connection: connected });
    expect(d.records).toEqual([]);
    d.send({ type: 'start', preflight: nodes });
    d.take();
    d.send({ type: 'connection', connection: connected });
    d.send({
      type: 'connection',
      connection: {
        type: 'host-key-accepted',
        node: 'master-2',
        host: '10.0.4.2',
        port: 22,
        name: '10.0.4.2',
        keyType: 'ssh-ed25519',
        fingerprint: 'SHA256:abc',
        file: '/home/core/.ssh/known_hosts',
      },
    });
    expect(d.records).toEqual([
      {
        ts: new Date(T0).toISOString(),
        run: '20261125-171800-ab12',
        event: 'connection',
        change: 'connected',
        node: 'master-1',
        host: '10.0.4.1',
        port: 22,
        user: 'core',
      },
      {
        ts: new Date(T0).toISOString(),
        run: '20261125-171800-ab12',
        event: 'connection',
        change: 'host-key-accepted',
        node: 'master-2',
        host: '10.0.4.2',
        port: 22,
        name: '10.0.4.2',
        keyType: 'ssh-ed25519',
        fingerprint: 'SHA256:abc',
        file: '/home/core/.ssh/known_hosts',
      },
    ]);
    d.act({ type: 'abort' });
    d.take();
    d.send({ type: 'connection', connection: { ...connected, type: 'disconnected', reason: 'closed by runbook' } });
    expect(d.records).toEqual([]);
  });
});
