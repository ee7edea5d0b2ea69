// The trainee's happy path, as a trainee plays it: `runbook train` on the default cluster in a
// real tmux at 120x40, every question answered as it appears (enter to start, y to acknowledge,
// the node's name where a confirmation is typed), until the run passes and the player quits.
// It counts what it cost the trainee (keystrokes, wall time) and what the screen said meanwhile:
// a screen where nothing is asked and the status line is empty leaves the trainee without
// a word of what is happening (target: none).
//
// WALK_SCALES=1,50 (default 50) chooses the time scales; at 1 the walk takes 20 to 30 minutes.
// WALK_LANG=zh-CN plays the Chinese runbook. RUNBOOK_BENCH_ROOT=<another checkout> walks that one.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const COLUMNS = 120;
const ROWS = 40;
const POLL_MS = 150;
/** Keys refused right after a dialog appears (a held key never confirms): wait this long first. */
const SETTLE_MS = 400;

function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'bench', 'walkthrough.ts'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the project root from bench/walkthrough.ts');
    dir = up;
  }
  return dir;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Walk {
  wallSeconds: number;
  keystrokes: number;
  /** Questions answered (start, acknowledgements, confirmations, typed names, quit). */
  answers: number;
  /** Distinct stretches where nothing was asked and the status line said nothing. */
  silentScreens: number;
  /** The longest of them, in seconds of wall time. */
  longestSilentSeconds: number;
  /** Stretches of 5 s or more where nothing was asked of the trainee (waiting on the cluster). */
  waits: number;
  /** Times the harness cleared a typed name the screen had taken only in part (those keys are not counted). */
  corrections: number;
  exit: string;
}

/** One question the screen asks, and the keys that answer it; undefined when nothing is asked. */
export function answerFor(screen: string): string[] | undefined {
  const typed = /Type (\S+) and press enter/.exec(screen) ?? /输入 (\S+) 并按回车/.exec(screen);
  if (typed) return [...typed[1]!].concat('Enter');
  if (/\by (done|run it|run|acknowledge)\b.*\bn (refuse|no)\b/.test(screen) || /y 确认|y 完成|y 运行/.test(screen)) return ['y'];
  // A training's briefing, then the ready screen.
  if (/enter begin|enter 开始/.test(screen)) return ['Enter'];
  if (/[Pp]ress enter to (start|begin|continue the training)|按回车开始/.test(screen)) return ['Enter'];
  return undefined;
}

/** The dialog's text with its borders taken off and its rows joined: a typed answer may wrap. */
const unboxed = (screen: string): string =>
  screen
    .split('\n')
    .map((r) => r.replace(/^│ ?/, '').replace(/ *│$/, ''))
    .join('');

/** What a typed confirmation holds so far (up to the cursor). */
const typedText = (screen: string): string => /[:：] ?([^:：█]*)█/.exec(unboxed(screen))?.[1] ?? '';

/** The same dialog, ignoring the header's clock and the spinners. */
const sameQuestion = (a: string, b: string): boolean =>
  a
    .split('\n')
    .slice(1)
    .join('\n')
    .replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '') ===
  b
    .split('\n')
    .slice(1)
    .join('\n')
    .replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, '');

