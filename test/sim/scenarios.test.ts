// Each scenario's fault, found the way an operator finds it: in a gate's output, the patch
// script's last lines or a journal. Nothing announces it. Clocks run 200 to 500 times faster.
import { afterEach, describe, expect, it } from 'vitest';
import { type SimCluster, scenarios, startSimulator } from '../../src/sim/index.js';
import { connect, pollUntil, sq, sshRun } from './ssh-client.js';
import { BOOTSTRAP_DIR, buildScript, column, COCKROACH_STATUS, metric, patchNode } from './steps.js';

let sim: SimCluster | undefined;

afterEach(async () => {
  if (sim) expect(sim.internalErrors).toEqual([]);
  await sim?.close();
  sim = undefined;
});

const start = async (scenario: string, timeScale = 300, extra: Parameters<typeof startSimulator>[0] = {}): Promise<SimCluster> => {
  sim = await startSimulator({ scenario, masters: 3, agents: 2, publicAgents: 1, timeScale, seed: 5, ...extra });
  return sim;
};

describe('the scenario list', () => {
  it('names each scenario with a title, a briefing that hides the fault, and a lesson', () => {
    expect(scenarios.map((s) => s.name)).toEqual([
      'happy',
      'ranges-slow',
      'registrar-stuck',
      'libltdl',
      'agent-expires',
      'wrong-version',
      'forbidden-config',
      'ipv6-disabled',
      'strict',
      'no-public-agents',
      'master-unhealthy',
      'unlisted-agent',
      'config-edited',
      'ipv6-change',
      'custom-checks',
    ]);
    for (const s of scenarios) {
      expect(s.title.length).toBeGreaterThan(5);
      expect(s.lesson.length).toBeGreaterThan(50);
      expect(s.description).not.toMatch(/registrar|libltdl|ipv6|IPv6|exhibitor_|expire|under-?replicated|unhealthy|missing|public agent/i);
    }
  });
});

describe('ranges-slow', () => {
  it('keeps ranges under-replicated for many minutes after a master rejoins, then converges', async () => {
    const s = await start('ranges-slow', 500);
    const url = await buildScript(s);
    expect((await patchNode(s, 'master-1', url)).exit).toBe(0);
    const m = await connect(s, 'master-1');
    const patched = s.clock.now();
    // Three simulated minutes later (a happy cluster has converged by then) it still has not.
    while (s.clock.now() - patched < 180_000) await new Promise((r) => setTimeout(r, 50));
    const still = await m.run(COCKROACH_STATUS);
    expect(column(still.stdout, 'ranges_underreplicated').some((v) => Number(v) > 0)).toBe(true);
    expect((await m.run('sudo journalctl -u dcos-cockroach -n 20 --no-pager')).stdout).toContain('applying preemptive snapshot');
    await pollUntil(m, COCKROACH_STATUS, (r) => column(r.stdout, 'ranges_underreplicated').every((v) => v === '0'), 20_000, 200);
    m.close();
  });

  it('shows unavailable ranges when the next master goes down before convergence', async () => {
    const s = await start('ranges-slow', 300);
    const url = await buildScript(s);
    expect((await patchNode(s, 'master-1', url)).exit).toBe(0);
    const m2 = await connect(s, 'master-2');
    await m2.run('sudo systemctl stop dcos-cockroach');
    const r = await sshRun(s, 'master-1', COCKROACH_STATUS);
    expect(column(r.stdout, 'ranges_unavailable').some((v) => Number(v) > 0)).toBe(true);
    expect(s.model.faultsMet.map((f) => f.id)).toContain('master-down-while-underreplicated');
    m2.close();
  });
});

