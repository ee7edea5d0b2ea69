// The engine against a real OpenSSH server on loopback, with a real journal on disk: what the
// fake transport cannot prove (exit statuses over the wire, streaming, a hanging command, a
// connection killed mid-command, names that a shell would read as code).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scaledClock } from '../../src/engine/clock.js';
import { Journal, readJournal } from '../../src/engine/journal.js';
import { Runner } from '../../src/engine/runner.js';
import type { RunState } from '../../src/engine/state.js';
import { replay } from '../../src/engine/update.js';
import { buildReport } from '../../src/export/report-model.js';
import { renderReportMarkdown } from '../../src/export/report-render.js';
import type { Inventory, InventoryNode } from '../../src/inventory/types.js';
import type { Section } from '../../src/runbook/schema.js';
import { createSshTransport, type SshTransport } from '../../src/transport/ssh.js';
import { processesWith, sleepMarkers, waitUntil } from '../helpers/real-shell.js';
import { sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';
import { runbook, section, stateOf } from './fixtures.js';

const missing = sshdMissing();
let dir: string;
let sshd: Sshd;
let knownHosts: string;
const transports: SshTransport[] = [];

/** Remote sleeps of unique durations, found and killed after each test. */
const { next: marker, killAll: killSleeps } = sleepMarkers(300);

function node(name: string, roles = ['master']): InventoryNode {
  return {
    name,
    address: sshd.host,
    ip: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFile: sshd.clientKey.privateKeyPath,
    roles,
    vars: {},
  };
}

function inventory(...nodes: InventoryNode[]): Inventory {
  return { source: 'inventory.yaml', nodes, simulated: false };
}

async function play(
  state: RunState,
  runId = `20261125-171800-${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`,
) {
  const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000 });
  transports.push(t);
  const journal = await Journal.create(join(dir, 'state'), runId);
  const runner = new Runner({ state, transportFor: () => t, journal, by: 'alice' });
  return { runner, journal, transport: t };
}

