// A real OpenSSH server on a loopback address, for integration tests: its own host keys, one
// authorised client key, config, pid file and logs in a temp directory. Works as root (creates
// the privilege separation directory if it is missing) and as an ordinary user (then it can only
// log in as that user, which is who the tests connect as).
//
//   const sshd = await startSshd();
//   ... connect to sshd.host:sshd.port as sshd.user with sshd.clientKey.privateKeyPath,
//       trusting sshd.knownHostsLine() ...
//   await sshd.stop();

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SSHD = '/usr/sbin/sshd';
export const SSH_KEYGEN = '/usr/bin/ssh-keygen';

export type KeyType = 'ed25519' | 'ecdsa' | 'rsa';

/** A key pair made with ssh-keygen. */
export interface KeyPair {
  privateKeyPath: string;
  /** "ssh-ed25519 AAAA..." without a comment. */
  publicKey: string;
  type: string;
  /** OpenSSH's SHA256:... form. */
  fingerprint: string;
}

export interface SshdOptions {
  /** A loopback address; 127.0.0.2 and up work on Linux without setup. Default 127.0.0.1. */
  host?: string;
  /** Host key types, in order. Default ['ed25519']. */
  hostKeyTypes?: KeyType[];
  /** Client keys allowed to log in. Default: one new ed25519 key. */
  authorizedKeys?: KeyPair[];
  /** sshd's MaxSessions (channels per connection). Default 64. */
  maxSessions?: number;
  /** sshd's MaxStartups (unauthenticated connections at once). Default "1000:30:2000". */
  maxStartups?: string;
  /** More sshd_config lines; they come first, so they win over the fixture's own. */
  extraConfig?: string[];
  /** Where to put the files; default a new temp directory, removed by stop(). */
  dir?: string;
}

export interface Sshd {
  host: string;
  port: number;
  /** The user the tests log in as (the current user). */
  user: string;
  dir: string;
  pid: number;
  /** The first authorised client key. */
  clientKey: KeyPair;
  hostKeys: KeyPair[];
  /** A known_hosts line for this server, for `name` (default `[host]:port`) and one host key. */
  knownHostsLine(name?: string, key?: KeyPair): string;
  /** Writes a known_hosts file holding `lines` (default: this server's line); returns its path. */
  writeKnownHosts(lines?: string[], name?: string): string;
  /** The per-connection sshd processes, one per open connection (children of the listener). */
  sessionPids(): number[];
  /**
   * Every sshd process serving a connection (with privilege separation a connection has two).
   * SIGKILL them all to drop every connection as a crash would, leaving the commands running;
   * SIGSTOP them to make the server go silent.
   */
  connectionPids(): number[];
  /** The server's log so far (sshd -e). */
  log(): string;
  stop(): Promise<void>;
}

