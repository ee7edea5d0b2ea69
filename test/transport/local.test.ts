import { afterEach, describe, expect, it } from 'vitest';
import type { InventoryNode } from '../../src/inventory/types.js';
import { createLocalTransport } from '../../src/transport/local.js';
import type { OutputLine, Transport } from '../../src/transport/types.js';
import { processesWith, waitUntil } from '../helpers/real-shell.js';

const node: InventoryNode = { name: 'local', address: 'localhost', ip: '127.0.0.1', roles: [], vars: {} };

const transports: Transport[] = [];
const make = (...args: Parameters<typeof createLocalTransport>): Transport => {
  const t = createLocalTransport(...args);
  transports.push(t);
  return t;
};
const markers: string[] = [];
/** A unique `sleep` argument; whatever still runs it is killed after the test, pass or fail. */
const newMarker = (): string => {
  const m = `${100 + markers.length}.${process.pid}${Math.floor(Math.random() * 1000)}`;
  markers.push(m);
  return m;
};
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  for (const m of markers.splice(0)) for (const pid of processesWith(`sleep ${m}`)) process.kill(pid, 'SIGKILL');
});

describe('local transport', () => {
  it.each([0, 1, 42])('reports exit status %i as data', async (code) => {
    const r = await make().exec(node, `exit ${code}`);
    expect(r.exit).toBe(code);
    expect(r.ok).toBe(code === 0);
    expect(r.failure).toBeUndefined();
  });

  it('gives the command no input and its env: values as data, and shows neither in a command line', async () => {
    const m = newMarker();
    const value = `$(echo INJECTED)'"; exit 7`;
    const run = make().exec(node, `cat; printf '%s|' "$V" "$(printf '%s' "$V" | wc -c)"; sleep ${m}; echo after`, { env: { V: value } });
    // While it runs, its shell shows only the fixed line that reads the command from its input.
    expect(await waitUntil(() => processesWith(`sleep ${m}`).length === 1, 5000)).toBe(true);
    const shells = processesWith(`/bin/sh -c eval "$(cat)"`);
    expect(shells.length).toBeGreaterThan(0);
    for (const pid of processesWith(`sleep ${m}`)) process.kill(pid, 'SIGKILL');
    const r = await run;
    expect(r.stdout).toBe(`${value}|${Buffer.byteLength(value)}|after\n`);
    expect(r.exit).toBe(0);
  });

  it('separates stdout and stderr', async () => {
    const lines: OutputLine[] = [];
    const r = await make().exec(node, 'echo out; echo err >&2; echo out2', { onOutput: (l) => lines.push(l) });
    expect(r.stdout).toBe('out\nout2\n');
    expect(r.stderr).toBe('err\n');
    expect(lines.filter((l) => l.stream === 'stderr').map((l) => l.text)).toEqual(['err']);
  });

  it('runs under /bin/sh -c, with the command passed as given', async () => {
    const r = await make().exec(node, `printf '%s|' "a b" 'c'; echo "$0"`);
    expect(r.stdout).toBe('a b|c|/bin/sh\n');
  });

  it('uses another shell when asked', async () => {
    const r = await make({ shell: '/bin/bash' }).exec(node, 'echo "$BASH_VERSION" | cut -c1');
    expect(r.stdout).toMatch(/^\d\n$/);
  });

  it('streams lines before the command ends', async () => {
    const seen: { text: string; at: number }[] = [];
    const start = Date.now();
    const r = await make().exec(node, 'echo first; sleep 0.6; echo second', {
      onOutput: (l) => seen.push({ text: l.text, at: Date.now() - start }),
    });
    expect(r.ok).toBe(true);
    expect(seen.map((s) => s.text)).toEqual(['first', 'second']);
    expect(seen[0]!.at).toBeLessThan(r.durationMs - 300);
  });

  it('sanitises escape sequences in output', async () => {
    const lines: OutputLine[] = [];
    const r = await make().exec(node, `printf '\\033]0;title\\007\\033[31mred\\033[0m \\033[6n\\302\\2336ndone\\n'`, {
      onOutput: (l) => lines.push(l),
    });
    expect(r.stdout).toBe('red done\n');
    expect(lines[0]!.text).toBe('red done');
    expect(lines[0]!.segments?.[0]).toEqual({ text: 'red', style: { fg: 1 } });
  });

  it('stops the whole process group on timeout', async () => {
    const marker = newMarker();
    const t0 = Date.now();
    const r = await make({ killGraceMs: 500 }).exec(node, `sleep ${marker} & sleep ${marker}; wait`, { timeoutMs: 400 });
    expect(r.failure).toBe('timeout');
    expect(r.ok).toBe(false);
    expect(r.exit).toBeNull();
    expect(r.message).toContain('local');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 0, 3000)).toBe(true);
  });

  it('stops the whole process group on abort', async () => {
    const marker = newMarker();
    const ac = new AbortController();
    const p = make().exec(node, `sleep ${marker} & sleep ${marker}; wait`, { signal: ac.signal });
    expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 2, 3000)).toBe(true);
    ac.abort();
    const r = await p;
    expect(r.failure).toBe('aborted');
    expect(r.ok).toBe(false);
    expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 0, 3000)).toBe(true);
  });

  it('kills with SIGKILL a group that ignores SIGTERM', async () => {
    const marker = newMarker();
    const r = await make({ killGraceMs: 300 }).exec(node, `trap '' TERM; sleep ${marker} & wait; wait`, { timeoutMs: 300 });
    expect(r.failure).toBe('timeout');
    // The sleep inherits the ignored TERM, so only the KILL after the grace ends it.
    expect(await waitUntil(() => processesWith(`sleep ${marker}`).length === 0, 3000)).toBe(true);
  });

  it('does not wait forever for a process that left the group and holds the pipe', async () => {
    const marker = newMarker();
    const t0 = Date.now();
    // setsid puts the sleep in a new session: the group kill cannot reach it, and it keeps stdout open.
    const r = await make({ killGraceMs: 200 }).exec(node, `setsid sleep ${marker} & wait`, { timeoutMs: 200 });
    expect(r.failure).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('aborts at once when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await make().exec(node, 'echo never', { signal: ac.signal });
    expect(r.failure).toBe('aborted');
    expect(r.stdout).toBe('');
  });

  it('reports a missing shell as spawn-failed', async () => {
    const r = await make({ shell: '/nonexistent/shell' }).exec(node, 'true');
    expect(r.failure).toBe('spawn-failed');
    expect(r.ok).toBe(false);
    expect(r.message).toContain('local');
  });

  it('reports a command killed by a signal with no exit status', async () => {
    const r = await make().exec(node, 'kill -9 $$');
    expect(r.exit).toBeNull();
    expect(r.signal).toBe('SIGKILL');
    expect(r.ok).toBe(false);
  });

  it('caps the output it keeps', async () => {
    const r = await make({ output: { maxChars: 1000 } }).exec(node, 'seq 1 10000');
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBe(1000);
    expect(r.stdout.endsWith('9999\n10000\n')).toBe(true);
  });

  it('close() aborts what is running', async () => {
    const t = make();
    const marker = newMarker();
    const p = t.exec(node, `sleep ${marker}`);
    await new Promise((r) => setTimeout(r, 200));
    await t.close();
    const r = await p;
    expect(r.failure).toBe('aborted');
  });
});
