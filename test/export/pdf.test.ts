// `--format pdf`: our HTML printed by the Chromium found on this machine (.ci/run installs chromium,
// fonts-noto-cjk and poppler-utils), read back with pdftotext, Chinese included; and the failures
// a machine can offer: no browser at all, a named one that is not a program, a "browser" that
// prints nothing, one that hangs (it and what it started are killed, its profile removed).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_NAMES, printArgs, printPdf } from '../../src/cli/pdf.js';
import { Journal } from '../../src/engine/journal.js';
import { buildPlan } from '../../src/engine/plan.js';
import { Runner } from '../../src/engine/runner.js';
import { createRunState } from '../../src/engine/state.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { tempDir } from '../helpers/real-shell.js';
import { runMain } from '../helpers/cli-io.js';
import { dcosInventoryYaml } from './dcos-inventory.js';

const root = path.join(import.meta.dirname, '..', '..');
const has = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const browser = BROWSER_NAMES.some(has);
const pdftotext = has('pdftotext');
// Where the machine has no browser or no pdftotext, the printing tests are skipped and say so here;
// the no-browser tests below run everywhere.
const canPrint = browser && pdftotext;

let dir: string;
let remove: () => void;
beforeAll(() => {
  ({ dir, remove } = tempDir('runbook-pdf-'));
});
afterAll(() => remove());

const env = (extra: NodeJS.ProcessEnv = {}) => ({
  PATH: process.env.PATH,
  HOME: dir,
  RUNBOOK_CONFIG_DIR: path.join(dir, 'config'),
  ...extra,
});
const text = (pdf: string) => spawnSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8', timeout: 30_000 }).stdout;
const squeeze = (s: string) => s.replace(/\s+/g, '');
const pageSize = (pdf: string) =>
  /Page size:\s+([\d.]+) x ([\d.]+)/
    .exec(spawnSync('pdfinfo', [pdf], { encoding: 'utf8' }).stdout)
    ?.slice(1, 3)
    .map(Number);

describe.skipIf(!canPrint)('--format pdf with the browser of this machine', () => {
  it('export: the Chinese runbook on A4, with its step titles in Chinese', async () => {
    const file = path.join(root, 'runbooks', 'dcos-1.11-patch.zh-CN.yaml');
    const inventory = path.join(dir, 'inventory.yaml');
    writeFileSync(inventory, dcosInventoryYaml(3, 5, 1));
    const out = path.join(dir, 'zh.pdf');
    const r = await runMain(['export', file, '--inventory', inventory, '--format', 'pdf', '-o', out], env(), dir);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(out).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const runbook = (await loadRunbook(file)).runbook;
    const masters = runbook.sections.find((s) => s.id === 'masters')!;
    const step = masters.steps.find((s) => s.id === 'run-patch-script')!;
    const read = squeeze(text(out));
    expect(read).toContain(squeeze(masters.title!));
    expect(read).toContain(squeeze(step.title!));
    expect(read).toContain('修补管理节点');
    const [w, h] = pageSize(out)!;
    expect([Math.round(w!), Math.round(h!)]).toEqual([595, 842]);
    // Nothing of the browser's is left behind in the output's directory.
    expect(readdirSync(dir).filter((n) => n.startsWith('.zh.pdf'))).toEqual([]);
  }, 90_000);

  it('report: a run printed on Letter, its step titles there', async () => {
    const rb = path.join(dir, 'tiny.yaml');
    writeFileSync(
      rb,
      'id: tiny\ntitle: A tiny run\nsections:\n  - id: work\n    title: Do the work\n    steps:\n      - { id: hello, title: Say hello to the cluster, run: echo hello }\n',
    );
    const loaded = await loadRunbook(rb);
    const stateDir = path.join(dir, 'state');
    const runId = '20261206-100000-cafe';
    const journal = await Journal.create(stateDir, runId);
    const transport = createLocalTransport({ cwd: dir });
    const state = createRunState({
      plan: buildPlan(loaded.runbook),
      runId,
      file: rb,
      digest: loaded.digest,
      params: {},
      secrets: [],
      by: 'alice',
    });
    const runner = new Runner({ state, transportFor: () => transport, journal, by: 'alice', autoConfirm: 'alice' });
    runner.start();
    await runner.done;
    await journal.close();
    await transport.close();
    const out = path.join(dir, 'report.pdf');
    const r = await runMain(['report', runId, '--format', 'pdf', '--paper', 'letter', '-o', out, '--state-dir', stateDir], env(), dir);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(squeeze(text(out))).toContain(squeeze('Say hello to the cluster'));
    const [w, h] = pageSize(out)!;
    expect([Math.round(w!), Math.round(h!)]).toEqual([612, 792]);
  }, 90_000);
});

