// startAfter against real processes: a real OpenSSH server on loopback and the local transport.
// The runner hands a command to its transport while the records that announce it are still being
// written; the transport may open the session and start the shell that waits for its script, but
// nothing of the command may run before startAfter fulfils, and nothing at all when it rejects.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryNode } from '../../src/inventory/types.js';
import { startSimulator, type SimCluster } from '../../src/sim/index.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { createSshTransport, type SshEvent, type SshTransport, type SshTransportOptions } from '../../src/transport/ssh.js';
import type { ExecResult, Transport } from '../../src/transport/types.js';
import { waitUntil } from '../helpers/real-shell.js';
import { commOf, descendantsOf, sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';
import { sshRun } from '../sim/ssh-client.js';

const missing = sshdMissing();

let dir: string;
let sshd: Sshd;
let knownHosts: string;
const transports: Transport[] = [];

/** A promise the test settles when it chooses: the journal write a command waits for. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (why: unknown) => void } {
  let resolve!: () => void;
  let reject!: (why: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Whoever makes the write also waits for it (the runner does), whenever the transport looks.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a promise has settled yet (without waiting for it). */
function watch<T>(p: Promise<T>): () => boolean {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

/** The `cat` processes below `root`: a shell started as `eval "$(cat)"`, still waiting for its script. */
const waitingCats = (root: number): number[] => descendantsOf(root).filter((pid) => commOf(pid) === 'cat');

/** Shells below `root` whose command line is the fixed one that reads the script from input. */
function bootstrapShells(root: number): number[] {
  return descendantsOf(root).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('eval "$(cat)"');
    } catch {
      return false;
    }
  });
}

function nodeOf(server: Sshd, name = 'node-1'): InventoryNode {
  return {
    name,
    address: server.host,
    ip: server.host,
    port: server.port,
    user: server.user,
    identityFile: server.clientKey.privateKeyPath,
    roles: [],
    vars: {},
  };
}

function ssh(options: SshTransportOptions = {}): SshTransport {
  const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000, ...options });
  transports.push(t);
  return t;
}

function local(): Transport {
  const t = createLocalTransport();
  transports.push(t);
  return t;
}

const localNode: InventoryNode = { name: 'local', address: 'localhost', ip: '127.0.0.1', roles: [], vars: {} };

