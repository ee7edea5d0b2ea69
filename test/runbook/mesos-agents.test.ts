// dcos/mesos-agents: the leading master's agent list against the inventory. Its input is what a
// node printed, so it is attacked with what a hostile or broken node prints.
import { describe, expect, it } from 'vitest';
import { builtins, type BuiltinArgValue, type BuiltinNode, type BuiltinResult } from '../../src/runbook/builtins.js';

const def = builtins.get('dcos/mesos-agents')!;

const node = (name: string, ip: string, role: string): BuiltinNode => ({ name, ip, address: '127.0.0.1', roles: [role] });
const INVENTORY: BuiltinNode[] = [
  node('bootstrap', '10.0.0.10', 'bootstrap'),
  node('master-1', '10.0.4.1', 'master'),
  node('agent-1', '10.0.1.1', 'agent'),
  node('agent-2', '10.0.1.2', 'agent'),
  node('public-agent-1', '10.0.5.1', 'public_agent'),
];

/** One agent as Mesos 1.5 answers it in /slaves. */
const agent = (ip: string, extra: Record<string, unknown> = {}) => ({
  id: `7a4f-S${ip.split('.').at(-1)}`,
  hostname: ip,
  port: 5051,
  pid: `slave(1)@${ip}:5051`,
  active: true,
  attributes: {},
  version: '1.5.1',
  ...extra,
});
const slaves = (...agents: unknown[]): string => JSON.stringify({ slaves: agents, recovered_slaves: [] });
const ALL = [agent('10.0.1.1'), agent('10.0.1.2'), agent('10.0.5.1', { attributes: { public_ip: 'true' } })];

function check(stdout: string, args: Record<string, BuiltinArgValue> = {}, exit: number | null = 0, stderr = ''): BuiltinResult {
  return def.evaluate(args, { files: {}, nodes: INVENTORY, output: { stdout, stderr, exit } });
}

describe('dcos/mesos-agents', () => {
  it('passes when Mesos and the inventory list the same agents, all active', () => {
    expect(check(slaves(...ALL))).toEqual({
      ok: true,
      message: 'Mesos knows 3 agent(s); all 3 of the inventory are registered and active.',
    });
  });

  it('refuses an agent only Mesos knows, naming its address and hostname', () => {
    const r = check(slaves(...ALL, agent('10.0.2.9', { hostname: 'rack7-node9' })));
    expect(r.ok).toBe(false);
    expect(r.message).toContain('Mesos knows 1 agent(s) the inventory does not list: 10.0.2.9 (hostname rack7-node9)');
  });

  it('lets the operator accept leaving named agents out, and still says they stay behind', () => {
    const extra = agent('10.0.2.9', { hostname: 'rack7-node9' });
    for (const accept of ['10.0.2.9', 'rack7-node9', ['10.0.3.3', 'rack7-node9'], '10.0.3.3, 10.0.2.9']) {
      const r = check(slaves(...ALL, extra), { accept });
      expect(r).toEqual({
        ok: true,
        message: expect.stringContaining('1 left out as accepted, still on the old release: 10.0.2.9 (hostname rack7-node9)'),
      });
    }
    // Accepting one agent does not accept another.
    expect(check(slaves(...ALL, extra, agent('10.0.2.10')), { accept: '10.0.2.9' }).message).toContain('does not list: 10.0.2.10');
  });

  it('refuses an inventory agent that is not registered, inactive, or only recovered', () => {
    expect(check(slaves(agent('10.0.1.1'), agent('10.0.5.1'))).message).toBe(
      '1 agent(s) of the inventory are not registered with the leading master: agent-2.',
    );
    expect(check(slaves(agent('10.0.1.1'), agent('10.0.1.2', { active: false }), agent('10.0.5.1'))).message).toBe(
      '1 agent(s) of the inventory are registered but inactive: agent-2.',
    );
    const recovered = JSON.stringify({ slaves: [agent('10.0.1.1'), agent('10.0.5.1')], recovered_slaves: [agent('10.0.1.2')] });
    expect(check(recovered).message).toBe('1 agent(s) of the inventory have not re-registered since the master recovered: agent-2.');
  });

  it('at the end, checks every agent runs the Mesos the target release ships', () => {
    expect(check(slaves(...ALL), { dcos: '1.11.5' }).ok).toBe(true);
    const r = check(slaves(agent('10.0.1.1'), agent('10.0.1.2', { version: '1.5.0' }), agent('10.0.5.1')), { dcos: '1.11.5' });
    expect(r).toEqual({ ok: false, message: '1 agent(s) do not run Mesos 1.5.1, which DC/OS 1.11.5 ships: 10.0.1.2 runs Mesos 1.5.0.' });
    expect(check(slaves(...ALL), { dcos: '2.0.0' }).message).toMatch(/not a DC\/OS 1\.11 release/);
  });

  it('fails clearly, without throwing, on what a broken or hostile node prints', () => {
    const cases: [string, RegExp][] = [
      ['', /did not answer JSON: \(nothing\)/],
      ['<html>502 Bad Gateway</html>', /did not answer JSON: <html>502 Bad Gateway<\/html>/],
      ['{"slaves": 3}', /without a "slaves" list/],
      ['[1,2,3]', /without a "slaves" list/],
      ['null', /without a "slaves" list/],
      ['{"slaves": [null]}', /slaves\[0\] is not an agent/],
      ['{"slaves": [{"id": "x"}]}', /slaves\[0\] has neither a hostname nor a pid/],
      ['{"slaves": [], "recovered_slaves": ["x"]}', /recovered_slaves\[0\] is not an agent/],
      [`{"slaves": [${'['.repeat(100_000)}`, /did not answer JSON/],
    ];
    for (const [stdout, message] of cases) {
      const r = check(stdout);
      expect(r.ok, stdout.slice(0, 40)).toBe(false);
      expect(r.message).toMatch(message);
    }
    expect(check('x'.repeat(33 * 1024 * 1024)).message).toMatch(/more than the 33554432 a Mesos master sends/);
    expect(check('', {}, 7, 'curl: (7) Failed connect to leader.mesos:5050; Connection refused\n').message).toBe(
      'the agents endpoint could not be read (exit 7): curl: (7) Failed connect to leader.mesos:5050; Connection refused',
    );
    expect(check('', {}, null).message).toMatch(/the command did not finish/);
  });

  it('never passes escape sequences from the node through to the message', () => {
    const evil = agent('10.0.2.9', { hostname: '\u001b]0;owned\u0007\u001b[2J\u009bevil' });
    const r = check(slaves(...ALL, evil));
    expect(r.ok).toBe(false);
    expect(r.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(r.message).toContain('\\x1b]0;owned\\x07\\x1b[2J\\x9bevil');
    expect(check('\u001b[31mred').message).toBe('the agents endpoint did not answer JSON: \\x1b[31mred');
  });

  it('names at most 20 agents, then how many more', () => {
    const many = Array.from({ length: 45 }, (_, i) => agent(`10.0.7.${i + 1}`));
    expect(check(slaves(...ALL, ...many)).message).toMatch(/10\.0\.7\.20 and 25 more\./);
  });
});
