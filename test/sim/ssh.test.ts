// The simulator over real SSH: sessions, exit statuses, host keys and authentication, streaming
// commands that stop when the channel closes, the clock's scale, and a clean close().
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { existsSync, readFileSync } from 'node:fs';

/** Runs a program without blocking the event loop (the SSH servers live in this process). */
function spawnAsync(cmd: string, args: string[], timeout = 15_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : err ? null : 0;
      resolve({ status: code, stdout, stderr });
    });
  });
}
import { createConnection } from 'node:net';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEd25519 } from '../../src/sim/keys.js';
import { type SimCluster, inventoryToYaml, startSimulator } from '../../src/sim/index.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import { connect, sshRun } from './ssh-client.js';

let sim: SimCluster;

beforeAll(async () => {
  sim = await startSimulator({ masters: 3, agents: 2, publicAgents: 1, timeScale: 200, seed: 3 });
});

afterAll(async () => {
  await sim?.close();
});

describe('sessions', () => {
  it('runs a command and returns its exit status', async () => {
    const r = await sshRun(sim, 'master-1', 'echo "$USER on $(hostname)"; exit 3');
    expect(r.stdout).toBe('dcos on master-1\n');
    expect(r.exit).toBe(3);
  });

  it('answers an unknown command with "command not found" and 127', async () => {
    const r = await sshRun(sim, 'agent-1', 'kubectl get pods');
    expect(r.exit).toBe(127);
    expect(r.stderr).toBe('bash: kubectl: command not found\n');
  });

  it('runs a command handed over on its input with env: values, as the players hand it (eval "$(cat)")', async () => {
    const t = createSshTransport({
      knownHostsFiles: [],
      extraKnownHosts: sim.inventory.knownHosts ?? [],
      agent: false,
      connectTimeoutMs: 5000,
    });
    try {
      const node = sim.inventory.nodes.find((n) => n.name === 'master-1')!;
      const hostile = `$(touch /tmp/pwned)'"; exit 9`;
      const r = await t.exec(node, `printf '%s|' "$URL" "$(hostname)"; sh -c 'printf "%s" "$URL"'; exit 4`, { env: { URL: hostile } });
      expect(r.stdout).toBe(`${hostile}|master-1|${hostile}`);
      expect(r.exit).toBe(4);
      expect((await sshRun(sim, 'master-1', 'ls /tmp/pwned')).exit).not.toBe(0);
    } finally {
      await t.close();
    }
  });

  it('keeps a node state across connections (files written stay)', async () => {
    await sshRun(sim, 'agent-2', 'echo kept > ~/note');
    expect((await sshRun(sim, 'agent-2', 'cat ~/note')).stdout).toBe('kept\n');
    expect((await sshRun(sim, 'agent-1', 'cat ~/note')).exit).toBe(1);
  });

  it('gives every node its own host key and port', () => {
    const lines = sim.inventory.knownHosts ?? [];
    expect(lines).toHaveLength(sim.inventory.nodes.length);
    expect(new Set(lines.map((l) => l.split(' ')[2])).size).toBe(lines.length);
    expect(new Set(sim.inventory.nodes.map((n) => n.port)).size).toBe(lines.length);
    for (const n of sim.inventory.nodes) expect(lines).toContain(lines.find((l) => l.startsWith(`[127.0.0.1]:${n.port} ssh-ed25519 `)));
  });

  it('lists the nodes with their 10.0.x.x labels and roles', () => {
    const byName = Object.fromEntries(sim.inventory.nodes.map((n) => [n.name, n]));
    expect(byName.bootstrap?.ip).toBe('10.0.0.10');
    expect(byName['master-2']?.ip).toBe('10.0.4.2');
    expect(byName['agent-1']?.roles).toEqual(['agent']);
    expect(byName['public-agent-1']?.roles).toEqual(['public_agent']);
    expect(sim.inventory.simulated).toBe(true);
    const yaml = inventoryToYaml(sim.inventory);
    expect(yaml).toContain(
      `  - { name: master-1, address: 127.0.0.1, port: ${byName['master-1']?.port}, ip: 10.0.4.1, roles: [master], user: dcos, identity_file: `,
    );
  });
});

