// dcos/mesos-agents through the runner over a real OpenSSH server on loopback: the "master" is a
// hostile node whose agents endpoint prints escape sequences, HTML, or more than the player keeps.
// Each must end as a clear failure of the step (no crash, no hang, nothing raw in the journal),
// and the inventory the check compares with is the run's own.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/engine/journal.js';
import { Runner } from '../../src/engine/runner.js';
import type { Inventory, InventoryNode } from '../../src/inventory/types.js';
import type { Section } from '../../src/runbook/schema.js';
import { createSshTransport, type SshTransport } from '../../src/transport/ssh.js';
import { waitUntil } from '../helpers/real-shell.js';
import { sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';
import { runbook, section, stateOf } from './fixtures.js';

const missing = sshdMissing();
let dir: string;
let sshd: Sshd;
let knownHosts: string;
const transports: SshTransport[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-mesos-agents-'));
  if (missing) return;
  sshd = await startSshd({ host: '127.0.0.23' });
  knownHosts = sshd.writeKnownHosts();
});
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Every node is reached at the sshd (the pre-flight connects to each); the agents' 10.0.x.x
 * addresses are labels Mesos names them by, never dialled, and their section never runs.
 */
function inventory(): Inventory {
  const at = { address: sshd.host, port: sshd.port, user: sshd.user, identityFile: sshd.clientKey.privateKeyPath, vars: {} };
  const master: InventoryNode = { name: 'master-1', ip: sshd.host, roles: ['master'], ...at };
  const agent = (name: string, ip: string, role = 'agent'): InventoryNode => ({ name, ip, roles: [role], ...at });
  return {
    source: 'inventory.yaml',
    nodes: [master, agent('agent-1', '10.0.1.1'), agent('public-agent-1', '10.0.5.1', 'public_agent')],
    simulated: false,
  };
}

/** Plays one check whose command prints the file given; resolves with the step's end and the journal text. */
async function check(body: string | null, command?: string) {
  const file = join(dir, `answer-${Math.random().toString(16).slice(2)}.json`);
  if (body !== null) writeFileSync(file, body);
  const sections: Section[] = [
    section('health', [{ id: 'agents-known', run: command ?? `cat ${file}`, check: { builtin: 'dcos/mesos-agents' } }], { on: 'master' }),
    section('agents', [{ id: 'noop', run: 'true' }], { on: ['agent', 'public_agent'], when: "params.never == 'yes'" }),
  ];
  const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000 });
  transports.push(t);
  const journal = await Journal.create(
    join(dir, 'state'),
    `20261206-100000-${Math.floor(Math.random() * 0xffff)
      .toString(16)
      .padStart(4, '0')}`,
  );
  const state = stateOf(runbook(sections, { params: { never: { default: 'no' } } }), inventory(), { never: 'no' });
  const runner = new Runner({ state, transportFor: () => t, journal, by: 'alice' });
  runner.start();
  await waitUntil(() => runner.getState().prompts.length > 0 || runner.getState().phase === 'finished', 20_000);
  const task = runner.getState().nodes.get('master-1')?.tasks.get('health/agents-known');
  if (runner.getState().phase !== 'finished') runner.dispatch({ type: 'abort' });
  await runner.done;
  return { task, journal: readFileSync(journal.file, 'utf8') };
}

const agent = (ip: string, extra = '') =>
  `{"id":"S-${ip}","hostname":"${ip}","port":5051,"pid":"slave(1)@${ip}:5051","active":true,"version":"1.5.1"${extra}}`;

describe.skipIf(missing)('dcos/mesos-agents over real SSH', () => {
  it("passes on the real shape, comparing with the run's own inventory", async () => {
    const { task } = await check(
      `{"slaves":[${agent('10.0.1.1')},${agent('10.0.5.1', ',"reserved_resources":{"slave_public":{}}')}],"recovered_slaves":[]}\n`,
    );
    expect(task).toMatchObject({ status: 'passed', message: 'Mesos knows 2 agent(s); all 2 of the inventory are registered and active.' });
  });

  it('an unlisted agent whose hostname carries escape sequences: a clear failure, nothing raw in the journal', async () => {
    const evil = `{"id":"S-x","hostname":"\u001b]2;pwned\u0007\u001b[2Jrack9","pid":"slave(1)@10.0.2.9:5051","active":true,"version":"1.5.1"}`;
    const { task, journal } = await check(`{"slaves":[${agent('10.0.1.1')},${agent('10.0.5.1')},${evil}],"recovered_slaves":[]}\n`);
    expect(task?.status).toBe('failed');
    expect(task?.status === 'failed' && task.reason).toMatch(
      /^Mesos knows 1 agent\(s\) the inventory does not list: 10\.0\.2\.9 \(hostname /,
    );
    expect(journal).not.toMatch(/[\u001b\u0007]/);
  });

  it('HTML, nothing, or a command that fails: a clear failure naming what came back', async () => {
    expect((await check('<html><body>502 Bad Gateway</body></html>\n')).task).toMatchObject({
      status: 'failed',
      reason: 'the agents endpoint did not answer JSON: <html><body>502 Bad Gateway</body></html>',
    });
    expect((await check('')).task).toMatchObject({ status: 'failed', reason: 'the agents endpoint did not answer JSON: (nothing)' });
    const refused = await check(null, "echo 'curl: (7) Failed connect to leader.mesos:5050; Connection refused' >&2; exit 7");
    expect(refused.task).toMatchObject({ status: 'failed', exit: 7 });
  });

  it('more output than the player keeps (5 MB): says the list cannot be read whole, without hanging', async () => {
    const started = Date.now();
    const { task } = await check(null, `printf '{"slaves":['; head -c 5000000 /dev/zero | tr '\\0' ' '; printf ']}'`);
    expect(task?.status).toBe('failed');
    expect(task?.status === 'failed' && task.reason).toMatch(/answered more than the player keeps/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
