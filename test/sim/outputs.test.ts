// Output shapes, over SSH, against what the real programs print (DCOS-FACTS): Mesos metrics,
// Exhibitor status, the cockroach table, systemctl lines, diagnostics JSON, journal headers,
// and the errors an operator meets (connection refused, 404, not root, no version).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimulator } from '../../src/sim/index.js';
import { connect, pollUntil, type Session, sshRun } from './ssh-client.js';
import { BOOTSTRAP_DIR, COCKROACH_STATUS } from './steps.js';

let sim: SimCluster;
let m1: Session;

beforeAll(async () => {
  sim = await startSimulator({ masters: 3, agents: 3, publicAgents: 1, timeScale: 300, seed: 9 });
  m1 = await connect(sim, 'master-1');
});

afterAll(async () => {
  m1?.close();
  if (sim) expect(sim.internalErrors).toEqual([]);
  await sim?.close();
});

describe('Mesos', () => {
  it('prints master metrics as one JSON line with escaped slashes and doubles', async () => {
    const r = await m1.run('curl -s http://10.0.4.2:5050/metrics/snapshot');
    expect(r.stdout).toMatch(/^\{"[^\n]+\}$/);
    expect(r.stdout).toContain('"registrar\\/log\\/recovered":1.0');
    expect(r.stdout).toContain('"master\\/elected":1.0');
    expect(r.stdout).toContain('"registrar\\/log\\/ensemble_size":3.0');
    expect(r.stdout).toMatch(/"master\\\/slaves_active":4\.0/);
    const m = JSON.parse(r.stdout) as Record<string, number>;
    for (const key of [
      'master/uptime_secs',
      'master/slaves_connected',
      'master/slaves_disconnected',
      'master/slaves_inactive',
      'master/frameworks_active',
      'master/tasks_running',
      'master/cpus_total',
      'system/load_1min',
    ]) {
      expect(m).toHaveProperty([key]);
    }
    // The keys come in hash order, not sorted.
    const keys = Object.keys(m);
    expect(keys).not.toEqual([...keys].sort());
  });

  it('says which master leads: only one is elected', async () => {
    const elected = [];
    for (const ip of ['10.0.4.1', '10.0.4.2', '10.0.4.3']) {
      elected.push(
        (JSON.parse((await m1.run(`curl -s http://${ip}:5050/metrics/snapshot`)).stdout) as Record<string, number>)['master/elected'],
      );
    }
    expect(elected).toEqual([0, 1, 0]);
  });

  it('prints agent metrics with slave/registered', async () => {
    const r = await sshRun(sim, 'agent-2', 'curl -s http://10.0.1.2:5051/metrics/snapshot');
    expect(r.stdout).toContain('"slave\\/registered":1.0');
    expect(r.stdout).toMatch(/"slave\\\/tasks_running":\d+\.0/);
  });

  it('prints the Mesos version of the release', async () => {
    expect((await m1.run('/opt/mesosphere/bin/mesos-master --version')).stdout).toBe('mesos 1.5.1\n');
  });
});

describe('Exhibitor', () => {
  it('prints the ensemble status; a stopped Exhibitor shows as down to the others', async () => {
    const ok = await m1.run('curl -fsS http://10.0.4.1:8181/exhibitor/v1/cluster/status');
    expect(ok.stdout).toBe(
      '[{"code":3,"description":"serving","hostname":"10.0.4.1","isLeader":false},{"code":3,"description":"serving","hostname":"10.0.4.2","isLeader":true},{"code":3,"description":"serving","hostname":"10.0.4.3","isLeader":false}]',
    );
    const m3 = await connect(sim, 'master-3');
    await m3.run('sudo systemctl stop dcos-exhibitor');
    expect((await m1.run('curl -fsS http://10.0.4.1:8181/exhibitor/v1/cluster/status')).stdout).toContain(
      '{"code":1,"description":"down","hostname":"10.0.4.3","isLeader":false}',
    );
    const refused = await m1.run('curl -fsS http://10.0.4.3:8181/exhibitor/v1/cluster/status');
    expect(refused).toMatchObject({ exit: 7, stderr: 'curl: (7) Failed connect to 10.0.4.3:8181; Connection refused\n' });
    await m3.run('sudo systemctl start dcos-exhibitor');
    await pollUntil(m1, 'curl -fsS http://10.0.4.1:8181/exhibitor/v1/cluster/status', (r) => !/"code":[0-24-9]/.test(r.stdout));
    m3.close();
  });
});

describe('CockroachDB', () => {
  it('prints the node status table with the page columns and a row count', async () => {
    const r = await m1.run(COCKROACH_STATUS);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^\+-{4}\+-+\+-{8}\+-{21}\+-{21}\+-{18}\+-{23}\+-{8}\+-{20}\+-{24}\+$/);
    expect(
      lines[1]
        ?.split('|')
        .map((c) => c.trim())
        .filter(Boolean),
    ).toEqual([
      'id',
      'address',
      'build',
      'updated_at',
      'started_at',
      'replicas_leaders',
      'replicas_leaseholders',
      'ranges',
      'ranges_unavailable',
      'ranges_underreplicated',
    ]);
    expect(lines[3]).toMatch(
      /^\| {2}1 \| 10\.0\.4\.1:26257 +\| v1\.1\.4 \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| +\d+ \| +\d+ \| +\d+ \| +0 \| +0 \|$/,
    );
    expect(lines.at(-2)).toBe('(3 rows)');
  });

  it('needs root for the certificates and the node address for --host', async () => {
    const noRoot = await m1.run('/opt/mesosphere/bin/cockroach node status --ranges --certs-dir=/run/dcos/pki/cockroach --host=10.0.4.1');
    expect(noRoot.exit).toBe(1);
    expect(noRoot.stderr).toContain('permission denied');
    const noHost = await m1.run('sudo /opt/mesosphere/bin/cockroach node status --ranges --certs-dir=/run/dcos/pki/cockroach');
    expect(noHost.stderr).toMatch(/^Error: unable to connect or connection lost\./);
    expect(noHost.stderr).toMatch(/Failed running "node status"\n$/);
  });
});

describe('systemd and diagnostics', () => {
  it('lists dcos units in systemctl columns', async () => {
    const r = await m1.run('sudo systemctl | grep dcos');
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(20);
    for (const l of lines)
      expect(l).toMatch(
        /^dcos-\S+\.(service|socket|timer) +loaded (active|activating|failed) +(running|exited|listening|waiting|start|auto-restart) +\S/,
      );
    expect(r.stdout).toMatch(/^dcos-mesos-master\.service +loaded active running +Mesos Master: distributed systems kernel$/m);
    expect(r.stdout).toMatch(
      /^dcos-diagnostics\.socket +loaded active listening DC\/OS Diagnostics Agent Socket: socket for DC\/OS Diagnostics Agent$/m,
    );
    expect((await sshRun(sim, 'bootstrap', 'systemctl | grep dcos')).exit).toBe(1);
  });

  it('prints systemctl --version, is-active and status as systemd 219 does', async () => {
    expect((await m1.run('systemctl --version')).stdout).toMatch(/^systemd 219\n\+PAM/);
    expect(await m1.run('systemctl is-active dcos-mesos-master dcos-nothing')).toMatchObject({ stdout: 'active\nunknown\n', exit: 3 });
    const status = await m1.run('systemctl status dcos-exhibitor');
    expect(status.stdout).toMatch(
      /^\u25cf dcos-exhibitor\.service - Exhibitor: Zookeeper supervisor service\n {3}Loaded: loaded \(.*; enabled; vendor preset: disabled\)\n {3}Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; .* ago\n/,
    );
    expect(await m1.run('systemctl status dcos-nothing')).toMatchObject({
      exit: 4,
      stderr: 'Unit dcos-nothing.service could not be found.\n',
    });
  });

  it('refuses to restart a unit without root', async () => {
    const r = await m1.run('systemctl restart dcos-mesos-dns');
    expect(r.exit).toBe(1);
    expect(r.stderr).toMatch(/^Failed to restart dcos-mesos-dns\.service: Interactive authentication required\./);
  });

  it('prints dcos-diagnostics checks as indented JSON, one line per check', async () => {
    const r = await m1.run('dcos-diagnostics check node-poststart');
    expect(r.exit).toBe(0);
    expect(r.stdout).toBe(
      '{\n  "status": 0,\n  "checks": {\n    "clock_sync": {"output": "Clock is synced\\n", "status": 0},\n    "components_master": {"output": "", "status": 0},\n    "ip_detect_script": {"output": "10.0.4.1 is a valid IPV4 address\\n", "status": 0},\n    "mesos_master_replog_synchronized": {"output": "", "status": 0},\n    "xz": {"output": "", "status": 0}\n  }\n}\n',
    );
    expect((await m1.run('dcos-diagnostics check cluster')).stdout).toBe('{"status": 0, "checks": {}}\n');
  });

  it('starts journalctl output with the journal header, and says when a unit has no entries', async () => {
    const r = await m1.run('sudo journalctl -u dcos-spartan');
    expect(r.stdout).toMatch(
      /^-- Logs begin at \w{3} 2018-02-28 \d\d:\d\d:\d\d UTC, end at \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\. --\n-- No entries --\n$/,
    );
    const net = await m1.run('sudo journalctl -u dcos-net -n 3 --no-pager');
    expect(net.stdout.split('\n').slice(1, -1)).toHaveLength(3);
    expect(net.stdout.split('\n')[1]).toMatch(/^\w{3} \d\d \d\d:\d\d:\d\d master-1 \S+\[\d+\]: /);
  });
});

describe('errors an operator meets', () => {
  it('connection refused while a unit is down, 404 with -f', async () => {
    const m2 = await connect(sim, 'master-2');
    await m2.run('sudo systemctl stop dcos-mesos-master');
    const down = await m2.run('curl -fsS http://10.0.4.2:5050/metrics/snapshot');
    expect(down).toMatchObject({ exit: 7, stderr: 'curl: (7) Failed connect to 10.0.4.2:5050; Connection refused\n' });
    const quiet = await m2.run('curl -fs http://10.0.4.2:5050/metrics/snapshot');
    expect(quiet).toMatchObject({ exit: 7, stderr: '' });
    await m2.run('sudo systemctl start dcos-mesos-master');
    await pollUntil(
      m2,
      'curl -fsS http://10.0.4.2:5050/metrics/snapshot',
      (r) => r.exit === 0 && r.stdout.includes('"registrar\\/log\\/recovered":1.0'),
    );
    const missing = await m2.run('curl -fsS http://10.0.4.2:5050/no/such/endpoint');
    expect(missing).toMatchObject({ exit: 22, stderr: 'curl: (22) The requested URL returned error: 404 Not Found\n' });
    m2.close();
  });

  it('the installer wants the installed version; the node script wants root', async () => {
    const boot = await connect(sim, 'bootstrap');
    const noVersion = await boot.run(`cd ${BOOTSTRAP_DIR} && sudo bash dcos_generate_config.ee.sh --generate-node-upgrade-script`, {
      timeoutMs: 20_000,
    });
    expect(noVersion.exit).toBe(1);
    expect(noVersion.stderr).toContain('Must provide the version of the cluster upgrading from\n');
    const gen = await boot.run(`cd ${BOOTSTRAP_DIR} && sudo bash dcos_generate_config.ee.sh --generate-node-upgrade-script 1.11.4`, {
      timeoutMs: 20_000,
    });
    const url = /URL: (\S+)/.exec(gen.stdout)?.[1] ?? '';
    boot.close();
    const a = await connect(sim, 'agent-3');
    const notServed = await a.run(`curl -fO ${url}`);
    expect(notServed).toMatchObject({ exit: 7 });
    await sshRun(sim, 'bootstrap', `sudo docker run -d -p 80:80 -v ${BOOTSTRAP_DIR}/genconf/serve:/usr/share/nginx/html:ro nginx`);
    expect((await a.run(`curl -fsO ${url}`)).exit).toBe(0);
    expect(await a.run('bash dcos_node_upgrade.sh')).toMatchObject({ exit: 1, stderr: 'This script must be run as root\n' });
    expect((await a.run('head -3 dcos_node_upgrade.sh')).stdout).toBe('#!/bin/bash\n#\n# BASH script to upgrade DC/OS on a node\n');
    a.close();
  });

  it('answers the prerequisite commands of a CentOS 7 node', async () => {
    const r = await m1.run(
      "uname -r; grep -E '^ID=' /etc/os-release; rpm -q ipset; cat /proc/sys/net/ipv6/conf/all/disable_ipv6; sudo yum install -y ipset | tail -1",
    );
    expect(r.stdout).toBe('3.10.0-693.21.1.el7.x86_64\nID="centos"\nipset-6.29-1.el7.x86_64\n0\nNothing to do\n');
  });
});

describe('logs', () => {
  it('keeps ZooKeeper in zookeeper.out and out of journald', async () => {
    const zk = await m1.run('sudo tail -n 3 /opt/mesosphere/active/exhibitor/usr/zookeeper/zookeeper.out');
    expect(zk.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \[myid:1\] - INFO {2}\[/m);
    const all = await m1.run('sudo journalctl --no-pager');
    expect(all.stdout).not.toContain('[myid:');
    expect(all.stdout).toContain('systemd[1]: Started Mesos Master: distributed systems kernel.');
  });

  it('filters by --since', async () => {
    const recent = await m1.run('sudo journalctl -u dcos-mesos-master --since "3 min ago" --no-pager');
    const times = recent.stdout
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.slice(7, 15));
    expect(times.length).toBeGreaterThan(0);
    expect(times.length).toBeLessThan(8);
    const bad = await m1.run('journalctl --since "someday"');
    expect(bad).toMatchObject({ exit: 1, stderr: 'Failed to parse timestamp: someday\n' });
  });
});
