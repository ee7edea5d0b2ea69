// Values never become code, secrets never reach a process list: the engine against a real OpenSSH
// server on loopback and the local transport, with real processes. A hostile node's output is
// captured and used on another node; a secret travels to commands while every process's command
// line on this machine (which is also the node's, the sshd being local) is read over and over.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/engine/journal.js';
import { Runner } from '../../src/engine/runner.js';
import type { Inventory, InventoryNode } from '../../src/inventory/types.js';
import type { Section } from '../../src/runbook/schema.js';
import { shellTemplateProblems } from '../../src/runbook/template.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/types.js';
import { sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';
import { runbook, section, stateOf } from './fixtures.js';

const missing = sshdMissing();
let dir: string;
let sshd: Sshd;
let knownHosts: string;
const transports: Transport[] = [];

function node(name: string, roles: string[]): InventoryNode {
  return {
    name,
    address: sshd.host,
    ip: sshd.host,
    port: sshd.port,
    user: sshd.user,
    identityFile: sshd.clientKey.privateKeyPath,
    roles,
    vars: {},
  };
}

const inventory = (...nodes: InventoryNode[]): Inventory => ({ source: 'inventory.yaml', nodes, simulated: false });

function sshTransport(): Transport {
  const t = createSshTransport({ knownHostsFiles: [knownHosts], agent: false, homeDir: dir, connectTimeoutMs: 5000 });
  transports.push(t);
  return t;
}

/** Every process's arguments, as ps shows them, but for our own process (whose memory holds the secret). */
function commandLines(): string[] {
  const lines: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      lines.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // Gone meanwhile.
    }
  }
  return lines;
}

/** Reads every command line every few milliseconds until stopped; what held the needle, and how many rounds. */
function watchProcesses(needle: string): { stop: () => { seen: string[]; rounds: number } } {
  const seen: string[] = [];
  let rounds = 0;
  let running = true;
  const loop = (): void => {
    if (!running) return;
    for (const line of commandLines()) if (line.includes(needle)) seen.push(line);
    rounds += 1;
    setTimeout(loop, 2);
  };
  loop();
  return {
    stop: () => {
      running = false;
      return { seen, rounds };
    },
  };
}

const describeSsh = missing ? describe.skip : describe;
if (missing) console.warn(`value and secret integration tests skipped: ${missing}`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-values-'));
  if (missing) return;
  sshd = await startSshd({ host: '127.0.0.23' });
  knownHosts = sshd.writeKnownHosts();
});

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describeSsh('values from a hostile node', () => {
  it('a "patch URL" with $(...) captured on one node and used on another runs nothing there', async () => {
    const pwned = join(dir, 'PWNED');
    // What a compromised bootstrap node prints: the capture takes everything up to the first space.
    const url = `http://10.0.0.5/x$(touch\${IFS}${pwned})\`touch\${IFS}${pwned}\`;touch\${IFS}${pwned};'"/dcos_node_upgrade.sh`;
    const sections: Section[] = [
      section(
        'bootstrap',
        [{ id: 'generate', run: `cat <<'EOF'\nNode upgrade script URL: ${url}\nEOF`, capture: { patch_url: 'URL: (\\S+)' } }],
        { on: 'bootstrap' },
      ),
      section(
        'masters',
        [
          { id: 'as-argument', run: 'printf "arg:%s\\n" {{vars.patch_url}} "{{vars.patch_url}}"' },
          // The safe form for a nested shell: the value in the environment, read as "$URL".
          {
            id: 'nested-shell',
            env: { URL: '{{vars.patch_url}}' },
            run: `sh -c 'printf "env:%s\\n" "$URL"' && bash -c 'printf "env:%s\\n" "$URL"'`,
          },
        ],
        { on: 'master' },
      ),
    ];
    // The forms a careless author would write for the nested shell are refused before anything runs.
    for (const unsafe of [
      'sh -c "curl -fsSO {{vars.patch_url}}"',
      'echo curl {{vars.patch_url}} | sh',
      'bash -c -e "curl {{vars.patch_url}}"',
    ]) {
      expect(shellTemplateProblems(unsafe)[0]?.message, unsafe).toMatch(/use env: and "\$NAME" instead/);
    }
    const state = stateOf(runbook(sections), inventory(node('bootstrap', ['bootstrap']), node('master-1', ['master'])));
    const t = sshTransport();
    const journal = await Journal.create(join(dir, 'state'), '20261206-100000-aaaa');
    const runner = new Runner({ state, transportFor: () => t, journal, by: 'alice' });
    runner.start();
    expect(await runner.done).toBe('passed');
    await journal.close();
    expect(runner.getState().vars.patch_url).toBe(url);
    const printed = [
      ...runner.output.lines('master-1', 'masters/as-argument@master-1'),
      ...runner.output.lines('master-1', 'masters/nested-shell@master-1'),
    ].map((l) => l.text);
    expect(printed).toEqual([`arg:${url}`, `arg:${url}`, `env:${url}`, `env:${url}`]);
    expect(existsSync(pwned)).toBe(false);
  });
});

