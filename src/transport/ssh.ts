// Runs commands over SSH with ssh2: one connection per node, reused for many channels, at most
// `maxChannelsPerConnection` of them open at once (OpenSSH allows 10 sessions per connection and
// frees them late). Host keys are always verified against known_hosts. A command whose
// connection drops before it reports an exit status never counts as passed.

import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import { homedir, userInfo } from 'node:os';
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import type { Client, ClientChannel } from 'ssh2';
import { MAX_JUMP_HOPS } from '../inventory/address.js';
import type { InventoryNode } from '../inventory/types.js';
import { KnownHostsStore, hostKeyAlgorithms, knownHostsName, knownKeyTypes } from './known-hosts.js';
import { AbortedWhileWaiting, Limiter } from './limiter.js';
import { coalescingConnection } from './coalesce.js';
import { deliveredScript, STDIN_BOOTSTRAP, waitForGo } from './delivery.js';
import { describeEndpoint, formatDuration, notStartedMessage } from './messages.js';
import { commandOutput, PendingCommands, type ExecOutcome } from './pending.js';
import type { OutputStream, OutputStreamOptions } from './sanitize.js';
import { authHandler, defaultIdentityFiles, expandHome, planLogin } from './ssh-auth.js';
import { createHostVerifier } from './ssh-host-key.js';
import { choosePidsToKill, killCommand, listSessionChildrenCommand, parseSessionChildren } from './ssh-reaper.js';
import type { ExecFailure, ExecOptions, ExecResult, Transport } from './types.js';
import { loadSsh2 } from './ssh2-module.js';

/** Connection events, for the journal. */
export type SshEvent =
  | { type: 'connected'; node: string; host: string; port: number; user: string; via?: string }
  | { type: 'reconnecting'; node: string; host: string; port: number; user: string; reason: string }
  | { type: 'disconnected'; node: string; host: string; port: number; user: string; reason: string }
  | {
      type: 'host-key-accepted';
      node: string;
      host: string;
      port: number;
      /** The name written to known_hosts. */
      name: string;
      keyType: string;
      fingerprint: string;
      file: string;
    };

export interface SshTransportOptions {
  /**
   * Where host keys are looked up; new keys go to the first.
   * Default: ~/.ssh/known_hosts, then /etc/ssh/ssh_known_hosts, as OpenSSH reads them.
   */
  knownHostsFiles?: string[];
  /** known_hosts lines held in memory (the simulator's), checked like a file. */
  extraKnownHosts?: string[];
  /** Like OpenSSH's StrictHostKeyChecking=accept-new: add unknown keys, never accept a changed one. */
  acceptNewHostKeys?: boolean;
  /** ssh-agent socket; default SSH_AUTH_SOCK; false for none. */
  agent?: string | false;
  /** User when the node names none. Default: the current user. */
  user?: string;
  /** Identity file when the node names none. Default: ~/.ssh/id_ed25519, id_ecdsa, id_rsa that exist. */
  identityFile?: string;
  /** Home directory for the defaults above. Default os.homedir(). */
  homeDir?: string;
  /** TCP connect, SSH handshake and login. Default 15 s. */
  connectTimeoutMs?: number;
  /** Default 15 s. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection counts as lost. Default 3. */
  keepaliveCountMax?: number;
  /** Channels open at once on one connection; more commands wait. Default 8. */
  maxChannelsPerConnection?: number;
  /** Tries after a refused channel open ("open failed"), with jittered backoff. Default 6. */
  channelOpenRetries?: number;
  /** Resolves `node.jump` when it names another node; otherwise it is read as user@host:port. */
  resolveJump?: (jump: string) => InventoryNode | undefined;
  onEvent?: (event: SshEvent) => void;
  /** Limits for the kept output and for one line. */
  output?: OutputStreamOptions;
}

/** Counters for tests and the benchmark. */
export interface SshStats {
  connections: { key: string; state: Connection['state']; channels: number; waiting: number; highWater: number }[];
}

export interface SshTransport extends Transport {
  /**
   * Opens (or reuses) the node's connection without running anything: to check every node's
   * host key and login before a run starts, or to have connections ready before a fan-out.
   */
  connect(node: InventoryNode): Promise<{ ok: true } | { ok: false; failure: ExecFailure; message: string }>;
  stats(): SshStats;
}

