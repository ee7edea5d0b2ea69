// journald for one node. Entries may be written ahead with future timestamps (a planned start
// logs its lines when simulated time reaches them) and repeating lines (a retry loop, a crash
// loop) are emitters expanded only when read, so no timer runs for them.

export interface JournalEntry {
  at: number;
  /** The unit the entry belongs to (journalctl -u), e.g. dcos-mesos-master.service. */
  unit: string;
  /** SYSLOG_IDENTIFIER, e.g. mesos-master or systemd. */
  ident: string;
  pid: number;
  message: string;
  /** Lets a planned line be withdrawn when what it announces no longer happens. */
  tag?: string;
}

/** A line repeated every `every` ms from `from` until `until` (exclusive; Infinity = for ever). */
export interface Emitter {
  unit: string;
  ident: string;
  pid: number;
  from: number;
  every: number;
  until: number;
  /** The lines for the n-th repetition at time `at` (may be several lines). */
  lines: (at: number, n: number) => string[];
}

export class Journal {
  private entries: JournalEntry[] = [];
  private emitters: Emitter[] = [];
  /** Readers waiting for new lines (journalctl -f). */
  private listeners = new Set<() => void>();
  private written = 0;

  add(entry: JournalEntry): void {
    // Entries mostly arrive in time order: insert from the end.
    let i = this.entries.length;
    while (i > 0 && (this.entries[i - 1] as JournalEntry).at > entry.at) i--;
    this.entries.splice(i, 0, entry);
    this.written++;
    this.notify();
  }

  /**
   * For a snapshot: every line up to `t` as an entry (emitters expanded), the planned lines after
   * it, and the emitters still running at `t` without their line function (a closure of the model).
   */
  dump(t: number): { entries: JournalEntry[]; emitters: Omit<Emitter, 'lines'>[] } {
    const entries = [...this.entries];
    for (const em of this.emitters) {
      for (let n = 0; ; n++) {
        const at = em.from + n * em.every;
        if (at > t || at >= em.until) break;
        for (const message of em.lines(at, n)) entries.push({ at, unit: em.unit, ident: em.ident, pid: em.pid, message });
      }
    }
    entries.sort((a, b) => a.at - b.at);
    const emitters = this.emitters
      .filter((em) => em.until > t)
      .map(({ lines: _lines, ...rest }) => ({ ...rest, until: rest.until === Infinity ? -1 : rest.until }));
    return { entries, emitters };
  }

  /**
   * How many times the journal was written (a line, an emitter, a withdrawal, a restore): the same
   * count means nothing was logged since (a snapshot leaves out a node that only logged what its
   * seed plans). A count, not the lines: a snapshot of 2,006 nodes compares them all.
   */
  writes(): number {
    return this.written;
  }

  /**
   * Restores a dump over the journal as the model rebuilt it: the dump's entries replace its
   * entries; a rebuilt emitter the dump still has goes on after `t` (its lines up to `t` are
   * entries now), one the dump no longer has is dropped. Emitters the dump has and the rebuild
   * not (a program's retry loop) cannot be rebuilt: their lines stop at `t`.
   */
  load(dump: { entries: JournalEntry[]; emitters: Omit<Emitter, 'lines'>[] }, t: number): void {
    this.entries = [...dump.entries];
    this.written++;
    const same = (a: Omit<Emitter, 'lines'>, b: Emitter) =>
      a.unit === b.unit && a.ident === b.ident && a.pid === b.pid && a.from === b.from && a.every === b.every;
    const kept: Emitter[] = [];
    for (const em of this.emitters) {
      const saved = dump.emitters.find((d) => same(d, em));
      if (!saved) continue;
      // Past t only: the lines before are entries already. n restarts, so it is shifted back in.
      const skip = Math.max(0, Math.floor((t - em.from) / em.every) + 1);
      const lines = em.lines;
      kept.push({
        ...em,
        from: em.from + skip * em.every,
        until: saved.until === -1 ? Infinity : saved.until,
        lines: (at, n) => lines(at, n + skip),
      });
    }
    this.emitters = kept.filter((em) => em.until > em.from);
    this.notify();
  }