describeSsh('a captured value with a declared shape', () => {
  it('a hostile "patch URL" fails the capturing step over SSH, and the next node gets nothing', async () => {
    const pwned = join(dir, 'PWNED-shaped');
    const hostile = `http://10.0.0.5/$(touch\${IFS}${pwned})/dcos_node_upgrade.sh`;
    const sections: Section[] = [
      section(
        'bootstrap',
        [
          {
            id: 'generate',
            run: `cat <<'EOF'\nNode upgrade script URL: ${hostile}\nEOF`,
            capture: { patch_url: { regex: 'URL: (\\S+)', shape: 'url' } },
          },
        ],
        { on: 'bootstrap' },
      ),
      section('masters', [{ id: 'download', run: 'printf "got %s\\n" {{vars.patch_url}}' }], { on: 'master' }),
    ];
    const state = stateOf(runbook(sections), inventory(node('bootstrap', ['bootstrap']), node('master-1', ['master'])));
    const t = sshTransport();
    const runner = new Runner({ state, transportFor: () => t, by: 'alice' });
    runner.start();
    const { waitUntil } = await import('../helpers/real-shell.js');
    expect(await waitUntil(() => runner.getState().prompts.length > 0, 15_000)).toBe(true);
    const task = runner.getState().nodes.get('bootstrap')?.tasks.get('bootstrap/generate');
    expect(task?.status).toBe('failed');
    expect(task?.status === 'failed' && task.reason).toMatch(
      /^capture patch_url: the captured value \(\d+ characters\) is not an http or https URL/,
    );
    expect(runner.getState().vars).toEqual({});
    runner.dispatch({ type: 'abort' });
    expect(await runner.done).toBe('aborted');
    expect(runner.getState().nodes.get('master-1')?.tasks.get('masters/download')?.status).not.toBe('passed');
    expect(existsSync(pwned)).toBe(false);
  });
});

describe.each([
  ['the local transport', 'local'],
  ['a node over SSH', 'ssh'],
] as const)('a secret in %s', (_, kind) => {
  const skip = kind === 'ssh' && missing !== undefined;
  it.skipIf(skip)('is in no process list while its commands run: on this machine, nor on the node', async () => {
    // Two lines, each unique: a process list shows arguments joined, so each line is looked for.
    const lines = [`S3cr3t-${process.pid}-${Math.random().toString(36).slice(2)}`, `line2-${Math.random().toString(36).slice(2)}`];
    const secret = lines.join('\n');
    const out = join(dir, `out-${kind}`);
    const on = kind === 'ssh' ? { on: 'master' } : {};
    const steps = [
      // Through env: into a nested shell and a program's input.
      { id: 'env', env: { TOKEN: '{{params.jwt}}' }, run: `sh -c 'printf "%s" "$TOKEN" | sha256sum > ${out}'; sleep 0.4` },
      // In the command itself, as an argument of a builtin feeding a program's input.
      { id: 'inline', run: `printf 'header = "X-Token: %s"\\n' {{params.jwt}} | cat >> ${out}; sleep 0.4` },
    ];
    const state = stateOf(
      runbook([section('s', steps, on)]),
      kind === 'ssh' ? inventory(node('master-1', ['master'])) : undefined,
      { jwt: secret },
      ['jwt'],
    );
    const t: Transport = kind === 'ssh' ? sshTransport() : createLocalTransport();
    if (kind === 'local') transports.push(t);
    const journal = await Journal.create(join(dir, `state-${kind}`), '20261206-100000-bbbb');
    const watches = lines.map((line) => watchProcesses(line));
    const runner = new Runner({ state, transportFor: () => t, journal, by: 'alice' });
    runner.start();
    expect(await runner.done).toBe('passed');
    await journal.close();
    for (const watch of watches) {
      const { seen, rounds } = watch.stop();
      expect(seen).toEqual([]);
      expect(rounds).toBeGreaterThan(20);
    }
    // The commands did get it, and the journal did not.
    const got = readFileSync(out, 'utf8');
    expect(got).toContain(`X-Token: ${secret}`);
    expect(got.startsWith(`${createHash('sha256').update(secret).digest('hex')}  -\n`)).toBe(true);
    for (const line of lines) expect(readFileSync(journal.file, 'utf8')).not.toContain(line);
  });
});

it('the watcher sees a secret in a command line (the check above can fail)', async () => {
  const secret = `S3cr3t-${process.pid}-control`;
  const watch = watchProcesses(secret);
  // The way commands used to start: /bin/sh -c with the text in its arguments.
  const child = spawn('/bin/sh', ['-c', `echo ${secret} >/dev/null; sleep 0.3`], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  expect(watch.stop().seen.length).toBeGreaterThan(0);
});