describe('--format pdf without a browser to print with', () => {
  const runbook = path.join(root, 'runbooks', 'dcos-1.11-patch.yaml');

  it('no browser on PATH and none set: exit 2, a sentence saying how to get one, no file', async () => {
    const empty = path.join(dir, 'empty-bin');
    mkdirSync(empty, { recursive: true });
    const out = path.join(dir, 'none.pdf');
    const r = await runMain(['export', runbook, '--format', 'pdf', '-o', out], env({ PATH: empty }), dir);
    expect(r.status).toBe(2);
    expect(r.err).toContain(
      'runbook export: --format pdf prints with a Chromium-family browser, and none was found (looked for chromium, chromium-browser, google-chrome, google-chrome-stable on PATH)',
    );
    expect(r.err).toContain('sudo apt-get install chromium fonts-noto-cjk');
    expect(r.err).toContain('--browser PATH or `runbook config set browser PATH`');
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('a browser named by the setting or --browser that is not a program: exit 2 naming where it came from', async () => {
    const cfg = env();
    expect((await runMain(['config', 'set', 'browser', path.join(dir, 'no-such-chrome')], cfg, dir)).status).toBe(0);
    const bySetting = await runMain(['export', runbook, '--format', 'pdf', '-o', path.join(dir, 'x.pdf')], cfg, dir);
    expect(bySetting).toMatchObject({
      status: 2,
      err: expect.stringContaining(`the browser setting names "${path.join(dir, 'no-such-chrome')}", which is not an executable program`),
    });
    const byFlag = await runMain(
      ['export', runbook, '--format', 'pdf', '--browser', 'nope-browser', '-o', path.join(dir, 'x.pdf')],
      cfg,
      dir,
    );
    expect(byFlag).toMatchObject({ status: 2, err: expect.stringContaining('--browser names "nope-browser"') });
    expect((await runMain(['config', 'unset', 'browser'], cfg, dir)).status).toBe(0);
    const toStdout = await runMain(['export', runbook, '--format', 'pdf'], cfg, dir);
    expect(toStdout).toMatchObject({ status: 2, err: expect.stringContaining('--format pdf writes a file: add -o FILE.pdf') });
  });

  it('a "browser" that prints nothing fails with exit 1 and a sentence; it got the headless, private-profile arguments', async () => {
    const fake = path.join(dir, 'fake-chrome');
    const argsFile = path.join(dir, 'fake-args');
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > ${argsFile}\nexit 0\n`);
    chmodSync(fake, 0o755);
    const out = path.join(dir, 'fake.pdf');
    const r = await runMain(['export', runbook, '--format', 'pdf', '--browser', fake, '-o', out], env(), dir);
    expect(r.status).toBe(1);
    expect(r.err).toContain(`runbook: ${fake} did not print a PDF (exit 0)`);
    expect(existsSync(out)).toBe(false);
    const args = readFileSync(argsFile, 'utf8').trim().split('\n');
    expect(args).toEqual(
      expect.arrayContaining([
        '--headless',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ]),
    );
    const profile = args.find((a) => a.startsWith('--user-data-dir='))!.slice('--user-data-dir='.length);
    expect(existsSync(profile)).toBe(false); // removed with its temporary directory
    expect(args.includes('--no-sandbox')).toBe(process.getuid?.() === 0);
  });

  it('--no-sandbox only as root', () => {
    const base = { profile: '/p', pdf: '/o.pdf', url: 'file:///x.html' };
    expect(printArgs({ ...base, root: true })).toContain('--no-sandbox');
    expect(printArgs({ ...base, root: false })).not.toContain('--no-sandbox');
  });

  it('a browser that hangs is stopped at the time limit, with what it started', async () => {
    const hang = path.join(dir, 'hanging-chrome');
    const pids = path.join(dir, 'hang-pids');
    writeFileSync(hang, `#!/bin/sh\nsleep 300 &\necho $! > ${pids}\nsleep 300\n`);
    chmodSync(hang, 0o755);
    const started = Date.now();
    await expect(printPdf('<!DOCTYPE html><title>x</title>', hang, { timeoutMs: 1000, env: env() })).rejects.toThrow(
      `${hang} did not finish printing within 1 s; it was stopped`,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    const helper = Number(readFileSync(pids, 'utf8'));
    // The helper it left in the background is gone too (killed with its process group).
    await new Promise((r) => setTimeout(r, 200));
    const alive = (() => {
      try {
        process.kill(helper, 0);
        return !/^\S+ \(\S+\) Z/.test(readFileSync(`/proc/${helper}/stat`, 'utf8'));
      } catch {
        return false;
      }
    })();
    expect(alive).toBe(false);
  });
});
