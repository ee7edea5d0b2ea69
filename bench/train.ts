// A full happy-path patch of the DC/OS runbook on a simulated cluster of 3 masters and 200 agents
// (private agents in batches of agent_batch, 5 by default, public agents one at a time), at a high time scale, through the built binary
// in plain mode with --yes: wall time, the player's peak memory, and the cluster time it covered.
// The simulator runs inside the player's process, so the peak covers both.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/cli/package-files.js';

const SCALE = 500;
const LIMIT_MS = 2 * 60_000;

/** Peak resident memory so far (VmHWM only grows), in MB; undefined once the process is gone. */
function peakMb(pid: number): number | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const root = packageRoot();
  const dir = mkdtempSync(path.join(tmpdir(), 'runbook-bench-train-'));
  try {
    const started = Date.now();
    // A run killed for taking too long leaves Node's diagnostic report (stacks, open handles) here.
    const reports = mkdtempSync(path.join(tmpdir(), 'runbook-bench-train-report-'));
    const child = spawn(
      process.execPath,
      [
        '--report-on-signal',
        '--report-signal=SIGUSR2',
        `--report-directory=${reports}`,
        path.join(root, 'bin', 'runbook.js'),
        'train',
        '--nodes',
        '3,200',
        '--plain',
        '--yes',
        '--time-scale',
        String(SCALE),
        '--state-dir',
        dir,
      ],
      { cwd: root, env: { ...process.env, HOME: dir, RUNBOOK_CONFIG_DIR: dir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    let peak = 0;
    const sampler = setInterval(() => (peak = Math.max(peak, peakMb(child.pid!) ?? 0)), 50);
    // Bounded: a run that stops moving is killed and reported with its last lines, not waited on.
    const limit = setTimeout(() => {
      child.kill('SIGUSR2');
      setTimeout(() => child.kill('SIGKILL'), 3000);
    }, LIMIT_MS);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(limit);
    clearInterval(sampler);
    const wall = (Date.now() - started) / 1000;
    if (code === null)
      throw new Error(
        `train killed after ${LIMIT_MS / 1000} s; its diagnostic report is in ${reports}; its last lines:\n${out.split('\n').slice(-15).join('\n')}`,
      );
    rmSync(reports, { recursive: true, force: true });
    if (code !== 0) throw new Error(`train exited ${code}:\n${out.split('\n').slice(-15).join('\n')}`);
    const summary = /summary: passed (\d+), failed (\d+).* in ([\d:]+)/.exec(out);
    const patched = /Nodes at [\d.]+: (\d+) of (\d+)/.exec(out);
    return {
      'nodes patched': patched ? `${patched[1]} of ${patched[2]}` : 'unknown',
      'steps passed': Number(summary?.[1] ?? 0),
      'cluster time covered': summary?.[3] ?? 'unknown',
      'time scale': SCALE,
      'wall time, s': Number(wall.toFixed(1)),
      'peak RSS of player + simulator, MB': Math.round(peak),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
