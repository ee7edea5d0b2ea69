// System programs: bash/sh, sleep, date, hostname, id, uname, env, which, seq, timeout, sysctl,
// rpm, yum, ip, ps and the like, shaped as on CentOS 7.4.
import { FsFailure } from '../fs.js';
import { readAll } from '../shell/streams.js';
import type { Program, ProgramContext } from '../shell/interpreter.js';
import { has, parseArgs, usageError, value } from './args.js';
import { simHost } from './host.js';

/** bash and sh: -c string, a script file, or a script on stdin. */
const bash: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  let errexit = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-c') {
      const src = args[i + 1];
      if (src === undefined) {
        ctx.io.stderr.write(`${ctx.argv[0]}: -c: option requires an argument\n`);
        return 2;
      }
      const child = ctx.sh.clone({ name: 'bash', positional: args.slice(i + 3) });
      if (errexit) child.errexit = true;
      return child.run(src, ctx.io, ctx.signal);
    }
    if (a === '-e' || a === '-ex' || a === '-xe' || a === '-eu' || a === '-o') {
      if (a.includes('e')) errexit = true;
      if (a === '-o') i++;
      continue;
    }
    if (/^-[xvsliu]+$/.test(a) || a === '--login' || a === '--noprofile' || a === '--norc') continue;
    break;
  }
  const file = args[i];
  if (file === undefined) {
    const src = await readAll(ctx.io.stdin);
    return ctx.sh.clone().run(src, ctx.io, ctx.signal);
  }
  const path = ctx.sh.resolve(file);
  const fs = ctx.sh.host.fs;
  const entry = fs.get(path);
  if (!entry) {
    ctx.io.stderr.write(`bash: ${file}: No such file or directory\n`);
    return 127;
  }
  if (entry.kind === 'dir') {
    ctx.io.stderr.write(`bash: ${file}: Is a directory\n`);
    return 126;
  }
  // The installer and the node patch script are programs of the simulator, whatever runs them.
  if (entry.program === 'dcos-installer' || entry.program === 'dcos-node-upgrade') {
    const program = ctx.sh.host.programs.get(entry.program);
    if (program) return program({ ...ctx, argv: [file, ...args.slice(i + 1)] });
  }
  let text: string;
  try {
    text = fs.read(path, ctx.sh.user);
  } catch (e) {
    if (!(e instanceof FsFailure)) throw e;
    ctx.io.stderr.write(`bash: ${file}: ${e.reason}\n`);
    return 126;
  }
  if (text.startsWith('\x7fELF')) {
    ctx.io.stderr.write(`${file}: ${file}: cannot execute binary file\n`);
    return 126;
  }
  return ctx.sh.runScriptText(text, file, args.slice(i + 1), ctx.io, ctx.signal, { errexit });
};

function parseDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text);
  if (!m) return null;
  const unit = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

const sleep: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  if (args.length === 0) {
    ctx.io.stderr.write("sleep: missing operand\nTry 'sleep --help' for more information.\n");
    return 1;
  }
  let total = 0;
  for (const a of args) {
    const ms = parseDuration(a);
    if (ms === null) {
      ctx.io.stderr.write(`sleep: invalid time interval \u2018${a}\u2019\nTry 'sleep --help' for more information.\n`);
      return 1;
    }
    total += ms;
  }
  await ctx.sh.host.clock.sleep(total, ctx.signal);
  return 0;
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

