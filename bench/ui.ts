// The terminal UI's numbers, with their targets:
// - start to the first full frame in tmux, beside a bare unbundled Ink "hello" on this machine
//   (target, issue 14: at most half its time; `runbook --version` is measured in bench/cli.ts);
// - one node's change re-rendered with 1,000 nodes on screen under 12 ms and 2 KB to the
//   terminal, with 2,000 under 16 ms; idle CPU with spinners under 5% of a core; RSS after
//   1,000,000 lines through a pane under 200 MB; a key answered within 100 ms while a step prints
//   10,000 lines a second, and while a node floods output without a newline, the process's peak
//   memory staying bounded meanwhile (bench/fixtures/ui-worker.ts, in a process with React's
//   production build, each part that measures memory in a process of its own).
// BENCH_ONLY=keys,flood (or frame, rerender, idle, memory) runs some parts only.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const execFileP = promisify(execFile);
/** The project's root: this file runs bundled from dist/bench/, or as source from bench/. */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'bench', 'ui.ts'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the project root from bench/ui.ts');
    dir = up;
  }
  return dir;
}
const root = projectRoot();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

async function bundle(entry: string, outdir: string, options: { splitting?: boolean; packagesExternal?: boolean } = {}): Promise<void> {
  await build({
    entryPoints: { [path.basename(entry).replace(/\.ts$/, '')]: entry },
    outdir,
    bundle: true,
    splitting: options.splitting ?? false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    define: { 'process.env.NODE_ENV': '"production"' },
    ...(options.packagesExternal ? { packages: 'external' as const } : { external: ['ssh2', 'cpu-features', 'react-devtools-core'] }),
    banner: { js: "import { createRequire as __runbookRequire } from 'node:module'; const require = __runbookRequire(import.meta.url);" },
    logLevel: 'error',
  });
}

/** Starts `command` in a fresh tmux session and times it until the screen shows `marker`. */
async function firstFrame(
  socket: string,
  command: string,
  marker: (screen: string) => boolean,
  env: Record<string, string>,
): Promise<number> {
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    tmux('kill-server');
  } catch {
    // none yet
  }
  tmux('new-session', '-d', '-s', 'b', '-x', '120', '-y', '40', 'sleep 60');
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const t0 = performance.now();
  tmux('respawn-pane', '-k', '-t', 'b', ...envArgs, command);
  try {
    for (;;) {
      const screen = tmux('capture-pane', '-p', '-t', 'b');
      if (marker(screen)) return performance.now() - t0;
      if (performance.now() - t0 > 20_000) throw new Error(`no first frame after 20 s; the screen:\n${screen}`);
    }
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const out: Record<string, number | string> = {};
  const cache = path.join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const work = mkdtempSync(path.join(cache, 'runbook-bench-ui-'));
  const home = mkdtempSync(path.join(os.tmpdir(), 'runbook-bench-home-'));
  try {
    // The binary as it ships (scripts/build.js's options) and the worker.
    await Promise.all([
      bundle(path.join(root, 'src', 'cli.ts'), path.join(work, 'bin'), { splitting: true }),
      bundle(path.join(root, 'bench', 'fixtures', 'ui-worker.ts'), path.join(work, 'worker'), { packagesExternal: true }),
    ]);
    const cli = path.join(work, 'bin', 'cli.js');

    out['load average when starting (1 min; this machine has ' + os.cpus().length + ' cores)'] = round(os.loadavg()[0]!, 2);

    const only = process.env.BENCH_ONLY?.split(',');
    let tmux = !only || only.includes('frame');
    try {
      if (tmux) execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    } catch {
      tmux = false;
      out['first frame in tmux'] = 'skipped: tmux is not installed';
    }
    if (tmux) {
      const env = { HOME: home, PATH: process.env.PATH ?? '', TERM: 'xterm-256color', CI: 'false' };
      const hello = path.join(root, 'bench', 'fixtures', 'ink-hello.mjs');
      const trainBuilt = !readFileSync(path.join(root, 'src', 'cli', 'train.ts'), 'utf8').includes('not built yet');
      let runbookCommand: string;
      let what: string;
      let stopSim: (() => Promise<void>) | undefined;
      if (trainBuilt) {
        runbookCommand = `'${process.execPath}' '${cli}' train --state-dir '${path.join(home, 'state')}'`;
        what = 'runbook train (simulator included)';
      } else {
        // Until `runbook train` exists: play against a simulator started here (its start not timed).
        const { startSimulator } = await import('../src/sim/index.js');
        const sim = await startSimulator({ masters: 3, agents: 20, dir: path.join(home, 'sim') });
        stopSim = () => sim.close();
        mkdirSync(path.join(home, '.ssh'), { recursive: true });
        copyFileSync(sim.files.knownHosts, path.join(home, '.ssh', 'known_hosts'));
        runbookCommand = `'${process.execPath}' '${cli}' play '${path.join(root, 'test', 'e2e', 'fixtures', 'patch-agents.yaml')}' --inventory '${sim.files.inventory}' --state-dir '${path.join(home, 'state')}'`;
        what = 'runbook play, simulator already running (train not built yet)';
      }
      try {
        const ink: number[] = [];
        const ours: number[] = [];
        for (let i = 0; i < 5; i++) {
          ink.push(await firstFrame('runbook-bench-hello', `'${process.execPath}' '${hello}'`, (s) => s.includes('Hello from Ink'), env));
          ours.push(
            await firstFrame(
              'runbook-bench-ui',
              runbookCommand,
              (s) => s.includes('Nodes') && s.includes('master-1') && /enter|confirm|Run on/i.test(s),
              env,
            ),
          );
        }
        out['first frame, bare unbundled Ink hello (ms, median of 5)'] = round(median(ink));
        out[`first full frame, ${what} (ms, median of 5)`] = round(median(ours));
        out['first frame: runbook / Ink hello (target <= 0.5)'] = round(median(ours) / median(ink), 2);
      } finally {
        await stopSim?.();
      }
    }

    const worker = path.join(work, 'worker', 'ui-worker.js');
    for (const group of ['rerender,idle', 'keys', 'flood', 'memory']) {
      const parts = group.split(',').filter((p) => !only || only.includes(p));
      if (parts.length === 0) continue;
      const { stdout } = await execFileP(process.execPath, ['--expose-gc', worker], {
        env: { ...process.env, NODE_ENV: 'production', BENCH_ONLY: parts.join(',') },
        cwd: root,
        maxBuffer: 1 << 20,
        timeout: 300_000,
      });
      Object.assign(out, JSON.parse(stdout.trim().split('\n').pop()!));
    }
    out['load average when done (1 min)'] = round(os.loadavg()[0]!, 2);
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
  return out;
}
