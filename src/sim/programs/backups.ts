// The backups the patching page asks for before anything changes: Guano's ZooKeeper dump (run
// with java through dcos-shell on a master) and the DC/OS CLI's cluster backup on the bootstrap
// node. The IAM dump is cockroach's (dcos.ts). Output shapes are derived from the tools' sources
// and the 1.11 documentation, not captured on a live cluster.
import { FsFailure } from '../fs.js';
import { Rng } from '../rng.js';
import type { Program, ProgramContext } from '../shell/interpreter.js';
import { parseArgs, value } from './args.js';
import { fail, simHost } from './host.js';

/** The ZooKeeper super credentials of a 1.11 Enterprise cluster installed with the defaults (zk_super_credentials). */
export const ZK_SUPER = { user: 'super', password: 'secret' };
/** How long the cluster backup takes, in simulated time. */
const BACKUP_MS = 45_000;

/** The znodes Guano writes, one directory each with its data in `_znode`. */
function znodes(ctx: ProgramContext): [string, string][] {
  const model = simHost(ctx).model;
  const leader = model.masters[Math.min(1, model.masters.length - 1)];
  return [
    ['/zookeeper/quota', ''],
    ['/dcos/master/secrets', ''],
    [
      '/mesos/json.info_0000000003',
      JSON.stringify({
        address: { hostname: leader?.ip, ip: leader?.ip, port: 5050 },
        hostname: leader?.ip,
        id: 'master-leader',
        port: 5050,
        version: '1.5.1',
      }),
    ],
    ['/mesos/log_replicas', ''],
    ['/marathon/leader/member_0000000002', `${leader?.ip}:8080`],
    ['/marathon/state/group/root', '{"id":"/","apps":[]}'],
    ['/marathon/state/framework:id', `${Rng.for(model.seed, 'framework').hex(8)}-0001`],
    ['/cosmos/package-queue', ''],
  ];
}

/** java -jar guano-0.1a.jar -u USER -p PASSWORD -d ZNODE -o DIR -s HOST:PORT */
async function guano(ctx: ProgramContext, args: string[]): Promise<number> {
  const model = simHost(ctx).model;
  const p = parseArgs(args, { flags: '', values: 'updosr', long: {} });
  const host = value(p, 's') ?? '';
  const out = value(p, 'o');
  const trace = (what: string): number =>
    fail(
      ctx,
      1,
      `Exception in thread "main" ${what}\n\tat org.apache.zookeeper.KeeperException.create(KeeperException.java:99)\n\tat com.github.feldoh.guano.Guano.dump(Guano.java:78)\n\tat com.github.feldoh.guano.Guano.main(Guano.java:52)`,
    );
  if (!out || !host)
    return fail(
      ctx,
      1,
      'usage: java -jar guano.jar -s <zk host:port> -u <user> -p <password> -d <znode> (-o <output dir> | -r <input dir>)',
    );
  const [name, port] = host.split(':');
  const master = model.masters.find((m) => m.ip === name || m.hostname === name);
  if (!master || port !== '2181' || !model.exhibitorServing(master, model.now()))
    return trace('org.apache.zookeeper.KeeperException$ConnectionLossException: KeeperErrorCode = ConnectionLoss for /');
  if (value(p, 'u') !== ZK_SUPER.user || value(p, 'p') !== ZK_SUPER.password)
    return trace('org.apache.zookeeper.KeeperException$NoAuthException: KeeperErrorCode = NoAuth for /dcos');
  const fs = ctx.sh.host.fs;
  const root = ctx.sh.resolve(out);
  try {
    for (const [path, data] of znodes(ctx)) {
      fs.mkdir(`${root}${path}`, ctx.sh.user, true);
      fs.write(`${root}${path}/_znode`, data, ctx.sh.user);
    }
  } catch (e) {
    if (!(e instanceof FsFailure)) throw e;
    return trace(`java.io.FileNotFoundException: ${e.path} (${e.reason})`);
  }
  return 0;
}

