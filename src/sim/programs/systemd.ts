// systemctl and journalctl as systemd 219 (CentOS 7.4) prints them.
import { AbortedError } from '../clock.js';
import { formatEntry, type JournalEntry, longTime } from '../model/journal.js';
import type { NodeState } from '../model/node.js';
import type { UnitPhase, UnitRuntime } from '../model/units.js';
import type { Program, ProgramContext } from '../shell/interpreter.js';
import { simHost } from './host.js';

const SYSTEMD_VERSION =
  'systemd 219\n+PAM +AUDIT +SELINUX +IMA -APPARMOR +SMACK +SYSVINIT +UTMP +LIBCRYPTSETUP +GCRYPT +GNUTLS +ACL +XZ +LZ4 -SECCOMP +BLKID +ELFUTILS +KMOD +IDN\n';

/** "5min ago", "2h 3min ago", "1 weeks 0 days ago" */
export function ago(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}min ${s % 60}s ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${m % 60}min ago`;
  const d = Math.floor(h / 24);
  if (d < 7) return `${d} days ${h % 24}h ago`;
  return `${Math.floor(d / 7)} weeks ${d % 7} days ago`;
}

function unitName(name: string): string {
  return /\.(service|socket|timer|target|mount|path)$/.test(name) ? name : `${name}.service`;
}

function activeText(p: UnitPhase): string {
  if (p.active === 'activating' && p.sub === 'auto-restart') return `activating (auto-restart) (Result: ${p.result ?? 'exit-code'})`;
  if (p.active === 'failed') return `failed (Result: ${p.result ?? 'exit-code'})`;
  return `${p.active} (${p.sub})`;
}

function unitFile(unit: UnitRuntime): string {
  return unit.spec.dcos ? `/etc/systemd/system/dcos.target.wants/${unit.spec.name}` : `/usr/lib/systemd/system/${unit.spec.name}`;
}

function statusText(st: NodeState, unit: UnitRuntime, now: number, lines: number): string {
  const p = unit.at(now);
  const since = unit.since(now);
  const bullet = p.active === 'active' ? '\u25cf' : p.active === 'failed' || p.sub === 'auto-restart' ? '\u25cf' : '\u25cb';
  let out = `${bullet} ${unit.spec.name} - ${unit.spec.description}\n`;
  out += `   Loaded: loaded (${unitFile(unit)}; enabled; vendor preset: disabled)\n`;
  out += `   Active: ${activeText(p)} since ${longTime(since)}; ${ago(now - since)}\n`;
  if (unit.spec.type === 'service' && p.pid > 0) {
    out += ` Main PID: ${p.pid} (${unit.spec.ident.replace(/\.py$/, '')})\n`;
    out += `   Memory: ${(40 + (p.pid % 300)).toFixed(1)}M\n`;
    out += `   CGroup: /system.slice/${unit.spec.name}\n`;
    const exec = (unit.spec.exec ?? `/opt/mesosphere/bin/${unit.spec.ident}`).replace('{sha}', 'f3cc2b2cc9a4a8c0c1b4a6bbd2e0b1c7f8d6e5a4');
    out += `           \u2514\u2500${p.pid} ${exec}\n`;
  }
  const entries = st.journal.read([unit.spec.name], 0, now).slice(-lines);
  if (entries.length > 0) out += `\n${entries.map((e) => formatEntry(e, st.info.hostname)).join('\n')}\n`;
  return out;
}

/** systemctl list-units, as piped output shows it. */
function listUnits(st: NodeState, now: number, all: boolean, filter: { type?: string; state?: string; patterns: string[] }): string {
  const rows = [...st.units.values()]
    .filter((u) => {
      const p = u.at(now);
      if (!all && p.active === 'inactive') return false;
      if (filter.type && !u.spec.name.endsWith(`.${filter.type}`)) return false;
      if (filter.state && p.active !== filter.state && p.sub !== filter.state) return false;
      if (
        filter.patterns.length > 0 &&
        !filter.patterns.some((pat) => new RegExp(`^${pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(u.spec.name))
      )
        return false;
      return true;
    })
    .map((u) => {
      const p = u.at(now);
      return { name: u.spec.name, load: 'loaded', active: p.active, sub: p.sub, desc: u.spec.description };
    });
  const w = (k: 'name' | 'active' | 'sub', min: number): number => Math.max(min, ...rows.map((r) => r[k].length));
  const wn = w('name', 4);
  const wa = w('active', 6);
  const ws = w('sub', 3);
  let out = `${'UNIT'.padEnd(wn)} LOAD   ${'ACTIVE'.padEnd(wa)} ${'SUB'.padEnd(ws)} DESCRIPTION\n`;
  for (const r of rows) out += `${r.name.padEnd(wn)} ${r.load.padEnd(6)} ${r.active.padEnd(wa)} ${r.sub.padEnd(ws)} ${r.desc}\n`;
  out +=
    '\nLOAD   = Reflects whether the unit definition was properly loaded.\nACTIVE = The high-level unit activation state, i.e. generalization of SUB.\nSUB    = The low-level unit activation state, values depend on unit type.\n\n';
  out += `${rows.length} loaded units listed.${all ? '' : ' Pass --all to see loaded but inactive units, too.'}\nTo show all installed unit files use 'systemctl list-unit-files'.\n`;
  return out;
}

