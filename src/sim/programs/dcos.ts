// DC/OS's own programs on a node: mesos-master/mesos-agent --version, cockroach, dcos-diagnostics,
// detect_ip, the dcos CLI, and docker (for the nginx that serves the install files).
import { dcosBackup } from './backups.js';
import { FsFailure } from '../fs.js';
import type { CockroachRow } from '../model/cockroach.js';
import { sqlTime } from '../model/journal.js';
import { mesosVersion } from '../model/versions.js';
import { Rng } from '../rng.js';
import type { Program } from '../shell/interpreter.js';
import { parseArgs, has, value } from './args.js';
import { simHost } from './host.js';

const mesosBinary: Program = async (ctx) => {
  const host = simHost(ctx);
  const args = ctx.argv.slice(1);
  if (args.includes('--version')) {
    ctx.io.stdout.write(`mesos ${mesosVersion(host.node.version)}\n`);
    return 0;
  }
  const name = ctx.argv[0]?.split('/').pop() ?? 'mesos-master';
  if (args.includes('--help') || args.includes('-h')) {
    ctx.io.stdout.write(`Usage: ${name} [options]\n\n  --version    Show version and exit. (default: false)\n`);
    return 0;
  }
  ctx.io.stderr.write(`Failed to load flags: Flag 'work_dir' is required, but it was not provided\n\nUsage: ${name} [options]\n`);
  return 1;
};

/** A table as CockroachDB 1.1 prints it (olekukonko/tablewriter, headers as given). */
/** `cockroach node status`'s columns, and those `--ranges` adds (cockroach 1.1). */
export const NODE_STATUS_COLUMNS = ['id', 'address', 'build', 'updated_at', 'started_at'] as const;
export const NODE_STATUS_RANGES_COLUMNS = [
  'replicas_leaders',
  'replicas_leaseholders',
  'ranges',
  'ranges_unavailable',
  'ranges_underreplicated',
] as const;

