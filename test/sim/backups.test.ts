// The backup programs of a simulated node, as an operator meets them over SSH: Guano through
// dcos-shell, the DC/OS CLI's cluster backups, and sha256sum -c, which the build command uses
// to pin config.yaml to the digest checked. The clock moves only when a test advances it.
import { afterEach, describe, expect, it } from 'vitest';
import { type SimCluster, startSimulator } from '../../src/sim/index.js';
import { sshRun } from './ssh-client.js';

let sim: SimCluster | undefined;
afterEach(async () => {
  if (sim) expect(sim.internalErrors).toEqual([]);
  await sim?.close();
  sim = undefined;
});

const start = async (): Promise<SimCluster> => {
  sim = await startSimulator({ scenario: 'happy', masters: 3, agents: 1, publicAgents: 0, seed: 9, manualClock: true });
  sim.clock.advance(10 * 60_000);
  return sim;
};

const GUANO = 'sudo /opt/mesosphere/bin/dcos-shell java -jar /opt/guano/guano-0.1a.jar -u super -p secret -d / -o /tmp/zk';

describe('Guano through dcos-shell', () => {
  it('dumps every znode with the super credentials, and fails as ZooKeeper does otherwise', async () => {
    const s = await start();
    const ok = await sshRun(s, 'master-1', `${GUANO} -s 10.0.4.1:2181 && sudo cat /tmp/zk/marathon/state/group/root/_znode`);
    expect(ok).toMatchObject({ exit: 0, stdout: '{"id":"/","apps":[]}' });
    const wrong = await sshRun(s, 'master-1', `${GUANO.replace('-p secret', '-p nope')} -s 10.0.4.1:2181`);
    expect(wrong.exit).toBe(1);
    expect(wrong.stderr.split('\n')[0]).toBe(
      'Exception in thread "main" org.apache.zookeeper.KeeperException$NoAuthException: KeeperErrorCode = NoAuth for /dcos',
    );
    // An agent runs no ZooKeeper.
    const down = await sshRun(s, 'master-1', `${GUANO} -s 10.0.1.1:2181`);
    expect(down.stderr.split('\n')[0]).toBe(
      'Exception in thread "main" org.apache.zookeeper.KeeperException$ConnectionLossException: KeeperErrorCode = ConnectionLoss for /',
    );
    const noJar = await sshRun(s, 'master-1', 'sudo /opt/mesosphere/bin/dcos-shell java -jar guano-0.1a.jar -s 10.0.4.1:2181');
    expect(noJar).toMatchObject({ exit: 1, stderr: 'Error: Unable to access jarfile guano-0.1a.jar\n' });
  });
});

describe('dcos backup on the bootstrap node', () => {
  it('creates a labelled backup that is STATUS_BACKING_UP, then STATUS_READY, and restores it by ID', async () => {
    const s = await start();
    expect(await sshRun(s, 'bootstrap', 'dcos backup create --label=patch-1')).toMatchObject({ exit: 0, stdout: '' });
    const early = await sshRun(s, 'bootstrap', 'dcos backup list patch-1');
    expect(early.stdout).toMatch(/^ID\s+VERSION\s+STATUS\s+TIMESTAMP\npatch-1-[0-9a-f-]+\s+1\.11\.4\s+STATUS_BACKING_UP\s+\S+\n$/);
    s.clock.advance(60_000);
    const ready = await sshRun(s, 'bootstrap', 'dcos backup list --json');
    const [backup] = JSON.parse(ready.stdout) as { id: string; status: string; label: string }[];
    expect(backup).toMatchObject({ status: 'STATUS_READY', label: 'patch-1' });
    expect((await sshRun(s, 'bootstrap', `dcos backup list other`)).stdout).toBe('ID  VERSION  STATUS             TIMESTAMP\n');
    expect((await sshRun(s, 'bootstrap', `dcos backup restore ${backup!.id}`)).exit).toBe(0);
    expect(await sshRun(s, 'bootstrap', 'dcos backup restore nope')).toMatchObject({ exit: 1, stderr: 'Error: backup nope not found\n' });
    expect((await sshRun(s, 'bootstrap', 'dcos backup create')).stderr).toBe('Error: --label is required\n');
  });
});

describe('sha256sum -c', () => {
  it('says OK or FAILED per file as coreutils does, and reads the list from stdin', async () => {
    const s = await start();
    const file = '/opt/dcos-bootstrap/genconf/config.yaml';
    const sum = (await sshRun(s, 'bootstrap', `sha256sum ${file}`)).stdout;
    expect(await sshRun(s, 'bootstrap', `sha256sum ${file} | sha256sum -c -`)).toMatchObject({ exit: 0, stdout: `${file}: OK\n` });
    expect(await sshRun(s, 'bootstrap', `sha256sum ${file} | sha256sum -c --quiet -`)).toMatchObject({ exit: 0, stdout: '' });
    const wrong = `${'0'.repeat(64)}  ${file}`;
    expect(await sshRun(s, 'bootstrap', `echo '${wrong}' | sha256sum -c --quiet -`)).toMatchObject({
      exit: 1,
      stdout: `${file}: FAILED\n`,
      stderr: 'sha256sum: WARNING: 1 computed checksum did NOT match\n',
    });
    expect(await sshRun(s, 'bootstrap', `echo '${sum.slice(0, 64)}  /nope' | sha256sum -c -`)).toMatchObject({
      exit: 1,
      stdout: '/nope: FAILED open or read\n',
      stderr: 'sha256sum: /nope: No such file or directory\nsha256sum: WARNING: 1 listed file could not be read\n',
    });
    expect(await sshRun(s, 'bootstrap', 'echo nonsense | sha256sum -c -')).toMatchObject({
      exit: 1,
      stderr: 'sha256sum: standard input: no properly formatted SHA256 checksum lines found\n',
    });
  });
});