let seq = 0;
/** A file no test has touched yet; the command under test creates it. */
const flag = (name: string) => join(dir, `${name}-${++seq}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-start-after-'));
  if (missing) return;
  sshd = await startSshd({ host: '127.0.0.51' });
  knownHosts = sshd.writeKnownHosts();
});

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missing)(`startAfter over SSH to a real sshd${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('the connection dies while the command waits: nothing of it ran, so it runs once on a new connection', async () => {
    const own = await startSshd({ host: '127.0.0.53', authorizedKeys: [sshd.clientKey] });
    try {
      const events: SshEvent[] = [];
      const t = ssh({ knownHostsFiles: [own.writeKnownHosts()], onEvent: (e) => events.push(e) });
      const log = flag('runs');
      const go = deferred();
      const result = t.exec(nodeOf(own), `echo once >> ${log}; echo done`, { startAfter: go.promise });
      expect(await waitUntil(() => waitingCats(own.pid).length === 1, 5000)).toBe(true);
      for (const pid of own.connectionPids()) process.kill(pid, 'SIGKILL');
      expect(await waitUntil(() => events.some((e) => e.type === 'disconnected'), 5000)).toBe(true);
      expect(existsSync(log)).toBe(false);
      go.resolve();
      const r = await result;
      expect(r).toMatchObject({ ok: true, exit: 0, stdout: 'done\n' });
      expect(readFileSync(log, 'utf8')).toBe('once\n');
      expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected', 'reconnecting', 'connected']);
    } finally {
      await own.stop();
    }
  });

  it('the connection dies after the script went out: outcome unknown, never run again', async () => {
    const own = await startSshd({ host: '127.0.0.53', authorizedKeys: [sshd.clientKey] });
    try {
      const t = ssh({ knownHostsFiles: [own.writeKnownHosts()] });
      const log = flag('runs');
      const marker = 1000 + seq;
      const result = t.exec(nodeOf(own), `echo once >> ${log}; sleep ${marker}`, { startAfter: Promise.resolve() });
      expect(await waitUntil(() => existsSync(log), 5000)).toBe(true);
      for (const pid of own.connectionPids()) process.kill(pid, 'SIGKILL');
      expect(await result).toMatchObject({ ok: false, exit: null, failure: 'connection-lost' });
      await pause(300);
      expect(readFileSync(log, 'utf8')).toBe('once\n');
    } finally {
      await own.stop();
    }
  });

  it('held: the session is open and its shell waits, nothing runs; once it fulfils the command runs and is ok', async () => {
    const t = ssh();
    const ran = flag('ran');
    const go = deferred();
    const result = t.exec(nodeOf(sshd), `touch ${ran}; echo done`, { startAfter: go.promise });
    const settled = watch(result);
    // The shell on the node is up and reading its input: the overlap is real, not a wait before connecting.
    expect(await waitUntil(() => waitingCats(sshd.pid).length === 1, 5000)).toBe(true);
    expect(t.stats().connections).toMatchObject([{ state: 'ready', channels: 1 }]);
    await pause(300);
    expect(existsSync(ran)).toBe(false);
    expect(settled()).toBe(false);
    go.resolve();
    const r = await result;
    expect(r).toMatchObject({ ok: true, exit: 0, stdout: 'done\n' });
    expect(existsSync(ran)).toBe(true);
    expect(await waitUntil(() => waitingCats(sshd.pid).length === 0, 5000)).toBe(true);
  });

  it('rejected: nothing runs, the result says why, and the connection runs the next command', async () => {
    const events: SshEvent[] = [];
    const t = ssh({ onEvent: (e) => events.push(e) });
    const ran = flag('ran');
    const go = deferred();
    const result = t.exec(nodeOf(sshd), `touch ${ran}`, { startAfter: go.promise });
    expect(await waitUntil(() => waitingCats(sshd.pid).length === 1, 5000)).toBe(true);
    go.reject(new Error('the journal cannot be written: ENOSPC: no space left on device'));
    const r = await result;
    expect(r).toMatchObject({
      ok: false,
      exit: null,
      failure: 'aborted',
      message: 'The command on node-1 was not started: the journal cannot be written: ENOSPC: no space left on device.',
    });
    await pause(300);
    expect(existsSync(ran)).toBe(false);
    expect(await waitUntil(() => waitingCats(sshd.pid).length === 0, 5000)).toBe(true);
    // The same connection, still good.
    const again = await t.exec(nodeOf(sshd), `echo again`);
    expect(again).toMatchObject({ ok: true, stdout: 'again\n' });
    expect(t.stats().connections).toHaveLength(1);
    expect(events.map((e) => e.type)).toEqual(['connected']);
  });

  it('rejected before the session is even open (a write that fails at once): nothing runs', async () => {
    const t = ssh();
    const ran = flag('ran');
    const go = deferred();
    const result = t.exec(nodeOf(sshd), `touch ${ran}`, { startAfter: go.promise });
    go.reject('EBADF');
    const r = await result;
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'aborted', message: 'The command on node-1 was not started: EBADF.' });
    await pause(300);
    expect(existsSync(ran)).toBe(false);
  });

  it('aborted while it waits: aborted, nothing ran, not even after startAfter fulfils, and no process is left', async () => {
    const t = ssh();
    const ran = flag('ran');
    const go = deferred();
    const ac = new AbortController();
    const result = t.exec(nodeOf(sshd), `touch ${ran}`, { startAfter: go.promise, signal: ac.signal });
    expect(await waitUntil(() => waitingCats(sshd.pid).length === 1, 5000)).toBe(true);
    const shells = bootstrapShells(sshd.pid);
    expect(shells.length).toBeGreaterThan(0);
    ac.abort();
    const r = await result;
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'aborted' });
    expect(r.message).toBe('The command on node-1 was aborted.');
    // The write ends after all: too late, the command was given up.
    go.resolve();
    await pause(300);
    expect(existsSync(ran)).toBe(false);
    expect(await waitUntil(() => waitingCats(sshd.pid).length === 0 && bootstrapShells(sshd.pid).length === 0, 5000)).toBe(true);
    for (const pid of shells) expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  it('times out while it waits: nothing ran', async () => {
    const t = ssh();
    const ran = flag('ran');
    const go = deferred();
    const r = await t.exec(nodeOf(sshd), `touch ${ran}`, { startAfter: go.promise, timeoutMs: 600 });
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'timeout' });
    go.resolve();
    await pause(300);
    expect(existsSync(ran)).toBe(false);
  });

  it('with a terminal (the command in the command line): nothing is opened before it fulfils', async () => {
    const t = ssh();
    const ran = flag('ran');
    const go = deferred();
    const result = t.exec(nodeOf(sshd), `touch ${ran}; echo done`, { startAfter: go.promise, pty: true });
    const settled = watch(result);
    await pause(300);
    expect(existsSync(ran)).toBe(false);
    expect(settled()).toBe(false);
    // Not even a connection: the command would be on its way in the exec request.
    expect(t.stats().connections).toEqual([]);
    expect(sshd.sessionPids()).toEqual([]);
    go.resolve();
    const r = await result;
    expect(r).toMatchObject({ ok: true, exit: 0 });
    expect(r.stdout).toContain('done');
    expect(existsSync(ran)).toBe(true);
  });

  it('with a terminal, rejected: nothing is opened and the result says why', async () => {
    const t = ssh();
    const ran = flag('ran');
    const go = deferred();
    const result = t.exec(nodeOf(sshd), `touch ${ran}`, { startAfter: go.promise, pty: true });
    await pause(100);
    go.reject(new Error('EIO'));
    const r = await result;
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'aborted', message: 'The command on node-1 was not started: EIO.' });
    expect(t.stats().connections).toEqual([]);
    await pause(200);
    expect(existsSync(ran)).toBe(false);
  });

  it('with a terminal, aborted while it waits: aborted at once, and nothing runs when startAfter fulfils later', async () => {
    const t = ssh();
    const ran = flag('ran');
    const go = deferred();
    const ac = new AbortController();
    const result = t.exec(nodeOf(sshd), `touch ${ran}`, { startAfter: go.promise, pty: true, signal: ac.signal });
    const settled = watch(result);
    await pause(100);
    ac.abort();
    // An operator's abort must not wait for a journal write that may never end.
    expect(await waitUntil(settled, 2000)).toBe(true);
    const r: ExecResult = await result;
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'aborted' });
    go.resolve();
    await pause(300);
    expect(existsSync(ran)).toBe(false);
    expect(t.stats().connections).toEqual([]);
  });
});

