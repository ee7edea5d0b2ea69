import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { paramProblem, resolveParams } from '../../src/cli/session.js';
import type { CommandIO } from '../../src/cli/command-types.js';
import { LineReader, readTerminalLine } from '../../src/plain/line-reader.js';
import type { Param } from '../../src/runbook/schema.js';

function io(input: string, env: Record<string, string> = {}): { io: CommandIO; err: () => string; answers: LineReader } {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c) => (err += String(c)));
  const stdin = Readable.from(input ? [input] : []);
  return {
    io: { stdin, stdout: new PassThrough(), stderr, env, cwd: '/', interactive: false },
    err: () => err,
    answers: new LineReader(stdin),
  };
}

const declared: Record<string, Param> = {
  installed_version: { prompt: 'Version running now', pattern: '^1\\.11\\.\\d+$' },
  security: { choices: ['disabled', 'permissive', 'strict'], default: 'disabled' },
  jwt: { prompt: 'Auth token', secret: true, env: 'DCOS_JWT', when: "params.security == 'strict'" },
};

describe('params', () => {
  it('takes --param first, then the env variable, then the default, then asks', async () => {
    const t = io('1.11.4\n', { DCOS_JWT: 'env-token' });
    const r = await resolveParams(declared, new Map([['security', 'strict']]), {
      io: t.io,
      answers: t.answers,
      file: 'rb.yaml',
      dryRun: false,
    });
    expect(r.params).toEqual({ installed_version: '1.11.4', security: 'strict', jwt: 'env-token' });
    expect([...r.secrets]).toEqual(['jwt']);
    expect(t.err()).toBe('? Version running now: \n');
  });

  it('does not ask what a false when leaves out; asks again after a wrong answer', async () => {
    const t = io('1.12\n1.11.2\n');
    const r = await resolveParams(declared, new Map(), { io: t.io, answers: t.answers, file: 'rb.yaml', dryRun: false });
    expect(r.params).toEqual({ installed_version: '1.11.2', security: 'disabled', jwt: undefined });
    expect(t.err()).toContain('installed_version: "1.12" does not match ^1\\.11\\.\\d+$');
  });

  it('refuses a secret so short that masking it would mask those letters in every output', () => {
    // Typed by mistake at a prompt ("r", "y"), a one-letter secret would turn every r of the
    // nodes' output into the mask, and the checks that read it would fail for no reason.
    expect(paramProblem('zk_password', { secret: true }, 'r')).toMatch(/^zk_password: a secret of fewer than 4 characters is refused/);
    expect(paramProblem('zk_password', { secret: true }, 'abc')).toMatch(/fewer than 4/);
    expect(paramProblem('zk_password', { secret: true }, 'abcd')).toBeUndefined();
    // Not about params shown in clear.
    expect(paramProblem('note', {}, 'r')).toBeUndefined();
  });

  it('never repeats a secret back, even a wrong one', () => {
    expect(paramProblem('jwt', { secret: true, pattern: '^ey' }, 'hunter2')).toBe('jwt: the value does not match ^ey');
  });

  it("a value the runbook's pattern backtracks on is refused within the limit, and not asked for again", { timeout: 30_000 }, async () => {
    // 2^30 ways to split the 1s before the "x": over 10 s without a limit.
    const hostile = `${'1'.repeat(30)}x`;
    const rb: Record<string, Param> = { build: { prompt: 'Build', pattern: '^(1+)+$' } };
    const t = io(`${hostile}\n111\n`);
    const started = Date.now();
    const asking = resolveParams(rb, new Map(), { io: t.io, answers: t.answers, file: 'rb.yaml', dryRun: false });
    await expect(asking).rejects.toThrow(
      `build: "${hostile}" is refused: the runbook's pattern ^(1+)+$ backtracks (no answer within 3 s), so no value can be checked against it; simplify the pattern`,
    );
    expect(Date.now() - started).toBeLessThan(8000);
    expect(t.err()).toBe('? Build: \n');
    // Given on the command line, or secret: the same refusal, the secret never shown.
    await expect(
      resolveParams(rb, new Map([['build', '111']]), { io: t.io, answers: t.answers, file: 'rb.yaml', dryRun: false }),
    ).rejects.toThrow('--param build: build: "111" is refused');
    expect(paramProblem('token', { secret: true, pattern: '^(1+)+$' }, 'hunter2')).toBe(
      "token: the value is refused: the runbook's pattern ^(1+)+$ backtracks (no answer within 3 s), so no value can be checked against it; simplify the pattern",
    );
  });

  it('a resumed run keeps the values it started with', async () => {
    const t = io('', { DCOS_JWT: 'again' });
    const ctx = {
      io: t.io,
      answers: t.answers,
      file: 'rb.yaml',
      dryRun: false,
      fromJournal: { installed_version: '1.11.1', security: 'strict', jwt: '••••••' },
      secretsFromJournal: ['jwt'],
    };
    const r = await resolveParams(declared, new Map(), ctx);
    expect(r.params).toEqual({ installed_version: '1.11.1', security: 'strict', jwt: 'again' });
    await expect(resolveParams(declared, new Map([['installed_version', '1.11.3']]), ctx)).rejects.toThrow(
      'the run started with installed_version=1.11.1; a resumed run keeps its params',
    );
  });
});

describe('reading from a terminal', () => {
  // A stand-in for a TTY (no pty here): a stream with the raw-mode switch a terminal has.
  function tty(): NodeJS.ReadStream & { modes: boolean[] } {
    const s = new PassThrough() as unknown as NodeJS.ReadStream & { modes: boolean[] };
    s.modes = [];
    s.isRaw = false;
    s.setRawMode = (mode: boolean) => {
      s.modes.push(mode);
      s.isRaw = mode;
      return s;
    };
    return s;
  }

  it('reads a secret without echoing anything, with backspace, and restores the mode', async () => {
    const input = tty();
    const out = new PassThrough();
    let shown = '';
    out.on('data', (c) => (shown += String(c)));
    const p = readTerminalLine(input, out, { echo: false });
    input.write('s3cx\u007fret\r');
    expect(await p).toBe('s3cret');
    expect(shown).toBe('\n');
    expect(input.modes).toEqual([true, false]);
  });

  it('echoes an ordinary answer', async () => {
    const input = tty();
    const out = new PassThrough();
    let shown = '';
    out.on('data', (c) => (shown += String(c)));
    const p = readTerminalLine(input, out, { echo: true });
    input.write('1.11.2\n');
    expect(await p).toBe('1.11.2');
    expect(shown).toBe('1.11.2\n');
  });
});
