// A journal write that really fails, in a real process: the player runs under a file size limit
// (RLIMIT_FSIZE, `ulimit -f`: what a quota or a full disk does to a write, and the one such
// fault root cannot step around) set so that the write carrying a step's end goes past it. The
// run stops there; the resume must know the step finished, not call it "running when the player
// stopped", and must not run it again.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/engine/journal.js';
import { tempDir } from '../helpers/real-shell.js';
import { buildBinary, spawnCli } from './binary.js';

let cli: string;
let removeBinary: () => void;
beforeAll(async () => {
  ({ cli, remove: removeBinary } = await buildBinary());
}, 60_000);
afterAll(() => removeBinary?.());

let dir: string;
let removeDir: () => void;
beforeEach(() => {
  ({ dir, remove: removeDir } = tempDir('runbook-journal-fail-'));
});
afterEach(() => removeDir());

const env = () => ({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config'), TZ: 'UTC' });
const marks = () => (existsSync(join(dir, 'marks')) ? readFileSync(join(dir, 'marks'), 'utf8') : '');
const journalOf = (state: string) =>
  join(
    state,
    'runs',
    readdirSync(join(state, 'runs')).find((f) => f.endsWith('.jsonl'))!,
  );

// The pad param makes the first record long, so the limit (whole KiB) falls inside the write
// that carries `big`'s output (20 lines of about 70 bytes kept in its record).
const RUNBOOK = `id: journal-fails
title: The journal fails
params:
  pad: { default: "${'p'.repeat(3000)}" }
sections:
  - id: work
    title: Work
    steps:
      - { id: one, run: echo one >> marks }
      - { id: big, run: 'for i in $(seq 1 20); do echo "line $i ............................................................"; done; echo big >> marks' }
      - { id: last, run: echo last >> marks }
`;

/** The player under a file size limit of `kib` KiB (bash's ulimit -f counts KiB; exec keeps it). */
function playLimited(args: string[], kib: number): { stderr: () => string; exit: Promise<number | null> } {
  const child = spawn('/bin/bash', ['-c', `ulimit -f ${kib} && exec "$@"`, 'bash', process.execPath, cli, 'play', ...args], {
    cwd: dir,
    env: env(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c) => (err += String(c)));
  return { stderr: () => err, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

describe('a journal write that fails', () => {
  it('the run stops; the records it could not take are set aside; resume puts them back and the finished step stays finished', async () => {
    writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
    // Where the write carrying big's output starts, measured on a run without a limit.
    const cal = spawnCli(cli, ['play', 'rb.yaml', '--state-dir', join(dir, 'calibrate')], { cwd: dir, env: env() });
    expect((await cal.exit).code).toBe(0);
    const lines = readFileSync(journalOf(join(dir, 'calibrate')), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"event":"output"') && l.includes('"step":"big"'));
    const before = lines.slice(0, at).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(Buffer.byteLength(lines[at]!)).toBeGreaterThan(1200);
    const kib = Math.ceil((before + 60) / 1024);
    writeFileSync(join(dir, 'marks'), '');

    const state = join(dir, 'state');
    const limited = playLimited(['rb.yaml', '--state-dir', state], kib);
    expect(await limited.exit).toBe(1);
    expect(limited.stderr()).toMatch(/the journal cannot be written, so the run stops here: .*EFBIG/);
    expect(limited.stderr()).toContain(`they are kept in ${journalOf(state)}.unwritten, and --resume puts them back`);
    // big finished; last never started (its start was in the write that failed, so it never ran).
    expect(marks()).toBe('one\nbig\n');
    const cut = await readJournal(journalOf(state));
    expect(cut.records.some((r) => r.event === 'step-finished' && r.step === 'big')).toBe(false);

    // The operator is not there (no input): nothing may need a decision, since nothing was left running.
    const resumed = spawnCli(cli, ['play', 'rb.yaml', '--resume', '--state-dir', state], { cwd: dir, env: env() });
    expect((await resumed.exit).code).toBe(0);
    expect(resumed.stderr()).toMatch(/records? the journal could not take when the run stopped were put back/);
    expect(resumed.stderr()).not.toContain('interrupted while running');
    expect(marks()).toBe('one\nbig\nlast\n');
    expect(existsSync(`${journalOf(state)}.unwritten`)).toBe(false);
    const { records, torn } = await readJournal(journalOf(state));
    expect(torn).toBe(false);
    expect(records.filter((r) => r.event === 'step-started' && r.step === 'big')).toHaveLength(1);
    expect(records.find((r) => r.event === 'step-finished' && r.step === 'big')).toMatchObject({ status: 'passed', exit: 0 });
    expect(records.filter((r) => r.event === 'interrupted')).toHaveLength(0);
    expect(records.filter((r) => r.event === 'run-finished')).toHaveLength(1);
  }, 60_000);
});
