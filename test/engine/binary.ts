// The binary as users run it, for tests that must kill a real process: bundled from the sources
// the way scripts/build.js does, into a private directory (not dist/, which other tests and
// developers use), under node_modules so that the external ssh2 resolves.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
// @ts-expect-error: a plain JavaScript script without types
import { bundleOptions } from '../../scripts/build.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function buildBinary(): Promise<{ cli: string; remove: () => void }> {
  const cache = path.join(root, 'node_modules', '.cache');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(cache, { recursive: true });
  const outdir = mkdtempSync(path.join(cache, 'runbook-int-'));
  await build({ ...bundleOptions(outdir), sourcemap: false, logLevel: 'error' });
  return { cli: path.join(outdir, 'cli.js'), remove: () => rmSync(outdir, { recursive: true, force: true }) };
}

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the binary with args; stdin gets `input` and is then closed. */
export function spawnCli(cli: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; input?: string }): Spawned {
  const child = spawn(process.execPath, [cli, ...args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += String(c)));
  child.stderr!.on('data', (c) => (err += String(c)));
  child.stdin!.end(options.input ?? '');
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}
