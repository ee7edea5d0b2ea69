// The TUI's I/O helpers: health probes, troubleshooting commands, the ssh command line of `o`,
// the theme choice. Real runner parts and a fake transport with expectations; a fake clock.
import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from '../../src/engine/clock.js';
import { Runner } from '../../src/engine/runner.js';
import { HealthMonitor, probeFor } from '../../src/diagnostics/health.js';
import { chooseTheme } from '../../src/ui/terminal/theme.js';
import { shellArgv } from '../../src/ui/app/tmux.js';
import { Troubleshooter, suggestedCommand, troubleshootCommands } from '../../src/diagnostics/troubleshoot.js';
import type { InventoryNode } from '../../src/inventory/types.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { stateOf } from '../engine/fixtures.js';
import { freshState, masterPolling, patchCluster, patchRunbook } from './fixtures.js';

const master1 = (): InventoryNode => freshState().plan.targets.get('master-1')!;

describe('health probes', () => {
  it('probe each node of a role with a probe, every `every`, and keep the verdict', async () => {
    const state = freshState(2, 1);
    expect(probeFor(state, 'master-1')?.run).toContain('5050');
    expect(probeFor(state, 'agent-1')).toBeUndefined();
    const t = new FakeTransport()
      .expect('curl -fsS http://10.0.4.1:5050/metrics/snapshot', { stdout: '{"registrar\\/log\\/recovered":1.0}' }, { times: 2 })
      .expect('curl -fsS http://10.0.4.2:5050/metrics/snapshot', { exit: 7, stderr: 'curl: (7) Failed to connect' }, { times: 2 });
    const clock = new FakeClock();
    let changes = 0;
    const runner = new Runner({ state, transportFor: () => t, by: 'alice', clock });
    const h = new HealthMonitor({
      state: () => state,
      probe: (n, p, s) => runner.probe(n, p, s),
      clock,
      onChange: () => (changes += 1),
      notifyMs: 0,
    });
    h.start();
    await settle(10);
    expect(h.facts.get('master-1')).toMatchObject({ ok: true });
    expect(h.facts.get('master-2')).toMatchObject({ ok: false, message: 'exit 7, expected 0: curl: (7) Failed to connect' });
    expect(t.calls).toHaveLength(2);
    await clock.advance(15_000);
    await settle(10);
    expect(t.calls).toHaveLength(4);
    h.stop();
    t.verify();
    expect(changes).toBeGreaterThan(0);
  });
});

describe('health probes at scale', () => {
  it('never start more probes per real second than the budget: a fast clock or thousands of nodes stretch the period instead', async () => {
    // 300 masters, each with a probe every 15 s, on a clock 50 times faster than real time: 15 s
    // of the clock is 0.3 s of real time, so without a budget every master would be probed again
    // about every 0.3 s and the probes would take a whole core (bench/idle-cpu.ts).
    const state = freshState(300, 0);
    const fake = new FakeClock();
    const clock = { now: () => fake.now(), sleep: (ms: number, signal?: AbortSignal) => fake.sleep(ms, signal), scale: 50 };
    let calls = 0;
    const h = new HealthMonitor({
      state: () => state,
      probe: async () => {
        calls += 1;
        return { ok: true, message: 'ok', at: fake.now() };
      },
      clock,
      onChange: () => undefined,
      notifyMs: 0,
    });
    h.start();
    for (let i = 0; i < 100 && calls < 300; i++) await settle(10);
    expect(calls).toBe(300);
    // 300 nodes at 40 probes a real second: each node's period is 7.5 s of real time, 375 s of this clock.
    await fake.advance(15_000);
    await settle(20);
    expect(calls).toBe(300);
    await fake.advance(355_000);
    await settle(20);
    expect(calls).toBe(300);
    await fake.advance(10_000);
    for (let i = 0; i < 100 && calls < 600; i++) await settle(10);
    expect(calls).toBe(600);
    h.stop();
  });
});

