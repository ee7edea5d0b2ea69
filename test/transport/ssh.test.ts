// The SSH transport against real OpenSSH servers on loopback addresses.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryNode } from '../../src/inventory/types.js';
import { createSshTransport, parseJumpSpec, type SshEvent, type SshTransport, type SshTransportOptions } from '../../src/transport/ssh.js';
import { planLogin } from '../../src/transport/ssh-auth.js';
import type { OutputLine } from '../../src/transport/types.js';
import { processesWith, sleepMarkers, waitUntil } from '../helpers/real-shell.js';
import { SSH_KEYGEN, makeKey, sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';

const run = promisify(execFile);
const missing = sshdMissing();

let dir: string;
let sshd: Sshd;
let knownHosts: string;
const transports: SshTransport[] = [];

/** Remote sleeps of unique durations, found and killed after each test. */
const { next: newMarker, killAll: killSleeps } = sleepMarkers(200);

function nodeOf(server: Sshd, name = 'node-1', extra: Partial<InventoryNode> = {}): InventoryNode {
  return {
    name,
    address: server.host,
    ip: server.host,
    port: server.port,
    user: server.user,
    identityFile: server.clientKey.privateKeyPath,
    roles: [],
    vars: {},
    ...extra,
  };
}

function transport(options: SshTransportOptions = {}): SshTransport {
  const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000, ...options });
  transports.push(t);
  return t;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-ssh-test-'));
  if (missing) return;
  sshd = await startSshd();
  knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, sshd.knownHostsLine() + '\n');
});

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  killSleeps();
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Data segments sent so far by every established TCP connection to host:port (ss -i). */
async function dataSegmentsTo(host: string, port: number): Promise<number> {
  const { stdout } = await run('ss', ['-tinH', 'state', 'established', 'dst', `${host}:${port}`]);
  return [...stdout.matchAll(/data_segs_out:(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0);
}

describe('jump specifications', () => {
  it.each([
    ['core@bastion:2222', { user: 'core', host: 'bastion', port: 2222 }],
    ['bastion', { host: 'bastion' }],
    ['10.0.0.1:22', { host: '10.0.0.1', port: 22 }],
    ['ops@[::1]:2200', { user: 'ops', host: '::1', port: 2200 }],
  ])('reads %s', (spec, want) => {
    expect(parseJumpSpec(spec)).toEqual(want);
  });
  it.each(['', 'a b', 'host:99999', 'user@'])('refuses %j', (spec) => {
    expect(parseJumpSpec(spec)).toBeUndefined();
  });
});

describe.skipIf(missing)(`SSH transport against a real sshd${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it.each([0, 1, 42])('reports exit status %i as data', async (code) => {
    const r = await transport().exec(nodeOf(sshd), `exit ${code}`);
    expect(r).toMatchObject({ exit: code, ok: code === 0 });
    expect(r.failure).toBeUndefined();
  });

  it('separates stdout and stderr', async () => {
    const lines: OutputLine[] = [];
    const r = await transport().exec(nodeOf(sshd), 'echo out; echo err >&2; echo out2', { onOutput: (l) => lines.push(l) });
    expect(r.stdout).toBe('out\nout2\n');
    expect(r.stderr).toBe('err\n');
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(['err']);
  });

  it('passes the command as given to the remote shell', async () => {
    const r = await transport().exec(nodeOf(sshd), `printf '%s|' "a b" 'c' $((6*7)); echo`);
    expect(r.stdout).toBe('a b|c|42|\n');
  });

  it('gives the command no input', async () => {
    const r = await transport().exec(nodeOf(sshd), 'cat; echo done');
    expect(r.stdout).toBe('done\n');
  });

  it('streams lines before the command ends', async () => {
    const seen: { text: string; at: number }[] = [];
    const start = Date.now();
    const r = await transport().exec(nodeOf(sshd), 'echo first; sleep 0.8; echo second', {
      onOutput: (l) => seen.push({ text: l.text, at: Date.now() - start }),
    });
    expect(r.ok).toBe(true);
    expect(seen.map((s) => s.text)).toEqual(['first', 'second']);
    expect(seen[0]!.at).toBeLessThan(seen[1]!.at - 500);
  });

  it('sanitises escape sequences in remote output', async () => {
    const lines: OutputLine[] = [];
    const r = await transport().exec(
      nodeOf(sshd),
      `printf '\\033]52;c;cm0gLXJmIH4K\\007\\033[1;32mok\\033[0m \\033[6n\\033[?1049h\\302\\2336nend\\033c\\n'`,
      { onOutput: (l) => lines.push(l) },
    );
    expect(r.stdout).toBe('ok end\n');
    expect(lines[0]).toEqual({
      stream: 'stdout',
      text: 'ok end',
      segments: [
        { text: 'ok', style: { bold: true, fg: 2 } },
        { text: ' end', style: {} },
      ],
    });
  });

  it('stops a command that hangs, and the remote process is gone afterwards', async () => {
    const marker = newMarker();
    const t0 = Date.now();
    // Not the last command of the shell, so the shell forks sleep instead of exec-ing it.
    const r = await transport().exec(nodeOf(sshd), `sleep ${marker} & sleep ${marker}; echo never`, { timeoutMs: 700 });
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'timeout' });
    expect(r.message).toContain('node-1');
    expect(r.stdout).toBe('');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 0, 5000)).toBe(true);
  });

  it('stops a command on abort, and the remote process is gone afterwards', async () => {
    const marker = newMarker();
    const ac = new AbortController();
    const t = transport();
    const p = t.exec(nodeOf(sshd), `sleep ${marker}; echo never`, { signal: ac.signal });
    expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 1, 5000)).toBe(true);
    ac.abort();
    const r = await p;
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'aborted' });
    expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 0, 5000)).toBe(true);
    // The connection is still good for the next command.
    expect((await t.exec(nodeOf(sshd), 'echo again')).stdout).toBe('again\n');
  });

  it('aborts a command that has not started yet', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await transport().exec(nodeOf(sshd), `touch ${join(dir, 'never')}`, { signal: ac.signal });
    expect(r.failure).toBe('aborted');
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });

  it('reports a connection killed mid-command as connection-lost, never ok, then reconnects', async () => {
    const own = await startSshd({ host: '127.0.0.4', authorizedKeys: [sshd.clientKey] });
    try {
      const events: SshEvent[] = [];
      const t = transport({ knownHostsFiles: [own.writeKnownHosts()], onEvent: (e) => events.push(e) });
      const marker = newMarker();
      const node = nodeOf(own);
      const p = t.exec(node, `echo started; sleep ${marker}; echo finished`);
      expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 1, 5000)).toBe(true);
      expect(own.sessionPids().length).toBe(1);
      for (const pid of own.connectionPids()) process.kill(pid, 'SIGKILL');
      const r = await p;
      expect(r.ok).toBe(false);
      expect(r.exit).toBeNull();
      expect(r.failure).toBe('connection-lost');
      expect(r.message).toContain('connection lost while running the command; its outcome is unknown');
      expect(r.stdout).toBe('started\n');
      // The next command gets a new connection.
      const again = await t.exec(node, 'echo back');
      expect(again.stdout).toBe('back\n');
      expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected', 'reconnecting', 'connected']);
    } finally {
      await own.stop();
    }
  });

  it('is not ok when the exit status came but the connection dropped before the end of the output', async () => {
    // The shell exits 0 while a job it left behind still holds its output open: sshd sends the
    // exit status at once, the rest of the output (and its end) would come later.
    const own = await startSshd({ host: '127.0.0.9', authorizedKeys: [sshd.clientKey] });
    try {
      const t = transport({ knownHostsFiles: [own.writeKnownHosts()] });
      const marker = newMarker();
      let exited = false;
      const p = t.exec(nodeOf(own), `echo first; (sleep ${marker}; echo rest) & exit 0`);
      expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 1, 5000)).toBe(true);
      // Long enough for the exit status to arrive; the command is still running (the sleep).
      await new Promise((r) => setTimeout(r, 500));
      void p.then(() => (exited = true));
      await new Promise((r) => setTimeout(r, 50));
      expect(exited).toBe(false);
      for (const pid of own.connectionPids()) process.kill(pid, 'SIGKILL');
      const r = await p;
      expect(r.stdout).toBe('first\n');
      expect(r.ok).toBe(false);
      expect(r.failure).toBe('connection-lost');
    } finally {
      await own.stop();
    }
  });

  it('reports a server that went away before the command as connect-failed', async () => {
    const own = await startSshd({ host: '127.0.0.5', authorizedKeys: [sshd.clientKey] });
    const t = transport({ knownHostsFiles: [own.writeKnownHosts()] });
    expect((await t.exec(nodeOf(own), 'true')).ok).toBe(true);
    const port = own.port;
    await own.stop();
    const r = await t.exec(nodeOf(own), 'true');
    expect(r.ok).toBe(false);
    expect(r.failure).toBe('connect-failed');
    expect(r.message).toContain(`port ${port}`);
    expect(r.message).toContain('connection refused');
  });

  // The TCP connection is opened before the identity file and known hosts are read; whatever
  // happens to it before the SSH client takes it over must still end the attempt with a sentence.
  describe('a connection opened before the keys are read', () => {
    /** A plain TCP server on 127.0.0.56 doing `onSocket` with each connection; its connections are counted. */
    async function tcpServer(
      onSocket: (s: Socket) => void,
    ): Promise<{ port: number; seen: () => number; open: () => number; close: () => Promise<void> }> {
      const sockets = new Set<Socket>();
      let seen = 0;
      const server = createServer((s) => {
        seen += 1;
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
        onSocket(s);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.56', resolve));
      return {
        port: (server.address() as AddressInfo).port,
        seen: () => seen,
        open: () => sockets.size,
        close: () =>
          new Promise<void>((resolve) => {
            for (const s of sockets) s.destroy();
            server.close(() => resolve());
          }),
      };
    }
    const tcpNode = (port: number, extra: Partial<InventoryNode> = {}): InventoryNode => ({
      ...nodeOf(sshd, 'early-1', extra),
      address: '127.0.0.56',
      ip: '127.0.0.56',
      port,
      ...extra,
    });

    it('a server that hangs up at once is reported, not waited for', async () => {
      const server = await tcpServer((s) => s.destroy());
      try {
        const started = performance.now();
        // A long handshake limit: only a missed close would take it.
        const r = await transport({ connectTimeoutMs: 60_000 }).exec(tcpNode(server.port), 'true');
        expect(r).toMatchObject({ ok: false, failure: 'connect-failed' });
        expect(r.message).toMatch(/closed the connection during the handshake|ECONNRESET|reset/);
        expect(performance.now() - started).toBeLessThan(5000);
      } finally {
        await server.close();
      }
    });

    it('a server that talks nonsense and hangs up is reported, not waited for', async () => {
      const server = await tcpServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
      try {
        const started = performance.now();
        const r = await transport({ connectTimeoutMs: 60_000 }).exec(tcpNode(server.port), 'true');
        expect(r).toMatchObject({ ok: false, failure: 'connect-failed' });
        expect(performance.now() - started).toBeLessThan(5000);
      } finally {
        await server.close();
      }
    });

    it('an identity file that cannot be read closes the connection already opened', async () => {
      // The server answers nothing: the client has sent only its TCP handshake when the key fails.
      const server = await tcpServer(() => undefined);
      try {
        const r = await transport().exec(tcpNode(server.port, { identityFile: join(dir, 'no-such-key') }), 'true');
        expect(r).toMatchObject({ ok: false, failure: 'auth-failed' });
        expect(r.message).toContain('no-such-key: it does not exist');
        // Left open, the server would hold it until the transport closes.
        expect(await waitUntil(() => server.seen() === 1 && server.open() === 0, 3000)).toBe(true);
      } finally {
        await server.close();
      }
    });
  });

  it('refuses an unknown host key, showing its fingerprint and how to add it', async () => {
    const empty = join(dir, 'empty_known_hosts');
    writeFileSync(empty, '');
    const flag = join(dir, 'ran-unknown');
    const r = await transport({ knownHostsFiles: [empty] }).exec(nodeOf(sshd), `touch ${flag}`);
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'host-key-unknown' });
    expect(r.message).toContain(sshd.hostKeys[0]!.fingerprint);
    expect(r.message).toMatch(/SHA256:[A-Za-z0-9+/]{43}(?!=)/);
    expect(r.message).toContain(`ssh-keyscan -p ${sshd.port} -t ssh-ed25519 ${sshd.host} >> ${empty}`);
    expect(r.message).toContain('--accept-new-host-keys');
    expect(r.message).toContain('node-1');
    expect(existsSync(flag)).toBe(false);
  });

  it('refuses a changed host key loudly, naming the file and line of the old key', async () => {
    const other = await makeKey(dir, 'impostor');
    const file = join(dir, 'changed_known_hosts');
    writeFileSync(file, `# old entry\n[${sshd.host}]:${sshd.port} ${other.publicKey}\n`);
    const flag = join(dir, 'ran-changed');
    const r = await transport({ knownHostsFiles: [file], acceptNewHostKeys: true }).exec(nodeOf(sshd), `touch ${flag}`);
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'host-key-changed' });
    expect(r.message).toContain('HAS CHANGED');
    expect(r.message).toContain('Someone may be doing something nasty');
    expect(r.message).toContain(`${file} line 2`);
    expect(r.message).toContain(other.fingerprint);
    expect(r.message).toContain(sshd.hostKeys[0]!.fingerprint);
    expect(existsSync(flag)).toBe(false);
    // accept-new did not touch the file.
    expect(readFileSync(file, 'utf8')).not.toContain(sshd.hostKeys[0]!.publicKey);
  });

  it('accepts a new host key when asked, writes it, and the next connection trusts it', async () => {
    const file = join(dir, 'new', 'known_hosts');
    const events: SshEvent[] = [];
    const r = await transport({ knownHostsFiles: [file], acceptNewHostKeys: true, onEvent: (e) => events.push(e) }).exec(
      nodeOf(sshd),
      'echo hi',
    );
    expect(r.stdout).toBe('hi\n');
    expect(readFileSync(file, 'utf8')).toBe(`[${sshd.host}]:${sshd.port} ${sshd.hostKeys[0]!.publicKey}\n`);
    expect(events).toContainEqual({
      type: 'host-key-accepted',
      node: 'node-1',
      host: sshd.host,
      port: sshd.port,
      name: `[${sshd.host}]:${sshd.port}`,
      keyType: 'ssh-ed25519',
      fingerprint: sshd.hostKeys[0]!.fingerprint,
      file,
    });
    const again = await transport({ knownHostsFiles: [file] }).exec(nodeOf(sshd), 'echo again');
    expect(again.stdout).toBe('again\n');
  });

  it('trusts a hashed known_hosts entry', async () => {
    const file = join(dir, 'hashed_known_hosts');
    writeFileSync(file, sshd.knownHostsLine() + '\n');
    await run(SSH_KEYGEN, ['-H', '-f', file]);
    expect(readFileSync(file, 'utf8')).toMatch(/^\|1\|/);
    const r = await transport({ knownHostsFiles: [file] }).exec(nodeOf(sshd), 'echo hashed');
    expect(r.stdout).toBe('hashed\n');
  });

  it('looks up the hostKeyAlias instead of the address', async () => {
    const file = join(dir, 'alias_known_hosts');
    writeFileSync(file, sshd.knownHostsLine('master-1') + '\n');
    const t = transport({ knownHostsFiles: [file] });
    expect((await t.exec(nodeOf(sshd, 'm1', { hostKeyAlias: 'master-1' }), 'echo alias')).stdout).toBe('alias\n');
    const without = await t.exec(nodeOf(sshd, 'm1-no-alias'), 'true');
    expect(without.failure).toBe('host-key-unknown');
    expect(without.message).toContain('m1-no-alias');
  });

  it('checks supplied known_hosts lines too', async () => {
    const empty = join(dir, 'none_known_hosts');
    const r = await transport({ knownHostsFiles: [empty], extraKnownHosts: [sshd.knownHostsLine()] }).exec(nodeOf(sshd), 'echo sim');
    expect(r.stdout).toBe('sim\n');
  });

  it('refuses a revoked host key', async () => {
    const file = join(dir, 'revoked_known_hosts');
    writeFileSync(file, `${sshd.knownHostsLine()}\n@revoked * ${sshd.hostKeys[0]!.publicKey}\n`);
    const r = await transport({ knownHostsFiles: [file] }).exec(nodeOf(sshd), 'true');
    expect(r.failure).toBe('host-key-changed');
    expect(r.message).toContain('@revoked');
    expect(r.message).toContain(`${file} line 2`);
  });

  it('refuses a host vouched for only by a @cert-authority line, saying certificates are not supported', async () => {
    const ca = await makeKey(dir, 'ca');
    const file = join(dir, 'ca_known_hosts');
    writeFileSync(file, `@cert-authority [127.0.0.*]:* ${ca.publicKey}\n`);
    const r = await transport({ knownHostsFiles: [file] }).exec(nodeOf(sshd), 'true');
    expect(r.failure).toBe('host-key-unknown');
    expect(r.message).toContain('cannot check host certificates yet');
  });

  it('refuses a client key the server does not know, naming user@host and the methods tried', async () => {
    const stranger = await makeKey(dir, 'stranger');
    const r = await transport().exec(nodeOf(sshd, 'node-1', { identityFile: stranger.privateKeyPath }), 'true');
    expect(r).toMatchObject({ ok: false, exit: null, failure: 'auth-failed' });
    expect(r.message).toContain(`${sshd.user}@${sshd.host} port ${sshd.port}`);
    expect(r.message).toContain(`public key ${stranger.privateKeyPath}`);
    expect(r.message).not.toContain('PRIVATE KEY');
  });

  it('parses an identity file once for many connections, and sees it replaced between two of them', async () => {
    const file = join(dir, 'swapped_identity');
    const stranger = await makeKey(dir, 'stranger-2');
    writeFileSync(file, readFileSync(sshd.clientKey.privateKeyPath), { mode: 0o600 });
    const a = await planLogin([file], true, undefined);
    const b = await planLogin([file], true, undefined);
    expect('methods' in a && 'methods' in b && a.methods[0]!.type === 'publickey' && b.methods[0]!.type === 'publickey').toBe(true);
    if (!('methods' in a) || !('methods' in b) || a.methods[0]?.type !== 'publickey' || b.methods[0]?.type !== 'publickey') return;
    expect(b.methods[0].key).toBe(a.methods[0].key);
    const t = transport();
    expect((await t.exec(nodeOf(sshd, 'swap-1', { identityFile: file }), 'echo in')).stdout).toBe('in\n');
    // A colleague puts another key in the same file: the next connection logs in with that one.
    writeFileSync(file, readFileSync(stranger.privateKeyPath), { mode: 0o600 });
    const r = await t.exec(nodeOf(sshd, 'swap-2', { identityFile: file }), 'true');
    expect(r).toMatchObject({ ok: false, failure: 'auth-failed' });
    writeFileSync(file, readFileSync(sshd.clientKey.privateKeyPath), { mode: 0o600 });
    expect((await t.exec(nodeOf(sshd, 'swap-3', { identityFile: file }), 'echo back')).stdout).toBe('back\n');
  });

  it('explains that a passphrase-protected key cannot be used yet', async () => {
    const locked = await makeKey(dir, 'locked', 'ed25519', 'correct horse');
    const r = await transport().exec(nodeOf(sshd, 'node-1', { identityFile: locked.privateKeyPath }), 'true');
    expect(r.failure).toBe('auth-failed');
    expect(r.message).toContain(locked.privateKeyPath);
    expect(r.message).toContain('passphrase');
    expect(r.message).toContain('ssh-agent');
    expect(r.message).not.toContain('correct horse');
  });

  it('names a missing identity file', async () => {
    const r = await transport().exec(nodeOf(sshd, 'node-1', { identityFile: join(dir, 'nope') }), 'true');
    expect(r.failure).toBe('auth-failed');
    expect(r.message).toContain(`${join(dir, 'nope')}: it does not exist`);
  });

  it('logs in through ssh-agent when the identity file is refused', async () => {
    const agentDir = mkdtempSync(join(dir, 'agent-'));
    const sock = join(agentDir, 'agent.sock');
    const { stdout } = await run('/usr/bin/ssh-agent', ['-a', sock, '-s']);
    const pid = Number(/SSH_AGENT_PID=(\d+)/.exec(stdout)?.[1]);
    try {
      await run('/usr/bin/ssh-add', [sshd.clientKey.privateKeyPath], { env: { SSH_AUTH_SOCK: sock } });
      const stranger = await makeKey(dir, 'stranger2');
      const t = transport({ agent: sock });
      const r = await t.exec(nodeOf(sshd, 'node-1', { identityFile: stranger.privateKeyPath }), 'echo via agent');
      expect(r.stdout).toBe('via agent\n');
    } finally {
      if (pid) process.kill(pid, 'SIGTERM');
    }
  });

  it('sends each burst of packets in one TCP segment: about 3 per command, not 5', async () => {
    // Counted by the kernel (ss -i, data segments our sockets to this sshd sent), not by a spy:
    // TCP_NODELAY makes every write its own segment, so this is the number of writes that left.
    const t = transport();
    const node = nodeOf(sshd, 'counted');
    expect(await t.connect(node)).toEqual({ ok: true });
    const before = await dataSegmentsTo(sshd.host, sshd.port);
    const commands = 20;
    for (let i = 0; i < commands; i++) expect((await t.exec(node, `echo ${i}`)).stdout).toBe(`${i}\n`);
    const perCommand = ((await dataSegmentsTo(sshd.host, sshd.port)) - before) / commands;
    // Channel open, exec request, script + EOF, close (+ the next open): one packet each was 5.
    expect(perCommand).toBeGreaterThanOrEqual(2.5);
    expect(perCommand).toBeLessThanOrEqual(3.5);
  });

  it('delivers a script larger than the window and a packet, in order, while writes are gathered', async () => {
    const filler = Array.from({ length: 40_000 }, (_, i) => `: line ${i} ${'x'.repeat(60)}`).join('\n');
    const script = `${filler}\necho "$(printf '%s\\n' one two | wc -l) lines, last"`;
    expect(script.length).toBeGreaterThan(2 * 1024 * 1024);
    const r = await transport().exec(nodeOf(sshd), script, { timeoutMs: 60_000 });
    expect(r).toMatchObject({ ok: true, stdout: '2 lines, last\n' });
  });

  it('runs 50 commands over one connection with at most 8 channels open', async () => {
    const t = transport();
    const log = join(dir, 'overlap.log');
    writeFileSync(log, '');
    const node = nodeOf(sshd, 'busy');
    const cmd = `echo "$(date +%s%N) 1" >> ${log}; sleep 0.2; echo "$(date +%s%N) -1" >> ${log}; echo $$`;
    const results = await Promise.all(Array.from({ length: 50 }, () => t.exec(node, cmd)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => r.stdout)).size).toBe(50);
    // From the server's side: never more than 8 commands running at once, and 8 were.
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ').map(Number) as [number, number])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    let now = 0;
    let most = 0;
    for (const [, d] of events) {
      now += d;
      most = Math.max(most, now);
    }
    expect(events.length).toBe(100);
    expect(most).toBeLessThanOrEqual(8);
    expect(most).toBeGreaterThanOrEqual(6);
    const stats = t.stats().connections;
    expect(stats).toHaveLength(1);
    expect(stats[0]!.highWater).toBe(8);
  });

  it('retries a refused channel open until the server has room', async () => {
    const own = await startSshd({ host: '127.0.0.6', authorizedKeys: [sshd.clientKey], maxSessions: 2 });
    try {
      const t = transport({ knownHostsFiles: [own.writeKnownHosts()] });
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => t.exec(nodeOf(own), `sleep 0.3; echo ${i}`)));
      expect(results.map((r) => r.stdout)).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n', '5\n']);
      expect(own.log()).toMatch(/no more sessions|session open refused|open failed/i);
    } finally {
      await own.stop();
    }
  });

  it('connects ahead of time without running anything, and reuses that connection', async () => {
    const t = transport();
    expect(await t.connect(nodeOf(sshd, 'early'))).toEqual({ ok: true });
    expect(t.stats().connections).toMatchObject([{ key: 'node:early', state: 'ready', channels: 0 }]);
    expect((await t.exec(nodeOf(sshd, 'early'), 'echo reused')).stdout).toBe('reused\n');
    expect(t.stats().connections).toHaveLength(1);
    const unknown = await transport({ knownHostsFiles: [join(dir, 'nothing-known')] }).connect(nodeOf(sshd, 'early'));
    expect(unknown).toMatchObject({ ok: false, failure: 'host-key-unknown' });
  });

  it('asks for the host key type that known_hosts has, when the server has several', async () => {
    const own = await startSshd({ host: '127.0.0.7', hostKeyTypes: ['ed25519', 'rsa'], authorizedKeys: [sshd.clientKey] });
    try {
      const rsaOnly = own.writeKnownHosts([own.knownHostsLine(undefined, own.hostKeys[1])], 'rsa_known_hosts');
      const r = await transport({ knownHostsFiles: [rsaOnly] }).exec(nodeOf(own), 'echo rsa');
      expect(r.stdout).toBe('rsa\n');
    } finally {
      await own.stop();
    }
  });

  it('gives up on a server that never completes the handshake, within the connect timeout', async () => {
    const { createServer } = await import('node:net');
    const sockets: import('node:net').Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as import('node:net').AddressInfo).port;
    try {
      const t0 = Date.now();
      const r = await transport({ connectTimeoutMs: 500 }).exec(nodeOf(sshd, 'mute', { port }), 'true');
      expect(r.failure).toBe('connect-failed');
      expect(r.message).toContain('did not complete the SSH connection within 500 ms');
      expect(Date.now() - t0).toBeLessThan(3000);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('notices a connection that went silent through keepalives', async () => {
    const own = await startSshd({ host: '127.0.0.8', authorizedKeys: [sshd.clientKey] });
    const sessions: number[] = [];
    try {
      const t = transport({ knownHostsFiles: [own.writeKnownHosts()], keepaliveIntervalMs: 200, keepaliveCountMax: 2 });
      const marker = newMarker();
      const p = t.exec(nodeOf(own), `sleep ${marker}`);
      expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 1, 5000)).toBe(true);
      // A stopped sshd answers nothing, like a host cut off by the network.
      sessions.push(...own.connectionPids());
      for (const pid of sessions) process.kill(pid, 'SIGSTOP');
      const t0 = Date.now();
      const r = await p;
      expect(r.failure).toBe('connection-lost');
      expect(r.ok).toBe(false);
      expect(Date.now() - t0).toBeLessThan(5000);
    } finally {
      for (const pid of sessions) process.kill(pid, 'SIGCONT');
      await own.stop();
    }
  });

  it('aborts a command still waiting for a free channel, without running it', async () => {
    const t = transport({ maxChannelsPerConnection: 1 });
    const flag = join(dir, 'queued-ran');
    const first = t.exec(nodeOf(sshd, 'one-channel'), 'sleep 0.5');
    const ac = new AbortController();
    const second = t.exec(nodeOf(sshd, 'one-channel'), `touch ${flag}`, { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    expect((await second).failure).toBe('aborted');
    expect((await first).ok).toBe(true);
    expect(existsSync(flag)).toBe(false);
  });

  it('close() ends running commands as aborted', async () => {
    const t = transport();
    const marker = newMarker();
    const p = t.exec(nodeOf(sshd), `sleep ${marker}; echo never`);
    expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 1, 5000)).toBe(true);
    await t.close();
    expect((await p).failure).toBe('aborted');
    expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 0, 5000)).toBe(true);
  });

  it('caps the output it keeps', async () => {
    const r = await transport({ output: { maxChars: 1000 } }).exec(nodeOf(sshd), 'seq 1 100000');
    expect(r.ok).toBe(true);
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBe(1000);
    expect(r.stdout.endsWith('99999\n100000\n')).toBe(true);
  });

  // sshd can hand a terminal to the user only when it runs as root.
  it.skipIf(process.getuid?.() !== 0)('allocates a terminal only when asked', async () => {
    const t = transport();
    expect((await t.exec(nodeOf(sshd), 'tty')).stdout).toBe('not a tty\n');
    expect((await t.exec(nodeOf(sshd), 'tty', { pty: true })).stdout).toMatch(/^\/dev\/pts\/\d+\n$/);
  });

  describe('through a jump host', () => {
    let target: Sshd;
    beforeAll(async () => {
      target = await startSshd({ host: '127.0.0.2', authorizedKeys: [sshd.clientKey] });
    });
    afterAll(async () => {
      await target?.stop();
    });

    it('connects to the second server through the first, checking both host keys', async () => {
      const file = join(dir, 'jump_known_hosts');
      writeFileSync(file, `${sshd.knownHostsLine()}\n${target.knownHostsLine()}\n`);
      const events: SshEvent[] = [];
      const t = transport({ knownHostsFiles: [file], onEvent: (e) => events.push(e) });
      const node = nodeOf(target, 'inner', { jump: `${sshd.user}@${sshd.host}:${sshd.port}` });
      const r = await t.exec(node, 'echo "$SSH_CONNECTION"');
      expect(r.ok).toBe(true);
      expect(r.stdout).toContain(`127.0.0.2 ${target.port}`);
      expect(sshd.sessionPids().length).toBe(1);
      expect(
        t
          .stats()
          .connections.map((c) => c.key)
          .sort(),
      ).toEqual([`jump:${sshd.user}@${sshd.host}:${sshd.port}`, 'node:inner']);
      expect(events.find((e) => e.type === 'connected' && e.node === 'inner')).toMatchObject({ via: expect.stringContaining('jump host') });
    });

    it('resolves a jump host named by another node', async () => {
      const file = join(dir, 'jump_known_hosts2');
      writeFileSync(file, `${sshd.knownHostsLine()}\n${target.knownHostsLine()}\n`);
      const bastion = nodeOf(sshd, 'bastion');
      const t = transport({ knownHostsFiles: [file], resolveJump: (name) => (name === 'bastion' ? bastion : undefined) });
      const r = await t.exec(nodeOf(target, 'inner', { jump: 'bastion' }), 'echo through bastion');
      expect(r.stdout).toBe('through bastion\n');
      // The jump connection is the bastion node's own, reused for commands on it.
      expect((await t.exec(bastion, 'echo on bastion')).stdout).toBe('on bastion\n');
      expect(
        t
          .stats()
          .connections.map((c) => c.key)
          .sort(),
      ).toEqual(['node:bastion', 'node:inner']);
    });

    it("refuses when the jump host's key is unknown", async () => {
      const file = join(dir, 'jump_known_hosts3');
      writeFileSync(file, `${target.knownHostsLine()}\n`);
      const r = await transport({ knownHostsFiles: [file] }).exec(
        nodeOf(target, 'inner', { jump: `${sshd.user}@${sshd.host}:${sshd.port}` }),
        'true',
      );
      expect(r.failure).toBe('host-key-unknown');
      expect(r.message).toContain('jump host');
      expect(r.message).toContain(sshd.hostKeys[0]!.fingerprint);
    });

    it('fails when the jump host is down, though the target is up', async () => {
      const file = join(dir, 'jump_known_hosts4');
      writeFileSync(file, `${target.knownHostsLine()}\n`);
      const t = transport({ knownHostsFiles: [file] });
      expect((await t.exec(nodeOf(target, 'direct'), 'true')).ok).toBe(true);
      const r = await t.exec(nodeOf(target, 'inner', { jump: `${sshd.user}@127.0.0.1:1` }), 'true');
      expect(r.failure).toBe('connect-failed');
      expect(r.message).toContain('jump host');
    });
  });
});
