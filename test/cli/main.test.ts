import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands.js';
import pkg from '../../package.json' with { type: 'json' };
import stringWidth from 'string-width';
import { runMain } from '../helpers/cli-io.js';

/** Runs main() with captured streams; the real process is untouched. */
async function invoke(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const { status, out, err } = await runMain(argv, env, process.cwd());
  return { status, out, err };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'runbook-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('runbook (no command)', () => {
  it('prints the version, for --version and -v alike, and --help lists both', async () => {
    expect(await invoke(['--version'])).toEqual({ status: 0, out: `${pkg.version}\n`, err: '' });
    expect(await invoke(['-v'])).toEqual({ status: 0, out: `${pkg.version}\n`, err: '' });
    const { out } = await invoke(['--help']);
    expect(out).toMatch(/^  -v, --version +Print the version$/m);
    expect(out).toMatch(/^  -h, --help +Show this help$/m);
  });

  it('lists every command in --help', async () => {
    const { status, out } = await invoke(['--help']);
    expect(status).toBe(0);
    for (const c of commands) expect(out).toContain(`  ${c.name}`);
  });

  it('answers --help for every command without running it', async () => {
    for (const c of commands) {
      const { status, out } = await invoke([c.name, '--help']);
      expect(status, c.name).toBe(0);
      expect(out, c.name).toContain(`Usage: ${c.usage}`);
      for (const option of Object.keys(c.options)) expect(out, c.name).toContain(`--${option}`);
    }
  });

  it('refuses an unknown command, an unknown option and missing arguments with exit 2', async () => {
    const unknown = await invoke(['plya']);
    expect(unknown.status).toBe(2);
    expect(unknown.err).toContain('unknown command "plya"');
    const option = await invoke(['validate', 'x.yaml', '--bogus']);
    expect(option).toMatchObject({ status: 2, err: expect.stringContaining("Unknown option '--bogus'") });
    const missing = await invoke(['validate']);
    expect(missing).toMatchObject({ status: 2, err: expect.stringContaining('missing <file.yaml>...') });
    expect(missing.err).toContain('runbook validate --help');
  });
});

describe('runbook config', () => {
  it('validate refuses a captured value that a nested shell would run: file:line:column, step path, the safe form, exit 2', async () => {
    const file = path.join(dir, 'patch.yaml');
    writeFileSync(
      file,
      [
        'id: t',
        'title: T',
        'sections:',
        '  - id: bootstrap',
        '    title: B',
        '    steps:',
        "      - { id: gen, run: gen, capture: { patch_url: 'URL: (\\S+)' } }",
        '      - id: get',
        '        run: sh -c -e "curl -fsSO {{vars.patch_url}}"',
        '',
      ].join('\n'),
    );
    const r = await invoke(['validate', file]);
    expect(r.status).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(
      `${file}:9:35: error: {{vars.patch_url}} cannot be placed safely in this command: it is the script of sh -c, which a second shell reads as code; use env: and "$NAME" instead`,
    );
    expect(r.err).toContain('(at sections[0].steps[1].run)');
  });

  it('shows, sets, validates and unsets settings in the store the environment names', async () => {
    const env = { RUNBOOK_CONFIG_DIR: dir, HOME: dir };
    const shown = await invoke(['config'], env);
    expect(shown.status).toBe(0);
    expect(shown.out).toContain(`settings file: ${path.join(dir, 'config.json')}`);
    expect(shown.out).toMatch(/stateDir\s+.*\.local\/state\/runbook\s+default\s+--state-dir\s+directory of run journals/);

    expect((await invoke(['config', 'set', 'sshUser', 'centos'], env)).status).toBe(0);
    expect((await invoke(['config', 'get', 'sshUser'], env)).out).toBe('centos\n');
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({ sshUser: 'centos' });

    const bad = await invoke(['config', 'set', 'theme', 'purple'], env);
    expect(bad.status).toBe(2);
    expect(bad.err).toContain('cannot set theme to "purple": choose dark, light, mono');
    expect(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'))).toEqual({ sshUser: 'centos' });

    expect((await invoke(['config', 'unset', 'sshUser'], env)).status).toBe(0);
    expect((await invoke(['config', 'get', 'sshUser'], env)).out).toBe('');
  });

  it("lines up its columns whatever the values' lengths, a Chinese path included", async () => {
    const env = { RUNBOOK_CONFIG_DIR: dir, HOME: dir };
    expect((await invoke(['config', 'set', 'inventory', '/srv/清单/生产集群.yaml'], env)).status).toBe(0);
    expect((await invoke(['config', 'set', 'sshUser', 'a-rather-long-user-name'], env)).status).toBe(0);
    const rows = (await invoke(['config'], env)).out.split('\n').slice(1, 7);
    expect(rows[0]).toMatch(/^  KEY\s+VALUE\s+FROM\s+OVERRIDDEN BY\s+WHAT IT IS$/);
    // Each column begins at the same display column on every row (a CJK character is two wide).
    for (const heading of ['FROM', 'OVERRIDDEN BY', 'WHAT IT IS']) {
      const at = stringWidth(rows[0]!.slice(0, rows[0]!.indexOf(heading)));
      for (const [i, row] of rows.slice(1).entries()) {
        const cells = row.trim().split(/\s{2,}/);
        const cell = cells[['FROM', 'OVERRIDDEN BY', 'WHAT IT IS'].indexOf(heading) + 2]!;
        expect(stringWidth(row.slice(0, row.indexOf(cell))), `${heading} in row ${i + 1}`).toBe(at);
      }
    }
  });

  it('reports a broken settings file as bad input, without a stack trace', async () => {
    writeFileSync(path.join(dir, 'config.json'), '{ not json');
    const { status, err } = await invoke(['config'], { RUNBOOK_CONFIG_DIR: dir });
    expect(status).toBe(2);
    expect(err).toContain('the settings file cannot be used');
    expect(err).not.toMatch(/\n\s+at /);
  });
});
