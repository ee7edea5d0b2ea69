import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { LIST_SESSION_CHILDREN, choosePidsToKill, killCommand, parseSessionChildren } from '../../src/transport/ssh-reaper.js';

const run = promisify(execFile);

describe('finding a stopped command among the session children', () => {
  it('kills the child whose age matches the stopped channel and no live one', () => {
    const children = [
      { pid: 10, ageMs: 30_050 }, // live, opened 30 s ago
      { pid: 11, ageMs: 5_020 }, // the stopped one, opened 5 s ago
      { pid: 12, ageMs: 1_010 }, // live, opened 1 s ago
    ];
    expect(choosePidsToKill(children, [30_000, 1_000], 5_000)).toEqual({ kill: [11], confirmed: true });
  });
  it('kills nothing when the command is already gone', () => {
    expect(choosePidsToKill([{ pid: 10, ageMs: 30_050 }], [30_000], 5_000)).toEqual({ kill: [], confirmed: true });
  });
  it('does not kill a live command whose age is far from the stopped one', () => {
    expect(choosePidsToKill([{ pid: 10, ageMs: 60_000 }], [], 5_000)).toEqual({ kill: [], confirmed: true });
  });
  it('refuses to guess between channels opened at nearly the same time', () => {
    const children = [
      { pid: 10, ageMs: 5_010 },
      { pid: 11, ageMs: 5_060 },
    ];
    expect(choosePidsToKill(children, [5_050], 5_000)).toEqual({ kill: [], confirmed: false });
  });
  it('lets each live channel claim the nearest child', () => {
    const children = [
      { pid: 1, ageMs: 2_900 },
      { pid: 2, ageMs: 2_100 },
    ];
    // Live channel 3 s old, stopped one 2 s old: pid 2 is the stopped one.
    expect(choosePidsToKill(children, [3_000], 2_000)).toEqual({ kill: [2], confirmed: true });
  });
  it('builds a kill command for the process groups and the processes', () => {
    expect(killCommand([42, 43])).toBe('kill -KILL -- -42 -43 2>/dev/null; kill -KILL 42 43 2>/dev/null; true');
  });
});

describe('the session lister', () => {
  it('runs under dash and lists the children of its parent with their ages', async () => {
    // Here the parent is a shell that started two sleeps and then the lister.
    const script = `sleep 3 & sleep 3 & /bin/sh -c '${LIST_SESSION_CHILDREN.replace(/'/g, `'\\''`)}'; kill $(jobs -p) 2>/dev/null; wait`;
    const { stdout } = await run('/bin/dash', ['-c', script], { timeout: 10_000 });
    const children = parseSessionChildren(stdout);
    expect(children).toBeDefined();
    // The two sleeps; not the lister itself.
    expect(children!.length).toBe(2);
    for (const c of children!) expect(c.ageMs).toBeLessThan(3000);
  });
  it('reads nothing from output that is not its own', () => {
    expect(parseSessionChildren('sh: /proc/uptime: No such file')).toBeUndefined();
  });
});