describe('registrar-stuck', () => {
  it('fails the script on the replicated-log check until dcos-mesos-master is restarted', async () => {
    const s = await start('registrar-stuck', 400);
    const url = await buildScript(s);
    const script = await patchNode(s, 'master-1', url);
    expect(script.exit).toBe(1);
    expect(script.stdout).toContain('Node upgrade not successful, checks failed\n');
    expect(script.stdout).toMatch(/"mesos_master_replog_synchronized": \{"output": "[^"]+", "status": 2\}/);
    const m = await connect(s, 'master-1');
    const snap = await m.run('curl -fsS http://10.0.4.1:5050/metrics/snapshot');
    expect(metric(snap, 'registrar/log/recovered')).toBe(0);
    const journal = await m.run('sudo journalctl -u dcos-mesos-master -n 30 --no-pager');
    expect(journal.stdout).toMatch(/recover\.cpp:\d+\] Unable to finish the recover protocol in 10secs, retrying/);
    expect((await m.run('sudo systemctl restart dcos-mesos-master')).exit).toBe(0);
    await pollUntil(m, 'curl -fsS http://10.0.4.1:5050/metrics/snapshot', (r) => metric(r, 'registrar/log/recovered') === 1);
    expect((await m.run('sudo /opt/mesosphere/bin/dcos-diagnostics check node-poststart')).exit).toBe(0);
    expect(
      s.model.actions.some((a) => a.node === 'master-1' && a.kind === 'unit-restart' && a.detail === 'dcos-mesos-master.service'),
    ).toBe(true);
    // The other masters recover normally.
    expect((await patchNode(s, 'master-2', url)).exit).toBe(0);
    m.close();
  });
});

describe('libltdl', () => {
  it('cannot remove the immutable library, the script fails on the conflict, and chattr -i fixes it', async () => {
    const s = await start('libltdl');
    const url = await buildScript(s);
    const a = await connect(s, 'agent-1');
    const rm = await a.run('sudo rm -f /opt/mesosphere/lib/libltdl.so.7');
    expect(rm.exit).toBe(1);
    expect(rm.stderr).toBe('rm: cannot remove \u2018/opt/mesosphere/lib/libltdl.so.7\u2019: Operation not permitted\n');
    expect((await a.run('lsattr /opt/mesosphere/lib/libltdl.so.7')).stdout).toBe('----i----------- /opt/mesosphere/lib/libltdl.so.7\n');
    const failed = await a.run(`curl -fO ${sq(url)} && sudo bash dcos_node_upgrade.sh`, { timeoutMs: 30_000 });
    expect(failed.exit).toBe(1);
    expect(failed.stderr).toMatch(/ValidationError: Unable to activate .*\/opt\/mesosphere\/lib\/libltdl\.so\.7 already exists/);
    // Nothing was restarted: the agent kept serving.
    expect(metric(await a.run('curl -fsS http://10.0.1.1:5051/metrics/snapshot'), 'slave/registered')).toBe(1);
    expect((await a.run('sudo chattr -i /opt/mesosphere/lib/libltdl.so.7 && sudo rm /opt/mesosphere/lib/libltdl.so.7')).exit).toBe(0);
    expect((await a.run('sudo bash dcos_node_upgrade.sh', { timeoutMs: 30_000 })).exit).toBe(0);
    // Met twice: at the rm the attribute refused, then when the script tripped on the file.
    expect(s.model.faultsMet.map((f) => `${f.id} ${f.node}`)).toEqual(['libltdl-immutable agent-1', 'libltdl-present agent-1']);
    // The other agent has an ordinary file.
    expect((await sshRun(s, 'agent-2', 'sudo rm -f /opt/mesosphere/lib/libltdl.so.7')).exit).toBe(0);
    a.close();
  });
});

