// Ansible host patterns: `agent[01:20].example.com`, `node[a:c]`, `web[1:10:2]`, several
// ranges in one name, and `host:port`. Bounded, because a range is a multiplication.

/** The most hosts one inventory may name (far above any DC/OS cluster). */
export const MAX_HOSTS = 10_000;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

type Range = { values: string[] } | { problem: string };

function range(spec: string): Range {
  const m = /^([^:\]]*):([^:\]]*)(?::([^:\]]*))?$/.exec(spec);
  if (!m) return { problem: `[${spec}] is not a range; write [start:end] or [start:end:step]` };
  const begin = m[1] === '' ? '0' : m[1]!;
  const end = m[2]!;
  const step = m[3] === undefined || m[3] === '' ? 1 : Number(m[3]);
  if (end === '') return { problem: `the range [${spec}] has no end` };
  if (!Number.isInteger(step) || step < 1) return { problem: `the range [${spec}] has a step that is not a whole number above 0` };
  if (/^[A-Za-z]$/.test(begin) && /^[A-Za-z]$/.test(end)) {
    const b = LETTERS.indexOf(begin);
    const e = LETTERS.indexOf(end);
    if (b > e) return { problem: `the range [${spec}] runs backwards` };
    const values: string[] = [];
    for (let i = b; i <= e; i += step) values.push(LETTERS[i]!);
    return { values };
  }
  if (!/^\d+$/.test(begin) || !/^\d+$/.test(end)) return { problem: `the range [${spec}] must run between two numbers or two letters` };
  const pad = begin.length > 1 && begin.startsWith('0');
  if (pad && begin.length !== end.length)
    return { problem: `the range [${spec}] pads with zeros, so its start and end need as many digits` };
  const b = Number(begin);
  const e = Number(end);
  if (b > e) return { problem: `the range [${spec}] runs backwards` };
  const count = Math.floor((e - b) / step) + 1;
  if (count > MAX_HOSTS) return { problem: `the range [${spec}] names ${count} hosts; at most ${MAX_HOSTS} are accepted` };
  const values: string[] = [];
  for (let i = b; i <= e; i += step) values.push(pad ? String(i).padStart(begin.length, '0') : String(i));
  return { values };
}

/** Host names of a pattern, or what is wrong with it. `limit` bounds the count. */
export function expandHostPattern(pattern: string, limit = MAX_HOSTS): { hosts: string[] } | { problem: string } {
  const parts: (string | string[])[] = [];
  let rest = pattern;
  let count = 1;
  for (;;) {
    const open = rest.indexOf('[');
    if (open === -1) break;
    const close = rest.indexOf(']', open);
    if (close === -1) return { problem: `${pattern}: a "[" is not closed` };
    const r = range(rest.slice(open + 1, close));
    if ('problem' in r) return r;
    count *= r.values.length;
    if (count > limit) return { problem: `the pattern ${pattern} names more than ${limit} hosts` };
    parts.push(rest.slice(0, open), r.values);
    rest = rest.slice(close + 1);
  }
  parts.push(rest);
  let hosts = [''];
  for (const part of parts) {
    if (typeof part === 'string') hosts = hosts.map((h) => h + part);
    else hosts = hosts.flatMap((h) => part.map((v) => h + v));
  }
  return { hosts };
}

/**
 * Splits a trailing `:port` off a host pattern, as Ansible does: `host:2222`, `[::1]:22`,
 * `agent[01:20]:2222`. Colons inside a range do not count; a bare IPv6 address has no port.
 */
export function splitHostPort(pattern: string): { host: string; port?: string } {
  const bracketed = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\](?::(\d*))?$/.exec(pattern);
  if (bracketed && (bracketed[1]!.includes('::') || bracketed[1]!.split(':').length > 3)) {
    return { host: bracketed[1]!, ...(bracketed[2] !== undefined ? { port: bracketed[2] } : {}) };
  }
  const outside = pattern.replace(/\[[^\]]*\]/g, (r) => '_'.repeat(r.length));
  const colons = outside.split(':').length - 1;
  if (colons !== 1) return { host: pattern };
  const at = outside.lastIndexOf(':');
  return { host: pattern.slice(0, at), port: pattern.slice(at + 1) };
}
