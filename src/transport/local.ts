// Runs commands on this machine through zx. Each command gets its own process group (spawned
// detached), so a timeout or an abort can stop everything it started, background jobs included,
// not just the shell.

import type { InventoryNode } from '../inventory/types.js';
import type { OutputStreamOptions } from './sanitize.js';
import { deliveredScript, STDIN_BOOTSTRAP, waitForGo } from './delivery.js';
import { formatDuration, notStartedMessage } from './messages.js';
import { commandOutput, PendingCommands } from './pending.js';
import type { ExecOptions, ExecResult, Transport } from './types.js';

export interface LocalTransportOptions {
  /** The shell that runs each command as `<shell> -c <command>`. Default /bin/sh. */
  shell?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** After SIGTERM, how long the process group gets before SIGKILL. Default 2 s. */
  killGraceMs?: number;
  /** Limits for the kept output and for one line. */
  output?: OutputStreamOptions;
}

type Zx = typeof import('zx');
let zxModule: Promise<Zx> | undefined;
// zx is large; load it on the first command, not at start-up.
const loadZx = (): Promise<Zx> => (zxModule ??= import('zx'));

/** zx keeps every chunk of output in a store; ours is bounded, so give zx one that keeps nothing. */
class DiscardArray<T> extends Array<T> {
  override push(): number {
    return 0;
  }
}

/** Signals a whole process group; the group may already be gone. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing left to stop.
  }
}

export function createLocalTransport(options: LocalTransportOptions = {}): Transport {
  const shell = options.shell ?? '/bin/sh';
  const grace = options.killGraceMs ?? 2000;
  const running = new Set<(reason: 'aborted') => void>();
  const pending = new PendingCommands();

  async function run(node: InventoryNode, command: string, opts: ExecOptions): Promise<ExecResult> {
    const { stdout, stderr, finish } = commandOutput(opts.onOutput, opts.mask ? { ...options.output, mask: opts.mask } : options.output);
    const aborted = (): ExecResult =>
      finish({ ok: false, exit: null, failure: 'aborted', message: `The command on ${node.name} was aborted before it started.` });
    if (opts.signal?.aborted) return aborted();
    // Nothing is started before startAfter: a shell started early to wait for its script made 50
    // commands at once slower here (spawning holds up this thread; docs/architecture.md).
    if (opts.startAfter) {
      // An abort or close() ends the wait: the write it waits for may never end.
      let cancel!: () => void;
      const cancelled = new Promise<void>((resolve) => (cancel = resolve));
      opts.signal?.addEventListener('abort', cancel, { once: true });
      running.add(cancel);
      let go: { why?: string } | 'stopped';
      try {
        go = await waitForGo(opts.startAfter, cancelled);
      } finally {
        running.delete(cancel);
        opts.signal?.removeEventListener('abort', cancel);
      }
      if (go === 'stopped') return aborted();
      if (go.why !== undefined) return finish({ ok: false, exit: null, failure: 'aborted', message: notStartedMessage(node.name, go.why) });
    }

    const { $ } = await loadZx();
    // The command line is the same for every command; the command itself goes on standard input.
    const script = deliveredScript(command, opts.env);
    const pieces = Object.assign([STDIN_BOOTSTRAP], { raw: [STDIN_BOOTSTRAP] }) as unknown as TemplateStringsArray;
    const store = { stdout: new DiscardArray(), stderr: new DiscardArray(), stdall: new DiscardArray() };
    const proc = $({
      shell,
      prefix: '',
      postfix: '',
      quiet: true,
      verbose: false,
      nothrow: true,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: options.cwd,
      env: options.env ?? process.env,
      store: store as never,
      kill: async (pid: number | `${number}`, signal?: NodeJS.Signals) => killGroup(Number(pid), signal ?? 'SIGTERM'),
    })(pieces);

    const child = proc.child;
    // A shell that exits before reading all of it closes the pipe: that is its business, not an error.
    child?.stdin?.on('error', () => undefined);
    child?.stdin?.end(script);
    child?.stdout?.on('data', (b: Buffer) => stdout.write(b));
    child?.stderr?.on('data', (b: Buffer) => stderr.write(b));

    let stopped: 'timeout' | 'aborted' | undefined;
    let forceResolve: (() => void) | undefined;
    const timers: NodeJS.Timeout[] = [];
    const stop = (reason: 'timeout' | 'aborted'): void => {
      if (stopped) return;
      stopped = reason;
      const pid = child?.pid;
      if (pid === undefined) return;
      killGroup(pid, 'SIGTERM');
      const kill = setTimeout(() => killGroup(pid, 'SIGKILL'), grace);
      kill.unref();
      // A process that left the group may still hold our pipes open: never wait on it forever.
      const giveUp = setTimeout(() => {
        child?.stdout?.destroy();
        child?.stderr?.destroy();
        forceResolve?.();
      }, grace + 1000);
      timers.push(giveUp);
    };
    const onAbort = (): void => stop('aborted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined && opts.timeoutMs > 0) timers.push(setTimeout(() => stop('timeout'), opts.timeoutMs));
    running.add(stop);

    try {
      const output = await Promise.race([
        proc,
        new Promise<undefined>((resolve) => {
          forceResolve = () => resolve(undefined);
        }),
      ]);
      if (stopped === 'timeout') {
        return finish({
          ok: false,
          exit: null,
          signal: 'SIGTERM',
          failure: 'timeout',
          message: `The command on ${node.name} did not finish within ${formatDuration(opts.timeoutMs ?? 0)} and was stopped.`,
        });
      }
      if (stopped === 'aborted') {
        return finish({
          ok: false,
          exit: null,
          signal: 'SIGTERM',
          failure: 'aborted',
          message: `The command on ${node.name} was aborted.`,
        });
      }
      if (!output || output.cause || (output.exitCode === null && output.signal === null)) {
        const why = output?.cause instanceof Error ? output.cause.message : 'it did not start';
        return finish({
          ok: false,
          exit: null,
          failure: 'spawn-failed',
          message: `Could not run the command on ${node.name} with ${shell}: ${why}.`,
        });
      }
      if (output.exitCode === null) {
        return finish({
          ok: false,
          exit: null,
          signal: output.signal ?? undefined,
          message: `The command on ${node.name} was ended by signal ${output.signal}.`,
        });
      }
      return finish({ ok: output.exitCode === 0, exit: output.exitCode });
    } finally {
      for (const t of timers) clearTimeout(t);
      opts.signal?.removeEventListener('abort', onAbort);
      running.delete(stop);
    }
  }

  return {
    startsAfter: true,
    exec(node, command, opts = {}) {
      return pending.track(node, 'spawn-failed', run(node, command, opts));
    },
    async close() {
      for (const stop of running) stop('aborted');
      await pending.settled();
    },
  };
}