export function strftime(format: string, ms: number): string {
  const d = new Date(ms);
  return format.replace(/%([a-zA-Z%])/g, (_m, c: string) => {
    switch (c) {
      case 'Y':
        return String(d.getUTCFullYear());
      case 'm':
        return p2(d.getUTCMonth() + 1);
      case 'd':
        return p2(d.getUTCDate());
      case 'e':
        return String(d.getUTCDate()).padStart(2);
      case 'H':
        return p2(d.getUTCHours());
      case 'M':
        return p2(d.getUTCMinutes());
      case 'S':
        return p2(d.getUTCSeconds());
      case 's':
        return String(Math.floor(ms / 1000));
      case 'N':
        return String((ms % 1000) * 1_000_000).padStart(9, '0');
      case 'F':
        return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
      case 'T':
        return `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
      case 'Z':
        return 'UTC';
      case 'z':
        return '+0000';
      case 'a':
        return DAYS[d.getUTCDay()] ?? '';
      case 'b':
        return MONTHS[d.getUTCMonth()] ?? '';
      case '%':
        return '%';
      default:
        return `%${c}`;
    }
  });
}

const date: Program = async (ctx) => {
  const fmt = ctx.argv.slice(1).find((a) => a.startsWith('+'));
  const now = ctx.sh.host.clock.now();
  ctx.io.stdout.write(`${strftime(fmt ? fmt.slice(1) : '%a %b %e %H:%M:%S %Z %Y', now)}\n`);
  return 0;
};

const hostname: Program = async (ctx) => {
  const host = simHost(ctx);
  const a = ctx.argv[1];
  if (a === '-i' || a === '-I' || a === '--ip-address' || a === '--all-ip-addresses')
    ctx.io.stdout.write(`${host.node.info.ip}${a === '-I' ? ' ' : ''}\n`);
  else if (a === '-f' || a === '--fqdn') ctx.io.stdout.write(`${host.hostname}.cluster.internal\n`);
  else ctx.io.stdout.write(`${host.hostname}\n`);
  return 0;
};

const whoami: Program = async (ctx) => {
  ctx.io.stdout.write(`${ctx.sh.user}\n`);
  return 0;
};

const id: Program = async (ctx) => {
  const root = ctx.sh.user === 'root';
  const args = ctx.argv.slice(1).join('');
  if (args.includes('u')) ctx.io.stdout.write(args.includes('n') ? `${ctx.sh.user}\n` : `${root ? 0 : 1000}\n`);
  else if (args.includes('g')) ctx.io.stdout.write(args.includes('n') ? `${ctx.sh.user}\n` : `${root ? 0 : 1000}\n`);
  else
    ctx.io.stdout.write(
      root
        ? 'uid=0(root) gid=0(root) groups=0(root)\n'
        : 'uid=1000(dcos) gid=1000(dcos) groups=1000(dcos),4(adm),10(wheel),190(systemd-journal)\n',
    );
  return 0;
};

const KERNEL = '3.10.0-693.21.1.el7.x86_64';

const uname: Program = async (ctx) => {
  const flags = ctx.argv.slice(1).join('');
  const host = ctx.sh.host.hostname;
  if (flags.includes('a'))
    ctx.io.stdout.write(`Linux ${host} ${KERNEL} #1 SMP Wed Mar 7 19:03:37 UTC 2018 x86_64 x86_64 x86_64 GNU/Linux\n`);
  else {
    const parts: string[] = [];
    if (flags === '' || flags.includes('s')) parts.push('Linux');
    if (flags.includes('n')) parts.push(host);
    if (flags.includes('r')) parts.push(KERNEL);
    if (flags.includes('m') || flags.includes('p') || flags.includes('i')) parts.push('x86_64');
    if (flags.includes('o')) parts.push('GNU/Linux');
    ctx.io.stdout.write(`${parts.join(' ')}\n`);
  }
  return 0;
};

const env: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  const assigns: Record<string, string> = {};
  let i = 0;
  for (; i < args.length; i++) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(args[i] as string);
    if (!m) break;
    assigns[m[1] as string] = m[2] as string;
  }
  if (i < args.length) {
    const child = ctx.sh.clone({ vars: assigns });
    return child.invoke(args.slice(i), ctx.io, ctx.signal, { builtins: false });
  }
  if (ctx.argv[0]?.endsWith('printenv') && args.length > 0) {
    const v = ctx.sh.vars.get(args[0] as string);
    if (v === undefined) return 1;
    ctx.io.stdout.write(`${v}\n`);
    return 0;
  }
  for (const name of [...ctx.sh.exported].sort()) ctx.io.stdout.write(`${name}=${ctx.sh.vars.get(name) ?? ''}\n`);
  for (const [k, v] of Object.entries(assigns)) ctx.io.stdout.write(`${k}=${v}\n`);
  return 0;
};

const which: Program = async (ctx) => {
  let status = 0;
  for (const name of ctx.argv.slice(1).filter((a) => !a.startsWith('-'))) {
    const found = ctx.sh.lookup(name);
    if (found.kind === 'found') ctx.io.stdout.write(`${found.path}\n`);
    else {
      ctx.io.stderr.write(`/usr/bin/which: no ${name} in (${ctx.sh.vars.get('PATH') ?? ''})\n`);
      status = 1;
    }
  }
  return status;
};

const basenameProgram: Program = async (ctx) => {
  const [path, suffix] = ctx.argv.slice(1);
  if (path === undefined) return usageError(ctx, 'basename', 'missing operand');
  let b = path.replace(/\/+$/, '').split('/').pop() ?? '';
  if (suffix && b.endsWith(suffix) && b !== suffix) b = b.slice(0, -suffix.length);
  ctx.io.stdout.write(`${b || '/'}\n`);
  return 0;
};

const dirnameProgram: Program = async (ctx) => {
  const path = ctx.argv[1];
  if (path === undefined) return usageError(ctx, 'dirname', 'missing operand');
  const trimmed = path.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  ctx.io.stdout.write(`${i < 0 ? '.' : i === 0 ? '/' : trimmed.slice(0, i)}\n`);
  return 0;
};

const seq: Program = async (ctx) => {
  const nums = ctx.argv.slice(1).map(Number);
  const [a, b, c] =
    nums.length === 1
      ? [1, 1, nums[0] as number]
      : nums.length === 2
        ? [nums[0] as number, 1, nums[1] as number]
        : (nums as [number, number, number]);
  const out: string[] = [];
  for (let x = a; b > 0 ? x <= c : x >= c; x += b) {
    out.push(String(x));
    if (out.length > 100_000) break;
  }
  if (out.length > 0) ctx.io.stdout.write(`${out.join('\n')}\n`);
  return 0;
};

/** timeout DURATION COMMAND...: stops the command on the simulated clock; 124 on timeout. */
const timeout: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), {
    flags: 'v',
    values: 'sk',
    long: { signal: 's', 'kill-after': 'k', 'preserve-status': 'flag', foreground: 'flag' },
    stopAtOperand: true,
  });
  if (p.error) return usageError(ctx, 'timeout', p.error);
  const [limit, ...command] = p.rest;
  const ms = limit === undefined ? null : parseDuration(limit);
  if (ms === null || command.length === 0)
    return usageError(ctx, 'timeout', limit === undefined ? 'missing operand' : `invalid time interval \u2018${limit}\u2019`);
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const cancel = ctx.sh.host.clock.at(ctx.sh.host.clock.now() + ms, () => {
    timedOut = true;
    controller.abort();
  });
  try {
    return await ctx.sh.clone().invoke(command, ctx.io, controller.signal);
  } catch (e) {
    if (timedOut) return 124;
    throw e;
  } finally {
    cancel();
    ctx.signal.removeEventListener('abort', onAbort);
  }
};

