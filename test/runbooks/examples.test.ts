// The example runbooks run anywhere: walk their steps in order under real bash and dash, the
// way a node runs them, with the real template, condition and check code. (The engine's own
// runner is tested elsewhere; this proves the examples' commands, not the player.)
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { capture, evaluateChecks } from '../helpers/search-now.js';
import { captureSpec } from '../../src/runbook/capture-shape.js';
import { evaluateCondition } from '../../src/runbook/condition.js';
import { parseDuration } from '../../src/runbook/duration.js';
import { loadRunbookText } from '../../src/runbook/load.js';
import type { Runbook } from '../../src/runbook/schema.js';
import { render, type Scope } from '../../src/runbook/template.js';
import { SHELLS, runShell, type ShellPath } from '../helpers/real-shell.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ms = (d: string | undefined, fallback: number): number => (d === undefined ? undefined : parseDuration(d)) ?? fallback;

const example = (name: string): Runbook => {
  const rel = `runbooks/examples/${name}`;
  return loadRunbookText(readFileSync(path.resolve(here, '../..', rel), 'utf8'), rel).runbook;
};

/** Plays every section in order on this machine; returns what each step did. */
async function play(rb: Runbook, shell: ShellPath, params: Record<string, string>): Promise<{ log: string[]; vars: Record<string, string> }> {
  const defaults = Object.fromEntries(Object.entries(rb.params ?? {}).map(([k, p]) => [k, String(p.default ?? '')]));
  const scope: Scope = { params: { ...defaults, ...params }, vars: {} };
  const log: string[] = [];
  for (const section of rb.sections) {
    expect(section.on ?? 'local').toBe('local');
    for (const step of section.steps) {
      if (step.when && !evaluateCondition(step.when, scope)) {
        log.push(`${step.id}: skipped`);
        continue;
      }
      if (!step.run) {
        log.push(`${step.id}: ${render(step.text ?? step.title ?? '', scope, 'text')}`);
        continue;
      }
      const command = render(step.run, scope, 'shell');
      const deadline = Date.now() + (step.until ? ms(step.timeout, 10_000) : 0);
      let out = runShell(shell, command);
      let result = { stdout: out.stdout, stderr: out.stderr, exit: out.status };
      while (step.until && !evaluateChecks(step.until, result).ok && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, Math.min(ms(step.every, 1000), 500)));
        out = runShell(shell, command);
        result = { stdout: out.stdout, stderr: out.stderr, exit: out.status };
      }
      const verdict = evaluateChecks(step.until ?? step.expect, result);
      expect(verdict, `${step.id}: ${command}\n${result.stderr}`).toMatchObject({ ok: true });
      for (const [name, pattern] of Object.entries(step.capture ?? {})) {
        const got = capture(captureSpec(pattern).regex, result);
        expect(got.ok, `${step.id} capture ${name}`).toBe(true);
        if (got.ok) scope.vars[name] = got.value;
      }
      log.push(`${step.id}: ${result.stdout.trim()}`);
    }
  }
  return { log, vars: scope.vars };
}

describe.each(SHELLS)('under %s', (shell) => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('hello greets, captures and uses the capture, with a name that needs quoting', async () => {
    const { log, vars } = await play(example('hello.yaml'), shell, { name: "O Brien-Smith" });
    expect(vars.greeting).toBe('Hello, O Brien-Smith');
    expect(log).toContain('say-hello: Hello, O Brien-Smith');
    expect(log).toContain('shout: HELLO, O BRIEN-SMITH!');
  });

  it('rolling-restart restarts, waits until ready, reads the version and cleans up', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'runbook-example-'));
    dirs.push(parent);
    const workdir = path.join(parent, 'service');
    const started = Date.now();
    const { log, vars } = await play(example('rolling-restart.yaml'), shell, { workdir, version: '2.1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500); // the gate waited for readiness
    expect(vars.running).toBe('2.1');
    expect(log).toContain('undrain: Version 2.1 is ready; put the instance back into the load balancer.');
    expect(existsSync(workdir)).toBe(false);
  }, 20_000);
});
