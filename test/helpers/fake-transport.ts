// A fake transport with expectations, for unit tests of what drives commands: say which commands
// you expect and what each returns, run, then check that no expected call is missing and nothing
// unexpected ran. (Integration tests use the real local transport and a real sshd instead.)
import type { InventoryNode } from '../../src/inventory/types.js';
import type { ExecOptions, ExecResult, Transport } from '../../src/transport/types.js';

export interface FakeReply {
  exit?: number | null;
  stdout?: string;
  stderr?: string;
  failure?: ExecResult['failure'];
  message?: string;
  /** Never answers until aborted (then: failure 'aborted'). */
  hang?: boolean;
  /** Answers after this many real milliseconds. */
  delayMs?: number;
}

interface Expectation {
  command: string | RegExp;
  node?: string;
  reply: FakeReply;
  /** How many calls it answers (default 1; Infinity for "every time"). */
  times: number;
  used: number;
}

export interface FakeCall {
  node: string;
  command: string;
  timeoutMs?: number;
}

const matches = (e: Expectation, node: string, command: string): boolean =>
  (e.node === undefined || e.node === node) && (typeof e.command === 'string' ? e.command === command : e.command.test(command));

export class FakeTransport implements Transport {
  readonly calls: FakeCall[] = [];
  readonly unexpected: FakeCall[] = [];
  private readonly expectations: Expectation[] = [];
  closed = false;

  /** Expects a command (exact text or a pattern), on one node or any, answered with reply. */
  expect(command: string | RegExp, reply: FakeReply = {}, options: { node?: string; times?: number } = {}): this {
    this.expectations.push({
      command,
      reply,
      times: options.times ?? 1,
      used: 0,
      ...(options.node !== undefined ? { node: options.node } : {}),
    });
    return this;
  }

  async exec(node: InventoryNode, command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const call: FakeCall = { node: node.name, command, ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}) };
    this.calls.push(call);
    const e = this.expectations.find((x) => x.used < x.times && matches(x, node.name, command));
    if (!e) {
      this.unexpected.push(call);
      return {
        ok: false,
        exit: null,
        failure: 'spawn-failed',
        message: `unexpected command on ${node.name}: ${command}`,
        stdout: '',
        stderr: '',
        durationMs: 0,
      };
    }
    e.used += 1;
    const r = e.reply;
    const aborted = (): ExecResult => ({
      ok: false,
      exit: null,
      failure: 'aborted',
      message: `The command on ${node.name} was aborted.`,
      stdout: '',
      stderr: '',
      durationMs: 0,
    });
    if (r.hang) {
      return new Promise((resolve) => {
        if (options.signal?.aborted) return resolve(aborted());
        options.signal?.addEventListener('abort', () => resolve(aborted()), { once: true });
      });
    }
    if (r.delayMs) {
      const finishedInTime = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), r.delayMs);
        options.signal?.addEventListener('abort', () => (clearTimeout(timer), resolve(false)), { once: true });
      });
      if (!finishedInTime) return aborted();
    }
    const stdout = r.stdout ?? '';
    const stderr = r.stderr ?? '';
    for (const [stream, text] of [
      ['stdout', stdout],
      ['stderr', stderr],
    ] as const) {
      for (const line of text.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '')) options.onOutput?.({ stream, text: line });
    }
    const exit = r.exit === undefined ? (r.failure ? null : 0) : r.exit;
    return {
      ok: exit === 0 && !r.failure,
      exit,
      stdout,
      stderr,
      durationMs: 1,
      ...(r.failure ? { failure: r.failure } : {}),
      ...(r.message ? { message: r.message } : {}),
    };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Expected calls that never came. */
  missing(): string[] {
    return this.expectations
      .filter((e) => e.times !== Infinity && e.used < e.times)
      .map((e) => `${e.node ? `${e.node}: ` : ''}${String(e.command)} (${e.used}/${e.times})`);
  }

  /** Throws when an expected call is missing or an unexpected one came. */
  verify(): void {
    const problems = [
      ...this.missing().map((m) => `expected but not called: ${m}`),
      ...this.unexpected.map((c) => `called but not expected: ${c.node}: ${c.command}`),
    ];
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }
}
