// `runbook play` in process: real runbook files, real local commands, real journals in a temp
// directory, stdin and stdout as streams.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/real-shell.js';
import { runMain } from '../helpers/cli-io.js';

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('runbook-play-'));
});
afterEach(() => remove());

async function play(args: string[], input = '', env: Record<string, string> = {}) {
  const fullEnv = { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config'), TZ: 'UTC', ...env };
  const { status, out, err } = await runMain(['play', ...args, '--state-dir', join(dir, 'state')], fullEnv, dir, input);
  return { status, stdout: out, stderr: err };
}

const journals = () => {
  const runs = join(dir, 'state', 'runs');
  return existsSync(runs) ? readdirSync(runs).map((f) => readFileSync(join(runs, f), 'utf8')) : [];
};

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const RUNBOOK = `id: demo
title: Demo
header:
  to: "{{params.version}}"
params:
  version: { prompt: Version to patch to, pattern: '^1\\.11\\.\\d+$' }
  token: { prompt: Auth token, secret: true, env: DEMO_TOKEN }
sections:
  - id: prep
    title: Prepare
    steps:
      - id: hello
        run: echo hello {{params.version}} >> marks
      - id: call
        run: echo "token={{params.token}}" >> marks; echo "Authorization token={{params.token}}"
        capture: { seen: 'token=(\\S+)' }
      - id: wipe
        run: echo wiped >> marks
        destructive: true
        confirm: Wipe the scratch space
`;

describe('runbook play', () => {
  it('plays a runbook in plain mode: lines, prompts answered from stdin, summary, journal', async () => {
    write('demo.yaml', RUNBOOK);
    const r = await play(['demo.yaml', '--param', 'version=1.11.2'], 'y\n', { DEMO_TOKEN: 'tok-s3cret-42' });
    expect(r.stderr).toBe('? prep/wipe@local: Wipe the scratch space. Run on local: echo wiped >> marks [y/N] \n');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'marks'), 'utf8')).toBe('hello 1.11.2\ntoken=tok-s3cret-42\nwiped\n');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\] run \d{8}-\d{6}-[0-9a-f]{4}: Demo \(.*demo\.yaml\) by \S+; to 1\.11\.2$/);
    expect(lines).toContain(lines.find((l) => l.endsWith('prep/call@local captured seen = ••••••')));
    expect(lines.at(-1)).toMatch(
      /^summary: passed 3, failed 0, skipped 0, interrupted 0 in 00:00:0\d; journal .*\/state\/runs\/\d{8}-\d{6}-[0-9a-f]{4}\.jsonl$/,
    );
    // The secret is nowhere in what was written: stdout, stderr, the journal.
    const everything = [r.stdout, r.stderr, ...journals()].join('\n');
    expect(everything).not.toContain('tok-s3cret-42');
    expect(journals()[0]).toContain('"token":"••••••"');
  });

  it('--dry-run prints every command as it would run, secrets masked, and runs none', async () => {
    write('demo.yaml', RUNBOOK);
    const r = await play(['demo.yaml', '--dry-run', '--param', 'version=1.11.2', '--param', 'token=tok-s3cret-42']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').slice(1)).toEqual([
      '',
      'section prep: Prepare (on local: 1 target, serial)',
      '  prep/hello@local: echo hello 1.11.2 >> marks',
      '  prep/call@local: echo "token=••••••" >> marks; echo "Authorization token=••••••"',
      '  prep/wipe@local [destructive, asks first]: echo wiped >> marks',
      '',
    ]);
    expect(existsSync(join(dir, 'marks'))).toBe(false);
    expect(journals()).toEqual([]);
  });

  it('bad input is exit 2 and nothing runs: a param that does not fit, never echoing a secret', async () => {
    write('demo.yaml', RUNBOOK);
    let r = await play(['demo.yaml', '--param', 'version=1.12.0', '--param', 'token=x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--param version: version: "1.12.0" does not match ^1\\.11\\.\\d+$');
    r = await play(['demo.yaml', '--param', 'colour=red']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--param colour: the runbook declares no such param (its params: version, token)');
    r = await play(['demo.yaml', '--param', 'version=1.11.2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('param token has no value and there is no more input: give --param token=VALUE; or set $DEMO_TOKEN');
    expect(existsSync(join(dir, 'marks'))).toBe(false);
  });

  it('--dry-run fills in section titles; a var captured later shows as written', async () => {
    write(
      't.yaml',
      `id: t
title: T
params:
  to: { default: 1.11.2 }
sections:
  - id: s
    title: Find the URL for {{params.to}}
    steps:
      - { id: a, run: echo url=x, capture: { url: 'url=(\\S+)' } }
  - id: t
    title: Patch to {{params.to}} from {{vars.url}}
    steps:
      - { id: b, run: echo b }
`,
    );
    const r = await play(['t.yaml', '--dry-run']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('section s: Find the URL for 1.11.2 (on local: 1 target, serial)');
    expect(r.stdout).toContain('section t: Patch to 1.11.2 from {{vars.url}} (on local: 1 target, serial)');
  });

  it('without an inventory, a runbook that runs on nodes is bad input that says how to try it: runbook train, runbook sim', async () => {
    const file = write(
      'nodes.yaml',
      'id: nodes\ntitle: Nodes\nsections:\n  - { id: s, title: S, on: master, steps: [{ id: a, run: "touch ran" }] }\n',
    );
    const r = await play([file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('section "s" runs on master: give an inventory with --inventory');
    expect(r.stderr).toMatch(/^ {2}runbook train {2,}plays the DC\/OS patch runbook against a simulated cluster it starts$/m);
    expect(r.stderr).toMatch(/^ {2}runbook sim {2,}starts a simulated cluster, writes its inventory and prints the play command$/m);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    expect(journals()).toEqual([]);
    // With an inventory setting the hint is not given: the inventory's own problems are what counts.
    const inv = write('inv.yaml', 'nodes:\n  - { name: a-1, address: 127.0.0.1, roles: [agent] }\n');
    const other = await play([file, '--inventory', inv, '--dry-run']);
    expect(other.stderr).not.toContain('runbook train');
  });

  it('asks for a missing param on stderr and reads the answer from stdin', async () => {
    write('demo.yaml', RUNBOOK);
    const r = await play(['demo.yaml', '--dry-run'], '1.11.3\n', {});
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('echo hello 1.11.3 >> marks');
  });

  it('refuses --yes unless every target is the simulator', async () => {
    write('demo.yaml', RUNBOOK);
    write('inv.yaml', 'nodes:\n  - { name: master-1, address: 10.0.4.1, roles: [master] }\n');
    const r = await play(['demo.yaml', '--yes', '--inventory', 'inv.yaml', '--param', 'version=1.11.2', '--param', 'token=t']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /--yes confirms destructive steps without asking, so it is accepted only when every target is the simulator \(.*inv\.yaml is a real inventory\); this runbook also runs commands on this machine/,
    );
    expect(existsSync(join(dir, 'marks'))).toBe(false);
  });

  it('a failed step with no answer aborts: exit 1; --resume goes on and never reruns what passed', async () => {
    write(
      'fail.yaml',
      `id: f
title: F
sections:
  - id: s
    title: S
    steps:
      - { id: a, run: echo a >> marks }
      - { id: b, run: 'test -f ok' }
      - { id: c, run: echo c >> marks }
`,
    );
    let r = await play(['fail.yaml']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('? s/b@local failed: exit 1, expected 0. Retry, skip or abort? [r/s/a] (end of input)');
    writeFileSync(join(dir, 'ok'), '');
    r = await play(['fail.yaml', '--resume'], 'r\n');
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, 'marks'), 'utf8')).toBe('a\nc\n');
    expect(journals()).toHaveLength(1);
  });

  it('--resume RUN (or --run RUN) names the run; an unknown one is bad input', async () => {
    write('f.yaml', 'id: f\ntitle: F\nsections:\n  - id: s\n    title: S\n    steps:\n      - { id: a, run: "test -f ok" }\n');
    expect((await play(['f.yaml'])).status).toBe(1);
    const id = readdirSync(join(dir, 'state', 'runs'))[0]!.replace('.jsonl', '');
    writeFileSync(join(dir, 'ok'), '');
    let r = await play(['--resume', '20991231-235959-ffff']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('no run 20991231-235959-ffff in');
    r = await play(['--resume', id], 'r\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`run ${id} resumed by`);
    r = await play(['--resume', '--run', id]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`run ${id} finished and passed; there is nothing to resume`);
  });

  it('a changed runbook is not resumed unless the operator says so', async () => {
    const file = write('slow.yaml', 'id: s\ntitle: S\nsections:\n  - id: s\n    title: S\n    steps:\n      - { id: a, run: "false" }\n');
    expect((await play(['slow.yaml'])).status).toBe(1);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"false"', '"true"'));
    let r = await play(['slow.yaml', '--resume']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/the runbook changed since run \d{8}-\d{6}-[0-9a-f]{4} started .*Resume with --allow-changed-runbook/);
    r = await play(['slow.yaml', '--resume', '--allow-changed-runbook'], 'r\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('resumed by');
    expect(r.stdout).toContain('the runbook changed since the run started');
  });
});
