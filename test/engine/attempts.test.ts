// Every start of a step on a node is kept as an attempt: retries, a skip after a failure, an
// interruption and a resume all leave the attempts before them in place.
import { describe as group, expect, it } from 'vitest';
import { replay } from '../../src/engine/update.js';
import { attemptsOf, type Attempt } from '../../src/engine/state.js';
import type { OutputDigest } from '../../src/engine/events.js';
import { Driver, T0, cluster, runbook, section, stateOf } from './fixtures.js';

const rb = runbook([
  section(
    'masters',
    [
      { id: 'a', run: 'echo a' },
      { id: 'b', run: 'echo b', until: { exit: 0 }, every: '10s', timeout: '1m' },
    ],
    { on: 'master' },
  ),
]);

const digestOf = (...tail: string[]): OutputDigest => ({
  lines: tail.length,
  bytes: tail.join('\n').length + 1,
  sha256: `h${tail.length}`,
  tail,
});

/** Answers a task's last command with an exit code and a digest, as the runner does. */
function finish(d: Driver, task: string, exit: number, tail: string[]): void {
  const exec = d.lastExec.get(task)!;
  d.send({
    type: 'exec-done',
    task,
    attempt: exec.attempt,
    result: { exit, stdout: tail.join('\n'), stderr: '', durationMs: 5 },
    digest: digestOf(...tail),
  });
}

const shape = (list: readonly Attempt[]) =>
  list.map((a) => ({
    number: a.number,
    status: a.status,
    startedAt: a.startedAt - T0,
    ...('endedAt' in a ? { endedAt: a.endedAt - T0 } : {}),
    ...('exit' in a && a.exit !== undefined ? { exit: a.exit } : {}),
    ...('reason' in a ? { reason: a.reason } : {}),
    ...(a.output ? { tail: a.output.tail } : {}),
  }));

type Move = (d: Driver) => void;
const fail =
  (tail: string): Move =>
  (d) =>
    finish(d, 'masters/a@master-1', 1, [tail]);
const pass =
  (tail: string): Move =>
  (d) =>
    finish(d, 'masters/a@master-1', 0, [tail]);
const wait =
  (ms: number): Move =>
  (d) =>
    d.advance(ms);
const retry: Move = (d) => d.act({ type: 'retry', task: 'masters/a@master-1' });
const skip: Move = (d) => d.act({ type: 'skip', task: 'masters/a@master-1', reason: 'done by hand' });

group('attempts of a step on a node', () => {
  it.each<[string, Move[], ReturnType<typeof shape>, string]>([
    [
      'one run that passes',
      [wait(1000), pass('ok')],
      [{ number: 1, status: 'passed', startedAt: 0, endedAt: 1000, exit: 0, tail: ['ok'] }],
      'passed',
    ],
    [
      'a failure, a retry that passes: both kept, each with its own output',
      [wait(1000), fail('no such file'), wait(5000), retry, wait(2000), pass('fixed')],
      [
        {
          number: 1,
          status: 'failed',
          startedAt: 0,
          endedAt: 1000,
          exit: 1,
          reason: 'exit 1, expected 0: no such file',
          tail: ['no such file'],
        },
        { number: 2, status: 'passed', startedAt: 6000, endedAt: 8000, exit: 0, tail: ['fixed'] },
      ],
      'passed',
    ],
    [
      'a failure the operator will not retry (skips): the failure stays in the history',
      [wait(1000), fail('boom'), wait(1000), skip],
      [{ number: 1, status: 'failed', startedAt: 0, endedAt: 1000, exit: 1, reason: 'exit 1, expected 0: boom', tail: ['boom'] }],
      'skipped',
    ],
    [
      'three attempts: the numbers go on',
      [fail('x'), retry, fail('y'), retry, pass('z')],
      [
        { number: 1, status: 'failed', startedAt: 0, endedAt: 0, exit: 1, reason: 'exit 1, expected 0: x', tail: ['x'] },
        { number: 2, status: 'failed', startedAt: 0, endedAt: 0, exit: 1, reason: 'exit 1, expected 0: y', tail: ['y'] },
        { number: 3, status: 'passed', startedAt: 0, endedAt: 0, exit: 0, tail: ['z'] },
      ],
      'passed',
    ],
  ])('%s', (_name, moves, attempts, status) => {
    const d = new Driver(stateOf(rb, cluster(1)));
    d.start();
    for (const move of moves) move(d);
    expect(shape(attemptsOf(d.state, 'masters', 'a', 'master-1'))).toEqual(attempts);
    expect(d.state.nodes.get('master-1')?.tasks.get('masters/a')?.status).toBe(status);
    // The journal alone rebuilds the same history.
    expect(shape(attemptsOf(replay(stateOf(rb, cluster(1)), d.records), 'masters', 'a', 'master-1'))).toEqual(attempts);
  });

  it('poll attempts of one start are one attempt, not many', () => {
    const d = new Driver(stateOf(rb, cluster(1)));
    d.start();
    finish(d, 'masters/a@master-1', 0, ['a']);
    finish(d, 'masters/b@master-1', 1, ['not yet']);
    d.advance(10_000);
    d.send({ type: 'timer', task: 'masters/b@master-1', attempt: 1, kind: 'poll' });
    finish(d, 'masters/b@master-1', 0, ['now']);
    expect(shape(attemptsOf(d.state, 'masters', 'b', 'master-1'))).toEqual([
      { number: 1, status: 'passed', startedAt: 0, endedAt: 10_000, exit: 0, tail: ['now'] },
    ]);
  });

  it('resume after the player died mid-attempt: the attempt ends interrupted, a rerun is attempt 2, the first kept', () => {
    const d = new Driver(stateOf(rb, cluster(1)));
    d.start();
    fail('first')(d);
    retry(d);
    d.advance(3000);
    // The player dies here, attempt 2 running.
    const r = new Driver(replay(stateOf(rb, cluster(1)), d.records));
    r.now = d.now;
    r.send({ type: 'resume', by: 'bob', digest: 'd1' });
    r.act({ type: 'rerun', task: 'masters/a@master-1' }, 'bob');
    r.advance(1000);
    finish(r, 'masters/a@master-1', 0, ['third time']);
    const list = attemptsOf(r.state, 'masters', 'a', 'master-1');
    expect(list.map((a) => [a.number, a.status])).toEqual([
      [1, 'failed'],
      [2, 'interrupted'],
      [3, 'passed'],
    ]);
    expect(list[2]).toMatchObject({ output: { tail: ['third time'] } });
  });

  it('a step not run because of when: has no attempt', () => {
    const skipped = runbook([section('s', [{ id: 'never', run: 'echo x', when: "params.security == 'strict'" }])], {
      params: { security: { choices: ['disabled', 'strict'], default: 'disabled' } },
    });
    const d = new Driver(stateOf(skipped, undefined, { security: 'disabled' }));
    d.start();
    expect(d.state.nodes.get('local')?.tasks.get('s/never')?.status).toBe('skipped');
    expect(attemptsOf(d.state, 's', 'never', 'local')).toEqual([]);
  });
});