describe('authentication and host keys', () => {
  it('refuses a key it does not know', async () => {
    const stranger = generateEd25519('stranger');
    await expect(connect(sim, 'master-1', { key: stranger.privateOpenSsh })).rejects.toThrow(/authentication/i);
  });

  it('refuses another user name', async () => {
    await expect(connect(sim, 'master-1', { user: 'root' })).rejects.toThrow(/authentication/i);
  });

  it('presents the key that known_hosts lists (a client checking it connects)', async () => {
    const s = await connect(sim, 'bootstrap');
    expect((await s.run('hostname')).stdout).toBe('bootstrap\n');
    s.close();
  });

  it('is reachable with the OpenSSH client, StrictHostKeyChecking on', async () => {
    const node = sim.inventory.nodes.find((n) => n.name === 'master-2');
    const r = await spawnAsync('ssh', [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${sim.files.knownHosts}`,
      '-o',
      'ConnectTimeout=5',
      '-i',
      sim.files.identityFile,
      '-p',
      String(node?.port),
      'dcos@127.0.0.1',
      "systemctl is-active dcos-mesos-master; grep -c '' /etc/os-release",
    ]);
    expect(r.stderr).not.toMatch(/warning|host key/i);
    expect(r.stdout).toBe('active\n16\n');
    expect(r.status).toBe(0);
  });

  it('is refused by OpenSSH when the host key does not match known_hosts', async () => {
    const node = sim.inventory.nodes.find((n) => n.name === 'master-2');
    const other = sim.inventory.nodes.find((n) => n.name === 'master-3');
    // master-3's key written under master-2's address: a changed host key.
    const forged = `${sim.files.dir}/forged_known_hosts`;
    const line = (sim.inventory.knownHosts ?? [])
      .find((l) => l.startsWith(`[127.0.0.1]:${other?.port} `))
      ?.replace(`:${other?.port} `, `:${node?.port} `);
    writeFileSync(forged, `${line ?? ''}\n`);
    const r = await spawnAsync('ssh', [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      `UserKnownHostsFile=${forged}`,
      '-i',
      sim.files.identityFile,
      '-p',
      String(node?.port),
      'dcos@127.0.0.1',
      'true',
    ]);
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });
});

describe('streaming and time', () => {
  it('streams journalctl -f as simulated time passes, and stops when the channel closes', async () => {
    const s = await connect(sim, 'master-1');
    const channel = await s.stream('sudo journalctl -f -u dcos-mesos-master');
    let text = '';
    channel.on('data', (d: Buffer) => {
      text += d.toString();
    });
    const closed = new Promise<void>((r) => channel.on('close', () => r()));
    await new Promise((r) => setTimeout(r, 200));
    expect(text).toMatch(/^-- Logs begin at .* --\n/);
    // A restart on the same node shows up in the follower while it runs.
    expect((await s.run('sudo systemctl restart dcos-mesos-master')).exit).toBe(0);
    const deadline = Date.now() + 10_000;
    while (!/Successfully recovered registrar/.test(text.split('Stopping Mesos Master')[1] ?? '') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(text).toContain('systemd[1]: Stopping Mesos Master: distributed systems kernel...');
    expect(text.split('Stopping Mesos Master')[1]).toMatch(/Successfully recovered registrar/);
    channel.close();
    await closed;
    s.close();
  });

  it('runs sleep on the simulated clock (200 times faster here)', async () => {
    const start = performance.now();
    const r = await sshRun(sim, 'agent-1', 'a=$(date +%s); sleep 60; b=$(date +%s); echo $((b - a))');
    const took = performance.now() - start;
    expect(Number(r.stdout.trim())).toBeGreaterThanOrEqual(60);
    expect(Number(r.stdout.trim())).toBeLessThan(120);
    expect(took).toBeLessThan(2_000);
  });

  it('stops a long-running command when the client closes the channel', async () => {
    const s = await connect(sim, 'agent-1');
    const channel = await s.stream('sleep 100000; echo never');
    let out = '';
    channel.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((r) => setTimeout(r, 100));
    const pendingBefore = sim.clock.pending();
    channel.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.clock.pending()).toBeLessThan(pendingBefore);
    expect(out).toBe('');
    s.close();
  });

  it('runs an interactive login shell on a pty', async () => {
    const node = sim.inventory.nodes.find((n) => n.name === 'agent-1');
    const client = new ssh2.Client();
    const text = await new Promise<string>((resolve, reject) => {
      client.on('ready', () => {
        client.shell({ term: 'xterm' }, (err, stream) => {
          if (err) return reject(err);
          let out = '';
          stream.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.includes('logout')) resolve(out);
          });
          stream.write('hostname\r');
          setTimeout(() => stream.write('exit\r'), 200);
        });
      });
      client.on('error', reject);
      client.connect({
        host: '127.0.0.1',
        port: node?.port,
        username: 'dcos',
        privateKey: readFileSync(sim.files.identityFile),
        hostVerifier: () => true,
      });
    });
    client.end();
    expect(text).toContain('[dcos@agent-1 ~]$ hostname\r\nagent-1\r\n');
  });
});

describe('lifecycle', () => {
  it('refuses to listen outside 127.0.0.0/8', async () => {
    await expect(startSimulator({ host: '0.0.0.0' })).rejects.toThrow(/loopback/);
    await expect(startSimulator({ host: '192.168.1.10' })).rejects.toThrow(/loopback/);
    await expect(startSimulator({ host: '127.0.0.300' })).rejects.toThrow(/loopback/);
  });

  it('refuses sizes beyond 5 masters and 2,000 agents, and unknown scenarios', async () => {
    await expect(startSimulator({ masters: 6 })).rejects.toThrow(/masters must be/);
    await expect(startSimulator({ agents: 2001 })).rejects.toThrow(/agents must be/);
    await expect(startSimulator({ scenario: 'nope' })).rejects.toThrow(/unknown scenario "nope"; known scenarios: happy/);
  });

  it('starts 5 masters and 2,000 agents in seconds, each answering on its own port', async () => {
    const t0 = performance.now();
    const big = await startSimulator({ masters: 5, agents: 2000, publicAgents: 2, timeScale: 200, seed: 2 });
    try {
      expect(performance.now() - t0).toBeLessThan(10_000);
      expect(big.inventory.nodes).toHaveLength(2008);
      expect(big.model.builtNodes()).toBe(0);
      const last = big.inventory.nodes.find((n) => n.name === 'agent-2000');
      expect(last?.ip).toBe('10.0.10.250');
      const r = await sshRun(big, 'agent-2000', 'curl -fsS http://10.0.10.250:5051/metrics/snapshot; hostname');
      expect(r.stdout).toMatch(/"slave\\\/registered":1\.0.*\}agent-2000\n$/s);
      const m = await sshRun(big, 'master-5', 'curl -fsS http://10.0.4.5:8181/exhibitor/v1/cluster/status');
      expect((JSON.parse(m.stdout) as unknown[]).length).toBe(5);
      const leader = await sshRun(big, 'master-2', 'curl -fsS http://10.0.4.2:5050/metrics/snapshot');
      expect(leader.stdout).toContain('"master\\/slaves_active":2002.0');
      // Only what was touched has full state.
      expect(big.model.builtNodes()).toBeLessThan(10);
    } finally {
      await big.close();
    }
  });

  it('keeps ports and keys in a directory it is given, so known_hosts stays valid across starts', async () => {
    const dir = `${sim.files.dir}/kept`;
    const basePort = 41000 + (process.pid % 2000) * 4;
    const first = await startSimulator({ masters: 1, agents: 1, publicAgents: 0, host: '127.0.0.3', dir, basePort });
    const lines = first.inventory.knownHosts;
    expect(first.inventory.nodes.map((n) => n.port)).toEqual([basePort, basePort + 1, basePort + 2]);
    await first.close();
    expect(existsSync(`${dir}/known_hosts`)).toBe(true);
    const second = await startSimulator({ masters: 1, agents: 1, publicAgents: 0, host: '127.0.0.3', dir, basePort });
    try {
      expect(second.inventory.knownHosts).toEqual(lines);
      expect(readFileSync(second.files.identityFile, 'utf8')).toBe(readFileSync(`${dir}/id_ed25519`, 'utf8'));
      expect((await sshRun(second, 'agent-1', 'hostname')).stdout).toBe('agent-1\n');
    } finally {
      await second.close();
    }
  });

  it('close() leaves no listening socket, no timer and no temporary file', async () => {
    const small = await startSimulator({ masters: 1, agents: 1, publicAgents: 0, timeScale: 200, host: '127.0.0.2' });
    const ports = small.inventory.nodes.map((n) => n.port as number);
    const s = await connect(small, 'master-1');
    const channel = await s.stream('sudo journalctl -f -u dcos-mesos-master');
    await new Promise((r) => setTimeout(r, 100));
    expect(small.clock.pending()).toBeGreaterThan(0);
    const dir = small.files.dir;
    await small.close();
    expect(small.clock.pending()).toBe(0);
    expect(existsSync(dir)).toBe(false);
    void channel;
    for (const port of ports) {
      const refused = await new Promise<boolean>((resolve) => {
        const c = createConnection({ host: '127.0.0.2', port });
        c.once('connect', () => {
          c.destroy();
          resolve(false);
        });
        c.once('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
    s.close();
  });
});
