// Same seed, same commands, same simulated times: the same answers, byte for byte. A manual clock
// (moved by the test) makes this independent of how fast the machine is.
import { afterEach, describe, expect, it } from 'vitest';
import { type SimCluster, startSimulator } from '../../src/sim/index.js';
import { connect } from './ssh-client.js';
import { COCKROACH_STATUS } from './steps.js';

const sims: SimCluster[] = [];

afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
});

async function exercise(seed: number): Promise<string[]> {
  const sim = await startSimulator({ scenario: 'happy', masters: 3, agents: 2, publicAgents: 0, seed, manualClock: true });
  sims.push(sim);
  const t0 = sim.clock.now();
  // Each command starts at a fixed simulated time.
  const at = (offset: number): void => sim.clock.advance(Math.max(0, t0 + offset - sim.clock.now()));
  const m = await connect(sim, 'master-1');
  const out: string[] = [];
  // --no-block: the commands return at once, so only the test moves the clock.
  out.push((await m.run('sudo systemctl --no-block restart dcos-mesos-master')).stdout);
  at(10_000);
  await m.run('sudo systemctl --no-block stop dcos-cockroach');
  at(20_000);
  await m.run('sudo systemctl --no-block start dcos-cockroach');
  at(65_000);
  out.push((await m.run('sudo journalctl -u dcos-mesos-master -n 25 --no-pager')).stdout);
  out.push((await m.run(COCKROACH_STATUS)).stdout);
  out.push((await m.run('curl -fsS http://10.0.4.1:5050/metrics/snapshot')).stdout);
  out.push((await m.run('systemctl status dcos-cockroach')).stdout);
  m.close();
  return out;
}

describe('determinism', () => {
  it('gives the same answers for the same seed and times', async () => {
    const a = await exercise(42);
    const b = await exercise(42);
    expect(b).toEqual(a);
    expect(a[1]).toMatch(/Successfully recovered registrar/);
    expect(a[2]).toMatch(/\(3 rows\)/);
  });

  it('gives different pids, ranges and timings for another seed', async () => {
    const a = await exercise(42);
    const c = await exercise(43);
    expect(c[1]).not.toEqual(a[1]);
    expect(c[2]).not.toEqual(a[2]);
  });
});