  emit(emitter: Emitter): void {
    this.emitters.push(emitter);
    this.written++;
    this.notify();
  }

  /** Drops what a unit would still have logged after `at` (the unit was stopped or restarted). */
  cancelAfter(unit: string, at: number): void {
    this.entries = this.entries.filter((e) => e.unit !== unit || e.at <= at);
    this.written++;
    for (const em of this.emitters) if (em.unit === unit && em.until > at) em.until = Math.max(em.from, at + 1);
    this.emitters = this.emitters.filter((em) => em.until > em.from);
  }

  /** Withdraws planned entries with this tag that are still in the future. */
  cancelTag(tag: string, after: number): void {
    this.entries = this.entries.filter((e) => e.tag !== tag || e.at <= after);
    this.written++;
  }

  /** Entries of the given units (all when empty) with from <= at <= to, in time order. */
  read(units: readonly string[], from: number, to: number): JournalEntry[] {
    const want = (u: string): boolean => units.length === 0 || units.includes(u);
    const out = this.entries.filter((e) => want(e.unit) && e.at >= from && e.at <= to);
    for (const em of this.emitters) {
      if (!want(em.unit)) continue;
      const first = Math.max(0, Math.ceil((from - em.from) / em.every));
      for (let n = first; ; n++) {
        const at = em.from + n * em.every;
        if (at > to || at >= em.until) break;
        for (const message of em.lines(at, n)) out.push({ at, unit: em.unit, ident: em.ident, pid: em.pid, message });
        if (out.length > 200_000) break;
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }

  /** The time of the next entry after `at` (for a follower's next wake-up), or undefined. */
  nextAfter(units: readonly string[], at: number): number | undefined {
    const want = (u: string): boolean => units.length === 0 || units.includes(u);
    let best: number | undefined;
    for (const e of this.entries) {
      if (e.at > at && want(e.unit)) {
        best = e.at;
        break;
      }
    }
    for (const em of this.emitters) {
      if (!want(em.unit)) continue;
      const n = Math.max(0, Math.floor((at - em.from) / em.every) + 1);
      const next = em.from + n * em.every;
      if (next < em.until && (best === undefined || next < best)) best = next;
    }
    return best;
  }

  first(): number | undefined {
    return this.entries[0]?.at;
  }

  /** Called whenever entries are added, so followers can re-plan their wake-up. */
  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private notify(): void {
    for (const fn of this.listeners) fn();
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** "Mar 08 13:56:01" */
export function shortTime(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
}

/** "Thu 2018-03-08 13:56:01 UTC" */
export function longTime(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${isoDate(ms)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC`;
}

/** "2018-03-08" */
export function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
}

/** "2018-03-08 13:56:01" */
export function sqlTime(ms: number): string {
  return `${isoDate(ms)} ${new Date(ms).toISOString().slice(11, 19)}`;
}

/** glog's prefix: "I0308 13:56:01.123456  4402 " (severity, date, time, thread id). */
export function glog(severity: 'I' | 'W' | 'E' | 'F', at: number, tid: number, where: string, message: string): string {
  const d = new Date(at);
  const micros = String((at % 1000) * 1000 + (tid % 997)).padStart(6, '0');
  return `${severity}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${micros} ${String(tid).padStart(5)} ${where}] ${message}`;
}

/** How journalctl prints an entry in its default (short) format. */
export function formatEntry(e: JournalEntry, hostname: string, format: 'short' | 'short-iso' | 'cat' | 'short-precise' = 'short'): string {
  if (format === 'cat') return e.message;
  const who = `${hostname} ${e.ident}[${e.pid}]: ${e.message}`;
  if (format === 'short-iso') return `${new Date(e.at).toISOString().slice(0, 19)}+0000 ${who}`;
  if (format === 'short-precise') return `${shortTime(e.at)}.${String((e.at % 1000) * 1000).padStart(6, '0')} ${who}`;
  return `${shortTime(e.at)} ${who}`;
}
