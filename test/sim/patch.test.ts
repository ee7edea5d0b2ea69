// A happy-path patch typed as the page (and the runbook) types it: build the node patch script on
// the bootstrap node, serve it with nginx, patch one master and poll its gates, then one agent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodesOption, type SimCluster, startSimulator } from '../../src/sim/index.js';
import { connect, pollUntil, type Session, sq } from './ssh-client.js';
import { BOOTSTRAP_DIR, buildScript, COCKROACH_STATUS, column, metric, patchNode } from './steps.js';

let sim: SimCluster;

beforeAll(async () => {
  sim = await startSimulator({ masters: 3, agents: 2, publicAgents: 1, timeScale: 200, seed: 11 });
});

afterAll(async () => {
  await sim?.close();
});

describe('a happy-path patch, typed over SSH', () => {
  let url = '';

  it('builds the node patch script on the bootstrap node and serves it', async () => {
    const boot = await connect(sim, 'bootstrap');
    expect((await boot.run(`ls -l ${sq(`${BOOTSTRAP_DIR}/dcos_generate_config.ee.sh`)}`)).exit).toBe(0);
    const gen = await boot.run(
      `cd ${sq(BOOTSTRAP_DIR)} && sudo bash dcos_generate_config.ee.sh --generate-node-upgrade-script ${sq('1.11.4')}`,
      { timeoutMs: 20_000 },
    );
    expect(gen.exit).toBe(0);
    expect(gen.stderr).toContain('Generating Bash configuration files for DC/OS');
    const m = /Node upgrade script URL: (\S+)\n$/.exec(gen.stdout);
    expect(m?.[1]).toMatch(/^http:\/\/10\.0\.0\.10:80\/upgrade\/[0-9a-f]{32}\/dcos_node_upgrade\.sh$/);
    url = m?.[1] ?? '';
    // Not served yet: nothing listens on the bootstrap node's port 80.
    const before = await boot.run(`curl -fsSI ${sq(url)}`);
    expect(before.exit).toBe(7);
    expect(before.stderr).toBe('curl: (7) Failed connect to 10.0.0.10:80; Connection refused\n');
    const serve = await boot.run(
      `sudo docker run -d -p ${sq('80')}:80 -v ${sq(BOOTSTRAP_DIR)}/genconf/serve:/usr/share/nginx/html:ro nginx`,
    );
    expect(serve.exit).toBe(0);
    expect(serve.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const head = await boot.run(`curl -fsSI ${sq(url)}`);
    expect(head.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect((await boot.run('sudo docker ps -a --filter ancestor=nginx')).stdout).toMatch(/0\.0\.0\.0:80->80\/tcp/);
    boot.close();
  });

  it('patches master-1 and its gates pass in order: script, Exhibitor, unit, registrar, version, ranges', async () => {
    const m: Session = await connect(sim, 'master-1');
    const script = await m.run(`curl -fO ${sq(url)} && sudo bash dcos_node_upgrade.sh`, { timeoutMs: 20_000 });
    expect(script.stdout).toBe('Upgrading DC/OS master 1.11.4 -> 1.11.5\n');
    expect(script.stderr).toContain('100 ');
    expect(script.exit).toBe(0);
    expect((await m.run('echo $?')).stdout).toBe('0\n');

    // Right after the script the IAM ranges are still re-replicating.
    const cockroach =
      'sudo /opt/mesosphere/bin/cockroach node status --ranges --certs-dir=/run/dcos/pki/cockroach --host=$(/opt/mesosphere/bin/detect_ip)';
    const early = await m.run(cockroach);
    expect(early.exit).toBe(0);
    expect(column(early.stdout, 'ranges_underreplicated').some((v) => v !== '0')).toBe(true);

    const ex = await pollUntil(
      m,
      'curl -fsS http://10.0.4.1:8181/exhibitor/v1/cluster/status',
      (r) => r.exit === 0 && !/"code":\s*[0-24-9]/.test(r.stdout),
    );
    expect(JSON.parse(ex.stdout)).toHaveLength(3);
    expect((await m.run('systemctl is-active dcos-mesos-master')).stdout).toBe('active\n');
    const metrics = await pollUntil(
      m,
      'curl -fsS http://10.0.4.1:5050/metrics/snapshot',
      (r) => metric(r, 'registrar/log/recovered') === 1,
    );
    expect(metrics.stdout).toContain('"registrar\\/log\\/recovered":1.0');
    expect((await m.run('/opt/mesosphere/bin/mesos-master --version')).stdout).toBe('mesos 1.5.1\n');
    const ranges = await pollUntil(
      m,
      cockroach,
      (r) => r.exit === 0 && column(r.stdout, 'ranges_underreplicated').every((v) => v === '0'),
      20_000,
      100,
    );
    expect(ranges.stdout).toMatch(/\(3 rows\)\n$/);
    expect((await m.run('cat /opt/mesosphere/etc/dcos-version.json')).stdout).toContain('"version": "1.11.5"');
    m.close();
  });

  it('patches agent-1: libltdl removed, script, then slave/registered', async () => {
    const a = await connect(sim, 'agent-1');
    expect((await a.run('sudo rm -f /opt/mesosphere/lib/libltdl.so.7')).exit).toBe(0);
    const script = await a.run(`curl -fO ${sq(url)} && sudo bash dcos_node_upgrade.sh`, { timeoutMs: 20_000 });
    expect(script.stdout).toBe('Upgrading DC/OS agent 1.11.4 -> 1.11.5\n');
    expect(script.exit).toBe(0);
    const reg = await pollUntil(a, 'curl -fsS http://10.0.1.1:5051/metrics/snapshot', (r) => metric(r, 'slave/registered') === 1);
    expect(metric(reg, 'slave/uptime_secs')).toBeLessThan(600);
    const journal = await a.run('sudo journalctl -u dcos-mesos-slave -n 5 --no-pager');
    expect(journal.stdout).toMatch(/slave\.cpp:\d+\] Re-registered with master master@10\.0\.4\.\d:5050/);
    a.close();
  });

  it('leaves a model that says what happened, with no fault met and no simulator error', () => {
    expect(sim.model.versions()).toMatchObject({ 'master-1': '1.11.5', 'master-2': '1.11.4', 'agent-1': '1.11.5', 'agent-2': '1.11.4' });
    expect(sim.model.faultsMet).toEqual([]);
    expect(sim.model.actions.map((x) => `${x.node} ${x.kind}`)).toEqual(
      expect.arrayContaining([
        'bootstrap installer',
        'bootstrap nginx',
        'master-1 patch-started',
        'master-1 patch-finished',
        'agent-1 patch-finished',
      ]),
    );
    expect(sim.internalErrors).toEqual([]);
  });
});

describe('the smallest cluster: 1 master and 1 agent', () => {
  it('patches both; the only master leads again after its restart', async () => {
    const small = await startSimulator({ masters: 1, agents: 1, publicAgents: 0, timeScale: 300, seed: 4 });
    try {
      const url = await buildScript(small);
      const m = await connect(small, 'master-1');
      const script = await m.run(`curl -fO ${sq(url)} && sudo bash dcos_node_upgrade.sh`, { timeoutMs: 30_000 });
      expect(script.exit).toBe(0);
      const snap = await pollUntil(
        m,
        'curl -fsS http://10.0.4.1:5050/metrics/snapshot',
        (r) => metric(r, 'registrar/log/recovered') === 1 && metric(r, 'master/elected') === 1,
      );
      expect(metric(snap, 'registrar/log/ensemble_size')).toBe(1);
      const ranges = await m.run(COCKROACH_STATUS);
      expect(ranges.stdout).toMatch(/\(1 row\)\n$/);
      m.close();
      expect((await patchNode(small, 'agent-1', url)).exit).toBe(1);
      const a = await connect(small, 'agent-1');
      await a.run('sudo rm -f /opt/mesosphere/lib/libltdl.so.7');
      expect((await a.run('sudo bash dcos_node_upgrade.sh', { timeoutMs: 30_000 })).exit).toBe(0);
      a.close();
      expect(small.model.versions()).toEqual({ 'master-1': '1.11.5', 'agent-1': '1.11.5' });
      expect(small.internalErrors).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('parses --nodes M,A', () => {
    expect(parseNodesOption('3,20')).toEqual({ masters: 3, agents: 20 });
    expect(() => parseNodesOption('6,20')).toThrow(/--nodes masters must be a whole number from 1 to 5/);
    expect(() => parseNodesOption('3')).toThrow(/e\.g\. --nodes 3,20/);
  });
});