const SYSCTL_PREFIX = '/proc/sys/';

const sysctl: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'wnaqpe', values: '' });
  if (p.error) return usageError(ctx, 'sysctl', p.error);
  const host = simHost(ctx);
  const fs = ctx.sh.host.fs;
  const toPath = (key: string): string => SYSCTL_PREFIX + key.replace(/\./g, '/');
  let status = 0;
  const apply = (key: string, val: string): void => {
    const path = toPath(key);
    if (!fs.exists(path)) {
      ctx.io.stderr.write(`sysctl: cannot stat /proc/sys/${key.replace(/\./g, '/')}: No such file or directory\n`);
      status = 255;
      return;
    }
    if (ctx.sh.user !== 'root') {
      ctx.io.stderr.write(`sysctl: permission denied on key '${key}'\n`);
      status = 255;
      return;
    }
    fs.write(path, `${val}\n`, 'root');
    // The IPv6 switch applies to every interface.
    if (key === 'net.ipv6.conf.all.disable_ipv6') fs.write(toPath('net.ipv6.conf.default.disable_ipv6'), `${val}\n`, 'root');
    host.model.recordAction(host.node.info.name, 'sysctl', `${key} = ${val}`);
    if (!has(p, 'q')) ctx.io.stdout.write(`${key} = ${val}\n`);
  };
  if (has(p, 'p')) {
    const text = fs.read('/etc/sysctl.conf', 'root');
    for (const line of text.split('\n')) {
      const m = /^\s*([a-z0-9_.]+)\s*=\s*(\S+)/.exec(line);
      if (m) apply(m[1] as string, m[2] as string);
    }
    return status;
  }
  if (has(p, 'a')) {
    for (const key of ['net.ipv6.conf.all.disable_ipv6', 'net.ipv6.conf.default.disable_ipv6']) {
      ctx.io.stdout.write(`${key} = ${fs.read(toPath(key), 'root').trim()}\n`);
    }
    return 0;
  }
  for (const arg of p.rest) {
    const eq = arg.indexOf('=');
    if (eq >= 0) {
      apply(arg.slice(0, eq).trim(), arg.slice(eq + 1).trim());
      continue;
    }
    const path = toPath(arg);
    if (!fs.exists(path)) {
      ctx.io.stderr.write(`sysctl: cannot stat /proc/sys/${arg.replace(/\./g, '/')}: No such file or directory\n`);
      status = 255;
      continue;
    }
    const v = fs.read(path, 'root').trim();
    ctx.io.stdout.write(has(p, 'n') ? `${v}\n` : `${arg} = ${v}\n`);
  }
  return status;
};

