// The simulator's host and client keys: real OpenSSH reads them, and making thousands of them
// never hangs the process.
import { execFile, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEd25519 } from '../../src/sim/keys.js';
import { tempDir } from '../helpers/real-shell.js';
import { SSH_KEYGEN, sshdMissing } from '../helpers/sshd.js';

const run = promisify(execFile);
const { dir, remove } = tempDir('runbook-sim-keys-');
const cleanups: (() => void)[] = [remove];
afterAll(() => cleanups.forEach((c) => c()));

describe('simulator keys', () => {
  it.skipIf(sshdMissing() !== undefined)('ssh-keygen reads the private key and derives the same public key', async () => {
    for (let i = 0; i < 5; i++) {
      const key = generateEd25519(`root@node-${i}`);
      const file = path.join(dir, `id_${i}`);
      writeFileSync(file, key.privateOpenSsh, { mode: 0o600 });
      const { stdout } = await run(SSH_KEYGEN, ['-y', '-f', file]);
      expect(stdout.trim().split(' ').slice(0, 2)).toEqual(key.publicLine.split(' ').slice(0, 2));
      const parsed = ssh2.utils.parseKey(key.privateOpenSsh);
      expect(parsed instanceof Error ? parsed.message : parsed.getPublicSSH().equals(key.publicBlob)).toBe(true);
    }
  });

  // Node 20 deadlocked when a garbage collection freed a key's generating job while the key was
  // exported as JWK: with a 1 MB young generation that happened within a few thousand keys.
  it('makes 20,000 keys under constant garbage collection without hanging', async () => {
    // Inside the project, so that ssh2 (left out of the bundle) resolves from node_modules.
    const root = path.join(import.meta.dirname, '..', '..');
    const script = path.join(root, 'dist', `many-keys-${process.pid}.mjs`);
    cleanups.push(() => rmSync(script, { force: true }));
    await build({
      stdin: {
        contents: `import { generateEd25519 } from './src/sim/keys.ts';\nfor (let i = 0; i < 20000; i++) generateEd25519('k');\nconsole.log('done');\n`,
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outfile: script,
      logLevel: 'silent',
    });
    // Killed if it hangs.
    const child = spawn(process.execPath, ['--max-semi-space-size=1', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    expect({ code, out: out.trim() }).toEqual({ code: 0, out: 'done' });
  }, 70_000);
});
