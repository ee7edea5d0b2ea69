// What may stand where a host is expected: a DNS name, an IPv4 address or an IPv6 address.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// Underscores are not valid in DNS names but common in inventories (and ssh accepts them).
const LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;

export function isIpv6(text: string): boolean {
  const m = /^([0-9A-Fa-f:.]+)(%[A-Za-z0-9_.-]+)?$/.exec(text);
  if (!m || !m[1]!.includes(':')) return false;
  const body = m[1]!;
  if ((body.match(/::/g) ?? []).length > 1) return false;
  const groups = body.split(':');
  const last = groups.at(-1)!;
  const v4 = last.includes('.');
  if (v4 && !IPV4.test(last)) return false;
  const hex = v4 ? groups.slice(0, -1) : groups;
  if (!hex.every((g) => g === '' || /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  const count = hex.filter((g) => g !== '').length + (v4 ? 2 : 0);
  return body.includes('::') ? count < 8 : count === 8;
}

export function isHostName(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  const labels = (text.endsWith('.') ? text.slice(0, -1) : text).split('.');
  return labels.every((l) => LABEL.test(l));
}

/** A host name or an IP address ssh could connect to. */
export const isAddress = (text: string): boolean => IPV4.test(text) || isIpv6(text) || isHostName(text);

/** Why text cannot be an address, for messages; undefined when it can. */
export function addressHint(text: string): string | undefined {
  if (isAddress(text)) return undefined;
  if (/\s/.test(text)) return 'it contains spaces';
  if (/^[^:]+:\d+$/.test(text)) return 'put the port in its own field, not after a colon';
  if (text.includes('@')) return 'put the user in its own field, not before an @';
  if (text.startsWith('-')) return 'it starts with "-"';
  return undefined;
}

/** A user name ssh can log in with. */
export const isUserName = (text: string): boolean => /^[A-Za-z0-9._][A-Za-z0-9._@$\\-]*$/.test(text) && text.length <= 256;

/** Jump hosts one behind the other that a connection follows (the SSH transport's limit too). */
export const MAX_JUMP_HOPS = 8;

/** A jump host written as [user@]host[:port] (host may be [ipv6]). */
export function parseJumpTarget(text: string): { user?: string; host: string; port?: number } | undefined {
  const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^@:[\]]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m) return undefined;
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  if (!isAddress(host)) return undefined;
  if (m[1] !== undefined && !isUserName(m[1])) return undefined;
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  return { ...(m[1] !== undefined ? { user: m[1] } : {}), host, ...(port !== undefined ? { port } : {}) };
}

/** The inverse of parseJumpTarget. */
export function formatJumpTarget(t: { user?: string; host: string; port?: number }): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  return `${t.user ? `${t.user}@` : ''}${host}${t.port !== undefined ? `:${t.port}` : ''}`;
}