export function prettyTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+\n`;
  const center = (s: string, w: number): string => {
    const left = Math.floor((w - s.length) / 2);
    return `${' '.repeat(left)}${s}${' '.repeat(w - s.length - left)}`;
  };
  const numeric = (s: string): boolean => /^-?\d+(\.\d+)?$/.test(s);
  let out = line;
  out += `| ${headers.map((h, i) => center(h, widths[i] as number)).join(' | ')} |\n`;
  out += line;
  for (const r of rows)
    out += `| ${r.map((c, i) => (numeric(c) ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join(' | ')} |\n`;
  out += line;
  return `${out}(${rows.length} row${rows.length === 1 ? '' : 's'})\n`;
}

const COCKROACH_UNREACHABLE =
  'Error: unable to connect or connection lost.\n\nPlease check the address and credentials such as certificates (if attempting to\ncommunicate with a secure cluster).\n\nrpc error: code = Unavailable desc = grpc: the connection is unavailable\n';

const cockroach: Program = async (ctx) => {
  const host = simHost(ctx);
  const model = host.model;
  const p = parseArgs(ctx.argv.slice(1), {
    flags: '',
    values: '',
    long: {
      ranges: 'flag',
      stats: 'flag',
      decommission: 'flag',
      all: 'flag',
      'certs-dir': 'value',
      host: 'value',
      port: 'value',
      insecure: 'flag',
      format: 'value',
      pretty: 'flag',
      user: 'value',
      execute: 'value',
    },
  });
  const [cmd, sub, ...rest] = p.rest;
  if (p.error) {
    ctx.io.stderr.write(
      `Error: ${p.error.replace(/^unrecognized option '--([^']+)'$/, 'unknown flag: --$1')}\nFailed running "${[cmd, sub].filter(Boolean).join(' ')}"\n`,
    );
    return 1;
  }
  if (cmd === 'version') {
    ctx.io.stdout.write(
      'Build Tag:    v1.1.4\nBuild Time:   2018/01/08 17:32:42\nDistribution: CCL\nPlatform:     linux amd64\nGo Version:   go1.8.3\nC Compiler:   gcc 6.3.0\nBuild SHA-1:  0ad0d8a5b1b1cb8f3cb3d7c0a0a2c4e4b55cd1c3\nBuild Type:   release\n',
    );
    return 0;
  }
  const what = cmd === 'node' ? `node ${sub ?? ''}`.trim() : (cmd ?? '');
  const failed = (msg: string): number => {
    ctx.io.stderr.write(`${msg}Failed running "${what}"\n`);
    return 1;
  };
  if (cmd !== 'node' && cmd !== 'dump' && cmd !== 'sql') {
    ctx.io.stderr.write(`Error: unknown command "${cmd ?? ''}" for "cockroach"\nRun 'cockroach --help' for usage.\n`);
    return 1;
  }
  // Certificates: the DC/OS ones are readable by root only.
  const certsDir = value(p, 'certs-dir');
  if (!has(p, 'insecure')) {
    if (!certsDir)
      return failed(
        'Error: cannot load certificates.\nCheck your certificate settings, set --certs-dir, or use --insecure for insecure clusters.\n\nproblem with CA certificate: not found\n',
      );
    try {
      ctx.sh.host.fs.read(`${ctx.sh.resolve(certsDir)}/ca.crt`, ctx.sh.user);
    } catch (e) {
      if (!(e instanceof FsFailure)) throw e;
      return failed(
        `Error: cannot load certificates.\nCheck your certificate settings, set --certs-dir, or use --insecure for insecure clusters.\n\nproblem with CA certificate: open ${certsDir.replace(/\/$/, '')}/ca.crt: ${e.reason === 'Permission denied' ? 'permission denied' : 'no such file or directory'}\n`,
      );
    }
  } else
    return failed(
      'Error: node status: rpc error: code = Unavailable desc = this cluster runs with security; --insecure connections are refused\n',
    );
  const target = value(p, 'host') ?? 'localhost';
  const node = model.byIp(target) ?? (target === host.node.info.hostname ? host.node.info : undefined);
  const t = model.now();
  if (!node || node.role !== 'master' || !model.state(node.name).active('dcos-cockroach', t)) return failed(COCKROACH_UNREACHABLE);
  if (cmd === 'dump') {
    const db = rest[0] ?? sub;
    if (db !== 'iam') return failed(`Error: pq: database "${db ?? ''}" does not exist\n`);
    const rng = Rng.for(model.seed, 'iam');
    let out =
      'CREATE TABLE users (\n\tuid STRING NOT NULL,\n\tpasswordhash STRING NULL,\n\tutype STRING NOT NULL,\n\tdescription STRING NULL,\n\tCONSTRAINT "primary" PRIMARY KEY (uid ASC)\n);\n\n';
    out += `INSERT INTO users (uid, passwordhash, utype, description) VALUES\n\t('bootstrapuser', '$6$rounds=656000$${rng.hex(16)}', 'regular', 'Bootstrap superuser'),\n\t('dcos_marathon', NULL, 'service', 'Marathon service account'),\n\t('dcos_metronome', NULL, 'service', 'Metronome service account');\n`;
    ctx.io.stdout.write(out);
    return 0;
  }
  if (cmd === 'sql') {
    ctx.io.stdout.write('# Server version: CockroachDB CCL v1.1.4 (linux amd64, built 2018/01/08 17:32:42, go1.8.3)\n');
    return 0;
  }
  if (sub !== 'status' && sub !== 'ls') return failed(`Error: unknown command "${sub ?? ''}" for "cockroach node"\n`);
  const rows = model.cockroachRows(t);
  if (sub === 'ls') {
    ctx.io.stdout.write(
      prettyTable(
        ['id'],
        rows.map((r) => [String(r.id)]),
      ),
    );
    return 0;
  }
  const ranges = has(p, 'ranges');
  const headers: string[] = [...NODE_STATUS_COLUMNS];
  if (ranges) headers.push(...NODE_STATUS_RANGES_COLUMNS);
  if (has(p, 'stats')) headers.push('live_bytes', 'key_bytes', 'value_bytes', 'intent_bytes', 'system_bytes');
  const cells = (r: CockroachRow): string[] => {
    const c = [String(r.id), r.address, r.build, sqlTime(r.updatedAt), sqlTime(r.startedAt)];
    if (ranges) c.push(String(r.leaders), String(r.leaseholders), String(r.ranges), String(r.unavailable), String(r.underreplicated));
    if (has(p, 'stats')) c.push(String(r.ranges * 1412), String(r.ranges * 388), String(r.ranges * 1210), '0', String(r.ranges * 96));
    return c;
  };
  if (value(p, 'format') === 'tsv') {
    ctx.io.stdout.write(
      `${rows.length} row${rows.length === 1 ? '' : 's'}\n${headers.join('\t')}\n${rows.map((r) => cells(r).join('\t')).join('\n')}\n`,
    );
    return 0;
  }
  ctx.io.stdout.write(prettyTable(headers, rows.map(cells)));
  return 0;
};

/** dcos-diagnostics check: indented JSON with one line per check, exit status = the worst status. */
const diagnostics: Program = async (ctx) => {
  const host = simHost(ctx);
  const args = ctx.argv.slice(1).filter((a) => !a.startsWith('--'));
  if (ctx.argv.includes('--version')) {
    ctx.io.stdout.write('Version: 0.4.0\n');
    return 0;
  }
  const kind = args[1];
  if (args[0] !== 'check' || (kind !== 'node-poststart' && kind !== 'cluster' && kind !== 'node-prestart')) {
    ctx.io.stderr.write(
      'Usage:\n  dcos-diagnostics check [command]\n\nAvailable Commands:\n  cluster        Run the cluster checks\n  node-poststart Run the node checks after DC/OS started\n  node-prestart  Run the node checks before DC/OS starts\n',
    );
    return 1;
  }
  const result = kind === 'node-prestart' ? { status: 0, checks: {} } : host.model.diagnostics(host.node, host.model.now(), kind);
  ctx.io.stdout.write(checksJson(result));
  return result.status;
};

