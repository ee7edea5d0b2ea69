// Real SSH in front of the simulated nodes: one listening socket per node on loopback, each with
// its own host key. The ssh2 Server (key parsing, algorithm lists) is built for a node only when
// someone first connects to it, so 2,000 idle agents cost a socket and a key each.
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { ServerChannel } from 'ssh2';
import { AbortedError, type SimClock } from './clock.js';
import type { Ed25519Key } from './keys.js';
import type { ClusterModel } from './model/cluster.js';
import type { NodeInfo } from './model/node.js';
import { builtins, programs } from './programs/index.js';
import type { SimHost } from './programs/host.js';
import { Shell } from './shell/interpreter.js';
import { type InStream, type OutStream, Pipe, emptyInput } from './shell/streams.js';

const { Server: SshServer, utils } = ssh2;

export interface NodeEndpoint {
  info: NodeInfo;
  port: number;
  hostKey: Ed25519Key;
}

interface Listener {
  endpoint: NodeEndpoint;
  net: NetServer;
  ssh?: InstanceType<typeof SshServer>;
}

/** Output a client has not read yet, beyond which the command is stopped. */
const MAX_BUFFERED = 16 * 1024 * 1024;

/** Reports a program that threw (a simulator bug): tests fail on these. */
export type InternalErrorHandler = (node: string, command: string, error: unknown) => void;