const RPMS: Record<string, string> = {
  ipset: 'ipset-6.29-1.el7.x86_64',
  curl: 'curl-7.29.0-42.el7_4.1.x86_64',
  systemd: 'systemd-219-42.el7_4.10.x86_64',
  'docker-ce': 'docker-ce-17.12.1.ce-1.el7.centos.x86_64',
  bash: 'bash-4.2.46-29.el7_4.x86_64',
  unzip: 'unzip-6.0-16.el7.x86_64',
  xz: 'xz-5.2.2-1.el7.x86_64',
  tar: 'tar-1.26-32.el7.x86_64',
};

const rpm: Program = async (ctx) => {
  const args = ctx.argv.slice(1);
  if (!args.some((a) => a.startsWith('-q'))) {
    ctx.io.stderr.write('rpm: only queries (-q) are possible on this node\n');
    return 1;
  }
  const names = args.filter((a) => !a.startsWith('-'));
  if (args.includes('-qa') || (args.includes('-q') && args.includes('-a'))) {
    ctx.io.stdout.write(`${Object.values(RPMS).join('\n')}\n`);
    return 0;
  }
  let status = 0;
  for (const n of names) {
    const full = RPMS[n];
    if (full) ctx.io.stdout.write(`${full}\n`);
    else {
      ctx.io.stdout.write(`package ${n} is not installed\n`);
      status = 1;
    }
  }
  return status;
};