export function checksJson(result: { status: number; checks: Record<string, { output: string; status: number }> }): string {
  const names = Object.keys(result.checks).sort();
  if (names.length === 0) return `{"status": ${result.status}, "checks": {}}\n`;
  const body = names
    .map(
      (n) =>
        `    ${JSON.stringify(n)}: {"output": ${JSON.stringify(result.checks[n]?.output ?? '')}, "status": ${result.checks[n]?.status ?? 0}}`,
    )
    .join(',\n');
  return `{\n  "status": ${result.status},\n  "checks": {\n${body}\n  }\n}\n`;
}

const detectIp: Program = async (ctx) => {
  ctx.io.stdout.write(`${simHost(ctx).node.info.ip}\n`);
  return 0;
};

const detectIpPublic: Program = async (ctx) => {
  const info = simHost(ctx).node.info;
  ctx.io.stdout.write(info.role === 'public_agent' ? `198.51.100.${info.index}\n` : `${info.ip}\n`);
  return 0;
};

/** The DC/OS CLI, configured on the bootstrap node for the superuser. */
const dcosCli: Program = async (ctx) => {
  const host = simHost(ctx);
  const args = ctx.argv.slice(1);
  if (args[0] === '--version') {
    ctx.io.stdout.write('dcoscli.version=0.6.2\ndcos.version=' + host.model.runningVersion + '\n');
    return 0;
  }
  if (args[0] === 'config' && args[1] === 'show') {
    const values: Record<string, string> = {
      'core.dcos_acs_token': host.model.token,
      'core.dcos_url': `https://${host.model.masters[0]?.ip ?? ''}`,
      'core.ssl_verify': 'false',
      'cluster.name': host.model.clusterName,
    };
    const key = args[2];
    if (key === undefined) {
      for (const [k, v] of Object.entries(values)) ctx.io.stdout.write(`${k} ${k.includes('token') ? '*'.repeat(8) : v}\n`);
      return 0;
    }
    const v = values[key];
    if (v === undefined) {
      ctx.io.stderr.write(`Property "${key}" doesn't exist\n`);
      return 1;
    }
    ctx.io.stdout.write(`${v}\n`);
    return 0;
  }
  if (args[0] === 'backup') return dcosBackup(ctx, args.slice(1));
  ctx.io.stderr.write(
    `Command not recognized: ${args.join(' ')}\nThis node's DC/OS CLI is configured for "dcos config show"; use it to read core.dcos_acs_token.\n`,
  );
  return 1;
};

function containerId(seed: number, n: number): string {
  return Rng.for(seed, 'container', n).hex(64);
}

const NAMES = ['quirky_tesla', 'eager_hopper', 'brave_curie', 'pensive_lovelace', 'jolly_babbage', 'zen_turing'];

