// Idle CPU of `runbook train --nodes 3,2000` in the terminal UI, waiting at the first
// confirmation, at time scale 1 and 50: what the health probes (every 15 s of cluster time on
// each of the 2,003 nodes, so every 0.3 s at scale 50), the spinners and the simulator answering
// them cost while the operator reads. The player runs in a pseudo-terminal (util-linux `script`),
// as on an operator's terminal; the simulator runs inside the player's process, so the figure
// covers both. Target: health probes must not saturate a core (well under 100%).
//
// RUNBOOK_BENCH_ROOT=<another checkout> measures that one instead (for a before/after).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/cli/package-files.js';

const SCALES = [1, 50];
const SETTLE_MS = 5_000;
const WINDOW_MS = 20_000;
const START_LIMIT_MS = 120_000;
const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

function childOf(pid: number): number | undefined {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return kids[0];
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plain = (s: string) => s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g, '');

async function until(what: string, test: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await sleep(200);
  }
}

async function measure(root: string, scale: number): Promise<{ cpu: number; rssMb: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'runbook-bench-idle-'));
  let child: ChildProcess | undefined;
  let player: number | undefined;
  try {
    const cli = path.join(root, 'bin', 'runbook.js');
    const command = `stty cols 160 rows 50; exec ${process.execPath} ${cli} train --nodes 3,2000 --time-scale ${scale} --state-dir ${dir}/state`;
    child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: root,
      env: { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: path.join(dir, 'config'), TERM: 'xterm-256color' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += String(d)));
    child.stderr!.on('data', (d) => (out += String(d)));
    await until('the player to start', () => /enter/.test(plain(out)) && childOf(child!.pid!) !== undefined, START_LIMIT_MS);
    player = childOf(child.pid!)!;
    await sleep(1000);
    out = '';
    child.stdin!.write('\r');
    // The first step asks for an acknowledgement: the player waits for the operator there.
    await until('the first confirmation', () => /Confirm on \S+|y done {3}n refuse/.test(plain(out)), START_LIMIT_MS);
    await sleep(SETTLE_MS);
    const before = cpuSeconds(player);
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const cpu = (cpuSeconds(player) - before) / ((performance.now() - t0) / 1000);
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${player}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    return { cpu: Math.round(cpu * 1000) / 10, rssMb: Math.round(rss) };
  } finally {
    if (player !== undefined) {
      try {
        process.kill(player, 'SIGTERM');
      } catch {
        // already gone
      }
      await sleep(1500);
      try {
        process.kill(player, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const root = process.env.RUNBOOK_BENCH_ROOT ?? packageRoot();
  const out: Record<string, number | string> = { checkout: root };
  for (const scale of SCALES) {
    const { cpu, rssMb } = await measure(root, scale);
    out[`time scale ${scale}: idle CPU at the first confirmation, % of one core`] = cpu;
    out[`time scale ${scale}: RSS, MB`] = rssMb;
  }
  return out;
}
