// `runbook play` as users run it: the bundled binary under plain Node (not vitest's module
// loader), over real SSH to a real sshd on loopback. ssh2 is CommonJS, and what Node's ESM loader
// exposes of it differs from what vitest exposes: only this test sees the difference.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBinary, spawnCli } from '../engine/binary.js';
import { sshdMissing, startSshd, writeOperatorHome, type Sshd } from '../helpers/sshd.js';

const missing = sshdMissing();
let dir: string;
let sshd: Sshd;
let binary: Awaited<ReturnType<typeof buildBinary>>;

describe.skipIf(missing)('runbook play over SSH, the built binary', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'runbook-play-bin-'));
    [sshd, binary] = await Promise.all([startSshd(), buildBinary()]);
    // The operator's home: known_hosts holds the server's key, as after a first `ssh`.
    writeOperatorHome(dir, sshd);
    writeFileSync(
      path.join(dir, 'runbook.yaml'),
      [
        'id: over-ssh',
        'title: Over SSH',
        'sections:',
        '  - id: remote',
        '    title: Remote',
        '    on: master',
        '    steps:',
        '      - id: hello',
        "        run: echo hello from $(hostname) && echo 'version 1.11.5'",
        "        capture: { version: 'version (\\S+)' }",
        '      - id: fails',
        '        run: exit 3',
        '',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    await sshd?.stop();
    binary?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs steps on the node, captures, and reports a failing step with exit 1', async () => {
    const env = { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1' };
    const run = spawnCli(binary.cli, ['play', 'runbook.yaml', '--inventory', 'inventory.yaml', '--state-dir', path.join(dir, 'state')], {
      cwd: dir,
      env,
      input: 'abort\n',
    });
    const { code } = await run.exit;
    const out = run.stdout() + run.stderr();
    expect(out).toContain('hello from');
    expect(out).toMatch(/version = 1\.11\.5|version: 1\.11\.5|1\.11\.5/);
    expect(out).toMatch(/fails@node-1.*exit 3|exit 3/);
    expect(out).not.toContain('parseKey');
    expect(code).toBe(1);
  }, 60_000);
});
