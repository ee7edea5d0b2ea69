// Where journals go, attacked: --state-dir naming a file or a place that cannot be written, a
// runs/ directory or a journal swapped for a symbolic link to someone else's file, a state
// directory others may write to, and a theme that does not exist. Each is bad input: exit 2, a
// sentence, nothing ran, and no file outside the state directory is touched.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli-io.js';
import { tempDir } from '../helpers/real-shell.js';

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('runbook-state-'));
  writeFileSync(join(dir, 'rb.yaml'), RUNBOOK);
});
afterEach(() => remove());

const RUNBOOK = `id: state
title: State
sections:
  - id: work
    title: Work
    steps:
      - { id: one, run: echo one >> marks }
      - { id: two, run: exit 3 }
`;

const play = (args: string[], input = '') =>
  runMain(
    ['play', 'rb.yaml', ...args],
    { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config'), TZ: 'UTC' },
    dir,
    input,
  );
const marks = () => (existsSync(join(dir, 'marks')) ? readFileSync(join(dir, 'marks'), 'utf8') : '');

describe('the state directory', () => {
  it('naming a file, or a place that cannot be made or written: exit 2 with a sentence, nothing runs', async () => {
    writeFileSync(join(dir, 'afile'), 'not a directory\n');
    const cases: [string, RegExp][] = [
      [join(dir, 'afile'), /--state-dir .*afile is a file, not a directory; name a directory for the journals/],
      [join(dir, 'afile', 'below'), /--state-dir .*afile\/below cannot be created: a file is in the way/],
      // /proc takes no new directories, not even from root: a place that cannot be written.
      ['/proc/runbook-state', /--state-dir \/proc\/runbook-state cannot be created: a part of the path does not exist and cannot be made/],
      ['/sys/runbook-state', /--state-dir \/sys\/runbook-state cannot be created: (permission denied|the file system is read-only)/],
    ];
    for (const [stateDir, message] of cases) {
      const r = await play(['--state-dir', stateDir]);
      expect(r.status, stateDir).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.err).not.toMatch(/ENOTDIR|ENOENT|EPERM|    at /);
    }
    expect(marks()).toBe('');
  });

  it('writable by others (group or world): refused before anything runs', async () => {
    for (const [place, mode] of [
      ['state', 0o777],
      ['state', 0o770],
      ['state/runs', 0o722],
    ] as const) {
      mkdirSync(join(dir, 'state', 'runs'), { recursive: true, mode: 0o700 });
      chmodSync(join(dir, 'state'), 0o700);
      chmodSync(join(dir, 'state', 'runs'), 0o700);
      chmodSync(join(dir, place), mode);
      const r = await play(['--state-dir', join(dir, 'state')]);
      expect(r.status, place).toBe(2);
      expect(r.err).toMatch(/may be written by other users \(mode 07\d\d\)/);
      chmodSync(join(dir, place), 0o700);
    }
    expect(marks()).toBe('');
  });

  it('a runs/ directory or a journal swapped for a symbolic link: refused, never followed, the target untouched', async () => {
    const state = join(dir, 'state');
    const first = await play(['--state-dir', state], 'a\n');
    expect(first.status).toBe(1);
    const [journal] = readdirSync(join(state, 'runs'));
    const victim = join(dir, 'victim.txt');
    // A file with a torn last line: resuming through a link would append to it and cut it.
    writeFileSync(victim, 'precious\nno newline at the end');

    // The journal replaced by a link to the victim.
    renameSync(join(state, 'runs', journal!), join(dir, 'moved.jsonl'));
    symlinkSync(victim, join(state, 'runs', journal!));
    const viaJournal = await play(['--state-dir', state, '--resume', '--run', journal!.replace('.jsonl', '')], 'r\n');
    expect(viaJournal.status).toBe(2);
    expect(viaJournal.err).toMatch(/\.jsonl: error: this journal is a symbolic link; a journal is resumed only as a plain file/);

    // runs/ itself replaced by a link to a directory holding the real journal.
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    renameSync(join(dir, 'moved.jsonl'), join(elsewhere, journal!));
    renameSync(join(state, 'runs'), join(dir, 'old-runs'));
    symlinkSync(elsewhere, join(state, 'runs'));
    for (const args of [['--resume'], []]) {
      const r = await play(['--state-dir', state, ...args], 'r\n');
      expect(r.status).toBe(2);
      expect(r.err).toMatch(/runs: error: the runs directory is a symbolic link; journals are never kept behind one/);
    }
    expect(readFileSync(victim, 'utf8')).toBe('precious\nno newline at the end');
    expect(readdirSync(elsewhere)).toEqual([journal]);
    expect(marks()).toBe('one\n');
  });
});

describe('--theme', () => {
  it('an unknown theme is refused with the allowed values, in plain mode too, before anything runs', async () => {
    const r = await play(['--state-dir', join(dir, 'state'), '--theme', 'neon', '--plain']);
    expect(r.status).toBe(2);
    expect(r.err).toContain('--theme must be dark, light or mono, not "neon"');
    expect(marks()).toBe('');
    const train = await runMain(
      ['train', '--theme', 'neon', '--plain'],
      { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config') },
      dir,
    );
    expect(train.status).toBe(2);
    expect(train.err).toContain('--theme must be dark, light or mono, not "neon"');
  });
});