describe('the health schedule of many nodes', () => {
  /** A clock that counts its waits, and those that were aborted before they ended. */
  function countingClock(fake: FakeClock) {
    const count = { sleeps: 0, aborted: 0 };
    const clock = {
      now: () => fake.now(),
      scale: 1,
      sleep: (ms: number, signal?: AbortSignal) => {
        count.sleeps += 1;
        return fake.sleep(ms, signal).catch((e: unknown) => {
          count.aborted += 1;
          throw e;
        });
      },
    };
    return { clock, count };
  }

  it('probes each node when it falls due, in order, nodes of different periods together, with one wait, not one per probe', async () => {
    // Masters every 5 s, 40 agents every 15 s: each probe starts at exactly its due time.
    const state = freshState(3, 40);
    const roles = state.plan.runbook.roles!;
    roles.master!.health = { run: 'curl -fsS http://{{node.ip}}:5050/metrics/snapshot', expect: { exit: 0 }, every: '5s' };
    roles.agent = {
      ...roles.agent,
      health: { run: 'curl -fsS http://{{node.ip}}:5051/metrics/snapshot', expect: { exit: 0 }, every: '15s' },
    };
    const fake = new FakeClock();
    const t0 = fake.now();
    const { clock, count } = countingClock(fake);
    const starts: { node: string; at: number }[] = [];
    const h = new HealthMonitor({
      state: () => state,
      probe: async (node) => {
        starts.push({ node, at: fake.now() - t0 });
        await new Promise((r) => setImmediate(r));
        return { ok: true, message: 'ok', at: fake.now() };
      },
      clock,
      onChange: () => undefined,
      notifyMs: 0,
    });
    h.start();
    await settle(20);
    for (let s = 0; s < 60; s++) await fake.advance(1000);
    h.stop();
    const of = (n: string) => starts.filter((x) => x.node === n).map((x) => x.at);
    expect(of('master-2')).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60].map((x) => x * 1000));
    expect(of('agent-17')).toEqual([0, 15_000, 30_000, 45_000, 60_000]);
    expect(starts).toHaveLength(3 * 13 + 40 * 5);
    expect(starts.map((x) => x.at)).toEqual([...starts.map((x) => x.at)].sort((a, b) => a - b));
    // One wait for the earliest due node, not one per probe that ended: 239 probes, 13 due times.
    expect(count.sleeps).toBeLessThan(40);
    expect(count.aborted).toBeLessThan(20);
  });

  it('at 2,003 nodes of one role and time scale 1, a node that turns unhealthy is shown so within one period of the budget (about 50 s)', async () => {
    const state = freshState(2003, 0);
    const fake = new FakeClock();
    const t0 = fake.now();
    const bad = new Set<string>();
    let calls = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    const h = new HealthMonitor({
      state: () => state,
      probe: async (node) => {
        calls += 1;
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setImmediate(r));
        inFlight -= 1;
        return bad.has(node) ? { ok: false, message: 'exit 7', at: fake.now() } : { ok: true, message: 'ok', at: fake.now() };
      },
      clock: fake,
      onChange: () => undefined,
      notifyMs: 0,
    });
    h.start();
    for (let i = 0; i < 2000 && calls < 2003; i++) await settle(1);
    for (let i = 0; i < 50 && inFlight > 0; i++) await settle(1);
    expect(calls).toBe(2003);
    expect(maxInFlight).toBeLessThanOrEqual(8);
    expect([...h.facts.values()].every((f) => f.ok)).toBe(true);
    // 2,003 nodes at 40 probes a real second: each is probed every 50.075 s, not every 15 s.
    await fake.advance(5_000);
    bad.add('master-1500');
    let shownAt: number | undefined;
    for (let s = 0; s < 70 && shownAt === undefined; s++) {
      await fake.advance(1000);
      for (let i = 0; i < 200 && inFlight + (calls % 2003) > 0 && h.facts.get('master-1500')?.ok !== false; i++) await settle(1);
      if (h.facts.get('master-1500')?.ok === false) shownAt = fake.now() - t0;
    }
    h.stop();
    expect(shownAt).toBeDefined();
    expect(shownAt!).toBeGreaterThanOrEqual(50_000);
    expect(shownAt!).toBeLessThanOrEqual(51_000);
    expect(h.facts.get('master-1499')?.ok).toBe(true);
  });
});