/** Where one connection goes. */
interface Endpoint {
  key: string;
  /** For messages: `master-1 (core@10.0.0.5 port 2222)`. */
  label: string;
  nodeName: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  explicitIdentity: boolean;
  hostKeyAlias?: string;
  jump?: Endpoint;
}

/** Why a connection could not be used. */
class ConnectFailure extends Error {
  constructor(
    readonly failure: ExecFailure,
    message: string,
  ) {
    super(message);
  }
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers).
    return process.env.USER ?? process.env.LOGNAME ?? 'root';
  }
}

/** "user@host:port", "host:port", "[::1]:22", "host". */
export function parseJumpSpec(spec: string): { user?: string; host: string; port?: number } | undefined {
  const m = /^(?:([^@\s]+)@)?(\[[^\]\s]+\]|[^:@\s[\]]+)(?::(\d{1,5}))?$/.exec(spec.trim());
  if (!m || !m[2]) return undefined;
  const host = m[2].startsWith('[') ? m[2].slice(1, -1) : m[2];
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { ...(m[1] ? { user: m[1] } : {}), host, ...(port !== undefined ? { port } : {}) };
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Exit statuses seen on channels, recorded as soon as a channel exists. */
const exits = new WeakMap<ClientChannel, { code: number | null; signal?: string }>();

const isOpenFailure = (err: unknown): boolean => err instanceof Error && err.message.startsWith('(SSH) Channel open failure');

/** One SSH connection and the channels on it. */
class Connection {
  state: 'connecting' | 'ready' | 'closed' = 'connecting';
  client: Client | undefined;
  readonly limiter: Limiter;
  readonly ready: Promise<void>;
  /** When each open channel's command started (performance.now()), to find a stopped one remotely. */
  readonly live = new Set<{ openedAt: number }>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private lastError: string | undefined;
  closeReason: string | undefined;

  constructor(
    readonly endpoint: Endpoint,
    maxChannels: number,
    connect: (conn: Connection) => Promise<void>,
  ) {
    this.limiter = new Limiter(maxChannels);
    this.ready = connect(this);
    this.ready.catch((err: unknown) => this.markClosed(err instanceof Error ? err.message : String(err)));
  }

  /** Calls `cb` once if the connection closes; returns a function that stops listening. */
  onClosed(cb: (reason: string) => void): () => void {
    if (this.state === 'closed') {
      cb(this.closeReason ?? 'connection closed');
      return () => undefined;
    }
    this.closeListeners.add(cb);
    return () => this.closeListeners.delete(cb);
  }

  noteError(message: string): void {
    this.lastError = message;
  }

  markClosed(reason?: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.closeReason = reason ?? this.lastError ?? 'the server closed the connection';
    this.limiter.rejectAll();
    for (const cb of [...this.closeListeners]) cb(this.closeReason);
    this.closeListeners.clear();
  }

  end(): void {
    this.client?.end();
    this.markClosed('closed by runbook');
  }
}

