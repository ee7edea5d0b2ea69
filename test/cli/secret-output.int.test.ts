// Issue 11, item 5: a secret printed by a node never lands in any file the player writes nor on
// its terminal: a secret of several lines, holding a carriage return, a tab, an escape sequence
// (OSC 52, the clipboard) and multibyte text, echoed whole, line by line, one byte per SSH data
// event, captured into a var, and shown in the failure tail of plain mode. The built binary
// runs over real SSH to a real sshd on loopback; every file in the state dir, both reports, the
// export and the trainee report are searched for the secret and for each of its lines.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalRecord } from '../../src/engine/events.js';
import { traineeReport } from '../../src/export/trainee-report.js';
import { MIN_SECRET_LINE } from '../../src/runbook/secret-forms.js';
import { sanitize } from '../../src/transport/sanitize.js';
import { buildBinary, spawnCli } from '../engine/binary.js';
import { sshdMissing, startSshd, writeOperatorHome, type Sshd } from '../helpers/sshd.js';

const SECRET = 'Tk-\x1b]52;c;U0VDUkVU\x07-first-line\r\n\tsecond\tline-秘密-ключ\nthird-line-€€€';

/** The secret and each of its lines long enough to mean something, as written and as a terminal shows them. */
function needles(secret: string): string[] {
  const out = new Set<string>();
  for (const v of [secret, sanitize(secret)]) {
    out.add(v);
    for (const line of v.split(/\r\n|\r|\n/)) if (line.trim().length >= MIN_SECRET_LINE) out.add(line.trim());
  }
  // Distinctive pieces, in case a line was cut up another way.
  for (const piece of ['U0VDUkVU', 'first-line', 'line-秘密-ключ', 'third-line-€€€']) out.add(piece);
  return [...out];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? filesUnder(file) : [file];
  });
}

const missing = sshdMissing();
let dir: string;
let sshd: Sshd;
let binary: Awaited<ReturnType<typeof buildBinary>>;

describe.skipIf(missing)('a secret printed by a node', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'runbook-secret-'));
    [sshd, binary] = await Promise.all([startSshd(), buildBinary()]);
    writeOperatorHome(dir, sshd);
    writeFileSync(
      path.join(dir, 'runbook.yaml'),
      [
        'id: secret-output',
        'title: Secret output',
        'params:',
        '  token: { prompt: Token, secret: true, env: TEST_TOKEN }',
        'sections:',
        '  - id: remote',
        '    title: Remote',
        '    on: master',
        '    steps:',
        '      - id: whole',
        "        run: printf 'token=%s\\n' {{params.token}}",
        "        capture: { got: 'token=(.*)' }",
        '      - id: prefixed',
        "        run: printf '%s\\n' {{params.token}} | sed 's/^/> /'",
        '      - id: bytewise',
        // One byte per write, with a pause: each byte its own SSH data event, UTF-8 characters split.
        "        run: printf '%s\\n' {{params.token}} | perl -e '$|=1; while (read(STDIN, $c, 1)) { print $c; select(undef, undef, undef, 0.002) }'",
        '      - id: echo-var',
        "        run: printf 'var=%s\\n' {{vars.got}}",
        '      - id: destructive',
        "        run: printf '%s\\n' {{params.token}} >/dev/null",
        '        destructive: true',
        '        confirm: Print the token on the node',
        '      - id: fails',
        "        run: printf '%s\\n' {{params.token}} >&2; printf '%s\\n' {{params.token}}; exit 3",
        '',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    await sshd?.stop();
    binary?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('is in no file written and on neither stream', async () => {
    const env = { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1', TEST_TOKEN: SECRET };
    const state = path.join(dir, 'state');
    const play = spawnCli(binary.cli, ['play', 'runbook.yaml', '--inventory', 'inventory.yaml', '--state-dir', state], {
      cwd: dir,
      env,
      input: 'y\na\n',
    });
    const { code } = await play.exit;
    const streams: Record<string, string> = { 'play stdout': play.stdout(), 'play stderr': play.stderr() };
    // The run did what the test needs: the node printed the secret, the failure showed a tail.
    expect(streams['play stdout'], streams['play stderr']).toMatch(/fails@node-1.*exit 3/);
    expect(streams['play stdout']).toContain('| ••••••');
    expect(code).toBe(1);

    for (const [format, out] of [
      ['md', 'report.md'],
      ['html', 'report.html'],
    ] as const) {
      const r = spawnCli(binary.cli, ['report', 'latest', '--format', format, '--state-dir', state, '-o', out], { cwd: dir, env });
      expect((await r.exit).code, r.stderr()).toBe(0);
      streams[`report ${format}`] = r.stdout() + r.stderr();
    }
    for (const [format, out] of [
      ['md', 'export.md'],
      ['html', 'export.html'],
    ] as const) {
      const r = spawnCli(binary.cli, ['export', 'runbook.yaml', '--inventory', 'inventory.yaml', '--format', format, '-o', out], {
        cwd: dir,
        env,
      });
      expect((await r.exit).code, r.stderr()).toBe(0);
      streams[`export ${format}`] = r.stdout() + r.stderr();
    }
    const journals = filesUnder(state).filter((f) => f.endsWith('.jsonl'));
    expect(journals).toHaveLength(1);
    const records = readFileSync(journals[0]!, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JournalRecord);
    // The output digests prove the node's output was journalled (masked), not left out.
    expect(records.filter((r) => r.event === 'output').length).toBeGreaterThanOrEqual(5);
    const summary = {
      installedVersion: '1.11.1',
      runningVersion: '1.11.1',
      targetVersion: '1.11.2',
      versions: {},
      faultsMet: [],
      actions: [],
      unhealthyUnits: {},
      removedAgents: [],
    };
    streams['trainee report'] = traineeReport({ scenario: { name: 's', title: 'S', lesson: 'L' }, records, summary, outcome: 'failed' });

    const written = filesUnder(dir).filter((f) => !f.includes(`${path.sep}.ssh${path.sep}`));
    expect(written.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['report.md', 'report.html', 'export.md', 'export.html']));
    const leaks: string[] = [];
    for (const needle of needles(SECRET)) {
      for (const file of written)
        if (readFileSync(file, 'utf8').includes(needle)) leaks.push(`${JSON.stringify(needle)} in ${path.relative(dir, file)}`);
      for (const [name, text] of Object.entries(streams)) if (text.includes(needle)) leaks.push(`${JSON.stringify(needle)} in ${name}`);
    }
    expect(leaks).toEqual([]);
  }, 90_000);
});
