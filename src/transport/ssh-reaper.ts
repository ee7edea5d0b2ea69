// Stopping a remote command for sure. sshd runs each command in a new session (setsid), so its
// process group is the command and everything it started. A `signal` channel request makes
// OpenSSH (7.9 and later) kill that group, but OpenSSH refuses it for root logins ("session
// signalling requires privilege separation"), older servers ignore it, and closing the channel
// does not stop a process that does not write (sshd only closes its pipes).
//
// So after a stop we look from a second channel on the same connection: the shells of this
// connection's commands are the children of one sshd process (the parent of our own shell).
// Each child's age is matched against the age of the channels still open; a child that belongs
// to none of them but matches the stopped channel's age is the stopped command, and its whole
// process group is killed. When the ages are too close to tell apart, nothing is killed and the
// result says the remote process may still be running. Linux (/proc) only; elsewhere we rely
// on the signal request alone.

/** A child of the session's sshd process, as the remote side reported it. */
export interface RemoteChild {
  pid: number;
  /** How long ago it started, by the remote clock. */
  ageMs: number;
}

/** Lists the children of our sshd parent with their ages. POSIX sh; run through `exec /bin/sh -c`. */
export const LIST_SESSION_CHILDREN = [
  'hz=$(getconf CLK_TCK 2>/dev/null || echo 100)',
  'read -r up _ < /proc/uptime || exit 3',
  'for d in /proc/[0-9]*; do',
  '  p=${d#/proc/}',
  '  [ "$p" = "$$" ] && continue',
  '  read -r s 2>/dev/null < "$d/stat" || continue',
  '  r=${s##*) }',
  '  set -- $r',
  '  [ "$2" = "$PPID" ] && echo "child $p ${20}"',
  'done',
  'echo "clock $up $hz"',
].join('\n');

/** The command string that runs LIST_SESSION_CHILDREN under the user's login shell. */
export const listSessionChildrenCommand = (): string => `exec /bin/sh -c '${LIST_SESSION_CHILDREN.replace(/'/g, `'\\''`)}'`;

/** Reads the lister's output; undefined when it is not what the script prints (not Linux...). */
export function parseSessionChildren(output: string): RemoteChild[] | undefined {
  const clock = /^clock (\d+(?:\.\d+)?) (\d+)$/m.exec(output);
  if (!clock) return undefined;
  const uptime = Number(clock[1]);
  const hz = Number(clock[2]) || 100;
  const children: RemoteChild[] = [];
  for (const m of output.matchAll(/^child (\d+) (\d+)$/gm)) {
    children.push({ pid: Number(m[1]), ageMs: Math.max(0, (uptime - Number(m[2]) / hz) * 1000) });
  }
  return children;
}

/** How far a command's start may lag behind its channel being opened. */
const MATCH_MS = 1500;
/** Channels opened closer together than this cannot be told apart by age. */
const AMBIGUOUS_MS = 250;

/**
 * Which children to kill: those that match the stopped channel's age and are not claimed by a
 * channel still open. `confirmed` is false when the stopped one cannot be told from a live one.
 */
export function choosePidsToKill(
  children: readonly RemoteChild[],
  liveAgesMs: readonly number[],
  stoppedAgeMs: number,
): { kill: number[]; confirmed: boolean } {
  if (liveAgesMs.some((a) => Math.abs(a - stoppedAgeMs) < AMBIGUOUS_MS)) {
    const near = children.some((c) => Math.abs(c.ageMs - stoppedAgeMs) < MATCH_MS);
    return { kill: [], confirmed: !near };
  }
  // Each live channel claims the child nearest its age, nearest pairs first.
  const pairs: { child: number; live: number; d: number }[] = [];
  children.forEach((c, ci) =>
    liveAgesMs.forEach((a, li) => {
      const d = Math.abs(c.ageMs - a);
      if (d < MATCH_MS) pairs.push({ child: ci, live: li, d });
    }),
  );
  pairs.sort((x, y) => x.d - y.d);
  const claimedChild = new Set<number>();
  const claimedLive = new Set<number>();
  for (const p of pairs) {
    if (claimedChild.has(p.child) || claimedLive.has(p.live)) continue;
    claimedChild.add(p.child);
    claimedLive.add(p.live);
  }
  const kill = children.filter((c, i) => !claimedChild.has(i) && Math.abs(c.ageMs - stoppedAgeMs) < MATCH_MS).map((c) => c.pid);
  return { kill, confirmed: true };
}

/** Kills the process groups (and the processes, should one not lead a group). */
export const killCommand = (pids: readonly number[]): string => {
  const list = pids.map((p) => String(Math.trunc(p))).join(' ');
  const groups = pids.map((p) => `-${Math.trunc(p)}`).join(' ');
  return `kill -KILL -- ${groups} 2>/dev/null; kill -KILL ${list} 2>/dev/null; true`;
};