async function walk(scale: number, lang: string): Promise<Walk> {
  const root = process.env.RUNBOOK_BENCH_ROOT ?? projectRoot();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runbook-walk-'));
  const socket = `runbook-walk-${process.pid}-${scale}`;
  const tmux = (...args: string[]) =>
    execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const runbookArgs = lang === 'zh-CN' ? ` --runbook '${path.join(root, 'runbooks', 'dcos-1.11-patch.zh-CN.yaml')}'` : '';
  const command =
    `'${process.execPath}' '${path.join(root, 'bin', 'runbook.js')}' train --time-scale ${scale}${runbookArgs} ` +
    `--state-dir '${path.join(dir, 'state')}'; echo "[exit $?]"; sleep 60`;
  const started = Date.now();
  let keystrokes = 0;
  let answers = 0;
  let silentScreens = 0;
  let longestSilent = 0;
  let silentSince: number | undefined;
  let waits = 0;
  let askedAt = Date.now();
  let lastAnswered = '';
  let seenSince = 0;
  let exit = '';
  let corrections = 0;
  try {
    tmux(
      'new-session',
      '-d',
      '-s',
      'w',
      '-x',
      String(COLUMNS),
      '-y',
      String(ROWS),
      '-e',
      `HOME=${dir}`,
      '-e',
      'CI=false',
      '-e',
      'TERM=xterm-256color',
      command,
    );
    const deadline = Date.now() + (scale >= 20 ? 20 : 90) * 60_000;
    let quitting = false;
    while (Date.now() < deadline) {
      await sleep(POLL_MS);
      const screen = tmux('capture-pane', '-p', '-t', 'w');
      const done = /\[exit (\d+)\]/.exec(screen);
      if (done) {
        exit = done[1]!;
        break;
      }
      const rows = screen.replace(/\n+$/, '').split('\n');
      const status = rows.at(-2)?.trim() ?? '';
      if (!quitting && /The run passed|运行通过|run passed/.test(status)) {
        quitting = true;
        tmux('send-keys', '-t', 'w', 'q');
        keystrokes += 1;
        answers += 1;
        continue;
      }
      if (quitting && /Quit\?|退出？/.test(screen)) {
        await sleep(SETTLE_MS);
        tmux('send-keys', '-t', 'w', 'y');
        keystrokes += 1;
        continue;
      }
      const keys = quitting ? undefined : answerFor(screen);
      if (keys) {
        if (silentSince !== undefined) silentSince = undefined;
        // The same question still on screen right after answering it: the answer is on its way.
        if (sameQuestion(screen, lastAnswered) && Date.now() - seenSince < 2_000) continue;
        // Answer a screen that has settled (a dialog drawn whole, not mid-change).
        await sleep(SETTLE_MS);
        // The clock and spinners change every poll; the question and its typed text must not.
        const again = tmux('capture-pane', '-p', '-t', 'w');
        if (JSON.stringify(answerFor(again)) !== JSON.stringify(keys)) continue;
        if (Date.now() - askedAt >= 5_000) waits += 1;
        // Text left in a typed confirmation by an answer the screen had not yet taken is cleared
        // first; those keys are the harness's, not the trainee's, and are not counted.
        const name = keys.length > 1 ? keys.slice(0, -1).join('') : undefined;
        if (name !== undefined) {
          // A typed name: typed until the field holds exactly it (on a busy host a key can arrive
          // before the dialog takes it), then enter.
          for (let attempt = 0; typedText(tmux('capture-pane', '-p', '-t', 'w')) !== name && attempt < 5; attempt++) {
            if (typedText(tmux('capture-pane', '-p', '-t', 'w')) !== '') {
              for (let i = 0; i < 22; i++) {
                tmux('send-keys', '-t', 'w', ...Array.from({ length: 10 }, () => 'BSpace'));
                await sleep(20);
              }
              corrections += 1;
            }
            tmux('send-keys', '-t', 'w', '-l', name);
            for (const until = Date.now() + 2_000; Date.now() < until && typedText(tmux('capture-pane', '-p', '-t', 'w')) !== name;)
              await sleep(POLL_MS);
          }
          tmux('send-keys', '-t', 'w', 'Enter');
        } else for (const k of keys) tmux('send-keys', '-t', 'w', ...(k === 'Enter' ? ['Enter'] : ['-l', k]));
        keystrokes += keys.length;
        answers += 1;
        lastAnswered = tmux('capture-pane', '-p', '-t', 'w');
        seenSince = Date.now();
        askedAt = Date.now();
        continue;
      }
      if (status === '') {
        if (silentSince === undefined) {
          silentSince = Date.now();
          silentScreens += 1;
        }
        longestSilent = Math.max(longestSilent, (Date.now() - silentSince) / 1000);
      } else silentSince = undefined;
    }
    if (!exit) throw new Error(`the walk at time scale ${scale} did not end; the screen:\n${tmux('capture-pane', '-p', '-t', 'w')}`);
  } finally {
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    keystrokes,
    answers,
    silentScreens,
    longestSilentSeconds: Math.round(longestSilent * 10) / 10,
    waits,
    corrections,
    exit,
  };
}

export async function run(): Promise<Record<string, Walk>> {
  const scales = (process.env.WALK_SCALES ?? '50').split(',').map(Number);
  const lang = process.env.WALK_LANG ?? 'en';
  const out: Record<string, Walk> = {};
  for (const scale of scales) out[`time scale ${scale}${lang === 'en' ? '' : ` (${lang})`}`] = await walk(scale, lang);
  return out;
}
