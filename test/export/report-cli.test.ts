// `runbook report RUN` through main(), on journals the real engine wrote into a temp state
// directory (reducer, runner, local transport under /bin/sh, journal on disk).
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/engine/journal.js';
import { buildPlan } from '../../src/engine/plan.js';
import { Runner } from '../../src/engine/runner.js';
import { createRunState } from '../../src/engine/state.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { tempDir } from '../helpers/real-shell.js';
import { runMain } from '../helpers/cli-io.js';

// html-validate is a dev dependency; where it is missing this test is skipped and says so.
const validatorName = 'html-validate';
const validator = await import(validatorName).catch(() => undefined);

let dir: string;
let remove: () => void;
const stateDir = () => path.join(dir, 'state');

async function invoke(argv: string[]) {
  const { status, out, err } = await runMain(argv, { HOME: dir, RUNBOOK_CONFIG_DIR: dir }, dir);
  return { status, out, err };
}

/** Plays a runbook file on this machine to the end, confirming as "alice", journalled in the state dir. */
async function play(file: string, runId: string, params: Record<string, string> = {}): Promise<void> {
  const loaded = await loadRunbook(file);
  const transport = createLocalTransport({ cwd: dir });
  const journal = await Journal.create(stateDir(), runId);
  try {
    const secrets = Object.entries(loaded.runbook.params ?? {})
      .filter(([, p]) => p.secret)
      .map(([k]) => k);
    const state = createRunState({ plan: buildPlan(loaded.runbook), runId, file, digest: loaded.digest, params, secrets, by: 'alice' });
    const runner = new Runner({ state, transportFor: () => transport, journal, by: 'alice', autoConfirm: 'alice' });
    runner.start();
    await runner.done;
  } finally {
    await journal.close();
    await transport.close();
  }
}

const EN = `id: tiny
title: A tiny run
params:
  token: { secret: true }
sections:
  - id: work
    title: Do the work
    steps:
      - { id: hello, title: Say hello, run: echo hello }
      - { id: wipe, title: Wipe it, run: "echo wiping {{params.token}}", destructive: true, confirm: "Wipe it?" }
`;

const ZH = `id: tiny-zh
title: 一次很小的运行
lang: zh-CN
sections:
  - id: work
    title: 干活
    steps:
      - { id: hello, title: 打个招呼, run: echo 你好 }
`;

beforeAll(async () => {
  ({ dir, remove } = tempDir('runbook-report-cli-'));
  writeFileSync(path.join(dir, 'tiny.yaml'), EN);
  writeFileSync(path.join(dir, 'tiny.zh-CN.yaml'), ZH);
  await play(path.join(dir, 'tiny.yaml'), '20261125-171800-aa01', { token: 'SECRET-TOKEN-99' });
  await play(path.join(dir, 'tiny.zh-CN.yaml'), '20261125-171900-aa02');
}, 30_000);
afterAll(() => remove());