describe('agent-expires', () => {
  it('removes an agent away for over 5 minutes; its journal says how to bring it back', async () => {
    const s = await start('agent-expires', 400);
    const url = await buildScript(s);
    await sshRun(s, 'agent-1', 'sudo rm -f /opt/mesosphere/lib/libltdl.so.7');
    const script = await patchNode(s, 'agent-1', url);
    expect(script.exit).toBe(1);
    expect(script.stdout).toMatch(/"mesos_agent_registered_with_masters": \{"output": "agent is not registered[^"]*", "status": 2\}/);
    const a = await connect(s, 'agent-1');
    const timedOut = await a.run('sudo journalctl -u dcos-mesos-slave -n 40 --no-pager');
    expect(timedOut.stdout).toMatch(/Re-registration with master master@10\.0\.4\.\d:5050 timed out; retrying/);
    const removed = await pollUntil(
      a,
      'sudo journalctl -u dcos-mesos-slave -n 60 --no-pager',
      (r) => r.stdout.includes('rm -f /var/lib/mesos/slave/meta/slaves/latest'),
      20_000,
      100,
    );
    expect(removed.stdout).toContain("because 'Agent attempted to re-register after removal'");
    expect((await a.run('systemctl is-active dcos-mesos-slave')).stdout).toBe('activating\n');
    const leader = s.model.leaderAt(s.clock.now());
    const masterLog = await sshRun(s, leader?.name ?? 'master-2', 'sudo journalctl -u dcos-mesos-master -n 80 --no-pager');
    expect(masterLog.stdout).toMatch(/Removing agent .* \(10\.0\.1\.1\): health check timed out/);
    expect((await a.run('sudo rm -f /var/lib/mesos/slave/meta/slaves/latest && sudo systemctl restart dcos-mesos-slave')).exit).toBe(0);
    const back = await pollUntil(a, 'curl -fsS http://10.0.1.1:5051/metrics/snapshot', (r) => metric(r, 'slave/registered') === 1);
    expect(metric(back, 'slave/tasks_running')).toBe(0);
    expect((await a.run('sudo journalctl -u dcos-mesos-slave -n 5 --no-pager')).stdout).toMatch(
      /Registered with master .*; given agent ID \S+-S\d+/,
    );
    expect(s.model.faultsMet.map((f) => f.id)).toContain('agent-expired');
    a.close();
  });
});

describe('wrong-version', () => {
  it('builds a script the nodes refuse, naming the version they run', async () => {
    const s = await start('wrong-version');
    expect(s.suggestedParams.installed_version).toBe('1.11.4');
    expect((await sshRun(s, 'master-1', 'cat /opt/mesosphere/etc/dcos-version.json')).stdout).toContain('"version": "1.11.3"');
    const url = await buildScript(s, '1.11.4');
    const r = await patchNode(s, 'master-1', url);
    expect(r.exit).toBe(1);
    expect(r.stdout).toBe('ERROR: Expecting to upgrade DC/OS from 1.11.4 to 1.11.5. Version found on node: 1.11.3\n');
    expect(s.model.versions()['master-1']).toBe('1.11.3');
    const right = await buildScript(s, '1.11.3');
    expect((await patchNode(s, 'master-1', right)).exit).toBe(0);
  });
});

describe('forbidden-config', () => {
  it('has a previous and a current config.yaml that differ in the Exhibitor backend, and a master patched with it cannot rejoin', async () => {
    const s = await start('forbidden-config', 400);
    const boot = await connect(s, 'bootstrap');
    const d = await boot.run(`diff ${BOOTSTRAP_DIR}/previous/config.yaml ${BOOTSTRAP_DIR}/genconf/config.yaml`);
    expect(d.exit).toBe(1);
    expect(d.stdout).toContain('< exhibitor_storage_backend: static\n');
    expect(d.stdout).toContain('> exhibitor_storage_backend: zookeeper\n');
    expect((await boot.run(`cat -- ${sq(`${BOOTSTRAP_DIR}/previous/config.yaml`)}`)).stdout).toMatch(
      /^bootstrap_url: http:\/\/10\.0\.0\.10:80\n/,
    );
    boot.close();
    const url = await buildScript(s);
    const r = await patchNode(s, 'master-1', url);
    expect(r.exit).toBe(1);
    expect(r.stdout).toContain('component dcos-mesos-master.service has health status 1');
    const status = await sshRun(s, 'master-2', 'curl -fsS http://10.0.4.2:8181/exhibitor/v1/cluster/status');
    expect(status.stdout).toContain('{"code":2,"description":"not serving","hostname":"10.0.4.1","isLeader":false}');
    expect((await sshRun(s, 'master-1', 'sudo journalctl -u dcos-exhibitor -n 10 --no-pager')).stdout).toContain(
      'has no Exhibitor config; this ensemble was set up with the static backend',
    );
  });
});

describe('ipv6-disabled', () => {
  it('shows the kernel setting and config.yaml disagreeing; dcos-net fails after the patch until IPv6 is back', async () => {
    const s = await start('ipv6-disabled', 400);
    expect((await sshRun(s, 'bootstrap', `grep -E '^enable_ipv6:' ${BOOTSTRAP_DIR}/genconf/config.yaml`)).stdout).toBe(
      "enable_ipv6: 'true'\n",
    );
    const m = await connect(s, 'master-1');
    expect((await m.run('cat /proc/sys/net/ipv6/conf/all/disable_ipv6')).stdout).toBe('1\n');
    expect((await m.run('sudo journalctl -u dcos-net --no-pager')).stdout).toContain('IPv6 is disabled in the kernel');
    const url = await buildScript(s);
    const r = await patchNode(s, 'master-1', url);
    expect(r.exit).toBe(1);
    expect(r.stdout).toContain('component dcos-net.service has health status 1');
    expect((await m.run('systemctl is-active dcos-net')).stdout).toBe('activating\n');
    expect((await m.run('sudo journalctl -u dcos-net -n 30 --no-pager')).stdout).toMatch(
      /Failed to configure the IPv6 overlay network dcos6 .*eafnosupport/,
    );
    expect((await m.run('sudo sysctl -w net.ipv6.conf.all.disable_ipv6=0 && sudo systemctl restart dcos-net')).exit).toBe(0);
    await pollUntil(m, 'systemctl is-active dcos-net', (x) => x.stdout === 'active\n');
    m.close();
  });
});

describe('strict', () => {
  it('needs https, the cluster CA and the superuser token for the metrics', async () => {
    const s = await start('strict');
    const m = await connect(s, 'master-1');
    const http = await m.run('curl -fsS http://10.0.4.1:5050/metrics/snapshot');
    expect(http).toMatchObject({ exit: 56, stderr: 'curl: (56) Recv failure: Connection reset by peer\n' });
    const noCa = await m.run('curl -fsS https://10.0.4.1:5050/metrics/snapshot');
    expect(noCa.exit).toBe(60);
    const noToken = await m.run('curl -fsS --cacert /run/dcos/pki/CA/ca-bundle.crt https://10.0.4.1:5050/metrics/snapshot');
    expect(noToken).toMatchObject({ exit: 22, stderr: 'curl: (22) The requested URL returned error: 401 Unauthorized\n' });
    const token = (await sshRun(s, 'bootstrap', 'dcos config show core.dcos_acs_token')).stdout.trim();
    expect(token).toBe(s.token);
    // As the runbook sends it: the token interpolated as a single-quoted word after 'Authorization: token='.
    const ok = await m.run(
      `curl -fsS --cacert /run/dcos/pki/CA/ca-bundle.crt -H 'Authorization: token='${sq(token)} https://10.0.4.1:5050/metrics/snapshot`,
    );
    expect(metric(ok, 'registrar/log/recovered')).toBe(1);
    const agent = await sshRun(
      s,
      'agent-1',
      `curl -fsS --cacert /run/dcos/pki/CA/ca-bundle.crt -H 'Authorization: token='${sq(token)} https://10.0.1.1:5051/metrics/snapshot`,
    );
    expect(metric(agent, 'slave/registered')).toBe(1);
    m.close();
  });
});

describe('the agents endpoint', () => {
  it('the leading master answers /slaves and /master/slaves in Mesos shape; another master redirects there', async () => {
    const s = await start('happy', 300, { publicAgents: 2 });
    const leader = s.model.leaderAt(s.clock.now())!;
    const other = s.model.masters.find((m) => m.name !== leader.name)!;
    for (const path of ['/slaves', '/master/slaves']) {
      const r = await sshRun(s, 'master-1', `curl -fsS http://${leader.ip}:5050${path}`);
      expect(r.exit).toBe(0);
      const body = JSON.parse(r.stdout) as {
        slaves: { hostname: string; pid: string; active: boolean; version: string; reserved_resources: Record<string, unknown> }[];
        recovered_slaves: unknown[];
      };
      expect(body.recovered_slaves).toEqual([]);
      expect(body.slaves.map((a) => a.hostname)).toEqual(['10.0.1.1', '10.0.1.2', '10.0.5.1', '10.0.5.2']);
      expect(body.slaves[0]).toMatchObject({
        pid: 'slave(1)@10.0.1.1:5051',
        port: 5051,
        active: true,
        version: '1.5.1',
        reserved_resources: {},
      });
      expect(Object.keys(body.slaves[2]!.reserved_resources)).toEqual(['slave_public']);
    }
    // leader.mesos resolves to the leader inside the cluster.
    expect(JSON.parse((await sshRun(s, 'agent-1', 'curl -fsS http://leader.mesos:5050/slaves')).stdout).slaves).toHaveLength(4);
    const redirected = await sshRun(s, 'master-1', `curl -sS -i http://${other.ip}:5050/slaves`);
    expect(redirected.stdout).toMatch(
      new RegExp(`^HTTP/1\\.1 307 Temporary Redirect\r?\nLocation: //${leader.ip.replace(/\./g, '\\.')}:5050/master/slaves`),
    );
  });

  it('an agent that stopped answering is inactive, then gone once removed', async () => {
    const s = await start('agent-expires', 400);
    const url = await buildScript(s);
    await sshRun(s, 'agent-1', 'sudo rm -f /opt/mesosphere/lib/libltdl.so.7');
    const script = patchNode(s, 'agent-1', url);
    const m = await connect(s, 'master-2');
    const inactive = await pollUntil(
      m,
      'curl -fsS http://leader.mesos:5050/slaves',
      (r) => r.stdout.includes('"hostname":"10.0.1.1"') && r.stdout.includes('"active":false'),
      20_000,
      50,
    );
    expect(inactive.exit).toBe(0);
    await pollUntil(
      m,
      'curl -fsS http://leader.mesos:5050/slaves',
      (r) => r.exit === 0 && !r.stdout.includes('"hostname":"10.0.1.1"'),
      30_000,
      100,
    );
    await script;
    m.close();
  });
});

describe('master-unhealthy', () => {
  it('has one master whose registrar never recovered since boot, before anything is patched; a restart brings it back', async () => {
    const s = await start('master-unhealthy', 400);
    const m3 = await connect(s, 'master-3');
    expect(metric(await m3.run('curl -fsS http://10.0.4.3:5050/metrics/snapshot'), 'registrar/log/recovered')).toBe(0);
    expect(metric(await sshRun(s, 'master-1', 'curl -fsS http://10.0.4.1:5050/metrics/snapshot'), 'registrar/log/recovered')).toBe(1);
    expect((await m3.run('sudo journalctl -u dcos-mesos-master -n 30 --no-pager')).stdout).toMatch(
      /Unable to finish the recover protocol in 10secs, retrying/,
    );
    expect(s.model.actions).toEqual([]);
    expect(s.model.faultsMet.map((f) => `${f.id} ${f.node}`)).toEqual(['master-unhealthy-before-patch master-3']);
    expect((await m3.run('sudo systemctl restart dcos-mesos-master')).exit).toBe(0);
    await pollUntil(m3, 'curl -fsS http://10.0.4.3:5050/metrics/snapshot', (r) => metric(r, 'registrar/log/recovered') === 1);
    m3.close();
  });
});

describe('unlisted-agent', () => {
  it('gives an inventory without the last private agent, which Mesos still lists', async () => {
    const s = await start('unlisted-agent', 300, { agents: 3 });
    expect(s.inventory.nodes.map((n) => n.name)).toEqual([
      'bootstrap',
      'master-1',
      'master-2',
      'master-3',
      'agent-1',
      'agent-2',
      'public-agent-1',
    ]);
    const body = JSON.parse((await sshRun(s, 'master-1', 'curl -fsS http://leader.mesos:5050/slaves')).stdout) as {
      slaves: { hostname: string }[];
    };
    expect(body.slaves.map((a) => a.hostname)).toContain('10.0.1.3');
  });
});
