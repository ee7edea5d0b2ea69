// Issue 11, item 7: what reaches the operator's terminal, a Markdown or HTML report is what the
// runbook says. Values typed for params are refused when they hold a control character; text that
// comes back from the journal (a skip reason typed with an escape sequence in it, a journal a
// colleague edited) is stripped of every control character in plain mode and in both reports.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli-io.js';
import { tempDir } from '../helpers/real-shell.js';

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('runbook-controls-'));
});
afterEach(() => remove());

const env = () => ({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config'), TZ: 'UTC' });
const run = (args: string[], input = '') => runMain(args, env(), dir, input);
const play = (args: string[], input = '') => run(['play', ...args, '--state-dir', join(dir, 'state')], input);

// Control characters a terminal acts on (tab and newline aside).
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const OSC52 = '\x1b]52;c;cm0gLXJmIC8=\x07';

const RUNBOOK = `id: controls
title: Controls
params:
  version: { prompt: Version to patch to }
sections:
  - id: prep
    title: Prepare
    on: local
    steps:
      - id: hello
        run: echo hello {{params.version}}
      - id: fails
        run: exit 4
`;

describe('control characters on the way out', () => {
  it('a value given for a param with a control character is bad input, named without being sent', async () => {
    writeFileSync(join(dir, 'r.yaml'), RUNBOOK);
    for (const value of [`1.11.2${OSC52}`, '1.11.2\rrm -rf /', '1.11\x1b[8m.2', '1.11.2\u202e']) {
      const r = await play(['r.yaml', '--param', `version=${value}`]);
      expect(r.status).toBe(2);
      expect(r.err).toMatch(/--param version: version: the value has the control character (ESC|CR|U\+202E)/);
      expect(r.all).not.toMatch(CONTROL);
    }
    expect(readdirSync(dir)).not.toContain('state');
  });

  it('a value typed at the prompt is asked again; a skip reason typed with OSC 52 reaches no output raw', async () => {
    writeFileSync(join(dir, 'r.yaml'), RUNBOOK);
    const r = await play(['r.yaml'], `1.11.2${OSC52}\n1.11.2\ns\nbecause${OSC52} it is fine\n`);
    expect(r.status).toBe(0);
    expect(r.err).toContain('version: the value has the control character ESC (U+001B)');
    // The reason was kept (what a terminal would not act on), without its control characters.
    expect(r.out).toContain('because]52;c;cm0gLXJmIC8= it is fine');
    expect(r.all).not.toMatch(CONTROL);

    // The journal holds what the operator typed; the reports made from it do not pass it on.
    const journal = join(dir, 'state', 'runs', readdirSync(join(dir, 'state', 'runs'))[0]!);
    expect(readFileSync(journal, 'utf8')).toContain('\\u001b]52;');
    for (const format of ['md', 'html']) {
      const out = join(dir, `report.${format}`);
      const rep = await run(['report', 'latest', '--format', format, '--state-dir', join(dir, 'state'), '-o', out]);
      expect(rep.status, rep.err).toBe(0);
      const text = readFileSync(out, 'utf8');
      expect(text).toContain(']52;c;cm0gLXJmIC8=');
      expect(text).not.toMatch(CONTROL);
    }
  });

  it('a journal edited to carry escape sequences in titles and reasons gives reports without them', async () => {
    writeFileSync(join(dir, 'r.yaml'), RUNBOOK);
    const r = await play(['r.yaml', '--param', 'version=1.11.2'], 'a\n');
    expect(r.status).toBe(1);
    const journal = join(dir, 'state', 'runs', readdirSync(join(dir, 'state', 'runs'))[0]!);
    // A colleague rewrites every string of the journal with a title-setting sequence in it.
    const hostile = readFileSync(journal, 'utf8')
      .trim()
      .split('\n')
      .map((line) =>
        JSON.stringify(JSON.parse(line), (key, v: unknown) =>
          typeof v === 'string' && !['ts', 'event', 'at', 'status', 'run'].includes(key) ? `${v}\x1b]0;owned\x07\u202e` : v,
        ),
      )
      .join('\n');
    writeFileSync(journal, `${hostile}\n`);
    for (const format of ['md', 'html']) {
      const rep = await run(['report', journal, '--format', format]);
      expect(rep.status, rep.err).toBe(0);
      expect(rep.out).toContain(']0;owned');
      expect(rep.all).not.toMatch(CONTROL);
    }
  });
});

describe('control characters in error messages', () => {
  it('a message that quotes a hostile value writes its control characters out', async () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      'id: bad\ntitle: Bad\nparams:\n  v: { choices: [a, b], default: "x\\e]0;pwned\\a" }\nsections:\n  - id: s\n    title: S\n    on: local\n    steps:\n      - { id: a, run: "echo {{params.v}}" }\n',
    );
    const r = await run(['validate', join(dir, 'bad.yaml')]);
    expect(r.status).toBe(2);
    expect(r.err).toContain('the default "x\\x1b]0;pwned\\x07" of param "v" is not one of its choices');
    expect(r.all).not.toMatch(CONTROL);
  });
});