describe('runbook report', () => {
  it('writes the report of a run by its id, in Markdown and HTML, without secrets', async () => {
    const md = await invoke(['report', '20261125-171800-aa01', '--format', 'md', '--state-dir', stateDir()]);
    expect(md.err).toBe('');
    expect(md.status).toBe(0);
    expect(md.out).toContain('# Run report: A tiny run');
    expect(md.out).toContain('| Who | alice |');
    expect(md.out).toMatch(/\| local \| work\/hello: Say hello \| `echo hello` \| 1 \| 0 \| \d+m?s \| passed \|/);
    expect(md.out).toContain('`echo wiping ••••••` | yes | alice |');
    expect(md.out).not.toContain('SECRET-TOKEN-99');
    const html = await invoke(['report', '20261125-171800-aa01', '--format', 'html', '--state-dir', stateDir()]);
    expect(html.status).toBe(0);
    expect(html.out).toMatch(/^<!DOCTYPE html>\n<html lang="en">/);
    expect(html.out).not.toContain('SECRET-TOKEN-99');
  });

  it('writes Markdown when no --format is given', async () => {
    const md = await invoke(['report', '20261125-171800-aa01', '--state-dir', stateDir()]);
    expect(md.status).toBe(0);
    expect(md.out).toContain('# Run report: A tiny run');
    expect(md.out).not.toContain('<html');
  });

  it('reports in the runbook language when the runbook file is unchanged', async () => {
    const { status, out } = await invoke(['report', 'latest', '--format', 'html', '--state-dir', stateDir()]);
    expect(status).toBe(0);
    expect(out).toContain('<html lang="zh-CN">');
    expect(out).toContain('运行报告：一次很小的运行');
    expect(out).toContain('work/hello: 打个招呼');
  });

  it('--lang en over the Chinese runbook, the lang setting under the flag, and the journal lang once the file is gone', async () => {
    const report = (...more: string[]) => invoke(['report', '20261125-171900-aa02', '--format', 'md', '--state-dir', stateDir(), ...more]);
    expect((await report('--lang', 'en')).out).toContain('Run report');
    expect((await report('--lang', 'en')).out).not.toContain('运行报告');
    // The setting speaks when no flag does; the flag wins over it.
    expect((await invoke(['config', 'set', 'lang', 'en'])).status).toBe(0);
    try {
      expect((await report()).out).toContain('Run report');
      expect((await report('--lang', 'zh-CN')).out).toContain('运行报告');
    } finally {
      await invoke(['config', 'unset', 'lang']);
    }
    const bad = await report('--lang', 'fr');
    expect(bad.status).toBe(2);
    expect(bad.err).toContain('--lang must be en or zh-CN, not "fr"');
    // The runbook file moved away: the journal's own record of its language still decides.
    const file = path.join(dir, 'tiny.zh-CN.yaml');
    const moved = path.join(dir, 'moved.yaml');
    renameSync(file, moved);
    try {
      const { status, out } = await report();
      expect(status).toBe(0);
      expect(out).toContain('运行报告');
    } finally {
      renameSync(moved, file);
    }
  });

  it.skipIf(!validator)('is valid HTML by html-validate', async () => {
    const hv = new validator!.HtmlValidate({ extends: ['html-validate:recommended', 'html-validate:document'] });
    for (const run of ['20261125-171800-aa01', '20261125-171900-aa02']) {
      const { out } = await invoke(['report', run, '--format', 'html', '--state-dir', stateDir()]);
      const report = await hv.validateString(out);
      expect(
        report.results.flatMap((r: { messages: { line: number; ruleId: string; message: string }[] }) =>
          r.messages.map((m) => `${m.line}: ${m.ruleId}: ${m.message}`),
        ),
      ).toEqual([]);
    }
  });

  it('reads a journal named by its path, and writes -o OUT', async () => {
    const file = path.join(stateDir(), 'runs', '20261125-171800-aa01.jsonl');
    const out = path.join(dir, 'report.md');
    const { status, out: stdout } = await invoke(['report', file, '--format', 'md', '-o', out]);
    expect(status).toBe(0);
    expect(stdout).toBe('');
  });

  it('names the runs there are when RUN is not one of them, with exit 2', async () => {
    const { status, err } = await invoke(['report', '20260101-000000-dead', '--format', 'md', '--state-dir', stateDir()]);
    expect(status).toBe(2);
    expect(err).toContain('no run 20260101-000000-dead in');
    expect(err).toContain('the latest: 20261125-171900-aa02 (tiny-zh, passed), 20261125-171800-aa01 (tiny, passed)');
    const none = await invoke(['report', 'latest', '--format', 'md', '--state-dir', path.join(dir, 'empty')]);
    expect(none).toMatchObject({ status: 2, err: expect.stringContaining('there are no runs there yet') });
    const format = await invoke(['report', 'latest', '--format', 'txt', '--state-dir', stateDir()]);
    expect(format).toMatchObject({ status: 2, err: expect.stringContaining('unknown format "txt"') });
  });
});