const yum: Program = async (ctx) => {
  const args = ctx.argv.slice(1).filter((a) => a !== '-y' && a !== '-q');
  if (ctx.sh.user !== 'root') return (ctx.io.stderr.write('You need to be root to perform this command.\n'), 1);
  const cmd = args[0];
  if (cmd === 'install') {
    ctx.io.stdout.write('Loaded plugins: fastestmirror\nLoading mirror speeds from cached hostfile\n');
    for (const n of args.slice(1)) {
      const full = RPMS[n];
      if (full)
        ctx.io.stdout.write(
          `Package ${full.replace(/\.x86_64$/, '.x86_64').replace(/-(\d)/, '-$1')} already installed and latest version\n`,
        );
      else ctx.io.stdout.write(`No package ${n} available.\n`);
    }
    ctx.io.stdout.write('Nothing to do\n');
    return 0;
  }
  ctx.io.stderr.write(`No such command: ${cmd ?? ''}. Please use /usr/bin/yum --help\n`);
  return 1;
};

const ip: Program = async (ctx) => {
  const host = simHost(ctx);
  const args = ctx.argv.slice(1).join(' ');
  if (/^(-4 )?(a|addr|address)( show)?( eth0)?( dev eth0)?$/.test(args) || args === '') {
    ctx.io.stdout.write(
      `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN qlen 1\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n` +
        `2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9001 qdisc mq state UP qlen 1000\n    link/ether 0a:1b:2c:3d:4e:5f brd ff:ff:ff:ff:ff:ff\n    inet ${host.node.info.ip}/16 brd 10.0.255.255 scope global dynamic eth0\n       valid_lft 3412sec preferred_lft 3412sec\n`,
    );
    return 0;
  }
  ctx.io.stderr.write(`Object "${ctx.argv[1] ?? ''}" is unknown, try "ip help".\n`);
  return 255;
};

const ipset: Program = async (ctx) => {
  if (ctx.argv[1] === '--version' || ctx.argv[1] === '-v') {
    ctx.io.stdout.write('ipset v6.29, protocol version: 6\n');
    return 0;
  }
  if (ctx.sh.user !== 'root') return (ctx.io.stderr.write('ipset v6.29: Kernel error received: Operation not permitted\n'), 1);
  return 0;
};

const uptime: Program = async (ctx) => {
  const now = ctx.sh.host.clock.now();
  const days = Math.floor((now - Date.UTC(2018, 1, 28, 20, 5)) / 86_400_000);
  ctx.io.stdout.write(` ${strftime('%H:%M:%S', now)} up ${days} days,  3:12,  1 user,  load average: 0.42, 0.51, 0.55\n`);
  return 0;
};

const xargs: Program = async (ctx) => {
  const p = parseArgs(ctx.argv.slice(1), { flags: 'r0t', values: 'nIL', stopAtOperand: true });
  if (p.error) return usageError(ctx, 'xargs', p.error);
  const input = (await readAll(ctx.io.stdin)).split(/\s+/).filter(Boolean);
  if (input.length === 0 && has(p, 'r')) return 0;
  const cmd = p.rest.length > 0 ? p.rest : ['echo'];
  const n = Number(value(p, 'n') ?? input.length) || 1;
  let status = 0;
  for (let i = 0; i < Math.max(1, input.length); i += n) {
    const s = await ctx.sh.clone().invoke([...cmd, ...input.slice(i, i + n)], ctx.io, ctx.signal);
    if (s !== 0) status = 123;
  }
  return status;
};

const ps: Program = async (ctx) => {
  const host = simHost(ctx);
  const now = ctx.sh.host.clock.now();
  ctx.io.stdout.write('UID        PID  PPID  C STIME TTY          TIME CMD\n');
  ctx.io.stdout.write(
    'root         1     0  0 Feb28 ?        00:02:11 /usr/lib/systemd/systemd --switched-root --system --deserialize 21\n',
  );
  for (const unit of host.node.units.values()) {
    const ph = unit.at(now);
    if (ph.active !== 'active' || ph.pid === 0 || unit.spec.type !== 'service') continue;
    const cmd = (unit.spec.exec ?? `/opt/mesosphere/bin/${unit.spec.ident}`).replace('{sha}', 'f3cc2b2cc9a4a8c0c1b4a6bbd2e0b1c7f8d6e5a4');
    ctx.io.stdout.write(
      `${'root'.padEnd(8)} ${String(ph.pid).padStart(5)}     1  0 ${strftime('%H:%M', unit.since(now))} ?        00:00:${p2(ph.pid % 60)} ${cmd}\n`,
    );
  }
  return 0;
};

