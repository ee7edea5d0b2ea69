// The pre-flight against a real OpenSSH server on loopback: before the first step of a run, every
// node is connected to; an unknown host key, a changed one, a refused login and a port nobody
// listens on are all refused at once, each named with its reason, and nothing runs (not even the
// steps on this machine). A clean inventory passes, and the run's commands go over the
// connections the pre-flight opened.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { freePort, makeKey, sshdMissing, startSshd, type KeyPair, type Sshd } from '../helpers/sshd.js';
import { runMain } from '../helpers/cli-io.js';

const missing = sshdMissing();
if (missing) console.warn(`pre-flight SSH tests skipped: ${missing}`);

let dir: string;
let sshd: Sshd;
let stranger: KeyPair;
let otherHostKey: KeyPair;
let closedPort: number;

async function play(name: string, inventory: string) {
  const state = join(dir, `state-${name}`);
  writeFileSync(join(dir, `${name}.yaml`), inventory);
  const env = { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config'), TZ: 'UTC' };
  const {
    status,
    out: stdout,
    err: stderr,
  } = await runMain(['play', 'runbook.yaml', '--inventory', `${name}.yaml`, '--state-dir', state], env, dir);
  const runs = join(state, 'runs');
  const records: JournalRecord[] = existsSync(runs)
    ? readdirSync(runs).flatMap((f) =>
        readFileSync(join(runs, f), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as JournalRecord),
      )
    : [];
  return { status, stdout, stderr, records };
}

function node(name: string, roles: string, over: Record<string, string | number> = {}): string {
  const fields = {
    name,
    address: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identity_file: sshd.clientKey.privateKeyPath,
    roles: `[${roles}]`,
    ...over,
  };
  return `  - { ${Object.entries(fields)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ')} }`;
}

/** Only the inventory's warning that several nodes share one address (they are one sshd here). */
const onlySharedAddressWarnings = (stderr: string) =>
  stderr.split('\n').filter((l) => l && !/warning: node "[^"]+" has the same address and port as node/.test(l));

describe.skipIf(missing)('pre-flight over real SSH', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runbook-preflight-'));
    sshd = await startSshd({ host: '127.0.0.41' });
    [stranger, otherHostKey] = await Promise.all([makeKey(dir, 'stranger'), makeKey(dir, 'other_host_key')]);
    closedPort = await freePort(sshd.host);
    // The operator's known_hosts: the server under its own name; under "changed-host", some other key.
    mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
    writeFileSync(join(dir, '.ssh', 'known_hosts'), `${sshd.knownHostsLine()}\n${sshd.knownHostsLine('changed-host', otherHostKey)}\n`);
    writeFileSync(
      join(dir, 'runbook.yaml'),
      [
        'id: preflight',
        'title: Pre-flight',
        'sections:',
        '  - id: here',
        '    title: On this machine first',
        '    steps:',
        `      - { id: mark, run: 'echo here >> ${join(dir, 'marks')}' }`,
        '  - id: masters',
        '    title: Masters',
        '    on: master',
        '    steps:',
        `      - { id: mark, run: 'echo {{node.name}} >> ${join(dir, 'marks')}' }`,
        '  - id: all',
        '    title: Every node',
        '    on: [master, agent]',
        '    strategy: parallel',
        '    steps:',
        `      - { id: mark, run: 'echo {{node.name}} >> ${join(dir, 'marks')}' }`,
        '',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start: unknown key, changed key, refused login and unreachable port, all listed at once; nothing ran', async () => {
    const r = await play(
      'bad',
      [
        'nodes:',
        node('good', 'master'),
        node('unknown-key', 'master', { host_key_alias: 'unknown-host' }),
        node('changed-key', 'agent', { host_key_alias: 'changed-host' }),
        node('refused-login', 'agent', { identity_file: stranger.privateKeyPath }),
        node('unreachable', 'agent', { port: closedPort }),
        '',
      ].join('\n'),
    );
    expect(onlySharedAddressWarnings(r.stderr)).toEqual([]);
    expect(r.status).toBe(1);
    expect(existsSync(join(dir, 'marks'))).toBe(false);

    const finished = r.records.find((x) => x.event === 'preflight-finished');
    expect(finished).toMatchObject({ status: 'failed', nodes: 5 });
    const failures = finished?.event === 'preflight-finished' ? finished.failures : [];
    expect(failures.map((f) => `${f.node}: ${f.failure}`)).toEqual([
      'unknown-key: host-key-unknown',
      'changed-key: host-key-changed',
      'refused-login: auth-failed',
      'unreachable: connect-failed',
    ]);
    for (const f of failures) expect(f.message).toContain(f.node);
    expect(r.records.map((x) => x.event)).toEqual(['run-started', 'preflight-started', 'connection', 'preflight-finished', 'run-finished']);
    expect(r.records[2]).toMatchObject({
      event: 'connection',
      change: 'connected',
      node: 'good',
      host: sshd.host,
      port: sshd.port,
      user: sshd.user,
    });
    expect(r.records.some((x) => x.event === 'step-started' || x.event === 'section-started')).toBe(false);

    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.slice(1, 3)).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] pre-flight: connecting to 5 nodes to check host keys and logins before anything runs$/),
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\] pre-flight failed: 4 of 5 nodes cannot be used; nothing ran$/),
    ]);
    expect(lines.slice(3, 7)).toEqual(failures.map((f) => `    ${f.node}: ${f.message}`));
    expect(lines.at(-1)).toMatch(/^summary: passed 0, failed 0, skipped 0, interrupted 0, not reached 8 in 00:00:\d\d; journal /);
  }, 60_000);

  it('a clean inventory passes, and the steps run over the connections it opened', async () => {
    const r = await play('good', ['nodes:', node('master-1', 'master'), node('agent-1', 'agent'), ''].join('\n'));
    expect(onlySharedAddressWarnings(r.stderr)).toEqual([]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'marks'), 'utf8').trim().split('\n').sort()).toEqual(['agent-1', 'here', 'master-1', 'master-1']);
    expect(r.records.find((x) => x.event === 'preflight-finished')).toMatchObject({ status: 'passed', nodes: 2, failures: [] });
    // One connection per node, opened by the pre-flight before the first step and kept for every step after.
    const connections = r.records.flatMap((x, i) => (x.event === 'connection' ? [{ change: x.change, node: x.node, at: i }] : []));
    expect(connections.map((c) => `${c.change} ${c.node}`).sort()).toEqual(['connected agent-1', 'connected master-1']);
    const firstStep = r.records.findIndex((x) => x.event === 'step-started');
    for (const c of connections) expect(c.at).toBeLessThan(firstStep);
    expect(r.stdout).toMatch(/\] pre-flight passed: all 2 nodes answer, host keys known, logins accepted \(\d+(ms|s)\)\n/);
  }, 60_000);
});
