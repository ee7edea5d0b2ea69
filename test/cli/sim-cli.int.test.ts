// `runbook sim` as a user runs it (the built binary): the play command it prints works against
// the cluster as started, --time-scale included; and when its terminal closes (SIGHUP) it stops
// and takes its private key and known_hosts with it, as on Ctrl-C.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path, { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildBinary, spawnCli } from '../engine/binary.js';
import { tempDir } from '../helpers/real-shell.js';

let cli: string;
let removeBinary: () => void;
beforeAll(async () => {
  ({ cli, remove: removeBinary } = await buildBinary());
}, 60_000);
afterAll(() => removeBinary?.());

let dir: string;
let removeDir: () => void;
beforeEach(() => {
  ({ dir, remove: removeDir } = tempDir('runbook-sim-cli-'));
});
const started: { kill: () => void }[] = [];
afterEach(() => {
  // A simulator a failed assertion left running is stopped here.
  for (const s of started.splice(0)) s.kill();
  removeDir();
});

async function until(predicate: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('runbook sim', () => {
  it.each(['SIGHUP', 'SIGINT'] as const)(
    'prints a play command with its --time-scale; %s stops it and removes its key and known_hosts',
    async (signal) => {
      // Its temporary directory goes where TMPDIR says: here, so the test sees exactly its files.
      const sim = spawnCli(cli, ['sim', '--nodes', '1,1', '--time-scale', '10', '-o', join(dir, 'inv.yaml')], {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, TMPDIR: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config') },
      });
      started.push({ kill: () => sim.child.exitCode === null && sim.child.signalCode === null && sim.child.kill('SIGKILL') });
      await until(() => sim.stderr().includes('Play against it'));
      expect(sim.stderr()).toMatch(
        /Play against it: runbook play \S+\/runbooks\/dcos-1\.11-patch\.yaml --inventory inv\.yaml --time-scale 10 --param /,
      );
      const simDirs = () => readdirSync(dir).filter((n) => n.startsWith('runbook-sim-'));
      expect(simDirs()).toHaveLength(1);
      expect(readdirSync(join(dir, simDirs()[0]!))).toEqual(expect.arrayContaining(['id_ed25519', 'known_hosts']));
      sim.child.kill(signal);
      expect(await sim.exit).toEqual({ code: 130, signal: null });
      expect(simDirs()).toEqual([]);
    },
    60_000,
  );

  it('without -o writes its inventory into its own directory and prints a play command that works as printed from where it was started', async () => {
    const elsewhere = join(dir, 'ops');
    mkdirSync(elsewhere);
    const sim = spawnCli(cli, ['sim', '--nodes', '1,1', '--time-scale', '10'], {
      cwd: elsewhere,
      env: { PATH: process.env.PATH, HOME: dir, TMPDIR: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config') },
    });
    started.push({ kill: () => sim.child.exitCode === null && sim.child.signalCode === null && sim.child.kill('SIGKILL') });
    await until(() => sim.stderr().includes('Play against it'));
    expect(sim.stdout()).toBe('');
    const inventory = /Its inventory: (\S+) \(removed when it stops/.exec(sim.stderr())![1]!;
    expect(existsSync(inventory)).toBe(true);
    const command = /Play against it: runbook (.*)$/m.exec(sim.stderr())![1]!;
    // Every word as a shell would pass it: the words the simulator prints need no quotes but the
    // values it quotes, which hold none of ' here.
    const words = command.split(' ').map((w) => w.replace(/^([a-z_]+=)'(.*)'$/, '$1$2'));
    expect(words).toContain('--time-scale');
    expect(words[1]).toMatch(/\/runbooks\/dcos-1\.11-patch\.yaml$/);
    expect(existsSync(path.resolve(elsewhere, words[1]!))).toBe(true);
    // The runbook of this checkout: the test binary is bundled under node_modules/.cache, and
    // where node_modules is a link to another checkout's, the package it finds is that one's.
    words[1] = path.join(import.meta.dirname, '..', '..', 'runbooks', 'dcos-1.11-patch.yaml');
    // Played as printed from the same directory (dry run: the runbook, the inventory, its key and
    // every param resolve; nothing is run on the cluster).
    const play = spawnCli(cli, [...words, '--dry-run', '--state-dir', join(dir, 'state')], {
      cwd: elsewhere,
      env: { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config') },
    });
    started.push({ kill: () => play.child.exitCode === null && play.child.kill('SIGKILL') });
    expect(await play.exit, play.stderr()).toEqual({ code: 0, signal: null });
    expect(play.stdout()).toContain('master-1');
    sim.child.kill('SIGINT');
    expect(await sim.exit).toEqual({ code: 130, signal: null });
    expect(existsSync(inventory)).toBe(false);
  }, 60_000);
});
