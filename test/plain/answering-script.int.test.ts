// Plain mode answered by a script, the way CI or an expect script drives it: the built player runs
// as a child process against a simulated cluster of 3 masters and 20 agents (patched in batches
// of 5, over real SSH on loopback); this test reads the child's stderr and answers each question
// only when it is the last thing there, as a script waiting for a prompt does. An answer must
// apply to the question it was typed for, each question is asked once, and an error printed
// while a question waits must be followed by that question again (else the script waits for good).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBinary } from '../engine/binary.js';

let dir: string;
let binary: Awaited<ReturnType<typeof buildBinary>>;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'runbook-answering-'));
  binary = await buildBinary();
}, 60_000);

afterAll(() => {
  binary?.remove();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The answer a script gives: the node's name when it must be typed, all nodes when offered, else yes. */
function answerFor(question: string): string {
  const typed = /\[type "([^"]+)" to confirm\] $/.exec(question);
  if (typed) return typed[1]!;
  if (/\[y=this node, a=/.test(question)) return 'a';
  if (/\[y\/N\] $/.test(question)) return 'y';
  return 'a'; // a failure or an interruption: abort
}

describe('plain mode answered by a script', () => {
  it('20 agents in batches of 5, answers sent as the questions come: no stale answer, no question twice, no hang', async () => {
    const home = path.join(dir, 'home');
    const child = spawn(
      process.execPath,
      [binary.cli, 'train', '--plain', '--nodes', '3,20', '--time-scale', '200', '--state-dir', path.join(home, 'state')],
      {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: home, RUNBOOK_CONFIG_DIR: path.join(home, 'config'), NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    let answeredUpTo = 0;
    const questions: string[] = [];
    child.stdout.on('data', (c) => (stdout += String(c)));
    child.stderr.on('data', (c) => {
      stderr += String(c);
      // The question that stands last, not yet answered: "? ... [...] " with nothing after it.
      const start = stderr.lastIndexOf('\n? ') + 1;
      if (start <= answeredUpTo && !(answeredUpTo === 0 && stderr.startsWith('? '))) return;
      const question = stderr.slice(start);
      if (!/^\? .*\] $/s.test(question)) return;
      answeredUpTo = stderr.length;
      questions.push(question);
      child.stdin.write(`${answerFor(question)}\n`);
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const hung = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 150_000).unref());
    const code = await Promise.race([exit, hung]);
    if (code === 'hung') child.kill('SIGKILL');
    expect(code, `the player waited for good; stderr ends with:\n${stderr.slice(-600)}`).toBe(0);
    expect(stderr).not.toMatch(/no confirmation .* is waiting/);
    expect(stderr).not.toMatch(/^runbook: /m);
    // Each question names its step and node; none is asked twice.
    const asked = questions.map((q) => /^\? (\S+?):? /.exec(q)?.[1]);
    expect(asked.length).toBeGreaterThan(20);
    expect(new Set(asked).size).toBe(asked.length);
    // Batches were answered as groups: several agents confirmed by one answer.
    expect(stdout).toMatch(/agents\/run-patch-script@agent-\d+ confirmed by .* \(one answer for the nodes waiting on this step\)/);
    expect(stdout).toContain('Nodes at 1.11.5: 24 of 24');
  }, 200_000);
});