const systemctl: Program = async (ctx) => {
  const host = simHost(ctx);
  const st = host.node;
  const now = host.clock.now();
  const args = ctx.argv.slice(1);
  const flags = args.filter((a) => a.startsWith('-'));
  const words = args.filter((a, i) => !a.startsWith('-') && !['-p', '-n', '-t'].includes(args[i - 1] ?? ''));
  if (flags.includes('--version')) {
    ctx.io.stdout.write(SYSTEMD_VERSION);
    return 0;
  }
  const quiet = flags.includes('-q') || flags.includes('--quiet');
  const all = flags.includes('--all') || flags.includes('-a');
  const typeFlag = flags.find((f) => f.startsWith('--type='))?.slice(7) ?? (args.includes('-t') ? args[args.indexOf('-t') + 1] : undefined);
  const stateFlag = flags.find((f) => f.startsWith('--state='))?.slice(8);
  const unknownFlag = flags.find(
    (f) =>
      !/^(-q|--quiet|--all|-a|--no-pager|--no-legend|-l|--full|--type=.*|--state=.*|-t|-p|--property=.*|-n|--lines=.*|--failed|--plain|--no-block|--now)$/.test(
        f,
      ),
  );
  if (unknownFlag) {
    ctx.io.stderr.write(`systemctl: unrecognized option '${unknownFlag}'\n`);
    return 1;
  }
  const verb = words[0] ?? 'list-units';
  const units = words.slice(1).map(unitName);
  const needRoot = (action: string): boolean => {
    if (ctx.sh.user === 'root') return false;
    const u = units[0] ?? '';
    ctx.io.stderr.write(
      `Failed to ${action} ${u}: Interactive authentication required.\nSee system logs and 'systemctl status ${u}' for details.\n`,
    );
    return true;
  };
  switch (verb) {
    case 'list-units': {
      let out = listUnits(st, now, all, {
        ...(typeFlag ? { type: typeFlag } : {}),
        ...(flags.includes('--failed') ? { state: 'failed' } : stateFlag ? { state: stateFlag } : {}),
        patterns: units.map((u) => u.replace(/\.service$/, '')).map((u) => (u.includes('.') || u.includes('*') ? u : `${u}.service`)),
      });
      if (flags.includes('--no-legend'))
        out =
          out
            .split('\n')
            .slice(1)
            .filter((l) => /\.(service|socket|timer)/.test(l))
            .join('\n') + '\n';
      ctx.io.stdout.write(out);
      return 0;
    }
    case 'list-unit-files': {
      for (const u of st.units.values()) ctx.io.stdout.write(`${u.spec.name.padEnd(44)} enabled\n`);
      ctx.io.stdout.write(`\n${st.units.size} unit files listed.\n`);
      return 0;
    }
    case 'is-active':
    case 'is-failed': {
      // A unit crash-looping under Restart= shows as activating, as systemd reports it.
      const states = units.map((name) => {
        const p = st.unit(name)?.at(now);
        return !p ? 'unknown' : p.sub === 'auto-restart' ? 'activating' : p.active;
      });
      if (!quiet) for (const state of states) ctx.io.stdout.write(`${state}\n`);
      if (verb === 'is-active') return states.length > 0 && states.every((x) => x === 'active') ? 0 : 3;
      return states.some((x) => x === 'failed') ? 0 : 1;
    }
    case 'is-enabled': {
      const ok = units.every((n) => st.unit(n));
      for (const n of units) if (!quiet) ctx.io.stdout.write(st.unit(n) ? 'enabled\n' : '');
      if (!ok) ctx.io.stderr.write(`Failed to get unit file state for ${units.find((n) => !st.unit(n))}: No such file or directory\n`);
      return ok ? 0 : 1;
    }
    case 'status': {
      if (units.length === 0) {
        ctx.io.stdout.write(
          `\u25cf ${st.info.hostname}\n    State: running\n     Jobs: 0 queued\n   Failed: 0 units\n    Since: ${longTime(now - 8 * 86_400_000)}; 1 weeks 0 days ago\n   CGroup: /\n`,
        );
        return 0;
      }
      const linesArg =
        flags.find((f) => f.startsWith('--lines='))?.slice(8) ?? (args.includes('-n') ? args[args.indexOf('-n') + 1] : undefined);
      let status = 0;
      for (const name of units) {
        const unit = st.unit(name);
        if (!unit) {
          ctx.io.stderr.write(`Unit ${name} could not be found.\n`);
          status = 4;
          continue;
        }
        ctx.io.stdout.write(statusText(st, unit, now, Number(linesArg ?? 10)));
        if (unit.at(now).active !== 'active' && status === 0) status = 3;
      }
      return status;
    }
    case 'show': {
      const props = [
        ...flags.filter((f) => f.startsWith('--property=')).map((f) => f.slice(11)),
        ...(args.includes('-p') ? [args[args.indexOf('-p') + 1] ?? ''] : []),
      ].flatMap((p) => p.split(','));
      for (const name of units) {
        const unit = st.unit(name);
        const p = unit?.at(now);
        const values: Record<string, string> = {
          Id: name,
          ActiveState: p ? (p.sub === 'auto-restart' ? 'activating' : p.active) : 'inactive',
          SubState: p?.sub ?? 'dead',
          LoadState: unit ? 'loaded' : 'not-found',
          MainPID: String(p?.pid ?? 0),
          ActiveEnterTimestamp: unit ? longTime(unit.since(now)).replace(/^(\w+) /, '$1 ') : '',
          Description: unit?.spec.description ?? name,
        };
        for (const k of props.length > 0 ? props : Object.keys(values)) ctx.io.stdout.write(`${k}=${values[k] ?? ''}\n`);
      }
      return 0;
    }
    case 'cat': {
      for (const name of units) {
        const unit = st.unit(name);
        if (!unit) {
          ctx.io.stderr.write(`No files found for ${name}.\n`);
          return 1;
        }
        ctx.io.stdout.write(
          `# ${unitFile(unit)}\n[Unit]\nDescription=${unit.spec.description}\n\n[Service]\nRestart=always\nStartLimitInterval=0\nRestartSec=5\nEnvironmentFile=/opt/mesosphere/environment\nExecStart=${unit.spec.exec ?? `/opt/mesosphere/bin/${unit.spec.ident}`}\n`,
        );
      }
      return 0;
    }
    case 'start':
    case 'stop':
    case 'restart':
    case 'try-restart':
    case 'reload-or-restart':
    case 'reload': {
      if (units.length === 0) {
        ctx.io.stderr.write(`Too few arguments.\n`);
        return 1;
      }
      if (needRoot(verb)) return 1;
      for (const name of units) {
        if (!st.unit(name)) {
          ctx.io.stderr.write(`Failed to ${verb} ${name}: Unit not found.\n`);
          return 5;
        }
      }
      for (const name of units) {
        if (verb === 'start') host.model.startUnit(st, name, now);
        else if (verb === 'stop') host.model.stopUnit(st, name, now);
        else host.model.restartUnit(st, name, now);
      }
      // systemctl waits for the job (the unit has begun starting) unless told --no-block.
      if (!flags.includes('--no-block')) await host.clock.sleep(verb === 'stop' ? 500 : 1200, ctx.signal);
      return 0;
    }
    case 'daemon-reload':
    case 'reset-failed':
      if (ctx.sh.user !== 'root') {
        ctx.io.stderr.write('Failed to execute operation: Interactive authentication required.\n');
        return 1;
      }
      return 0;
    case 'enable':
    case 'disable':
      if (needRoot(verb)) return 1;
      return 0;
    default:
      ctx.io.stderr.write(`Unknown operation '${verb}'.\n`);
      return 1;
  }
};

