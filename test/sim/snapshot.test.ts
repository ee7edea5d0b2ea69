// A snapshot of a simulated cluster taken in one cluster and started in another (what `train
// --resume` does across processes), everything seen over real SSH: the generated script, its URL
// served, a patched master, a colleague's edit of config.yaml and the logs are all there in the
// new cluster, which goes on (patching the next master) as the old one would have.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSnapshot, type SimCluster, startSimulator, writeSnapshot } from '../../src/sim/index.js';
import { snapshotChunks } from '../../src/sim/snapshot.js';
import { sq, sshRun } from './ssh-client.js';
import { BOOTSTRAP_DIR, buildScript, patchNode } from './steps.js';

const dir = mkdtempSync(path.join(tmpdir(), 'runbook-snapshot-'));
const started: SimCluster[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});
const shape = { masters: 3, agents: 2, publicAgents: 1, timeScale: 200, seed: 11 };
const version = 'sed -n \'s/.*"version": "\\([^"]*\\)".*/\\1/p\' /opt/mesosphere/etc/dcos-version.json';

describe('a cluster snapshot', () => {
  it('starts a new cluster where the old one was, and it goes on from there', async () => {
    const a = await startSimulator(shape);
    started.push(a);
    const url = await buildScript(a);
    expect((await patchNode(a, 'master-1', url)).exit).toBe(0);
    // A colleague's edit on the bootstrap node, and a removed file: both must survive.
    expect(
      (
        await sshRun(
          a,
          'bootstrap',
          `echo '# edited' >> ${sq(`${BOOTSTRAP_DIR}/genconf/config.yaml`)} && rm -f ${sq(`${BOOTSTRAP_DIR}/genconf/license.txt`)}`,
        )
      ).exit,
    ).toBe(0);
    const configBefore = (await sshRun(a, 'bootstrap', `sha256sum ${sq(`${BOOTSTRAP_DIR}/genconf/config.yaml`)}`)).stdout;
    const logBefore = (await sshRun(a, 'master-1', 'journalctl -u dcos-mesos-master --no-pager')).stdout.trim().split('\n');
    const file = path.join(dir, 'sim.json');
    const taken = a.snapshot();
    await writeSnapshot(file, taken);
    const at = taken.now;
    await a.close();

    const b = await startSimulator({ ...shape, from: (await readSnapshot(file))! });
    started.push(b);
    expect(b.clock.now()).toBeGreaterThanOrEqual(at);
    expect((await sshRun(b, 'master-1', version)).stdout).toBe('1.11.5\n');
    expect((await sshRun(b, 'master-2', version)).stdout).toBe('1.11.4\n');
    expect((await sshRun(b, 'bootstrap', `sha256sum ${sq(`${BOOTSTRAP_DIR}/genconf/config.yaml`)}`)).stdout).toBe(configBefore);
    expect((await sshRun(b, 'bootstrap', `ls ${sq(`${BOOTSTRAP_DIR}/genconf/license.txt`)}`)).exit).not.toBe(0);
    // The log of the patch is there, line for line, up to the snapshot.
    const logAfter = (await sshRun(b, 'master-1', 'journalctl -u dcos-mesos-master --no-pager')).stdout;
    for (const line of logBefore.slice(-20)) expect(logAfter).toContain(line);
    // The script is still served (nginx's container and the generated files), and master-2 patches with it.
    expect((await sshRun(b, 'bootstrap', `curl -fsSI ${sq(url)}`)).stdout).toMatch(/^HTTP\/1\.1 200 OK/);
    const next = await patchNode(b, 'master-2', url);
    expect(next.exit, next.stderr).toBe(0);
    expect((await sshRun(b, 'master-2', version)).stdout).toBe('1.11.5\n');
    expect(b.internalErrors).toEqual([]);
  }, 60_000);

  it('is refused by a cluster of another shape, and cut short it is not read as one', async () => {
    const a = await startSimulator({ ...shape, manualClock: true });
    started.push(a);
    const snap = a.snapshot();
    await expect(startSimulator({ ...shape, masters: 1, manualClock: true, from: snap })).rejects.toThrow(
      'the snapshot is of another cluster (masters 3, not 1)',
    );
    await expect(startSimulator({ ...shape, seed: 12, manualClock: true, from: snap })).rejects.toThrow('seed 11, not 12');
    const file = path.join(dir, 'cut.json');
    await writeSnapshot(file, snap);
    const { readFileSync, writeFileSync } = await import('node:fs');
    writeFileSync(file, readFileSync(file, 'utf8').slice(0, 100));
    await expect(readSnapshot(file)).rejects.toThrow('it is not JSON (cut short or changed)');
    expect(await readSnapshot(path.join(dir, 'none.json'))).toBeUndefined();
  });

  it('is written a node at a time, in pieces of about 64 KB, and reads back the same, whatever the files on the nodes hold', async () => {
    const a = await startSimulator({ ...shape, manualClock: true });
    started.push(a);
    // Every node built and changed (an untouched one is left out), and on one of them a file whose
    // text looks like the end of the snapshot.
    for (const n of a.model.nodes) a.model.state(n.name).fs.put('/tmp/mark', n.name, { mtime: 0 });
    a.model.state('agent-1').fs.put('/tmp/trap', '"nodes":[]}} ]}} \u2028 汉字 \\ "', { mtime: 0 });
    const snap = { ...a.snapshot(), finished: 3 };
    const chunks = [...snapshotChunks(snap)];
    const nodeSizes = snap.model.nodes.map((n) => JSON.stringify(n).length);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThan(64 * 1024 + Math.max(...nodeSizes) + 2);
    expect(JSON.parse(chunks.join(''))).toEqual(JSON.parse(JSON.stringify(snap)));
    const file = path.join(dir, 'pieces.json');
    await writeSnapshot(file, snap);
    expect(await readSnapshot(file)).toEqual(JSON.parse(JSON.stringify(snap)));
    // A snapshot of no node at all is still one.
    const empty = { ...snap, model: { ...snap.model, nodes: [] } };
    expect(JSON.parse([...snapshotChunks(empty)].join(''))).toEqual(JSON.parse(JSON.stringify(empty)));
  });

  it('leaves out the nodes only probed, and the new cluster shows them as the old one did', async () => {
    const wide = { masters: 3, agents: 30, publicAgents: 2, seed: 5, manualClock: true };
    const a = await startSimulator(wide);
    started.push(a);
    a.clock.advance(10 * 60_000);
    const probe = (sim: SimCluster, node: string) =>
      sshRun(sim, node, `curl -fsS http://${sim.model.node(node)!.ip}:${node.startsWith('master') ? 5050 : 5051}/metrics/snapshot`);
    // Every node probed over SSH (each one built by its probe), as the health column does while
    // the trainee reads; then a trainee's change on two of them only.
    for (const n of a.model.nodes) if (n.role !== 'bootstrap') expect((await probe(a, n.name)).exit).toBe(0);
    expect(a.model.builtNodes()).toBe(a.model.nodes.length - 1);
    expect((await sshRun(a, 'agent-7', 'echo drained > /tmp/agent-7.note')).exit).toBe(0);
    expect((await sshRun(a, 'public-agent-2', 'sudo rm /etc/hostname')).exit).toBe(0);
    // A node whose only change is a line in its log (what a unit says when the model restarts it;
    // no shell command logs, so it is written here): kept too, and the line is there after.
    a.model.state('agent-12').journal.add({
      at: a.clock.now(),
      unit: 'dcos-mesos-slave.service',
      ident: 'mesos-slave',
      pid: 4242,
      message: 'a line only agent-12 logged',
    });
    // A file's mode changed, nothing else: a colleague's chmod is kept too.
    expect((await sshRun(a, 'agent-20', 'sudo chmod 600 /etc/hostname')).exit).toBe(0);
    // The bootstrap node only read: kept all the same (its files are dated from when it was built).
    expect((await sshRun(a, 'bootstrap', 'cat /etc/hostname')).exit).toBe(0);
    a.clock.advance(2 * 60_000);
    const seen = async (sim: SimCluster, node: string) => ({
      metrics: (await probe(sim, node)).stdout,
      log: (await sshRun(sim, node, 'journalctl -u dcos-mesos-slave -u dcos-mesos-slave-public --no-pager | tail -n 30')).stdout,
      files: (await sshRun(sim, node, 'ls /tmp; cat /tmp/agent-7.note /etc/hostname; ls -l /etc/hostname')).stdout,
    });
    const watched = ['agent-3', 'agent-7', 'agent-12', 'agent-20', 'agent-30', 'public-agent-1', 'public-agent-2', 'master-2'];
    const taken = a.snapshot();
    const before = await Promise.all(watched.map((n) => seen(a, n)));
    const kept = taken.model.nodes.map(([name]) => name);
    // The probes changed nothing a resume needs: only the nodes the trainee changed are written.
    expect(kept).toEqual(['agent-7', 'agent-12', 'agent-20', 'public-agent-2', 'bootstrap']);
    const file = path.join(dir, 'changed-only.json');
    await writeSnapshot(file, taken);
    await a.close();

    const b = await startSimulator({ ...wide, from: (await readSnapshot(file))! });
    started.push(b);
    expect(b.clock.now()).toBe(taken.now);
    expect(await Promise.all(watched.map((n) => seen(b, n)))).toEqual(before);
    expect(before[0]!.log.split('\n').length).toBeGreaterThan(10);
    // Resumed again from the new cluster: what the first one changed is still kept, not taken for built.
    expect(b.snapshot().model.nodes.map(([name]) => name)).toEqual(['agent-7', 'agent-12', 'agent-20', 'public-agent-2', 'bootstrap']);
    expect(before[1]!.files).toContain('drained');
    expect(before[2]!.log).toContain('a line only agent-12 logged');
    expect(before[3]!.files).toMatch(/^-rw------- /m);
    expect(before[6]!.files).not.toContain('public-agent-2');
    expect(before[5]!.files).toContain('public-agent-1');
    expect(b.internalErrors).toEqual([]);
  }, 60_000);
});