const describeSsh = missing ? describe.skip : describe;
if (missing) console.warn(`engine SSH integration tests skipped: ${missing}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-engine-ssh-'));
  if (missing) return;
  sshd = await startSshd({ host: '127.0.0.21' });
  knownHosts = sshd.writeKnownHosts();
});

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  killSleeps();
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describeSsh('engine over real SSH', () => {
  it('exit statuses, streamed output, a captured var and a poll until true', async () => {
    const flag = join(dir, `flag-${process.pid}`);
    const sections: Section[] = [
      section(
        'm',
        [
          { id: 'expect-3', run: 'echo on $(hostname) >&2; exit 3', expect: { exit: 3 } },
          { id: 'stream', run: 'for i in 1 2 3; do echo line $i; sleep 0.2; done' },
          {
            id: 'gen',
            run: 'echo "Node upgrade script URL: http://10.0.0.5/upgrade/abc/dcos_node_upgrade.sh"',
            capture: { patch_url: 'Node (?:patch|upgrade) script URL: (\\S+)' },
          },
          { id: 'use', run: `echo {{vars.patch_url}}; (sleep 0.6; touch ${flag}) >/dev/null 2>&1 &`, expect: { regex: '/upgrade/abc/' } },
          {
            id: 'poll',
            run: `test -f ${flag} && echo '{"slave\\/registered":1.0}' || echo '{"slave\\/registered":0.0}'`,
            until: { json: 'slave/registered', equals: 1 },
            every: '200ms',
            timeout: '10s',
          },
        ],
        { on: 'master' },
      ),
    ];
    const { runner, journal } = await play(stateOf(runbook(sections), inventory(node('master-1'))));
    const seen: number[] = [];
    runner.subscribe((s) => {
      const lines = runner.output.lines('master-1', 'm/stream@master-1').length;
      if (s.nodes.get('master-1')?.tasks.get('m/stream')?.status === 'running') seen.push(lines);
    });
    runner.start();
    expect(await runner.done).toBe('passed');
    await journal.close();
    // Lines arrived while the command still ran.
    expect(seen.some((n) => n > 0 && n < 3)).toBe(true);
    expect(runner.getState().vars.patch_url).toBe('http://10.0.0.5/upgrade/abc/dcos_node_upgrade.sh');
    const { records } = await readJournal(journal.file);
    const attempts = records.filter((r) => r.event === 'attempt');
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.at(-1)).toMatchObject({ ok: true, message: 'slave/registered = 1' });
    expect(records.find((r) => r.event === 'step-finished' && r.step === 'expect-3')).toMatchObject({ status: 'passed', exit: 3 });
  });

  it('a hanging command is stopped at its timeout and the step fails, outcome unknown', async () => {
    const m = marker();
    const { runner } = await play(
      stateOf(runbook([section('m', [{ id: 'hang', run: `sleep ${m}`, timeout: '1s' }], { on: 'master' })]), inventory(node('master-1'))),
    );
    runner.start();
    await waitUntil(() => runner.getState().prompts.length > 0, 15_000);
    expect(runner.getState().nodes.get('master-1')?.tasks.get('m/hang')).toMatchObject({
      status: 'failed',
      reason: 'timed out after 1s (outcome unknown)',
      outcomeUnknown: true,
    });
    expect(await waitUntil(() => processesWith(`sleep ${m}`).length === 0, 5000)).toBe(true);
    runner.dispatch({ type: 'abort' });
    expect(await runner.done).toBe('aborted');
  });

  it('a node that takes a command and never answers: the runbook step_timeout stops it, outcome unknown, and the run ends', async () => {
    // sshd keeps answering keepalives while the command sleeps: only a timeout can end this step.
    const m = marker();
    const rb = runbook(
      [
        section(
          'm',
          [
            { id: 'accept', run: `echo accepted; sleep ${m}` },
            { id: 'after', run: 'echo never' },
          ],
          { on: 'master' },
        ),
      ],
      { step_timeout: '1s' },
    );
    const { runner, journal } = await play(stateOf(rb, inventory(node('master-1'))));
    runner.start();
    expect(await waitUntil(() => processesWith(`sleep ${m}`).length === 1, 5000)).toBe(true);
    expect(await waitUntil(() => runner.getState().prompts.length > 0, 15_000)).toBe(true);
    expect(runner.getState().nodes.get('master-1')?.tasks.get('m/accept')).toMatchObject({
      status: 'failed',
      reason: 'timed out after 1s (outcome unknown)',
      outcomeUnknown: true,
    });
    expect(await waitUntil(() => processesWith(`sleep ${m}`).length === 0, 5000)).toBe(true);
    runner.dispatch({ type: 'abort' });
    const ended = await Promise.race([runner.done, new Promise((r) => setTimeout(() => r('hung'), 10_000))]);
    expect(ended).toBe('aborted');
    await journal.close();
    const { records } = await readJournal(journal.file);
    expect(records.find((r) => r.event === 'step-finished' && r.step === 'accept')).toMatchObject({
      status: 'failed',
      outcomeUnknown: true,
    });
    expect(records.some((r) => r.event === 'step-started' && r.step === 'after')).toBe(false);
  });

  it('with no timeout anywhere, the 30 minute default still ends a command that never answers', async () => {
    const m = marker();
    const state = stateOf(runbook([section('m', [{ id: 'accept', run: `sleep ${m}` }], { on: 'master' })]), inventory(node('master-1')));
    const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000 });
    transports.push(t);
    // 30 minutes on a clock running 1,800 times faster is one second of real time.
    const runner = new Runner({ state, transportFor: () => t, by: 'alice', clock: scaledClock(1800) });
    runner.start();
    expect(await waitUntil(() => runner.getState().prompts.length > 0, 15_000)).toBe(true);
    expect(runner.getState().nodes.get('master-1')?.tasks.get('m/accept')).toMatchObject({
      status: 'failed',
      reason: 'timed out after 30m (outcome unknown)',
      outcomeUnknown: true,
    });
    expect(await waitUntil(() => processesWith(`sleep ${m}`).length === 0, 5000)).toBe(true);
    runner.dispatch({ type: 'abort' });
    expect(await runner.done).toBe('aborted');
  });

  it('a connection killed mid-command fails the step with "connection lost", never passed', async () => {
    const own = await startSshd({ host: '127.0.0.22', authorizedKeys: [sshd.clientKey] });
    try {
      const t = createSshTransport({ knownHostsFiles: [own.writeKnownHosts()], agent: false, homeDir: dir, connectTimeoutMs: 5000 });
      transports.push(t);
      const m = marker();
      const n: InventoryNode = { ...node('master-1'), address: own.host, ip: own.host, port: own.port };
      const state = stateOf(
        runbook([section('m', [{ id: 'patch', run: `echo started; sleep ${m}; echo finished` }], { on: 'master' })]),
        inventory(n),
      );
      const runner = new Runner({ state, transportFor: () => t, by: 'alice' });
      runner.start();
      expect(await waitUntil(() => processesWith(`sleep ${m}`).length === 1, 5000)).toBe(true);
      for (const pid of own.sessionPids()) process.kill(pid, 'SIGKILL');
      expect(await waitUntil(() => runner.getState().prompts.length > 0, 15_000)).toBe(true);
      const task = runner.getState().nodes.get('master-1')?.tasks.get('m/patch');
      expect(task?.status).toBe('failed');
      expect(task?.status === 'failed' && task.reason).toMatch(/^connection lost during the command \(outcome unknown\)/);
      expect(task).toMatchObject({ outcomeUnknown: true });
      runner.dispatch({ type: 'abort' });
      await runner.done;
    } finally {
      await own.stop();
    }
  });

  it('troubleshooting commands and health probes run through the runner: journalled (node, command, who, when, exit, duration), secrets masked, probes compact, in the report', async () => {
    const flag = join(dir, `healthy-${process.pid}`);
    const secret = 'S3cr3t-troubleshoot-token';
    const rb = runbook([section('m', [{ id: 'ack', text: 'Read the notes.', confirm: true }], { on: 'master' })], {
      params: { token: { secret: true } },
    });
    const { runner, journal } = await play(stateOf(rb, inventory(node('master-1')), { token: secret }, ['token']));
    // Opened before the run started: written right after run-started, not lost.
    const early = await runner.troubleshoot('master-1', { title: 'whoami', run: 'id -un', display: 'id -un' });
    expect(early.exit).toBe(0);
    runner.start();
    await waitUntil(() => runner.getState().prompts.length > 0, 15_000);
    const lines: string[] = [];
    const r = await runner.troubleshoot(
      'master-1',
      { title: 'token check', run: `echo using ${secret}; exit 3`, display: 'echo using ••••••; exit 3' },
      { by: 'bob', onOutput: (l) => lines.push(l.text) },
    );
    expect(r.exit).toBe(3);
    expect(lines).toEqual(['using ••••••']);
    // 40 probes of a node that stays down, then it comes up, then once more: two health records, not 42.
    const probe = { run: `test -f ${flag} && echo up || { echo down; exit 1; }`, expect: { exit: 0 } };
    for (let i = 0; i < 40; i++) expect(await runner.probe('master-1', probe)).toMatchObject({ ok: false });
    writeFileSync(flag, '');
    expect(await runner.probe('master-1', probe)).toMatchObject({ ok: true, message: 'exit 0' });
    await runner.probe('master-1', probe);
    runner.dispatch({ type: 'abort' });
    await runner.done;
    await journal.close();
    const text = readFileSync(journal.file, 'utf8');
    expect(text).not.toContain(secret);
    const { records } = await readJournal(journal.file);
    expect(records[0]!.event).toBe('run-started');
    const started = records.filter((x) => x.event === 'command-started');
    const finished = records.filter((x) => x.event === 'command-finished');
    expect(started).toEqual([
      expect.objectContaining({ node: 'master-1', title: 'whoami', command: 'id -un', by: 'alice', ts: expect.any(String) }),
      expect.objectContaining({ node: 'master-1', title: 'token check', command: 'echo using ••••••; exit 3', by: 'bob' }),
    ]);
    expect(finished).toEqual([
      expect.objectContaining({ node: 'master-1', exit: 0, durationMs: expect.any(Number) }),
      expect.objectContaining({ node: 'master-1', exit: 3 }),
    ]);
    const health = records.filter((x) => x.event === 'health');
    expect(health).toEqual([
      expect.objectContaining({ node: 'master-1', ok: false, probes: 1, by: 'health probe' }),
      // The 39 unchanged probes after the first record, and this one.
      expect.objectContaining({ node: 'master-1', ok: true, probes: 40, message: 'exit 0' }),
    ]);
    const md = renderReportMarkdown(buildReport({ records }));
    expect(md).toContain('## Troubleshooting commands and health probes');
    expect(md).toMatch(/\| master-1 \| troubleshooting \| `token check: echo using ••••••; exit 3` \| bob \| ✖ 3 \|/);
    expect(md).toMatch(/\| master-1 \| health probe \| .* \| health probe \| healthy \(40 probes since the last change\): exit 0 \|/);
  });

  it('a node name and vars with shell metacharacters arrive as data, never as code', async () => {
    const pwned = join(dir, 'pwned');
    const evil = `master-1;touch ${pwned};$(touch ${pwned})\`touch ${pwned}\`'"`;
    const n: InventoryNode = { ...node(evil), vars: { zone: `a b|touch ${pwned}` } };
    const { runner, journal } = await play(
      stateOf(
        runbook([
          section('m', [{ id: 'echo', run: 'printf "%s\\n" {{node.name}} {{node.vars.zone}}', expect: { regex: 'touch' } }], {
            on: 'master',
          }),
        ]),
        inventory(n),
      ),
    );
    runner.start();
    expect(await runner.done).toBe('passed');
    await journal.close();
    expect(existsSync(pwned)).toBe(false);
    expect(runner.output.lines(evil).map((l) => l.text)).toEqual([evil, `a b|touch ${pwned}`]);
  });

  it('a run resumed from its journal over SSH does not run again what finished', async () => {
    const log = join(dir, `log-${process.pid}`);
    const m = marker();
    const rb = runbook([
      section(
        'm',
        [
          { id: 'one', run: `echo one >> ${log}` },
          { id: 'two', run: `echo two >> ${log}; sleep ${m}` },
          { id: 'three', run: `echo three >> ${log}` },
        ],
        { on: 'master' },
      ),
    ]);
    const inv = inventory(node('master-1'));
    const first = await play(stateOf(rb, inv), '20261125-171800-aaaa');
    first.runner.start();
    expect(await waitUntil(() => processesWith(`sleep ${m}`).length === 1, 5000)).toBe(true);
    expect(await first.runner.interrupt('SIGTERM')).toBe('interrupted');
    await first.journal.close();
    expect(await waitUntil(() => processesWith(`sleep ${m}`).length === 0, 5000)).toBe(true);

    const { records } = await readJournal(first.journal.file);
    const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000 });
    transports.push(t);
    const journal = await Journal.reopen(first.journal.file);
    const runner = new Runner({ state: replay(stateOf(rb, inv), records), transportFor: () => t, journal, by: 'bob' });
    runner.start();
    await waitUntil(() => runner.getState().prompts.length > 0, 5000);
    runner.dispatch({ type: 'mark-done', task: 'm/two@master-1', reason: 'the log shows it ran' });
    expect(await runner.done).toBe('passed');
    await journal.close();
    expect(readFileSync(log, 'utf8')).toBe('one\ntwo\nthree\n');
  });

  it('--yes on a run resumed with confirmations waiting answers them once the pre-flight passed, and the run ends (no hang)', async () => {
    const log = join(dir, `yes-${process.pid}`);
    const rb = runbook([
      section(
        'm',
        [
          { id: 'one', run: `echo one {{node.name}} >> ${log}` },
          { id: 'wipe', run: `echo wipe {{node.name}} >> ${log}`, destructive: true, confirm: { typed: '{{node.name}}' } },
        ],
        { on: 'master' },
      ),
    ]);
    const inv = inventory(node('master-1'), node('master-2'));
    // The first player stops with a confirmation waiting (masters go one at a time).
    const first = await play(stateOf(rb, inv), '20261125-171800-bbbb');
    first.runner.start();
    expect(await waitUntil(() => first.runner.getState().prompts.some((p) => p.kind === 'confirm'), 10_000)).toBe(true);
    expect(await first.runner.interrupt('SIGTERM')).toBe('interrupted');
    await first.journal.close();

    const { records } = await readJournal(first.journal.file);
    const resumedState = replay(stateOf(rb, inv), records);
    expect(resumedState.prompts.filter((p) => p.kind === 'confirm')).toHaveLength(1);
    const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000 });
    transports.push(t);
    const journal = await Journal.reopen(first.journal.file);
    const runner = new Runner({ state: resumedState, transportFor: () => t, journal, by: 'bob', autoConfirm: '--yes (simulator)' });
    runner.start();
    const outcome = await Promise.race([runner.done, new Promise<string>((r) => setTimeout(() => r('hung'), 15_000))]);
    if (outcome === 'hung') await runner.interrupt('SIGTERM');
    expect(outcome).toBe('passed');
    await journal.close();
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean).sort()).toEqual([
      'one master-1',
      'one master-2',
      'wipe master-1',
      'wipe master-2',
    ]);
    const after = (await readJournal(first.journal.file)).records.slice(records.length);
    const events = after.map((r) => r.event);
    // Answered after the pre-flight of the resume passed, once per node, by --yes.
    const passedAt = after.findIndex((r) => r.event === 'preflight-finished' && r.status === 'passed');
    expect(passedAt).toBeGreaterThan(-1);
    const answers = after.map((r, i) => [r, i] as const).filter(([r]) => r.event === 'confirmation-answered');
    expect(answers).toHaveLength(2);
    expect(answers.every(([r, i]) => i > passedAt && 'by' in r && r.by === '--yes (simulator)')).toBe(true);
    expect(events.at(-1)).toBe('run-finished');
  }, 40_000);

  it("a hostile node's captured value that begins with - never reaches a program as an option: the step fails naming the var, nothing runs", async () => {
    const owned = join(dir, `owned-${process.pid}`);
    const rb = runbook([
      section(
        'm',
        [
          // The node answers with an option where a file name was expected: sort -o FILE would write FILE.
          { id: 'ask', run: `echo "input: -o${owned}"`, capture: { input: 'input: (\\S+)' } },
          { id: 'sort', run: 'sort {{vars.input}} </dev/null' },
        ],
        { on: 'master' },
      ),
    ]);
    const { runner, journal } = await play(stateOf(rb, inventory(node('master-1'))));
    runner.start();
    await waitUntil(() => runner.getState().prompts.length > 0, 10_000);
    runner.dispatch({ type: 'abort' });
    expect(await runner.done).toBe('aborted');
    await journal.close();
    const { records } = await readJournal(journal.file);
    const failed = records.find((r) => r.event === 'step-finished' && r.step === 'sort');
    expect(failed).toMatchObject({ status: 'failed' });
    const reason = failed && 'reason' in failed ? String(failed.reason) : '';
    expect(reason).toContain('{{vars.input}} has a value that begins with "-" where sort reads an argument');
    expect(reason).not.toContain(owned);
    expect(records.some((r) => r.event === 'step-started' && r.step === 'sort')).toBe(false);
    expect(existsSync(owned)).toBe(false);
  });
});
