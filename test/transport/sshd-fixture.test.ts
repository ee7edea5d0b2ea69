// The sshd fixture itself, checked with OpenSSH's own client: if this fails, the SSH transport
// tests would fail for reasons that are not the transport's.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startSshd, sshdMissing, type Sshd } from '../helpers/sshd.js';

const run = promisify(execFile);
const missing = sshdMissing() ?? (existsSync('/usr/bin/ssh') ? undefined : 'the OpenSSH client (/usr/bin/ssh) is not installed');

async function ssh(sshd: Sshd, command: string): Promise<string> {
  const knownHosts = sshd.writeKnownHosts();
  const { stdout } = await run(
    '/usr/bin/ssh',
    [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-i',
      sshd.clientKey.privateKeyPath,
      '-p',
      String(sshd.port),
      `${sshd.user}@${sshd.host}`,
      command,
    ],
    { timeout: 10_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
  );
  return stdout;
}

describe.skipIf(missing)(`sshd fixture${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('starts a server that OpenSSH logs into with the client key, and stops it cleanly', async () => {
    const sshd = await startSshd({ host: '127.0.0.3', hostKeyTypes: ['ed25519', 'rsa'] });
    try {
      expect(sshd.hostKeys.map((k) => k.type)).toEqual(['ssh-ed25519', 'ssh-rsa']);
      expect(await ssh(sshd, 'echo hello from $(whoami)')).toBe(`hello from ${sshd.user}\n`);
    } finally {
      await sshd.stop();
    }
    expect(existsSync(sshd.dir)).toBe(false);
    expect(() => process.kill(sshd.pid, 0)).toThrow();
  });

  it('shows one session process per open connection', async () => {
    const sshd = await startSshd();
    try {
      const running = ssh(sshd, 'sleep 1');
      const deadline = Date.now() + 5000;
      while (sshd.sessionPids().length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(sshd.sessionPids().length).toBe(1);
      await running;
    } finally {
      await sshd.stop();
    }
  });
});
