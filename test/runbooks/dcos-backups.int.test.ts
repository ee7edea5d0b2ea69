// The backups of the DC/OS runbook, played by the engine in plain mode against the simulated
// cluster over real SSH: each is run and verified on one master (or the bootstrap node's CLI),
// its path or ID recorded in the journal, and the ZooKeeper password never shown. A backup that
// fails stops the run before anything is built or patched.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSession } from '../../src/cli/session.js';
import type { JournalRecord } from '../../src/engine/events.js';
import { readJournal } from '../../src/engine/journal.js';
import { runPlain } from '../../src/plain/plain.js';
import { type SimCluster, startSimulator } from '../../src/sim/index.js';
import { tempDir } from '../helpers/real-shell.js';
import { capturedIo, runMain } from '../helpers/cli-io.js';
import { sq, sshRun } from '../sim/ssh-client.js';

const runbooks = join(import.meta.dirname, '..', '..', 'runbooks');

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('runbook-backups-'));
});
afterEach(() => remove());

async function play(file: string, override: Record<string, string>, check: (sim: SimCluster, r: { status: number; out: string; journal: string; records: JournalRecord[] }) => Promise<void>, before?: (sim: SimCluster) => Promise<void>) {
  const sim = await startSimulator({ scenario: 'happy', timeScale: 200, masters: 3, agents: 2, publicAgents: 1 });
  try {
    if (before) await before(sim);
    const io = capturedIo({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config') }, dir);
    const params = Object.entries({ ...sim.suggestedParams, ...override }).map(([k, v]) => `${k}=${v}`);
    const opened = await openSession({ io, command: 'train', file: join(runbooks, file), inventory: sim.inventory, params, stateDir: join(dir, 'state'), yes: true, timeScale: 200 });
    if (opened.kind !== 'session') throw new Error('expected a session');
    const { session } = opened;
    const status = await runPlain(session.runner, { stdout: io.stdout, stderr: io.stderr, answers: session.answers, journal: session.journalFile, autoConfirm: true });
    await session.close();
    const { records } = await readJournal(session.journalFile);
    await check(sim, { status, out: io.all(), journal: session.journalFile, records });
    expect(sim.internalErrors).toEqual([]);
  } finally {
    await sim.close();
  }
}

const captured = (records: JournalRecord[], name: string) => records.filter((r) => r.event === 'captured' && 'name' in r && r.name === name).map((r) => ({ node: 'node' in r ? r.node : '', value: 'value' in r ? String(r.value) : '' }));
const ran = (records: JournalRecord[], section: string, step: string, status: string) =>
  records.filter((r) => r.event === 'step-finished' && 'section' in r && r.section === section && 'step' in r && r.step === step && 'status' in r && r.status === status).map((r) => ('node' in r ? r.node : ''));

describe.each(['dcos-1.11-patch.yaml', 'dcos-1.11-patch.zh-CN.yaml'])('%s: backups over SSH', (file) => {
  it('takes each backup once, verifies it, records where it is, and never shows the ZooKeeper password', async () => {
    await play(file, {}, async (sim, r) => {
      expect(r.status).toBe(0);
      const [master] = captured(r.records, 'backup_master').slice(-1);
      expect(master?.value).toMatch(/^master-\d$/);
      // One master takes both backups; the others skip them.
      for (const step of ['zookeeper-backup', 'iam-backup']) {
        expect(ran(r.records, 'backups', step, 'passed')).toEqual([master?.value]);
        expect(ran(r.records, 'backups', step, 'skipped').sort()).toEqual(['master-1', 'master-2', 'master-3'].filter((m) => m !== master?.value));
      }
      const [zk] = captured(r.records, 'zk_backup');
      const [iam] = captured(r.records, 'iam_backup');
      expect(zk?.value).toMatch(/^\/var\/lib\/dcos-patch-backup\/zkstate-\S+\.tar\.gz$/);
      expect(iam?.value).toMatch(/^\/var\/lib\/dcos-patch-backup\/iam-backup-\S+\.sql$/);
      // The files are where the journal says, on that master, and hold what a restore needs.
      const dump = await sshRun(sim, master!.value, `sudo cat ${sq(iam!.value)}`);
      expect(dump.stdout).toMatch(/^CREATE TABLE users \(/);
      expect(dump.stdout).toContain("('bootstrapuser'");
      const listing = await sshRun(sim, master!.value, `sudo tar -tzf ${sq(zk!.value)}`);
      expect(listing.stdout).toContain('tmp/mesos-zk-backup/marathon/state/group/root/_znode');
      // The cluster backup was polled until ready, and its ID recorded.
      const [cluster] = captured(r.records, 'cluster_backup');
      expect(cluster?.value).toMatch(/^patch-\S+-[0-9a-f]{8}-/);
      expect((await sshRun(sim, 'bootstrap', 'dcos backup list')).stdout).toContain(`${cluster?.value}`);
      const backupTimeline = r.records.filter((x) => x.event === 'step-finished' && 'section' in x && x.section === 'cluster-backup').map((x) => ('step' in x ? x.step : ''));
      expect(backupTimeline).toEqual(['marathon-constraints', 'backup-create', 'backup-ready']);
      // The password reached Guano (the backup worked) and nothing the player wrote.
      expect([r.out, readFileSync(r.journal, 'utf8')].join('\n')).not.toMatch(/-p '?secret'?(\s|$)/);
      expect(r.out).toMatch(/dcos-shell java -jar \S+ -u super -p "\$ZK_PASSWORD" -d \//);
    });
  }, 120_000);

  it('stops before anything is built when the ZooKeeper backup is refused (wrong password)', async () => {
    await play(file, { zk_password: 'not-the-password' }, async (sim, r) => {
      expect(r.status).toBe(1);
      // Guano's stack trace ends the output; its first line says NoAuth, which the hint explains.
      expect(r.out).toMatch(/^\[[\d:]+\] backups\/zookeeper-backup@master-\d failed: exit 1, expected 0: at com\.github\.feldoh\.guano\.Guano\.main/m);
      const guano = await sshRun(sim, 'master-1', "sudo /opt/mesosphere/bin/dcos-shell java -jar /opt/guano/guano-0.1a.jar -u super -p not-the-password -d / -o /tmp/x -s 10.0.4.1:2181");
      expect(guano.stderr.split('\n')[0]).toBe('Exception in thread "main" org.apache.zookeeper.KeeperException$NoAuthException: KeeperErrorCode = NoAuth for /dcos');
      expect(captured(r.records, 'zk_backup')).toEqual([]);
      expect(sim.model.scripts.size).toBe(0);
      expect(sim.model.summary().actions.filter((a) => a.kind === 'patch-started')).toEqual([]);
    });
  }, 120_000);

  it('stops when the IAM dump comes back empty (CockroachDB down on that master)', async () => {
    await play(
      file,
      {},
      async (sim, r) => {
        expect(r.status).toBe(1);
        expect(r.out).toMatch(/^\[[\d:]+\] backups\/iam-backup@master-\d failed: exit 1/m);
        expect(captured(r.records, 'iam_backup')).toEqual([]);
        expect(sim.model.scripts.size).toBe(0);
        expect(sim.model.summary().actions.filter((a) => a.kind === 'patch-started')).toEqual([]);
      },
      async (sim) => {
        for (const m of ['master-1', 'master-2', 'master-3']) expect((await sshRun(sim, m, 'sudo systemctl stop dcos-cockroach')).exit).toBe(0);
      },
    );
  }, 120_000);
});

describe('the restore commands', () => {
  it('are in the export of both runbooks, next to each backup', async () => {
    for (const file of ['dcos-1.11-patch.yaml', 'dcos-1.11-patch.zh-CN.yaml']) {
      const exported = await runMain(['export', join(runbooks, file), '--format', 'md'], { PATH: process.env.PATH, HOME: dir }, dir);
      expect(exported.status).toBe(0);
      // Markdown escapes < > _ and the like; read it as printed.
      const out = exported.out.replace(/\\([<>_&$*])/g, '$1');
      expect(out).toContain('dcos backup restore <ID>');
      expect(out).toMatch(/dcos-shell java -jar \S+ -u \S+ -p <[^>]+> -d \/ -r \/tmp\/mesos-zk-backup/);
      expect(out).toContain("-e 'CREATE DATABASE iam_new'");
      expect(out).toContain('--database=iam_new < <');
      expect(out).not.toContain('{{params.zk_password}}');
    }
  });
});