export function createSshTransport(options: SshTransportOptions = {}): SshTransport {
  const home = options.homeDir ?? homedir();
  const store = new KnownHostsStore(
    (options.knownHostsFiles ?? [join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts']).map((f) => expandHome(f, home)),
    options.extraKnownHosts ?? [],
  );
  const agent = options.agent === false ? undefined : (options.agent ?? process.env.SSH_AUTH_SOCK) || undefined;
  const defaultUser = options.user ?? currentUser();
  const connectTimeout = options.connectTimeoutMs ?? 15_000;
  const maxChannels = options.maxChannelsPerConnection ?? 8;
  const openRetries = options.channelOpenRetries ?? 6;
  const emit = (e: SshEvent): void => {
    try {
      options.onEvent?.(e);
    } catch {
      // A listener's failure is not the command's.
    }
  };

  const pool = new Map<string, Connection>();
  /** Keys that have had a ready connection: a new one for them is a reconnect. */
  const everReady = new Map<string, string>();
  // Every running command listens for close(): hundreds at once on a fan-out, by design, and each
  // removes its listener when it ends, so Node's leak warning (past 10) does not apply here.
  const closingController = (): AbortController => {
    const c = new AbortController();
    setMaxListeners(0, c.signal);
    return c;
  };
  let closing = closingController();
  const pending = new PendingCommands();

  function identityFor(node: { identityFile?: string } | undefined): { files: string[]; explicit: boolean } {
    const file = node?.identityFile ?? options.identityFile;
    if (file) return { files: [expandHome(file, home)], explicit: true };
    return { files: defaultIdentityFiles(home), explicit: false };
  }

  function labelFor(name: string | undefined, user: string, host: string, port: number): string {
    const where = `${user}@${describeEndpoint(host, port)}`;
    return name && name !== host ? `${name} (${where})` : where;
  }

  function endpointFor(node: InventoryNode, depth = 0): Endpoint {
    if (depth > MAX_JUMP_HOPS) {
      throw new ConnectFailure(
        'connect-failed',
        `The jump hosts of ${node.name} lead on more than ${MAX_JUMP_HOPS} times: is there a loop?`,
      );
    }
    const user = node.user ?? defaultUser;
    const port = node.port ?? 22;
    const id = identityFor(node);
    const ep: Endpoint = {
      key: `node:${node.name}`,
      label: labelFor(node.name, user, node.address, port),
      nodeName: node.name,
      host: node.address,
      port,
      user,
      identityFiles: id.files,
      explicitIdentity: id.explicit,
      ...(node.hostKeyAlias ? { hostKeyAlias: node.hostKeyAlias } : {}),
    };
    if (node.jump) ep.jump = jumpEndpoint(node.jump, node, depth);
    return ep;
  }

  function jumpEndpoint(spec: string, forNode: InventoryNode, depth: number): Endpoint {
    const named = options.resolveJump?.(spec);
    if (named) return endpointFor(named, depth + 1);
    const parsed = parseJumpSpec(spec);
    if (!parsed) {
      throw new ConnectFailure(
        'connect-failed',
        `The jump host "${spec}" of ${forNode.name} is neither a node of the inventory nor user@host:port.`,
      );
    }
    const user = parsed.user ?? defaultUser;
    const port = parsed.port ?? 22;
    // The default identity first; else the one the node itself logs in with.
    const id = identityFor(options.identityFile ? undefined : forNode);
    return {
      key: `jump:${user}@${parsed.host}:${port}`,
      label: `jump host ${labelFor(undefined, user, parsed.host, port)}`,
      nodeName: spec,
      host: parsed.host,
      port,
      user,
      identityFiles: id.files,
      explicitIdentity: id.explicit,
    };
  }

  function getConnection(ep: Endpoint): Connection {
    const existing = pool.get(ep.key);
    if (existing && existing.state !== 'closed') return existing;
    const previous = everReady.get(ep.key);
    if (previous !== undefined) {
      emit({ type: 'reconnecting', node: ep.nodeName, host: ep.host, port: ep.port, user: ep.user, reason: previous });
    }
    const conn = new Connection(ep, maxChannels, connect);
    pool.set(ep.key, conn);
    void conn.ready.catch(() => {
      if (pool.get(ep.key) === conn) pool.delete(ep.key);
    });
    return conn;
  }

  /** Opens a TCP stream to the target through the jump host's connection. */
  async function forward(jump: Connection, ep: Endpoint): Promise<ClientChannel> {
    await jump.ready;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ConnectFailure(
              'connect-failed',
              `${ep.label} did not answer through ${jump.endpoint.label} within ${formatDuration(connectTimeout)}.`,
            ),
          ),
        connectTimeout,
      );
      try {
        jump.client!.forwardOut('127.0.0.1', 0, ep.host, ep.port, (err, stream) => {
          clearTimeout(timer);
          if (err) {
            reject(new ConnectFailure('connect-failed', `Could not reach ${ep.label} through ${jump.endpoint.label}: ${err.message}.`));
          } else resolve(stream);
        });
      } catch (err) {
        clearTimeout(timer);
        reject(
          new ConnectFailure('connect-failed', `Could not reach ${ep.label} through ${jump.endpoint.label}: ${(err as Error).message}.`),
        );
      }
    });
  }

  async function connect(conn: Connection): Promise<void> {
    const ep = conn.endpoint;
    // A direct connection's TCP handshake goes on while the keys and known hosts are read: a
    // pre-flight's connections leave at once, not each after its own reads.
    const early = ep.jump ? undefined : openEarly(ep.host, ep.port);
    try {
      await handshake(conn, early);
    } catch (err) {
      early?.sock.destroy();
      throw err;
    }
  }

  async function handshake(conn: Connection, early: EarlySocket | undefined): Promise<void> {
    const ep = conn.endpoint;
    const { Client } = await loadSsh2();
    const plan = await planLogin(ep.identityFiles, ep.explicitIdentity, agent);
    if ('error' in plan) throw new ConnectFailure('auth-failed', `Could not log in to ${ep.label}: ${plan.error}.`);
    if (plan.methods.length === 0) {
      throw new ConnectFailure(
        'auth-failed',
        `Could not log in to ${ep.label}: there is no identity file (${ep.identityFiles.join(', ')}) and no ssh-agent (SSH_AUTH_SOCK) to log in with.`,
      );
    }

    let sock: ClientChannel | Socket | undefined = early?.sock;
    if (ep.jump) {
      const jump = getConnection(ep.jump);
      try {
        sock = await forward(jump, ep);
      } catch (err) {
        const f = err instanceof ConnectFailure ? err : new ConnectFailure('connect-failed', (err as Error).message);
        throw new ConnectFailure(f.failure, `Could not reach ${ep.label} through its jump host. ${f.message}`);
      }
    }

    const name = knownHostsName(ep.host, ep.port, ep.hostKeyAlias);
    const knownTypes = knownKeyTypes(await store.entries(), name);
    const verifier = createHostVerifier({
      label: ep.label,
      host: ep.host,
      port: ep.port,
      name,
      ...(ep.hostKeyAlias ? { alias: ep.hostKeyAlias } : {}),
      store,
      acceptNew: options.acceptNewHostKeys ?? false,
      onAccepted: (a) => emit({ type: 'host-key-accepted', node: ep.nodeName, host: ep.host, port: ep.port, ...a }),
    });
    const client = new Client();
    const tried: string[] = [];

    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error & { level?: string; code?: string }): void => {
        if (settled) return;
        settled = true;
        client.end();
        sock?.destroy();
        reject(describeConnectError(ep, err, verifier.refusal(), tried, plan.skipped));
      };
      client.on('ready', () => {
        settled = true;
        conn.client = client;
        conn.state = 'ready';
        everReady.set(ep.key, 'the connection was lost');
        emit({
          type: 'connected',
          node: ep.nodeName,
          host: ep.host,
          port: ep.port,
          user: ep.user,
          ...(ep.jump ? { via: ep.jump.label } : {}),
        });
        resolve();
      });
      client.on('error', (err: Error & { level?: string }) => {
        if (!settled) fail(err);
        else conn.noteError(err.message);
      });
      client.on('close', () => {
        if (!settled) fail(new Error('the server closed the connection during the handshake'));
        else if (conn.state !== 'closed') {
          conn.markClosed();
          everReady.set(ep.key, conn.closeReason ?? 'the connection was lost');
          emit({ type: 'disconnected', node: ep.nodeName, host: ep.host, port: ep.port, user: ep.user, reason: conn.closeReason ?? '' });
        }
      });
      // What the socket met before ssh2 listens to it, ssh2 would never hear of.
      const gone = early?.gone();
      if (gone) {
        fail(gone);
        return;
      }
      try {
        client.connect({
          sock,
          username: ep.user,
          hostVerifier: verifier.verify,
          authHandler: authHandler(plan, ep.user, tried),
          readyTimeout: connectTimeout,
          keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
          keepaliveCountMax: options.keepaliveCountMax ?? 3,
          algorithms: { serverHostKey: hostKeyAlgorithms(knownTypes) as never },
        });
        // Commands are many small request/response exchanges: Nagle's algorithm with delayed
        // ACKs would add tens of milliseconds to each.
        client.setNoDelay(true);
      } catch (err) {
        fail(err as Error);
      }
    });
  }

  function describeConnectError(
    ep: Endpoint,
    err: Error & { level?: string; code?: string },
    refusal: ReturnType<ReturnType<typeof createHostVerifier>['refusal']>,
    tried: string[],
    skipped: string[],
  ): ConnectFailure {
    if (refusal) return new ConnectFailure(refusal.failure, refusal.message);
    if (err.level === 'client-authentication') {
      const methods = tried.length ? tried.join(', ') : 'no method';
      const skip = skipped.length ? ` (passed over: ${skipped.join(', ')})` : '';
      return new ConnectFailure(
        'auth-failed',
        `Could not log in to ${ep.label}: the server refused every method tried: ${methods}${skip}. ` +
          `Check that the key is in ~${ep.user}/.ssh/authorized_keys on ${ep.host}.`,
      );
    }
    if (err.level === 'client-timeout') {
      return new ConnectFailure(
        'connect-failed',
        `${ep.label} did not complete the SSH connection within ${formatDuration(connectTimeout)}.`,
      );
    }
    const code = err.code;
    const why =
      code === 'ECONNREFUSED'
        ? `connection refused (is sshd listening on port ${ep.port}?)`
        : code === 'ENOTFOUND' || code === 'EAI_AGAIN' || err.level === 'client-dns'
          ? `cannot resolve the host name ${ep.host}`
          : code === 'EHOSTUNREACH' || code === 'ENETUNREACH'
            ? 'no route to the host'
            : code === 'ETIMEDOUT'
              ? 'the connection timed out'
              : err.message;
    return new ConnectFailure('connect-failed', `Could not connect to ${ep.label}: ${why}.`);
  }

  /** Opens an exec channel, retrying a refused open with jittered backoff. */
  async function openChannel(conn: Connection, command: string, pty: boolean, stop: AbortSignal): Promise<ClientChannel> {
    for (let attempt = 0; ; attempt++) {
      const client = conn.client;
      if (conn.state !== 'ready' || !client) throw new ConnectionGone(conn.closeReason);
      try {
        return await new Promise<ClientChannel>((resolve, reject) => {
          client.exec(command, pty ? { pty: { term: 'xterm-256color' } } : {}, (err, channel) => {
            if (err) return reject(err);
            // ssh2 may parse the exit status in the same chunk as this reply, before anyone
            // awaiting us could listen: record it now.
            channel.once('exit', (code: number | null, signal?: string) => exits.set(channel, { code, ...(signal ? { signal } : {}) }));
            resolve(channel);
          });
        });
      } catch (err) {
        // ssh2 says "Unable to exec" also when the connection died after the exec request went
        // out: the command may have started, so only the other errors mean it surely did not.
        const message = err instanceof Error ? err.message : String(err);
        if (message !== 'Unable to exec' && (conn.state !== 'ready' || /^(Not connected|No response from server)/.test(message))) {
          conn.client?.destroy();
          conn.markClosed(message === 'Not connected' || message.startsWith('No response') ? 'the connection was lost' : undefined);
          throw new ConnectionGone(conn.closeReason);
        }
        if (!isOpenFailure(err) || attempt >= openRetries || stop.aborted || conn.state !== 'ready') throw err;
        const base = Math.min(2000, 100 * 2 ** attempt);
        await sleep(base / 2 + Math.random() * base, stop);
        if (stop.aborted) throw err;
      }
    }
  }

  async function run(node: InventoryNode, command: string, opts: ExecOptions): Promise<ExecResult> {
    const { stdout, stderr, finish } = commandOutput(opts.onOutput, opts.mask ? { ...options.output, mask: opts.mask } : options.output);

    // One signal for everything that stops this command: its timeout, its abort, close().
    const stop = new AbortController();
    let stopReason: 'timeout' | 'aborted' | undefined;
    const stopWith = (reason: 'timeout' | 'aborted'): void => {
      if (stop.signal.aborted) return;
      stopReason = reason;
      stop.abort();
    };
    const onAbort = (): void => stopWith('aborted');
    const closed = closing.signal;
    if (opts.signal?.aborted) stopWith('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    closed.addEventListener('abort', onAbort, { once: true });
    const timer = opts.timeoutMs !== undefined && opts.timeoutMs > 0 ? setTimeout(() => stopWith('timeout'), opts.timeoutMs) : undefined;
    const stopped = (confirmed = true): ExecResult => {
      const unsure = confirmed ? '' : ` runbook could not make sure that it ended there: check with ps on ${node.name}.`;
      return stopReason === 'timeout'
        ? finish({
            ok: false,
            exit: null,
            failure: 'timeout',
            message: `The command on ${node.name} did not finish within ${formatDuration(opts.timeoutMs ?? 0)}; it was stopped.${unsure}`,
          })
        : finish({ ok: false, exit: null, failure: 'aborted', message: `The command on ${node.name} was aborted.${unsure}` });
    };
    const stopPromise = new Promise<'stopped'>((resolve) => {
      if (stop.signal.aborted) resolve('stopped');
      stop.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });

    let release: (() => void) | undefined;
    try {
      if (stop.signal.aborted) return stopped();
      // With a terminal the command is in the command line: nothing may be opened before the go.
      // An abort or a timeout ends the wait: the write it waits for may never end.
      if (opts.pty && opts.startAfter) {
        const go = await waitForGo(opts.startAfter, stopPromise);
        if (go === 'stopped') return stopped();
        if (go.why !== undefined) return notStartedResult(node, go.why, finish);
      }
      const ep = endpointFor(node);
      // A connection that drops before our channel is asked for has not run anything: connect again.
      for (let attempt = 0; ; attempt++) {
        const conn = getConnection(ep);
        if ((await Promise.race([conn.ready.then(() => 'ready' as const), stopPromise])) === 'stopped') return stopped();
        try {
          release = await conn.limiter.acquire(stop.signal);
        } catch (err) {
          if (stop.signal.aborted) return stopped();
          if (err instanceof AbortedWhileWaiting && attempt < 2) continue;
          throw err;
        }
        let channel: ClientChannel;
        try {
          // Without a terminal the command travels on the channel's input (delivery.ts); with one, the
          // input is the operator's keyboard, and the command line carries it as before.
          channel = await openChannel(conn, opts.pty ? command : STDIN_BOOTSTRAP, opts.pty ?? false, stop.signal);
        } catch (err) {
          release();
          release = undefined;
          if (err instanceof ConnectionGone && attempt < 2 && !stop.signal.aborted) continue;
          if (stop.signal.aborted) return stopped();
          if (conn.state === 'closed' || err instanceof ConnectionGone) return lost(node, conn, finish);
          return finish({
            ok: false,
            exit: null,
            failure: 'connect-failed',
            message: `Could not start the command on ${ep.label}: ${(err as Error).message}.`,
          });
        }
        const r: ExecResult | typeof UNDELIVERED = await runChannel(
          node,
          conn,
          channel,
          opts.pty ? '' : deliveredScript(command, opts.env),
          opts.startAfter,
          stdout,
          stderr,
          stop.signal,
          release,
          finish,
          stopped,
        );
        release = undefined;
        // The connection dropped while the command waited for its go: nothing of it ran, connect again.
        if (r === UNDELIVERED) {
          if (attempt < 2 && !stop.signal.aborted) continue;
          return lost(node, conn, finish);
        }
        return r;
      }
    } catch (err) {
      if (err instanceof ConnectFailure) return finish({ ok: false, exit: null, failure: err.failure, message: err.message });
      if (stop.signal.aborted) return stopped();
      throw err;
    } finally {
      release?.();
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      closed.removeEventListener('abort', onAbort);
    }
  }

  function notStartedResult(node: InventoryNode, why: string, finish: (r: ExecOutcome) => ExecResult): ExecResult {
    return finish({ ok: false, exit: null, failure: 'aborted', message: notStartedMessage(node.name, why) });
  }

  function lost(node: InventoryNode, conn: Connection, finish: (r: ExecOutcome) => ExecResult): ExecResult {
    return finish({
      ok: false,
      exit: null,
      failure: 'connection-lost',
      message: `${node.name}: connection lost while running the command; its outcome is unknown (${conn.closeReason ?? 'the channel closed without an exit status'}).`,
    });
  }

  /** Runs a short command of our own on the connection; its stdout, or undefined. */
  async function quickExec(conn: Connection, command: string, timeoutMs: number): Promise<string | undefined> {
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    const record = { openedAt: performance.now() };
    let release: (() => void) | undefined;
    try {
      release = await conn.limiter.acquire(ac.signal);
      const channel = await openChannel(conn, command, false, ac.signal);
      record.openedAt = performance.now();
      conn.live.add(record);
      return await new Promise<string | undefined>((resolve) => {
        let out = '';
        channel.on('data', (d: Buffer) => {
          if (out.length < 1_000_000) out += d.toString('utf8');
        });
        channel.stderr.resume();
        channel.on('error', () => undefined);
        channel.on('close', () => resolve(out));
        ac.signal.addEventListener('abort', () => {
          channel.close();
          resolve(undefined);
        });
        channel.end();
      });
    } catch {
      return undefined;
    } finally {
      clearTimeout(timer);
      conn.live.delete(record);
      release?.();
    }
  }

  /** Makes sure a stopped command's processes are gone; false when that could not be confirmed. */
  async function reap(conn: Connection, stoppedOpenedAt: number): Promise<boolean> {
    if (conn.state !== 'ready') return false;
    const listing = await quickExec(conn, listSessionChildrenCommand(), 4000);
    const children = listing === undefined ? undefined : parseSessionChildren(listing);
    if (!children) return false;
    const now = performance.now();
    const { kill, confirmed } = choosePidsToKill(
      children,
      [...conn.live].map((r) => now - r.openedAt),
      now - stoppedOpenedAt,
    );
    if (kill.length) {
      const done = await quickExec(conn, killCommand(kill), 4000);
      if (done === undefined) return false;
    }
    return confirmed;
  }

  function runChannel(
    node: InventoryNode,
    conn: Connection,
    channel: ClientChannel,
    input: string,
    startAfter: Promise<unknown> | undefined,
    stdout: OutputStream,
    stderr: OutputStream,
    stop: AbortSignal,
    release: () => void,
    finish: (r: ExecOutcome) => ExecResult,
    stopped: (confirmed?: boolean) => ExecResult,
  ): Promise<ExecResult | typeof UNDELIVERED> {
    return new Promise((resolve) => {
      let exit: { code: number | null; signal?: string } | undefined;
      let settled = false;
      /** Why the script was never delivered (startAfter rejected). */
      let notStarted: string | undefined;
      /** Whether the script has been handed to the channel (then the command may have run). */
      let delivered = false;
      const deliver = (): void => {
        delivered = true;
        channel.end(input);
      };
      let releaseTimer: NodeJS.Timeout | undefined;
      const record = { openedAt: performance.now() };
      conn.live.add(record);
      const freeSlot = (): void => {
        if (releaseTimer) clearTimeout(releaseTimer);
        release();
      };
      const settle = (r: () => ExecResult | typeof UNDELIVERED | Promise<ExecResult>): void => {
        if (settled) return;
        settled = true;
        conn.live.delete(record);
        offClosed();
        stop.removeEventListener('abort', onStop);
        void Promise.resolve()
          .then(r)
          .then(resolve, () => resolve(stopped(false)));
      };
      const fromExit = (): ExecResult => {
        const e = exit!;
        if (e.code === null) {
          return finish({
            ok: false,
            exit: null,
            signal: e.signal,
            message: `The command on ${node.name} was ended by signal ${e.signal ?? 'unknown'}.`,
          });
        }
        return finish({ ok: e.code === 0, exit: e.code });
      };
      const onStop = (): void => {
        // OpenSSH since 7.9 passes a signal request to the session's process group; older ones
        // ignore it, and closing the channel is then the sure way to be done with it.
        sendSignal(channel, 'KILL');
        try {
          channel.close();
        } catch {
          // Ditto.
        }
        // The slot comes free when the server confirms the close; do not wait for ever.
        releaseTimer = setTimeout(release, 5000);
        releaseTimer.unref();
        settle(async () => stopped(await reap(conn, record.openedAt)));
      };

      channel.on('data', (d: Buffer) => stdout.write(d));
      channel.stderr.on('data', (d: Buffer) => stderr.write(d));
      channel.on('error', () => undefined);
      const exited = (): boolean => {
        exit ??= exits.get(channel);
        return exit !== undefined;
      };
      /** What the command came to when its channel or its connection ended (`whole`: all its output came). */
      const ended = (whole: boolean): ExecResult | typeof UNDELIVERED =>
        notStarted !== undefined
          ? notStartedResult(node, notStarted, finish)
          : !delivered
            ? UNDELIVERED
            : whole && exited()
              ? fromExit()
              : lost(node, conn, finish);
      channel.on('close', () => {
        freeSlot();
        settle(() => ended(true));
      });
      const offClosed = conn.onClosed(() => {
        freeSlot();
        // An exit status alone is not the whole result: sshd sends it when the shell exits, while
        // a job it left may still hold the output open. Only the server's end of the output (EOF)
        // says nothing more was coming; without it the outcome is unknown, whatever the status.
        const complete = (channel as ClientChannel & { incoming?: { state?: string } }).incoming?.state === 'eof';
        settle(() => ended(complete));
      });
      stop.addEventListener('abort', onStop, { once: true });
      if (stop.aborted) onStop();
      // The script, then end of input: its commands get no input, like `ssh -n`. Until then the
      // shell waits for it and runs nothing; with no script it runs nothing at all.
      if (!startAfter) deliver();
      else
        startAfter.then(
          () => {
            if (!settled) deliver();
          },
          (why: unknown) => {
            notStarted = why instanceof Error ? why.message : String(why);
            if (!settled) channel.end();
          },
        );
    });
  }

  return {
    startsAfter: true,
    exec(node, command, opts = {}) {
      return pending.track(node, 'connect-failed', run(node, command, opts));
    },
    async connect(node) {
      try {
        await getConnection(endpointFor(node)).ready;
        return { ok: true };
      } catch (err) {
        if (err instanceof ConnectFailure) return { ok: false, failure: err.failure, message: err.message };
        return { ok: false, failure: 'connect-failed', message: `Could not connect to ${node.name}: ${(err as Error).message}.` };
      }
    },
    async close() {
      // Commands running now end as aborted; the transport can still be used afterwards.
      const c = closing;
      closing = closingController();
      c.abort();
      await pending.settled();
      for (const conn of pool.values()) conn.end();
      pool.clear();
      everReady.clear();
    },
    stats() {
      return {
        connections: [...pool.values()].map((c) => ({
          key: c.endpoint.key,
          state: c.state,
          channels: c.limiter.inUse,
          waiting: c.limiter.waiting,
          highWater: c.limiter.highWater,
        })),
      };
    },
  };
}