describe('startAfter on the local transport', () => {
  it('held: no shell is started and nothing runs; once it fulfils the command runs and is ok', async () => {
    const t = local();
    const ran = flag('local-ran');
    const go = deferred();
    const result = t.exec(localNode, `touch ${ran}; echo done`, { startAfter: go.promise });
    const settled = watch(result);
    await pause(300);
    // Unlike SSH, no shell waits early here: spawning holds up this thread (docs/architecture.md).
    expect(bootstrapShells(process.pid)).toEqual([]);
    expect(existsSync(ran)).toBe(false);
    expect(settled()).toBe(false);
    go.resolve();
    const r = await result;
    expect(r).toMatchObject({ ok: true, exit: 0, stdout: 'done\n' });
    expect(existsSync(ran)).toBe(true);
  });

  it('rejected: nothing runs, the result says why, and the next command runs', async () => {
    const t = local();
    const ran = flag('local-ran');
    const go = deferred();
    const result = t.exec(localNode, `touch ${ran}`, { startAfter: go.promise });
    await pause(100);
    go.reject(new Error('the journal cannot be written: EFBIG: file too large'));
    const r = await result;
    expect(r).toMatchObject({
      ok: false,
      exit: null,
      failure: 'aborted',
      message: 'The command on local was not started: the journal cannot be written: EFBIG: file too large.',
    });
    await pause(300);
    expect(existsSync(ran)).toBe(false);
    expect(bootstrapShells(process.pid)).toEqual([]);
    expect(await t.exec(localNode, 'echo again')).toMatchObject({ ok: true, stdout: 'again\n' });
  });

  it('aborted while it waits: aborted, nothing ran, not even after startAfter fulfils, and no process is left', async () => {
    const t = local();
    const ran = flag('local-ran');
    const go = deferred();
    const ac = new AbortController();
    const result = t.exec(localNode, `touch ${ran}`, { startAfter: go.promise, signal: ac.signal });
    await pause(100);
    ac.abort();
    const r = await result;
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'aborted' });
    go.resolve();
    await pause(300);
    expect(existsSync(ran)).toBe(false);
    expect(bootstrapShells(process.pid)).toEqual([]);
  });

  it('closed while it waits: close() does not wait for a write that may never end, and nothing runs', async () => {
    const t = local();
    const ran = flag('local-ran');
    const go = deferred();
    const result = t.exec(localNode, `touch ${ran}`, { startAfter: go.promise });
    await pause(100);
    await t.close();
    expect(await result).toMatchObject({ ok: false, exit: null, failure: 'aborted' });
    go.resolve();
    await pause(300);
    expect(existsSync(ran)).toBe(false);
  });
});