/** --since / --until: absolute times, "today", "yesterday", "N min ago", "-1h". */
export function parseJournalTime(text: string, now: number): number | null {
  const t = text.trim();
  if (t === 'now') return now;
  const day = Math.floor(now / 86_400_000) * 86_400_000;
  if (t === 'today') return day;
  if (t === 'yesterday') return day - 86_400_000;
  if (t === 'tomorrow') return day + 86_400_000;
  const units: Record<string, number> = {
    s: 1000,
    sec: 1000,
    second: 1000,
    m: 60_000,
    min: 60_000,
    minute: 60_000,
    h: 3_600_000,
    hour: 3_600_000,
    d: 86_400_000,
    day: 86_400_000,
    w: 604_800_000,
    week: 604_800_000,
  };
  const rel = /^(?:-\s*)?(\d+)\s*(s|sec|second|m|min|minute|h|hour|d|day|w|week)s?(\s+ago)?$/.exec(t);
  if (rel && (t.startsWith('-') || rel[3])) return now - Number(rel[1]) * (units[rel[2] as string] ?? 0);
  const abs = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(:\d{2})?)?$/.exec(t);
  if (abs) return Date.parse(`${abs[1]}T${abs[2] ?? '00:00'}${abs[3] ?? ':00'}Z`);
  const clock = /^(\d{2}:\d{2})(:\d{2})?$/.exec(t);
  if (clock) return Date.parse(`${new Date(day).toISOString().slice(0, 10)}T${clock[1]}${clock[2] ?? ':00'}Z`);
  return null;
}