/** The JVM that dcos-shell puts on the PATH; it runs the Guano jar, and nothing else here. */
const java: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  const i = args.indexOf('-jar');
  if (i < 0)
    return fail(
      ctx,
      1,
      'Usage: java [-options] class [args...]\n           (to execute a class)\n   or  java [-options] -jar jarfile [args...]\n           (to execute a jar file)',
    );
  const jar = args[i + 1] ?? '';
  const entry = ctx.sh.host.fs.get(ctx.sh.resolve(jar));
  if (!entry || entry.kind !== 'file') return fail(ctx, 1, `Error: Unable to access jarfile ${jar}`);
  if (entry.program !== 'guano') return fail(ctx, 1, `no main manifest attribute, in ${jar}`);
  return guano(ctx, args.slice(i + 2));
};

interface ClusterBackup {
  id: string;
  label: string;
  at: number;
}
const backupsOf = new WeakMap<object, ClusterBackup[]>();

/** dcos backup create --label=L | list [--json] [PREFIX] | restore ID: the Enterprise CLI's Marathon backups. */
export async function dcosBackup(ctx: ProgramContext, args: string[]): Promise<number> {
  const model = simHost(ctx).model;
  const list = backupsOf.get(model) ?? [];
  backupsOf.set(model, list);
  const now = model.now();
  const status = (b: ClusterBackup): string => (now - b.at >= BACKUP_MS ? 'STATUS_READY' : 'STATUS_BACKING_UP');
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const label = rest.map((a) => /^--label=(.+)$/.exec(a)?.[1]).find(Boolean) ?? (rest[rest.indexOf('--label') + 1] || undefined);
    if (!label) return fail(ctx, 1, 'Error: --label is required');
    const id = `${label}-${Rng.for(model.seed, 'backup', list.length + 1).hex(8)}-${Rng.for(model.seed, 'backup-id', list.length + 1).hex(4)}-4${Rng.for(model.seed, 'b', list.length).hex(3)}-a${Rng.for(model.seed, 'c', list.length).hex(3)}-${Rng.for(model.seed, 'd', list.length).hex(12)}`;
    list.push({ id, label, at: now });
    model.recordAction(simHost(ctx).node.info.name, 'installer', `cluster backup ${id} requested`);
    return 0;
  }
  if (sub === 'list') {
    const prefix = rest.find((a) => !a.startsWith('-')) ?? '';
    const shown = list.filter((b) => b.id.startsWith(prefix));
    if (rest.includes('--json')) {
      ctx.io.stdout.write(
        `${JSON.stringify(
          shown.map((b) => ({
            id: b.id,
            dcos_version: model.runningVersion,
            timestamp: new Date(b.at).toISOString(),
            status: status(b),
            label: b.label,
          })),
          null,
          2,
        )}\n`,
      );
      return 0;
    }
    const width = Math.max(2, ...shown.map((b) => b.id.length)) + 2;
    ctx.io.stdout.write(`${'ID'.padEnd(width)}${'VERSION'.padEnd(9)}${'STATUS'.padEnd(19)}TIMESTAMP\n`);
    for (const b of shown)
      ctx.io.stdout.write(`${b.id.padEnd(width)}${model.runningVersion.padEnd(9)}${status(b).padEnd(19)}${new Date(b.at).toISOString()}\n`);
    return 0;
  }
  if (sub === 'restore') {
    const b = list.find((x) => x.id === rest[0]);
    if (!b) return fail(ctx, 1, `Error: backup ${rest[0] ?? ''} not found`);
    return 0;
  }
  return fail(
    ctx,
    1,
    `Command not recognized: backup ${args.join(' ')}\nUsage: dcos backup (create --label=<label> | list [--json] [<prefix>] | restore <id> | delete <id>)`,
  );
}

export const backupPrograms: [string, Program][] = [['java', java]];