describe('health probes of the nodes that always have a row', () => {
  it('3 masters keep the period the runbook gives (5 s) while 2,000 agents share the budget (about 50 s each)', async () => {
    const state = freshState(3, 2000);
    const roles = state.plan.runbook.roles!;
    roles.agent = {
      ...roles.agent,
      health: { run: 'curl -fsS http://{{node.ip}}:5051/metrics/snapshot', expect: { exit: 0 }, every: '15s' },
    };
    const fake = new FakeClock();
    const t0 = fake.now();
    const starts = new Map<string, number[]>();
    const h = new HealthMonitor({
      state: () => state,
      probe: async (node) => {
        starts.set(node, [...(starts.get(node) ?? []), fake.now() - t0]);
        await new Promise((r) => setImmediate(r));
        return { ok: true, message: 'ok', at: fake.now() };
      },
      clock: fake,
      onChange: () => undefined,
      notifyMs: 0,
    });
    h.start();
    for (let i = 0; i < 3000 && starts.size < 2003; i++) await settle(1);
    for (let s = 0; s < 60; s++) {
      await fake.advance(1000);
      for (let i = 0; i < 300 && [...starts.values()].some((x) => x.length < 2) && s >= 50; i++) await settle(1);
    }
    h.stop();
    expect(starts.size).toBe(2003);
    // Until the agents all fall due at once (their first probes took no time on this clock).
    expect(starts.get('master-2')!.filter((at) => at < 50_000)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45].map((x) => x * 1000));
    // 2,000 agents at 40 probes a real second: 50 s each; none is probed twice before that.
    const agents = [...starts].filter(([n]) => n.startsWith('agent-'));
    expect(agents.every(([, at]) => at[1] === undefined || at[1] >= 50_000)).toBe(true);
    expect(agents.filter(([, at]) => at.length === 2).length).toBeGreaterThan(1900);
  });
});

describe('troubleshooting', () => {
  it('resolves the role commands for a node, the live variant first, and the one a step names', () => {
    const d = masterPolling();
    const cmds = troubleshootCommands(d.state, 'master-1');
    expect(cmds.map((c) => [c.title, c.display, c.live])).toEqual([
      ['dcos-mesos-master', 'sudo journalctl -f -u dcos-mesos-master', true],
      ['dcos-exhibitor', 'sudo journalctl -u dcos-exhibitor -n 200 --no-pager', false],
    ]);
    expect(suggestedCommand(d.state, 'master-1')).toBe(0);
    expect(troubleshootCommands(d.state, 'local')).toEqual([]);
  });

  it('streams a command into a bounded buffer, redacted; a new one stops the last', async () => {
    const t = new FakeTransport().expect('journal', { hang: true }).expect('other', { stdout: 'token=abc\nsecond\nthird\n' });
    let changes = 0;
    // A run whose secret param is "abc": the runner masks it in what the command prints.
    const state = stateOf({ ...patchRunbook, params: { token: { secret: true } } }, patchCluster(), { token: 'abc' }, ['token']);
    const runner = new Runner({ state, transportFor: () => t, by: 'alice' });
    const ts = new Troubleshooter({
      exec: (n, c, o) => runner.troubleshoot(n, c, o),
      limit: 2,
      onChange: () => (changes += 1),
      notifyMs: 0,
    });
    ts.run(master1(), 0, { title: 'j', name: 'j', run: 'journal', display: 'journal', live: true });
    await settle();
    expect(ts.view().status).toBe('running');
    ts.run(master1(), 1, { title: 'o', name: 'o', run: 'other', display: 'other', live: false });
    await settle();
    const v = ts.view();
    expect(v).toMatchObject({ status: 'done', ended: 'exit 0', index: 1 });
    expect(v.lines.slice(0).map((l) => l.text)).toEqual(['second', 'third']);
    expect(v.lines.total).toBe(3);
    expect(changes).toBeGreaterThan(0);
    ts.close();
  });
});