const journalctl: Program = async (ctx) => {
  const host = simHost(ctx);
  const st = host.node;
  const clock = host.clock;
  const args = ctx.argv.slice(1);
  const units: string[] = [];
  let lines: number | null = null;
  let follow = false;
  let since: number | null = null;
  let until: number | null = null;
  let format: 'short' | 'short-iso' | 'cat' | 'short-precise' = 'short';
  let reverse = false;
  let quiet = false;
  const now = clock.now();
  const take = (i: number, a: string): [string | undefined, number] => {
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq >= 0) return [a.slice(eq + 1), i];
    if (!a.startsWith('--') && a.length > 2) return [a.slice(2), i];
    return [args[i + 1], i + 1];
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '-f' || a === '--follow') follow = true;
    else if (
      a === '--no-pager' ||
      a === '-a' ||
      a === '--all' ||
      a === '-l' ||
      a === '--full' ||
      a === '-x' ||
      a === '--catalog' ||
      a === '-b' ||
      a === '--boot' ||
      a === '--no-tail' ||
      a === '--utc'
    )
      continue;
    else if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-r' || a === '--reverse') reverse = true;
    else if (a === '-e' || a === '--pager-end') lines = lines ?? 1000;
    else if (a === '-n' || a === '--lines' || a.startsWith('--lines=') || /^-n\d+$/.test(a)) {
      if (a === '-n' || a === '--lines') {
        const next = args[i + 1];
        if (next !== undefined && /^\d+$/.test(next)) {
          lines = Number(next);
          i++;
        } else lines = 10;
      } else lines = Number(a.replace(/^(-n|--lines=)/, ''));
    } else if (a === '-u' || a.startsWith('-u') || a === '--unit' || a.startsWith('--unit=')) {
      const [v, j] = take(i, a);
      i = j;
      if (v === undefined) {
        ctx.io.stderr.write("journalctl: option requires an argument -- 'u'\n");
        return 1;
      }
      units.push(unitName(v));
    } else if (a === '--since' || a.startsWith('--since=') || a === '-S' || a === '--until' || a.startsWith('--until=') || a === '-U') {
      const [v, j] = take(i, a);
      i = j;
      const parsed = v === undefined ? null : parseJournalTime(v, now);
      if (parsed === null) {
        ctx.io.stderr.write(`Failed to parse timestamp: ${v ?? ''}\n`);
        return 1;
      }
      if (a.startsWith('--since') || a === '-S') since = parsed;
      else until = parsed;
    } else if (a === '-o' || a.startsWith('--output')) {
      const [v, j] = take(i, a);
      i = j;
      if (v !== 'short' && v !== 'short-iso' && v !== 'cat' && v !== 'short-precise') {
        ctx.io.stderr.write(`Unknown output format '${v ?? ''}'.\n`);
        return 1;
      }
      format = v;
    } else if (a.startsWith('-')) {
      ctx.io.stderr.write(`journalctl: unrecognized option '${a}'\n`);
      return 1;
    } else if (/^_?[A-Z_]+=/.test(a)) continue;
    else {
      ctx.io.stderr.write(`Failed to add match '${a}': Invalid argument\n`);
      return 1;
    }
  }
  // Unit globs (dcos-*) match the node's units.
  const expanded = units.flatMap((u) => {
    if (!u.includes('*')) return [u];
    const re = new RegExp(`^${u.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    return [...st.units.keys()].filter((n) => re.test(n));
  });
  const filter = units.length > 0 && expanded.length === 0 ? ['\u0000none'] : expanded;
  const first = st.journal.read([], 0, now)[0]?.at ?? now;
  const from = since ?? 0;
  const to = Math.min(until ?? now, now);
  let entries: JournalEntry[] = st.journal.read(filter, from, to);
  if (follow && lines === null) lines = 10;
  if (lines !== null) entries = entries.slice(Math.max(0, entries.length - lines));
  if (reverse) entries.reverse();
  const last = st.journal.read([], 0, now).at(-1)?.at ?? now;
  if (!quiet)
    ctx.io.stdout.write(
      follow ? `-- Logs begin at ${longTime(first)}. --\n` : `-- Logs begin at ${longTime(first)}, end at ${longTime(last)}. --\n`,
    );
  const print = (list: JournalEntry[]): void => {
    if (list.length === 0) return;
    ctx.io.stdout.write(`${list.map((e) => formatEntry(e, st.info.hostname, format)).join('\n')}\n`);
  };
  if (entries.length === 0 && !follow) {
    if (!quiet) ctx.io.stdout.write('-- No entries --\n');
    return 0;
  }
  print(entries);
  if (!follow) return 0;
  // Follow: print what the journal gains as simulated time passes, until the channel closes.
  let cursor = now;
  for (;;) {
    if (ctx.io.stdout.closed) return 0;
    const next = st.journal.nextAfter(filter, cursor);
    const wait = next === undefined ? 5000 : Math.max(1, Math.min(next - clock.now(), 5000));
    await waitForJournal(st, clock, wait, ctx.signal);
    const t = clock.now();
    print(st.journal.read(filter, cursor + 1, t));
    cursor = t;
  }
};

/** Sleeps on the simulated clock until `ms` pass or the journal gains an entry. */
function waitForJournal(st: NodeState, clock: ProgramContext['sh']['host']['clock'], ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      unsubscribe();
      cancel();
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => finish(new AbortedError());
    const unsubscribe = st.journal.subscribe(() => {
      // New entries may be in the future; wake only to re-plan.
      setImmediate(() => finish());
    });
    const cancel = clock.at(clock.now() + ms, () => finish());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

export const systemdPrograms: [string, Program][] = [
  ['systemctl', systemctl],
  ['journalctl', journalctl],
];
