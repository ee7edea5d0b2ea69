// Runs a script under a real POSIX shell, the way a node runs a step (sh -c), bounded in time.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The shells a runbook's commands meet: /bin/sh is dash on Debian and Ubuntu, bash elsewhere. */
export const SHELLS = ['/bin/bash', '/bin/dash'] as const;
export type ShellPath = (typeof SHELLS)[number];

export interface ShellRun {
  stdout: string;
  stderr: string;
  status: number | null;
}

export function runShell(shell: ShellPath, script: string, env: Record<string, string> = {}, cwd?: string): ShellRun {
  const r = spawnSync(shell, ['-c', script], {
    encoding: 'utf8',
    timeout: 20_000,
    killSignal: 'SIGKILL',
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: os.homedir(), LC_ALL: 'C.UTF-8', ...env },
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/**
 * Runs many commands in one shell, each printing its words NUL-terminated (printf '%s\0' ...),
 * and returns what each printed: one process per batch keeps hundreds of cases fast.
 */
export function printedWords(shell: ShellPath, commands: readonly string[], env: Record<string, string> = {}): string[][] {
  const marker = '\u0001END\u0001';
  const out: string[][] = [];
  // One argument may hold at most 128 KiB (MAX_ARG_STRLEN): run the commands in batches below that.
  let batch: string[] = [];
  let size = 0;
  const run = () => {
    if (batch.length === 0) return;
    const script = batch.map((c) => `${c}\nprintf '%s\\0' '${marker}'`).join('\n');
    const r = runShell(shell, script, env);
    if (r.status !== 0 || r.stderr !== '') throw new Error(`${shell} failed (${r.status}): ${r.stderr}`);
    let current: string[] = [];
    for (const w of r.stdout.split('\0').slice(0, -1)) {
      if (w === marker) {
        out.push(current);
        current = [];
      } else current.push(w);
    }
    batch = [];
    size = 0;
  };
  for (const c of commands) {
    if (size + c.length > 100_000) run();
    batch.push(c);
    size += c.length + 20;
  }
  run();
  return out;
}

/** Processes on this machine whose command line is exactly `command`, read from /proc (no pgrep needed). */
export function processesWith(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (args.join(' ') === command) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/**
 * Unique `sleep` durations (`sleep 300.12345678`): a test runs one on a node, finds the process by
 * its command line, and kills every one it started when it ends, whatever became of the command.
 */
export function sleepMarkers(base: number): { next: () => string; killAll: () => void } {
  const started: string[] = [];
  return {
    next: () => {
      const m = `${base + started.length}.${process.pid}${Math.floor(Math.random() * 1000)}`;
      started.push(m);
      return m;
    },
    killAll: () => {
      for (const m of started.splice(0)) for (const pid of processesWith(`sleep ${m}`)) process.kill(pid, 'SIGKILL');
    },
  };
}

/** Polls `check` every 50 ms until it holds or `ms` have passed; its last answer. */
/** Whether a process exists (a signal 0 reaches it). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Values that must come out of a shell exactly as they went in; $DIR/INJECTED must never appear. */
export const HOSTILE_VALUES: readonly string[] = [
  '',
  'plain',
  '10.0.4.1',
  'http://10.0.0.5:80/upgrade/5f0c3e2a/dcos_node_upgrade.sh',
  "it's",
  "'",
  "''",
  '"double" quotes',
  'a\nb',
  '\n',
  'trailing newline\n',
  '$(touch "$DIR/INJECTED")',
  '`touch "$DIR/INJECTED"`',
  '$HOME',
  '${HOME}',
  '*',
  '?',
  '[a]',
  '-rf',
  '--help',
  'back\\slash',
  '\\',
  "\\'",
  'a\\nb',
  'space in it',
  '  leading and trailing  ',
  'tab\there',
  '\t',
  '打补丁 集群',
  '!',
  '!!',
  'a;touch "$DIR/INJECTED"',
  'x; rm -rf "$DIR/INJECTED"; touch "$DIR/INJECTED"',
  '&& touch "$DIR/INJECTED"',
  '| touch "$DIR/INJECTED"',
  '> "$DIR/INJECTED"',
  '#',
  '# comment',
  '~',
  '~root',
  'a\'; touch "$DIR/INJECTED" #',
  'a"; touch "$DIR/INJECTED" #',
  "a'\\''; touch \"$DIR/INJECTED\" #",
  '$\'\\x27\'; touch "$DIR/INJECTED" #',
  'a\ntouch "$DIR/INJECTED"',
  // Ends a here-document early when a shell reads the value as a line of one.
  'x\nEOF\ntouch "$DIR/INJECTED"\n',
  '%s %d',
  '=',
  'FOO=bar',
  'if',
  'time',
  '{a,b}',
  '2',
  '\r\n',
  '\u00e9\u0301 \u{1F600}',
];
