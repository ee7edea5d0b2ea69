// Idle CPU of `runbook train --nodes 3,2000` in the terminal UI, waiting at the first
// confirmation, at time scale 1 and 50: what the health probes (every 15 s of cluster time on
// each of the 2,003 nodes, so every 0.3 s at scale 50), the spinners and the simulator answering
// them cost while the operator reads. The player runs in a pseudo-terminal (util-linux `script`),
// as on an operator's terminal; the simulator runs inside the player's process, so the figure
// covers both. Targets (issue 14): under 10% of a core at time scale 1, under 50% at time scale
// 50; RSS under 300 MB and flat while idle (its growth over the window near zero).
//
// Each figure is the median of IDLE_RUNS runs (default 3); IDLE_WINDOW_MS sets the idle window
// (default 20 s), IDLE_SETTLE_MS the wait before it (default 5 s), IDLE_SCALES the time scales
// (default 1,50). To profile the idle window:
// IDLE_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/p --heapsnapshot-signal=SIGUSR2' adds those
// flags to the player's node, and with --heapsnapshot-signal a heap snapshot is taken at the
// start and at the end of the window (the CPU figure then includes the snapshots).
//
// RUNBOOK_BENCH_ROOT=<another checkout> measures that one instead (for a before/after).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { packageRoot } from '../src/cli/package-files.js';
import { processAlive } from '../test/helpers/real-shell.js';

const SCALES = (process.env.IDLE_SCALES ?? '1,50').split(',').map(Number);
const RUNS = Math.max(1, Number(process.env.IDLE_RUNS ?? 3));
const SETTLE_MS = Number(process.env.IDLE_SETTLE_MS ?? 5_000);
const WINDOW_MS = Number(process.env.IDLE_WINDOW_MS ?? 20_000);
const START_LIMIT_MS = 300_000; // the pre-flight of 2,005 nodes on a busy machine
const TICKS = 100; // USER_HZ on Linux
const NODE_FLAGS = process.env.IDLE_NODE_FLAGS ?? '';
const SNAPSHOT_SIGNAL = /--heapsnapshot-signal=(\w+)/.exec(NODE_FLAGS)?.[1] as NodeJS.Signals | undefined;

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

/** Resident set size of a process, MB. */
function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Sample {
  cpu: number;
  rssStartMb: number;
  rssEndMb: number;
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

async function measure(root: string, scale: number): Promise<Sample> {
  const dir = mkdtempSync(path.join(tmpdir(), 'runbook-bench-idle-'));
  let child: ChildProcess | undefined;
  let player: number | undefined;
  try {
    const cli = path.join(root, 'bin', 'runbook.js');
    const command = `stty cols 160 rows 50; exec ${process.execPath} ${NODE_FLAGS} ${cli} train --nodes 3,2000 --time-scale ${scale} --state-dir ${dir}/state`;
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
    // A training opens on its briefing (once its simulator is up; the first frame comes before):
    // enter acknowledges it, the next enter starts the run. A checkout without one goes on after a minute.
    const briefing = await until('the briefing', () => /enter begin/.test(plain(out)), 60_000).then(
      () => true,
      () => false,
    );
    out = '';
    child.stdin!.write('\r');
    if (briefing) {
      await sleep(1000);
      child.stdin!.write('\r');
    }
    // The first step asks for an acknowledgement: the player waits for the operator there.
    await until('the first confirmation', () => /Confirm on \S+|y done {3}n refuse/.test(plain(out)), START_LIMIT_MS);
    await sleep(SETTLE_MS);
    const rssStartMb = rssMb(player);
    const before = cpuSeconds(player);
    const t0 = performance.now();
    if (SNAPSHOT_SIGNAL) process.kill(player, SNAPSHOT_SIGNAL);
    await sleep(WINDOW_MS);
    if (SNAPSHOT_SIGNAL) process.kill(player, SNAPSHOT_SIGNAL);
    const cpu = (cpuSeconds(player) - before) / ((performance.now() - t0) / 1000);
    return { cpu: cpu * 100, rssStartMb, rssEndMb: rssMb(player) };
  } finally {
    if (player !== undefined) {
      try {
        process.kill(player, 'SIGTERM');
      } catch {
        // already gone
      }
      // A CPU profile is written on the way out: give it time.
      const end = Date.now() + (NODE_FLAGS ? 60_000 : 1500);
      while (Date.now() < end && processAlive(player)) await sleep(100);
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
  out.runs = RUNS;
  out['idle window, s'] = WINDOW_MS / 1000;
  const round = (n: number) => Math.round(n * 10) / 10;
  for (const scale of SCALES) {
    const samples: Sample[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await measure(root, scale));
    const at = `time scale ${scale}:`;
    out[`${at} idle CPU at the first confirmation, % of one core`] = round(median(samples.map((s) => s.cpu)));
    out[`${at} RSS at the start of the idle window, MB`] = round(median(samples.map((s) => s.rssStartMb)));
    out[`${at} RSS at the end of the idle window, MB`] = round(median(samples.map((s) => s.rssEndMb)));
    out[`${at} RSS growth over the window, MB`] = round(median(samples.map((s) => s.rssEndMb - s.rssStartMb)));
    out[`${at} every run (CPU %, RSS start-end MB)`] = samples
      .map((s) => `${round(s.cpu)} ${Math.round(s.rssStartMb)}-${Math.round(s.rssEndMb)}`)
      .join(', ');
  }
  return out;
}