/** Why the sshd tests cannot run here, or undefined when they can. */
export function sshdMissing(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is not installed (install openssh-server to run the SSH integration tests)`;
  if (!existsSync(SSH_KEYGEN)) return `${SSH_KEYGEN} is not installed (install openssh-client)`;
  return undefined;
}

/** Makes a key pair in `dir` with ssh-keygen. */
export async function makeKey(dir: string, name: string, type: KeyType = 'ed25519', passphrase = ''): Promise<KeyPair> {
  const path = join(dir, name);
  const args = ['-q', '-t', type, '-N', passphrase, '-C', '', '-f', path];
  if (type === 'rsa') args.push('-b', '2048');
  await run(SSH_KEYGEN, args);
  const [keyType, blob] = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/);
  if (!keyType || !blob) throw new Error(`ssh-keygen wrote an unexpected public key to ${path}.pub`);
  return { privateKeyPath: path, publicKey: `${keyType} ${blob}`, type: keyType, fingerprint: fingerprintOf(blob) };
}

/** SHA256:... of a base64 key blob, as ssh-keygen -l prints it. */
export function fingerprintOf(base64Blob: string): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(base64Blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** A port on `host` that nothing listens on (the kernel picked it, then it was let go). */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

let versionCache: [number, number] | undefined;
async function sshdVersion(): Promise<[number, number]> {
  if (versionCache) return versionCache;
  // sshd has no version flag: an unknown option makes it print its version in the usage text.
  const out = await run(SSHD, ['-V']).then(
    (r) => r.stdout + r.stderr,
    (e: { stdout?: string; stderr?: string }) => `${e.stdout ?? ''}${e.stderr ?? ''}`,
  );
  const m = /OpenSSH_(\d+)\.(\d+)/.exec(out);
  versionCache = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  return versionCache;
}

export function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in field 2 may hold spaces and parentheses: read after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch {
      // Exited meanwhile.
    }
  }
  return kids;
}

/** A process's command name (/proc/PID/comm), or '' once it is gone. */
export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Every process below `pid` (children, their children, ...), read from /proc. */
export function descendantsOf(pid: number): number[] {
  const all: number[] = [];
  const queue = [pid];
  while (queue.length) {
    for (const kid of childrenOf(queue.shift()!)) {
      all.push(kid);
      queue.push(kid);
    }
  }
  return all;
}

async function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const missing = sshdMissing();
  if (missing) throw new Error(missing);
  const host = options.host ?? '127.0.0.1';
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'runbook-sshd-'));
  const ownsDir = options.dir === undefined;
  const user = userInfo().username;
  try {
    const hostKeys: KeyPair[] = [];
    for (const type of options.hostKeyTypes ?? ['ed25519']) hostKeys.push(await makeKey(dir, `host_${type}`, type));
    const authorized = options.authorizedKeys ?? [await makeKey(dir, 'client_ed25519')];
    const clientKey = authorized[0];
    if (!clientKey) throw new Error('startSshd needs at least one authorised key');
    writeFileSync(join(dir, 'authorized_keys'), authorized.map((k) => k.publicKey).join('\n') + '\n', { mode: 0o600 });

    const [major, minor] = await sshdVersion();
    for (let attempt = 1; ; attempt++) {
      const port = await freePort(host);
      const config = [
        // sshd takes the first value it reads for most keywords: let the caller's lines win.
        ...(options.extraConfig ?? []),
        `ListenAddress ${host}:${port}`,
        ...hostKeys.map((k) => `HostKey ${k.privateKeyPath}`),
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'UsePAM no',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin prohibit-password',
        'AllowTcpForwarding yes',
        'PrintMotd no',
        'PrintLastLog no',
        'LogLevel INFO',
        `MaxSessions ${options.maxSessions ?? 64}`,
        `MaxStartups ${options.maxStartups ?? '1000:30:2000'}`,
        'MaxAuthTries 20',
        'LoginGraceTime 30',
        // bash sources ~/.bashrc for commands run over SSH unless SHLVL says it is nested;
        // a developer's interactive set-up there (pyenv, ...) would slow every session down.
        'SetEnv SHLVL=1',
        // Penalties for failed logins (OpenSSH 9.8+) would make later tests flaky.
        ...(major > 9 || (major === 9 && minor >= 8) ? ['PerSourcePenalties no'] : []),
      ];
      const configPath = join(dir, 'sshd_config');
      writeFileSync(configPath, config.join('\n') + '\n');

      const logLines: string[] = [];
      // -r: no re-exec per connection, which makes connecting cheaper (gone in OpenSSH 9.8).
      const noReexec = major < 9 || (major === 9 && minor < 8) ? ['-r'] : [];
      const child = spawn(SSHD, ['-D', '-e', ...noReexec, '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      const ready = await new Promise<{ ok: true } | { ok: false; why: string }>((resolve) => {
        let buf = '';
        const timer = setTimeout(() => resolve({ ok: false, why: `sshd did not start within 10 s:\n${buf}` }), 10_000);
        child.stderr!.on('data', (d: Buffer) => {
          buf += d.toString();
          for (const line of d.toString().split('\n')) if (line) logLines.push(line);
          if (logLines.length > 2000) logLines.splice(0, logLines.length - 2000);
          if (buf.includes('Server listening on')) {
            clearTimeout(timer);
            resolve({ ok: true });
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          resolve({ ok: false, why: `sshd exited with ${code}:\n${buf}` });
        });
        child.once('error', (err) => {
          clearTimeout(timer);
          resolve({ ok: false, why: `sshd could not start: ${err.message}` });
        });
      });
      if (!ready.ok) {
        child.kill('SIGKILL');
        const privsep = /Missing privilege separation directory: (\S+)/.exec(ready.why);
        if (privsep?.[1] && process.getuid?.() === 0 && attempt < 3) {
          mkdirSync(privsep[1], { recursive: true, mode: 0o755 });
          continue;
        }
        if (/Address already in use/.test(ready.why) && attempt < 5) continue;
        throw new Error(ready.why);
      }
      const pid = child.pid!;

      const knownHostsLine = (name = port === 22 ? host : `[${host}]:${port}`, key: KeyPair = hostKeys[0]!): string =>
        `${name} ${key.publicKey}`;
      let stopped = false;
      return {
        host,
        port,
        user,
        dir,
        pid,
        clientKey,
        hostKeys,
        knownHostsLine,
        writeKnownHosts(lines, name = 'known_hosts') {
          const path = join(dir, name);
          writeFileSync(path, (lines ?? [knownHostsLine()]).join('\n') + '\n');
          return path;
        },
        sessionPids: () => childrenOf(pid),
        connectionPids: () => descendantsOf(pid).filter((p) => commOf(p).startsWith('sshd')),
        log: () => logLines.join('\n'),
        async stop() {
          if (stopped) return;
          stopped = true;
          // Sessions outlive the listener: end them (and the commands they run) first.
          for (const p of descendantsOf(pid).reverse()) {
            try {
              process.kill(p, 'SIGKILL');
            } catch {
              // Already gone.
            }
          }
          child.kill('SIGTERM');
          if (!(await waitForExit(child, 3000))) child.kill('SIGKILL');
          if (ownsDir) rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    if (ownsDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * An operator's home beside one sshd, as after a first `ssh`: `.ssh/known_hosts` holds the
 * server's key, and `inventory.yaml` names it as node-1, a master.
 */
export function writeOperatorHome(dir: string, sshd: Sshd): void {
  mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
  writeFileSync(join(dir, '.ssh', 'known_hosts'), `${sshd.knownHostsLine()}\n`);
  writeFileSync(
    join(dir, 'inventory.yaml'),
    `nodes:\n  - { name: node-1, address: ${sshd.host}, port: ${sshd.port}, user: ${sshd.user}, identity_file: ${sshd.clientKey.privateKeyPath}, roles: [master] }\n`,
  );
}
