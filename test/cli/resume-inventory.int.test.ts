// A resume compares the inventory as it compares the runbook. Two nodes' addresses are swapped
// between a kill -9 and the resume (two real sshd on loopback, the built binary): the resume is
// refused and nothing runs; with --allow-changed-inventory the change is printed, journalled, and
// every node is checked again (pre-flight) before anything runs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { listRuns, readJournal } from '../../src/engine/journal.js';
import { buildBinary, spawnCli } from '../engine/binary.js';
import { tempDir } from '../helpers/real-shell.js';
import { sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';

const missing = sshdMissing();
let cli: string;
let removeBinary: () => void;
let a: Sshd;
let b: Sshd;
let dir: string;
let removeDir: () => void;
const pids: number[] = [];

const env = () => ({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config'), TZ: 'UTC', NO_COLOR: '1' });
const players: ReturnType<typeof spawnCli>[] = [];
const play = (args: string[], input = '') =>
  track(spawnCli(cli, ['play', ...args, '--state-dir', join(dir, 'state')], { cwd: dir, env: env(), input }));
/** Every player started, so one a failed assertion left running is killed after the test. */
function track(p: ReturnType<typeof spawnCli>): ReturnType<typeof spawnCli> {
  players.push(p);
  return p;
}

async function until(predicate: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}
async function journal(): Promise<JournalRecord[]> {
  const runs = await listRuns(join(dir, 'state'));
  return runs[0] ? (await readJournal(runs[0].file)).records : [];
}
const marks = () => (existsSync(join(dir, 'marks')) ? readFileSync(join(dir, 'marks'), 'utf8') : '');

const node = (name: string, s: Sshd) =>
  `  - { name: ${name}, address: ${s.host}, port: ${s.port}, user: ${s.user}, identity_file: ${s.clientKey.privateKeyPath}, roles: [master] }`;
// Each mark names the node and the server (address and port) the command really ran on.
const runbook = () => `id: swap-test
title: Inventory swapped
sections:
  - id: patch
    title: Patch
    on: master
    steps:
      - { id: one, run: 'cd ${dir} && echo "one {{node.name}} $(echo $SSH_CONNECTION | cut -d" " -f3,4)" >> marks' }
      - { id: long, run: 'cd ${dir} && echo $$ >> pids && echo "long {{node.name}}" >> marks && while [ ! -e go ]; do sleep 0.05; done' }
      - { id: last, destructive: true, confirm: Run the last step, run: 'cd ${dir} && echo "last {{node.name}} $(echo $SSH_CONNECTION | cut -d" " -f3,4)" >> marks' }
`;

describe.skipIf(missing)('a resume with the inventory changed under it (the binary, two sshd)', () => {
  beforeAll(async () => {
    [a, b, { cli, remove: removeBinary }] = await Promise.all([
      startSshd({ host: '127.0.0.1' }),
      startSshd({ host: '127.0.0.2' }),
      buildBinary(),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    removeBinary?.();
  });
  beforeEach(() => {
    ({ dir, remove: removeDir } = tempDir('runbook-swap-'));
    mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
    writeFileSync(join(dir, '.ssh', 'known_hosts'), `${a.knownHostsLine()}\n${b.knownHostsLine()}\n`);
    writeFileSync(join(dir, 'rb.yaml'), runbook());
  });
  afterEach(() => {
    if (existsSync(join(dir, 'pids'))) pids.push(...readFileSync(join(dir, 'pids'), 'utf8').split('\n').filter(Boolean).map(Number));
    for (const p of players.splice(0)) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    removeDir();
  });

  it('swapped addresses: refused and nothing runs; allowed: the change shown and journalled, every node checked again', async () => {
    writeFileSync(join(dir, 'inv.yaml'), `nodes:\n${node('master-1', a)}\n${node('master-2', b)}\n`);
    const first = play(['rb.yaml', '--inventory', 'inv.yaml']);
    await until(() => marks().includes('long master-1'));
    first.child.kill('SIGKILL');
    await first.exit;
    expect(marks()).toBe(`one master-1 ${a.host} ${a.port}\nlong master-1\n`);

    // Between the kill and the resume, the two nodes' addresses are swapped.
    writeFileSync(join(dir, 'inv.yaml'), `nodes:\n${node('master-1', b)}\n${node('master-2', a)}\n`);
    writeFileSync(join(dir, 'go'), '');
    const before = await journal();
    const refused = play(['rb.yaml', '--resume'], 'd\nchecked\ny\ny\ny\ny\n');
    expect((await refused.exit).code).toBe(2);
    const change = [
      `master-1: address ${a.host}:${a.port} -> ${b.host}:${b.port}`,
      `master-2: address ${b.host}:${b.port} -> ${a.host}:${a.port}`,
    ];
    expect(refused.stderr()).toContain(
      `inv.yaml: error: the inventory ${join(dir, 'inv.yaml')} changed since run ${before[0]!.run} started`,
    );
    for (const line of change) expect(refused.stderr()).toContain(`\n  ${line}`);
    expect(refused.stderr()).toContain('Resume with --allow-changed-inventory');
    expect(marks()).toBe(`one master-1 ${a.host} ${a.port}\nlong master-1\n`);
    expect(await journal()).toEqual(before);

    // Allowed: the change is printed and kept in the journal, and the pre-flight runs before any step.
    const allowed = play(['rb.yaml', '--resume', '--allow-changed-inventory'], 'd\nchecked\ny\ny\ny\ny\ny\n');
    expect((await allowed.exit).code).toBe(0);
    for (const line of change) expect(allowed.stderr()).toContain(`\n  ${line}`);
    expect(allowed.stdout()).toContain('the inventory changed since the run started:');
    const after = (await journal()).slice(before.length);
    expect(after[0]).toMatchObject({ event: 'resumed', changedInventory: { changes: change } });
    const events = after.map((r) => r.event);
    expect(events.indexOf('preflight-started')).toBeGreaterThan(0);
    expect(events.indexOf('preflight-finished')).toBeLessThan(events.indexOf('step-started'));
    expect(after.find((r) => r.event === 'preflight-finished')).toMatchObject({ status: 'passed', nodes: 2 });
    // master-1's remaining step ran where the inventory now says, as the operator allowed.
    expect(marks()).toContain(`last master-1 ${b.host} ${b.port}\n`);
  }, 60_000);

  it('the same file, other machines (the ssh config its aliases resolve through was changed): refused, nothing runs', async () => {
    const hostBlock = (alias: string, sv: Sshd) =>
      `Host ${alias}\n  HostName ${sv.host}\n  Port ${sv.port}\n  User ${sv.user}\n  IdentityFile ${sv.clientKey.privateKeyPath}\n`;
    writeFileSync(join(dir, '.ssh', 'config'), `${hostBlock('m1', a)}${hostBlock('m2', b)}`);
    writeFileSync(
      join(dir, 'inv.yaml'),
      'nodes:\n  - { name: master-1, address: m1, roles: [master] }\n  - { name: master-2, address: m2, roles: [master] }\n',
    );
    const first = play(['rb.yaml', '--inventory', 'inv.yaml']);
    await until(() => marks().includes('long master-1'));
    first.child.kill('SIGKILL');
    await first.exit;

    // The inventory file is untouched; the aliases now lead to each other's machine.
    writeFileSync(join(dir, '.ssh', 'config'), `${hostBlock('m1', b)}${hostBlock('m2', a)}`);
    writeFileSync(join(dir, 'go'), '');
    const before = await journal();
    const refused = play(['rb.yaml', '--resume'], 'd\nchecked\ny\ny\ny\ny\n');
    expect((await refused.exit).code).toBe(2);
    expect(refused.stderr()).toContain('names other machines than when run');
    expect(refused.stderr()).toContain(`\n  master-1: address ${a.host}:${a.port} -> ${b.host}:${b.port}`);
    expect(await journal()).toEqual(before);
    expect(marks()).toBe(`one master-1 ${a.host} ${a.port}\nlong master-1\n`);
  }, 60_000);
});