describe('the ssh command line of o', () => {
  it("uses the node's user, port, key and host key rules; a jump host gets the same rules", () => {
    const bastion: InventoryNode = {
      name: 'bastion',
      address: 'bastion.example',
      ip: '10.0.0.2',
      roles: [],
      vars: {},
      user: 'ops',
      port: 2200,
    };
    const node: InventoryNode = {
      name: 'master-1',
      address: '10.0.4.1',
      ip: '10.0.4.1',
      roles: ['master'],
      vars: {},
      port: 22,
      jump: 'bastion',
      identityFile: '/keys/id',
    };
    const argv = shellArgv(node, {
      user: 'core',
      knownHostsFiles: ['/home/o/.ssh/known_hosts', '/tmp/sim hosts'],
      resolveJump: (j) => (j === 'bastion' ? bastion : undefined),
    });
    expect(argv).toEqual([
      'ssh',
      '-t',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'UserKnownHostsFile=/home/o/.ssh/known_hosts "/tmp/sim hosts"',
      '-l',
      'core',
      '-p',
      '22',
      '-i',
      '/keys/id',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      "ProxyCommand='ssh' '-o' 'StrictHostKeyChecking=yes' '-o' 'UserKnownHostsFile=/home/o/.ssh/known_hosts \"/tmp/sim hosts\"' '-l' 'ops' '-p' '2200' '-W' '%h:%p' 'bastion.example'",
      '10.0.4.1',
    ]);
    expect(shellArgv({ ...node, jump: undefined }, { acceptNewHostKeys: true }, 'sudo journalctl -f -u dcos-mesos-master')).toEqual([
      'ssh',
      '-t',
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-p',
      '22',
      '-i',
      '/keys/id',
      '-o',
      'IdentitiesOnly=yes',
      '10.0.4.1',
      'sudo journalctl -f -u dcos-mesos-master',
    ]);
    expect(shellArgv({ name: 'local', address: 'localhost', ip: '127.0.0.1', roles: ['local'], vars: {} }, { shell: '/bin/bash' })).toEqual(
      ['/bin/bash'],
    );
  });
});

describe('the theme', () => {
  it.each([
    [{ env: {} }, 'dark'],
    [{ env: { NO_COLOR: '1' } }, 'mono'],
    [{ env: { NO_COLOR: '' } }, 'dark'],
    [{ env: {}, noColor: true }, 'mono'],
    [{ env: { TERM: 'dumb' } }, 'mono'],
    [{ env: {}, theme: 'light' }, 'light'],
    [{ env: { NO_COLOR: '1' }, theme: 'light' }, 'mono'],
  ])('%j gives %s', (choice, name) => {
    expect(chooseTheme(choice).name).toBe(name);
  });

  it('mono writes no colour, only bold, underline and inverse', () => {
    const mono = chooseTheme({ env: { NO_COLOR: '1' } });
    expect(mono.paint('x', 'fail')).toBe('x');
    expect(mono.paint('x', 'title')).toBe('\x1b[1mx\x1b[0m');
    expect(mono.segment('x', { fg: 1, bg: '#ff0000', underline: true })).toBe('\x1b[4mx\x1b[0m');
    expect(() => chooseTheme({ env: {}, theme: 'neon' })).toThrow('--theme must be dark, light or mono, not "neon"');
  });
});