const nproc: Program = async (ctx) => (ctx.io.stdout.write('4\n'), 0);

const free: Program = async (ctx) => {
  ctx.io.stdout.write(
    '              total        used        free      shared  buff/cache   available\nMem:       15913316     4213708     6815744       17236     4883864    11274632\nSwap:             0           0           0\n',
  );
  return 0;
};

const df: Program = async (ctx) => {
  ctx.io.stdout.write(
    'Filesystem     1K-blocks     Used Available Use% Mounted on\n/dev/xvda1     125817836 21893412 103924424  18% /\ndevtmpfs         7945312        0   7945312   0% /dev\ntmpfs            7956656        0   7956656   0% /dev/shm\n',
  );
  return 0;
};

/** pkgpanda, for an operator who looks: lists the active packages; changing them is the script's job. */
const pkgpanda: Program = async (ctx) => {
  const host = simHost(ctx);
  if (ctx.argv[1] === 'list' || ctx.argv[1] === 'active') {
    for (const name of [
      'adminrouter',
      'cockroach',
      'dcos-config',
      'dcos-net',
      'exhibitor',
      'marathon',
      'mesos',
      'mesos-dns',
      'metronome',
    ]) {
      ctx.io.stdout.write(`${name}--${host.node.version.replace(/\./g, '')}${'0'.repeat(34)}\n`);
    }
    return 0;
  }
  ctx.io.stderr.write(
    'Usage:\n  pkgpanda activate <id>... [options]\n  pkgpanda fetch --repository-url=<url> <id>...\n  pkgpanda list [options]\n',
  );
  return 1;
};

const dcosShell: Program = async (ctx) => {
  const rest = ctx.argv.slice(1);
  if (rest.length === 0) return 0;
  return ctx.sh.clone({ vars: { PATH: `/opt/mesosphere/bin:${ctx.sh.vars.get('PATH') ?? ''}` } }).invoke(rest, ctx.io, ctx.signal);
};

/** ss / netstat -tlnp: the ports the node's running units listen on. */
const ss: Program = async (ctx) => {
  const host = simHost(ctx);
  const model = host.model;
  const info = host.node.info;
  const t = host.clock.now();
  const st = host.node;
  const rows: [string, string][] = [['0.0.0.0:22', 'sshd']];
  const on = (unit: string): boolean => st.active(unit, t);
  if (info.role === 'master') {
    if (model.masterListening(info, t)) rows.push([`${info.ip}:5050`, 'mesos-master']);
    if (on('dcos-exhibitor')) rows.push(['*:8181', 'java'], ['*:2181', 'java']);
    if (on('dcos-cockroach')) rows.push([`${info.ip}:26257`, 'cockroach'], [`${info.ip}:8090`, 'cockroach']);
    if (on('dcos-adminrouter')) rows.push(['0.0.0.0:80', 'nginx'], ['0.0.0.0:443', 'nginx']);
    if (on('dcos-marathon')) rows.push(['*:8080', 'java']);
    if (on('dcos-mesos-dns')) rows.push(['*:8123', 'mesos-dns']);
  } else if (info.role !== 'bootstrap') {
    if (on('dcos-mesos-slave') || on('dcos-mesos-slave-public')) rows.push([`${info.ip}:5051`, 'mesos-agent']);
    if (on('dcos-adminrouter-agent')) rows.push(['0.0.0.0:61001', 'nginx']);
  } else {
    for (const c of model.containers) rows.push([`:::${c.hostPort}`, 'docker-proxy']);
  }
  if (info.role !== 'bootstrap' && on('dcos-net')) rows.push(['198.51.100.1:53', 'beam.smp']);
  const netstat = ctx.argv[0]?.endsWith('netstat') === true;
  ctx.io.stdout.write(
    netstat
      ? 'Active Internet connections (only servers)\nProto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\n'
      : 'State      Recv-Q Send-Q Local Address:Port               Peer Address:Port\n',
  );
  for (const [addr, prog] of rows) {
    const pid = 1000 + ((addr.length * 37) % 900);
    ctx.io.stdout.write(
      netstat
        ? `tcp        0      0 ${addr.padEnd(23)} 0.0.0.0:*               LISTEN      ${pid}/${prog}\n`
        : `LISTEN     0      128    ${addr.padEnd(28)} *:*                   users:(("${prog}",pid=${pid},fd=${addr.length}))\n`,
    );
  }
  return 0;
};

