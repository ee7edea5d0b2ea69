// A time scale speeds the run's clock and its waits, not a command's round trip: the limits a
// command gets in real time, checked from a table and against real processes at time scale 500.
import { describe, expect, it } from 'vitest';
import { commandTimeout, scaledClock } from '../../src/engine/clock.js';
import { Runner } from '../../src/engine/runner.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { runbook, section, stateOf } from './fixtures.js';

describe('commandTimeout', () => {
  it.each([
    // limit on the run's clock, time scale, real limit
    [60_000, 1, 60_000],
    [60_000, 10, 6_000],
    [60_000, 500, 5_000], // 120 ms would be less than one round trip on a busy host
    [2_000, 500, 2_000], // a limit shorter than the floor is kept as given
    [900_000, 50, 18_000],
    [1, 1000, 1],
  ])('%i ms at time scale %i is %i ms of real time', (ms, scale, real) => {
    expect(commandTimeout(ms, { scale })).toBe(real);
  });
});

describe('a command at time scale 500, on real processes', () => {
  it('a command of 400 ms under a limit of 1 minute passes (its limit was 120 ms of real time)', async () => {
    const rb = runbook([
      section('s', [{ id: 'slow', run: 'sleep 0.4; echo served', timeout: '1m', expect: { regex: 'served' } }], { on: 'local' }),
    ]);
    const runner = new Runner({ state: stateOf(rb), transportFor: () => createLocalTransport(), clock: scaledClock(500), by: 'alice' });
    runner.start();
    expect(await runner.done).toBe('passed');
  });

  it('a command that hangs past a limit of 2 s is stopped after about 2 s of real time, not 4 ms and not never', async () => {
    const rb = runbook([section('s', [{ id: 'hang', run: 'sleep 30', timeout: '2s' }], { on: 'local' })]);
    const runner = new Runner({ state: stateOf(rb), transportFor: () => createLocalTransport(), clock: scaledClock(500), by: 'alice' });
    const started = Date.now();
    runner.start();
    await new Promise<void>((resolve) => {
      const off = runner.subscribe((s) => {
        if (s.prompts.some((p) => p.kind === 'failure')) {
          off();
          resolve();
        }
      });
    });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(1_900);
    expect(took).toBeLessThan(10_000);
    runner.dispatch({ type: 'abort', by: 'alice' });
    await runner.done;
  }, 20_000);
});