export class SimSshServers {
  private readonly listeners: Listener[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly aborts = new Set<AbortController>();
  private readonly hosts = new Map<string, SimHost>();
  private readonly clientKey;
  private closed = false;

  constructor(
    private readonly model: ClusterModel,
    private readonly clock: SimClock,
    clientKey: Ed25519Key,
    private readonly user: string,
    private readonly onInternalError: InternalErrorHandler = () => {},
  ) {
    const parsed = utils.parseKey(clientKey.publicLine);
    if (parsed instanceof Error) throw parsed;
    this.clientKey = Array.isArray(parsed) ? parsed[0] : parsed;
  }

  /** Starts listening for one node on host:port (0: any free port) and resolves to its endpoint. */
  listen(info: NodeInfo, host: string, hostKey: Ed25519Key, port = 0): Promise<NodeEndpoint> {
    return new Promise((resolve, reject) => {
      const listener: Listener = { endpoint: { info, port: 0, hostKey }, net: createServer() };
      listener.net.on('connection', (socket) => this.accept(listener, socket));
      listener.net.once('error', reject);
      listener.net.listen({ host, port }, () => {
        const addr = listener.net.address();
        if (addr === null || typeof addr === 'string') {
          reject(new Error('listening socket has no port'));
          return;
        }
        listener.endpoint.port = addr.port;
        listener.net.removeListener('error', reject);
        listener.net.on('error', () => {});
        this.listeners.push(listener);
        resolve(listener.endpoint);
      });
    });
  }

  /** Stops every listener, ends every session and connection. */
  async close(): Promise<void> {
    this.closed = true;
    for (const a of this.aborts) a.abort();
    // net.Server.close() waits for open connections: end them first.
    const closing = this.listeners.map((l) => new Promise<void>((r) => l.net.close(() => r())));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await Promise.all(closing);
  }

  private accept(listener: Listener, socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    // Small writes (a prompt, an exit status) must not wait for delayed ACKs.
    socket.setNoDelay(true);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    if (!listener.ssh) {
      listener.ssh = new SshServer({ hostKeys: [listener.endpoint.hostKey.privateOpenSsh], ident: 'OpenSSH_7.4' }, (client) =>
        this.client(listener.endpoint.info, client),
      );
      listener.ssh.on('error', () => {});
    }
    listener.ssh.injectSocket(socket);
  }

  private host(info: NodeInfo): SimHost {
    let host = this.hosts.get(info.name);
    if (!host) {
      const node = this.model.state(info.name);
      host = { fs: node.fs, hostname: info.hostname, clock: this.clock, programs, builtins, model: this.model, node };
      this.hosts.set(info.name, host);
    }
    return host;
  }

  private client(info: NodeInfo, client: ssh2.Connection): void {
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'publickey' || ctx.username !== this.user) return ctx.reject(['publickey']);
      const key = this.clientKey;
      if (ctx.key.algo !== key.type || !ctx.key.data.equals(key.getPublicSSH())) return ctx.reject(['publickey']);
      if (ctx.signature && ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(['publickey']);
      ctx.accept();
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        const env: Record<string, string> = {};
        let pty = false;
        session.on('env', (accept, _reject, e) => {
          if (/^(LANG|LC_[A-Z]+|TERM|DCOS_[A-Z_]+)$/.test(e.key)) env[e.key] = e.val;
          accept?.();
        });
        session.on('pty', (accept, _reject, p) => {
          pty = true;
          if (p.term) env.TERM = p.term;
          accept?.();
        });
        session.on('window-change', (accept) => accept?.());
        session.on('subsystem', (_accept, reject) => reject?.());
        session.once('exec', (accept, _reject, e) => {
          const channel = accept();
          void this.runExec(info, channel, e.command, env, pty, session);
        });
        session.once('shell', (accept) => {
          const channel = accept();
          void this.runShell(info, channel, env, session);
        });
      });
    });
  }

  /** Streams for a channel; with a pty, newlines become CRLF and stderr joins stdout, as on a terminal. */
  private outputs(
    channel: ServerChannel,
    pty: boolean,
    onOverflow: () => void = () => {},
  ): { stdout: OutStream; stderr: OutStream; gone: () => boolean } {
    let gone = false;
    channel.once('close', () => {
      gone = true;
    });
    const write = (target: { write: (d: string) => unknown }) => (text: string) => {
      if (gone || text === '') return;
      try {
        target.write(pty ? text.replace(/\r?\n/g, '\r\n') : text);
        // A client that stops reading must not make the simulator buffer without end.
        if (channel.writableLength > MAX_BUFFERED) onOverflow();
      } catch {
        gone = true;
      }
    };
    const stdout = {
      write: write(channel),
      get closed() {
        return gone;
      },
    };
    const stderr = pty
      ? stdout
      : {
          write: write(channel.stderr),
          get closed() {
            return gone;
          },
        };
    return { stdout, stderr, gone: () => gone };
  }

  private async runExec(
    info: NodeInfo,
    channel: ServerChannel,
    command: string,
    env: Record<string, string>,
    pty: boolean,
    session: ssh2.Session,
  ): Promise<void> {
    const abort = new AbortController();
    this.aborts.add(abort);
    const stop = (): void => abort.abort();
    channel.once('close', stop);
    session.on('signal', (accept) => {
      accept?.();
      stop();
    });
    const { stdout, stderr, gone } = this.outputs(channel, pty, stop);
    const stdin = new Pipe();
    channel.on('data', (d: Buffer) => stdin.write(d.toString('utf8')));
    channel.once('end', () => stdin.end());
    const sh = new Shell(this.host(info), { vars: env });
    let status = 0;
    try {
      status = await sh.run(command, { stdin: stdin as InStream, stdout, stderr }, abort.signal);
    } catch (e) {
      if (!(e instanceof AbortedError)) {
        this.onInternalError(info.name, command, e);
        stderr.write(`bash: simulator error: ${(e as Error).message}\n`);
        status = 70;
      }
    } finally {
      this.aborts.delete(abort);
    }
    if (gone() || abort.signal.aborted) {
      if (!gone()) channel.close();
      return;
    }
    try {
      channel.exit(status);
      channel.end();
    } catch {
      // The client went away between the last write and the exit status.
    }
  }

  /** An interactive login: a prompt, line editing (backspace, ^C, ^D), one command at a time. */
  private async runShell(info: NodeInfo, channel: ServerChannel, env: Record<string, string>, session: ssh2.Session): Promise<void> {
    const { stdout, stderr, gone } = this.outputs(channel, true);
    const sh = new Shell(this.host(info), { vars: env });
    const prompt = (): string => `[${sh.user}@${info.hostname} ${sh.cwd === sh.home ? '~' : (sh.cwd.split('/').pop() ?? '/') || '/'}]$ `;
    stdout.write(`Last login: ${new Date(this.clock.now() - 3_600_000).toUTCString().replace(' GMT', '')} from 10.0.0.10\n`);
    stdout.write(prompt());
    let line = '';
    let running: AbortController | null = null;
    const session_abort = new AbortController();
    this.aborts.add(session_abort);
    channel.once('close', () => {
      session_abort.abort();
      running?.abort();
      this.aborts.delete(session_abort);
    });
    session_abort.signal.addEventListener('abort', () => running?.abort());
    const queue: string[] = [];
    const runLine = async (text: string): Promise<void> => {
      running = new AbortController();
      // What the trainee does by hand goes nowhere the player can see: the cluster's record keeps it for the report.
      if (text.trim()) this.model.recordAction(info.name, 'command', text.trim());
      try {
        await sh.run(text, { stdin: emptyInput, stdout, stderr }, running.signal);
      } catch (e) {
        if (!(e instanceof AbortedError)) {
          this.onInternalError(info.name, text, e);
          stderr.write(`bash: simulator error: ${(e as Error).message}\n`);
        }
      }
      running = null;
      if (!gone()) stdout.write(prompt());
    };
    let busy = Promise.resolve();
    channel.on('data', (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\x03') {
          if (running) running.abort();
          else {
            stdout.write('^C\n');
            line = '';
            stdout.write(prompt());
          }
        } else if (ch === '\x04') {
          if (line === '' && !running) {
            stdout.write('logout\n');
            try {
              channel.exit(0);
              channel.end();
            } catch {
              // already gone
            }
          }
        } else if (running) continue;
        else if (ch === '\r' || ch === '\n') {
          stdout.write('\n');
          const text = line.trim();
          line = '';
          if (text === 'exit' || text === 'logout') {
            stdout.write('logout\n');
            try {
              channel.exit(0);
              channel.end();
            } catch {
              // already gone
            }
            return;
          }
          if (text === '') stdout.write(prompt());
          else {
            queue.push(text);
            busy = busy.then(() => runLine(queue.shift() as string));
          }
        } else if (ch === '\x7f' || ch === '\b') {
          if (line.length > 0) {
            line = line.slice(0, -1);
            stdout.write('\b \b');
          }
        } else if (ch >= ' ') {
          line += ch;
          stdout.write(ch);
        }
      }
    });
    void session;
  }
}