/** host / dig / nslookup for the Mesos-DNS names a node resolves through dcos-net. */
const resolve: Program = async (ctx) => {
  const host = simHost(ctx);
  const model = host.model;
  const prog = ctx.argv[0]?.split('/').pop() ?? 'host';
  const name = ctx.argv.slice(1).find((a) => !a.startsWith('+') && !a.startsWith('-') && !a.startsWith('@'));
  if (!name) {
    ctx.io.stderr.write(`Usage: ${prog} name\n`);
    return 1;
  }
  const t = host.clock.now();
  const leader = model.leaderAt(t);
  const answers: Record<string, string[]> = {
    'leader.mesos': leader ? [leader.ip] : [],
    'master.mesos': model.masters.filter((m) => model.masterListening(m, t)).map((m) => m.ip),
    'zk-1.zk': [model.masters[0]?.ip ?? ''],
  };
  const ips = answers[name.replace(/\.$/, '')] ?? (model.node(name) ? [model.node(name)?.ip ?? ''] : []);
  const short = ctx.argv.includes('+short');
  if (ips.length === 0) {
    if (prog === 'dig') ctx.io.stdout.write(short ? '' : `;; ->>HEADER<<- opcode: QUERY, status: NXDOMAIN\n`);
    else ctx.io.stdout.write(`Host ${name} not found: 3(NXDOMAIN)\n`);
    return prog === 'dig' ? 0 : 1;
  }
  for (const ip of ips)
    ctx.io.stdout.write(
      prog === 'dig'
        ? short
          ? `${ip}\n`
          : `${name}.\t\t60\tIN\tA\t${ip}\n`
        : prog === 'nslookup'
          ? `Name:\t${name}\nAddress: ${ip}\n`
          : `${name} has address ${ip}\n`,
    );
  return 0;
};

export const systemPrograms: [string, Program][] = [
  ['ss', ss],
  ['netstat', ss],
  ['host', resolve],
  ['dig', resolve],
  ['nslookup', resolve],
  ['bash', bash],
  ['sh', bash],
  ['sleep', sleep],
  ['date', date],
  ['hostname', hostname],
  ['whoami', whoami],
  ['id', id],
  ['uname', uname],
  ['env', env],
  ['printenv', env],
  ['which', which],
  ['basename', basenameProgram],
  ['dirname', dirnameProgram],
  ['seq', seq],
  ['timeout', timeout],
  ['sysctl', sysctl],
  ['rpm', rpm],
  ['yum', yum],
  ['ip', ip],
  ['ipset', ipset],
  ['uptime', uptime],
  ['xargs', xargs],
  ['ps', ps],
  ['nproc', nproc],
  ['free', free],
  ['df', df],
  ['pkgpanda', pkgpanda],
  ['dcos-shell', dcosShell],
];

export type { ProgramContext };