/**
 * Sends a signal request. ssh2's `signal()` does nothing once we have sent EOF (which we do at
 * once, so that commands get no input), although the protocol allows requests until the channel
 * closes; so after EOF we ask ssh2's protocol layer directly.
 */
function sendSignal(channel: ClientChannel, name: string): void {
  const ch = channel as ClientChannel & {
    outgoing?: { id?: number; state?: string };
    _client?: { _protocol?: { signal?: (id: number, signal: string) => void } };
  };
  try {
    const out = ch.outgoing;
    const protocol = ch._client?._protocol;
    if (out?.state === 'eof' && typeof out.id === 'number' && typeof protocol?.signal === 'function') protocol.signal(out.id, name);
    else channel.signal(name);
  } catch {
    // The channel or the connection is gone already: nothing left to signal.
  }
}

/** A TCP connection opened before ssh2 takes it over, with what ended it meanwhile. */
interface EarlySocket {
  sock: Socket;
  /** Why it can no longer carry a handshake (an error, or the server closed it), or undefined. */
  gone(): (Error & { code?: string }) | undefined;
}

/** Our own TCP socket, so that the packets of one burst leave in one write (coalesce.ts). */
function openEarly(host: string, port: number): EarlySocket {
  const sock = coalescingConnection(host, port);
  let error: (Error & { code?: string }) | undefined;
  // Kept from the start: an error with no listener would end the process.
  sock.on('error', (e: Error) => (error ??= e));
  return {
    sock,
    gone: () =>
      error ?? (sock.destroyed || sock.readableEnded ? new Error('the server closed the connection during the handshake') : undefined),
  };
}

/** What runChannel gives back when the channel ended before its script was sent: nothing ran. */
const UNDELIVERED = Symbol('undelivered');

class ConnectionGone extends Error {
  constructor(reason?: string) {
    super(reason ?? 'the connection closed');
  }
}
