// Small helpers for the sentences transports put in ExecResult.message.

/** 1500 -> "1.5 s", 90000 -> "1 min 30 s", 250 -> "250 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) {
    const s = ms / 1000;
    return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
  }
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${min} min ${s} s` : `${min} min`;
}

/** "host" for port 22, "host port 2222" otherwise: how OpenSSH names a destination in messages. */
export function describeEndpoint(host: string, port: number): string {
  return port === 22 ? host : `${host} port ${port}`;
}

/** What a command that was never started says: nothing of it ran, and why. */
export function notStartedMessage(node: string, why: string): string {
  return `The command on ${node} was not started: ${why}.`;
}