describe('startAfter on the simulated cluster (its nodes are SSH servers; their shell reads its script as a real one does)', () => {
  let sim: SimCluster;
  beforeAll(async () => {
    sim = await startSimulator({ masters: 1, agents: 1, publicAgents: 0, timeScale: 200, host: '127.0.0.55', seed: 5 });
  });
  afterAll(async () => {
    await sim?.close();
  });
  const simTransport = (): SshTransport => ssh({ knownHostsFiles: [], extraKnownHosts: sim.inventory.knownHosts ?? [] });
  const master = () => sim.inventory.nodes.find((n) => n.name === 'master-1')!;

  it('held: nothing runs on the node until it fulfils; then the whole script runs', async () => {
    const t = simTransport();
    const go = deferred();
    const result = t.exec(master(), 'echo kept > ~/held-note; echo done', { startAfter: go.promise });
    const settled = watch(result);
    await pause(300);
    expect(settled()).toBe(false);
    expect((await sshRun(sim, 'master-1', 'cat ~/held-note')).exit).not.toBe(0);
    go.resolve();
    expect(await result).toMatchObject({ ok: true, exit: 0, stdout: 'done\n' });
    expect((await sshRun(sim, 'master-1', 'cat ~/held-note')).stdout).toBe('kept\n');
  });

  it('rejected: nothing runs on the node and the result says why', async () => {
    const t = simTransport();
    const go = deferred();
    const result = t.exec(master(), 'echo no > ~/rejected-note', { startAfter: go.promise });
    await pause(200);
    go.reject(new Error('EFBIG: file too large'));
    expect(await result).toMatchObject({
      ok: false,
      exit: null,
      failure: 'aborted',
      message: 'The command on master-1 was not started: EFBIG: file too large.',
    });
    expect((await sshRun(sim, 'master-1', 'cat ~/rejected-note')).exit).not.toBe(0);
  });
});