const docker: Program = async (ctx) => {
  const host = simHost(ctx);
  const model = host.model;
  const args = ctx.argv.slice(1);
  if (args[0] === '--version' || args[0] === 'version') {
    ctx.io.stdout.write('Docker version 17.12.1-ce, build 7390fc6\n');
    return 0;
  }
  if (ctx.sh.user !== 'root') {
    const api = args[0] === 'ps' ? 'GET' : 'POST';
    ctx.io.stderr.write(
      `${args[0] === 'run' ? 'docker: ' : ''}Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: ${api} http://%2Fvar%2Frun%2Fdocker.sock/v1.35/containers/${args[0] === 'ps' ? 'json' : 'create'}: dial unix /var/run/docker.sock: connect: permission denied.\n${args[0] === 'run' ? "See 'docker run --help'.\n" : ''}`,
    );
    return args[0] === 'run' ? 126 : 1;
  }
  const onBootstrap = host.node.info.role === 'bootstrap';
  const containers = onBootstrap ? model.containers : [];
  const now = model.now();
  switch (args[0]) {
    case 'run': {
      const p = parseArgs(args.slice(1), {
        flags: 'dit',
        values: 'pvew',
        long: { detach: 'd', publish: 'p', volume: 'v', name: 'value', rm: 'flag', restart: 'value', interactive: 'i', tty: 't', env: 'e' },
        stopAtOperand: true,
      });
      if (p.error) {
        ctx.io.stderr.write(`unknown shorthand flag: ${p.error}\nSee 'docker run --help'.\n`);
        return 125;
      }
      const image = p.rest[0];
      if (!image) {
        ctx.io.stderr.write('"docker run" requires at least 1 argument.\nSee \'docker run --help\'.\n');
        return 1;
      }
      if (image !== 'nginx' && image !== 'nginx:latest') {
        ctx.io.stderr.write(
          `Unable to find image '${image.includes(':') ? image : `${image}:latest`}' locally\ndocker: Error response from daemon: Get https://registry-1.docker.io/v2/: dial tcp: lookup registry-1.docker.io on 198.51.100.1:53: no such host.\nSee 'docker run --help'.\n`,
        );
        return 125;
      }
      const id = containerId(model.seed, model.containers.length + 1);
      const publish = value(p, 'p');
      const hostPort = publish ? Number(publish.split(':')[publish.split(':').length - 2] ?? publish) : 0;
      const vol = value(p, 'v') ?? '';
      const mount = vol.split(':')[0] ?? '';
      const name = value(p, 'name') ?? NAMES[model.containers.length % NAMES.length] ?? 'nginx';
      if (hostPort && containers.some((c) => c.hostPort === hostPort)) {
        ctx.io.stderr.write(
          `docker: Error response from daemon: driver failed programming external connectivity on endpoint ${name} (${id}): Bind for 0.0.0.0:${hostPort} failed: port is already allocated.\n`,
        );
        return 125;
      }
      if (onBootstrap) {
        model.containers.push({ id, image: 'nginx', hostPort, mount: ctx.sh.resolve(mount), startedAt: now, name });
        model.recordAction(host.node.info.name, 'nginx', `serving ${ctx.sh.resolve(mount)} on port ${hostPort}`);
      }
      if (has(p, 'd')) {
        ctx.io.stdout.write(`${id}\n`);
        return 0;
      }
      // In the foreground nginx logs nothing until requested; it runs until the session ends.
      await host.clock.sleep(Number.MAX_SAFE_INTEGER / 4, ctx.signal);
      return 0;
    }
    case 'ps': {
      const p = parseArgs(args.slice(1), {
        flags: 'aq',
        values: 'f',
        long: { all: 'a', quiet: 'q', filter: 'f', 'no-trunc': 'flag', format: 'value' },
      });
      const filter = value(p, 'f');
      const list = containers.filter(
        (c) => !filter || filter === `ancestor=${c.image}` || filter === `name=${c.name}` || filter === 'status=running',
      );
      if (has(p, 'q')) {
        ctx.io.stdout.write(list.map((c) => `${c.id.slice(0, 12)}\n`).join(''));
        return 0;
      }
      ctx.io.stdout.write(
        'CONTAINER ID        IMAGE               COMMAND                  CREATED             STATUS              PORTS                NAMES\n',
      );
      for (const c of list) {
        const mins = Math.max(1, Math.round((now - c.startedAt) / 60_000));
        const age = mins < 2 ? 'About a minute' : mins < 60 ? `${mins} minutes` : `${Math.round(mins / 60)} hours`;
        ctx.io.stdout.write(
          `${c.id.slice(0, 12)}        nginx               "nginx -g 'daemon of\u2026"   ${`${age} ago`.padEnd(20)}${`Up ${age}`.padEnd(20)}${`0.0.0.0:${c.hostPort}->80/tcp`.padEnd(21)}${c.name}\n`,
        );
      }
      return 0;
    }
    case 'stop':
    case 'rm':
    case 'kill': {
      let status = 0;
      for (const ref of args.slice(1).filter((a) => !a.startsWith('-'))) {
        const i = model.containers.findIndex((c) => c.id.startsWith(ref) || c.name === ref);
        if (i < 0 || !onBootstrap) {
          ctx.io.stderr.write(`Error response from daemon: No such container: ${ref}\n`);
          status = 1;
          continue;
        }
        model.containers.splice(i, 1);
        ctx.io.stdout.write(`${ref}\n`);
      }
      return status;
    }
    case 'images':
      ctx.io.stdout.write(
        'REPOSITORY          TAG                 IMAGE ID            CREATED             SIZE\nnginx               latest              ae513a47849c        5 weeks ago         109MB\n',
      );
      return 0;
    case 'logs':
      return 0;
    default:
      ctx.io.stderr.write(`docker: '${args[0] ?? ''}' is not a docker command.\nSee 'docker --help'\n`);
      return 1;
  }
};

export const dcosPrograms: [string, Program][] = [
  ['mesos-master', mesosBinary],
  ['mesos-agent', mesosBinary],
  ['cockroach', cockroach],
  ['dcos-diagnostics', diagnostics],
  ['detect_ip', detectIp],
  ['detect_ip_public', detectIpPublic],
  ['dcos', dcosCli],
  ['docker', docker],
];
