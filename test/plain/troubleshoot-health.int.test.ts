// Plain mode over a real OpenSSH server on loopback: when a step fails, `t` lists the node's
// troubleshooting commands, runs the chosen one through the runner (journalled, its output masked
// and stripped of what a hostile node prints to the terminal), then asks again; a node that stops
// answering its role's health probe is told in one line when it happens.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realClock } from '../../src/engine/clock.js';
import type { JournalRecord } from '../../src/engine/events.js';
import { Runner } from '../../src/engine/runner.js';
import type { InventoryNode } from '../../src/inventory/types.js';
import { LineReader } from '../../src/plain/line-reader.js';
import { runPlain } from '../../src/plain/plain.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import { sshdMissing, startSshd, type Sshd } from '../helpers/sshd.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';

const missing = sshdMissing();
let dir: string;
let sshd: Sshd;
const SECRET = 'S3cr3t-troubleshoot';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'runbook-plain-ts-'));
  if (!missing) sshd = await startSshd({ host: '127.0.0.24' });
}, 30_000);
afterAll(async () => {
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const collect = () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c) => (text += String(c)));
  return { stream, text: () => text };
};

describe.skipIf(missing)('plain mode: troubleshooting and health (real sshd)', () => {
  it(
    "t runs the step's troubleshooting command through the runner and asks again; a node going unhealthy is one line",
    { timeout: 60_000 },
    async () => {
      const down = join(dir, 'down');
      const rb = runbook(
        [
          section(
            'm',
            [
              // The probe finds the node healthy first, then the node stops answering it.
              { id: 'degrade', run: `sleep 2.5; touch ${down}; sleep 2.5` },
              { id: 'patch', run: 'echo patch went wrong; exit 3', troubleshoot: 'Patch log' },
            ],
            { on: 'master' },
          ),
        ],
        {
          params: { token: { secret: true } },
          roles: {
            master: {
              troubleshoot: [
                { title: 'Disk', run: 'echo disk fine' },
                // A hostile node: an OSC 52 clipboard write and a window title in its output, and the secret.
                {
                  title: 'Patch log',
                  run: `printf 'patch log line\\n\\033]52;c;cm0gLXJmIC8=\\a\\033]0;owned\\a'; echo; printf 'tok=%s\\n' {{params.token}}`,
                  follow: 'tail -f /var/log/patch.log',
                },
              ],
              health: { run: `test -e ${down} || echo up`, expect: { regex: '^up$' }, every: '500ms', timeout: '5s' },
            },
          },
        },
      );
      const node: InventoryNode = {
        name: 'master-1',
        address: sshd.host,
        ip: sshd.host,
        port: sshd.port,
        user: sshd.user,
        identityFile: sshd.clientKey.privateKeyPath,
        roles: ['master'],
        vars: {},
      };
      const transport = createSshTransport({
        knownHostsFiles: [sshd.writeKnownHosts()],
        agent: false,
        homeDir: dir,
        connectTimeoutMs: 5000,
      });
      const records: JournalRecord[] = [];
      const runner = new Runner({
        state: stateOf(rb, { source: 'inventory.yaml', nodes: [node], simulated: false }, { token: SECRET }, ['token']),
        transportFor: () => transport,
        clock: realClock,
        by: 'alice',
        journal: { append: async (r) => void records.push(...r) },
      });
      const out = collect();
      const err = collect();
      // t, enter (the command the step names), then a wrong pick, t and 1, then abort.
      const answers = new LineReader(Readable.from(['t\n\nt\n9\nt\n1\na\n']));
      let status: number;
      try {
        status = await runPlain(runner, { stdout: out.stream, stderr: err.stream, answers, clock: realClock });
      } finally {
        await transport.close();
      }
      const stdout = out.text();
      const stderr = err.text();
      expect(status).toBe(1);

      // The question offers t; the list names the step's command; a wrong number is told, then asked again.
      expect(stderr).toContain(
        '? m/patch@master-1 failed: exit 3, expected 0: patch went wrong. Retry, skip, troubleshoot or abort? [r/s/t/a] ',
      );
      expect(stderr).toContain('  1. Disk: echo disk fine\n');
      expect(stderr).toMatch(/ {2}2\. Patch log \(this step names it\): printf .*tok=%s\\n' ••••••\n/);
      expect(stderr).toContain('? troubleshooting command to run on master-1 [1-2, enter=2] ');
      expect(stderr).toContain('answer a number from 1 to 2\n');
      expect(stderr.match(/Retry, skip, troubleshoot or abort\?/g)).toHaveLength(4);

      // Run through the runner: journalled with node, who, exit; its output printed, masked, stripped.
      expect(stdout).toContain('master-1: Patch log opened by alice: printf');
      expect(stdout).toContain('    | patch log line\n');
      expect(stdout).toContain('    | tok=••••••\n');
      expect(stdout).toMatch(/ {4}Patch log on master-1: exit 0 \(/);
      expect(stdout).toContain('    | disk fine\n');
      expect(stdout + stderr).not.toContain(SECRET);
      expect(stdout + stderr).not.toMatch(/\u001b|\u0007/);
      expect(stdout).not.toContain('tail -f');
      const started = records.filter((r) => r.event === 'command-started');
      const finished = records.filter((r) => r.event === 'command-finished');
      expect(started.map((r) => r.event === 'command-started' && [r.node, r.title, r.by])).toEqual([
        ['master-1', 'Patch log', 'alice'],
        ['master-1', 'Disk', 'alice'],
      ]);
      expect(finished.map((r) => r.event === 'command-finished' && r.exit)).toEqual([0, 0]);
      expect(JSON.stringify(records)).not.toContain(SECRET);

      // Health: the first probe found it healthy (not news), then one line when it stopped answering.
      const healthLines = stdout.split('\n').filter((l) => / master-1 health /.test(l));
      expect(healthLines).toHaveLength(1);
      expect(healthLines[0]).toMatch(/master-1 health failing: /);
      const health = records.filter((r) => r.event === 'health');
      expect(health.map((r) => r.event === 'health' && r.ok)).toEqual([true, false]);
      expect(existsSync(down)).toBe(true);
    },
  );
});
