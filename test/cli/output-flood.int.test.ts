// Issue 11, item 13: a node that prints hundreds of megabytes without a newline costs the player
// a bounded amount of memory and the journal a small record. The built binary plays a step that
// floods over real SSH from a real sshd on loopback; the player's resident memory is sampled
// from /proc while it runs.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBinary, spawnCli } from '../engine/binary.js';
import { sshdMissing, startSshd, writeOperatorHome, type Sshd } from '../helpers/sshd.js';

const FLOOD_MB = 300;
const LONG_LINES = 250;
/** Far below what keeping the flood would take, well above Node's own ~100 MB with the bundle loaded. */
const MAX_RSS_MB = 300;

/** The highest resident set size seen of a process, sampled every 20 ms until it exits. */
function sampleRss(pid: number): { peakMb: () => number; stop: () => void } {
  let peak = 0;
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb / 1024);
    } catch {
      // The process is gone.
    }
  }, 20);
  return { peakMb: () => peak, stop: () => clearInterval(timer) };
}

const missing = sshdMissing() ?? (process.platform === 'linux' ? undefined : 'needs /proc');
let dir: string;
let sshd: Sshd;
let binary: Awaited<ReturnType<typeof buildBinary>>;

describe.skipIf(missing)('a node flooding output', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'runbook-flood-'));
    [sshd, binary] = await Promise.all([startSshd(), buildBinary()]);
    writeOperatorHome(dir, sshd);
    writeFileSync(
      path.join(dir, 'runbook.yaml'),
      [
        'id: flood',
        'title: Flood',
        'sections:',
        '  - id: remote',
        '    title: Remote',
        '    on: master',
        '    steps:',
        '      - id: flood',
        `        run: head -c ${FLOOD_MB}M /dev/zero | tr '\\0' x; echo; echo done flooding`,
        '        timeout: 2m',
        // Megabyte lines, each ended: the heads kept of them must not hold on to the megabytes.
        '      - id: long-lines',
        `        run: for i in $(seq ${LONG_LINES}); do head -c 1M /dev/zero | tr '\\0' y; echo; done`,
        '        timeout: 2m',
        '',
      ].join('\n'),
    );
  }, 60_000);

  afterAll(async () => {
    await sshd?.stop();
    binary?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`${FLOOD_MB} MB without a newline, then ${LONG_LINES} lines of 1 MB: the player stays under ${MAX_RSS_MB} MB and the journal records are small`, async () => {
    const env = { PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: path.join(dir, 'config'), NO_COLOR: '1' };
    const state = path.join(dir, 'state');
    const play = spawnCli(binary.cli, ['play', 'runbook.yaml', '--inventory', 'inventory.yaml', '--state-dir', state], { cwd: dir, env });
    const rss = sampleRss(play.child.pid!);
    const killer = setTimeout(() => play.child.kill('SIGKILL'), 150_000);
    const { code } = await play.exit;
    clearTimeout(killer);
    rss.stop();
    expect(code, play.stdout() + play.stderr()).toBe(0);
    expect(rss.peakMb()).toBeGreaterThan(0);
    expect(rss.peakMb()).toBeLessThan(MAX_RSS_MB);

    const runs = path.join(state, 'runs');
    const journal = readFileSync(path.join(runs, readdirSync(runs)[0]!), 'utf8');
    const outputs = journal.split('\n').filter((l) => l.includes('"event":"output"'));
    expect(outputs).toHaveLength(2);
    for (const o of outputs) expect(o.length).toBeLessThan(16 * 1024);
    const output = outputs[0]!;
    const record = JSON.parse(output) as { lines: number; bytes: number; tail: string[] };
    // The digest still says how much the node printed, and the tail how the line was cut.
    expect(record.bytes).toBeGreaterThan(FLOOD_MB * 1024 * 1024);
    expect(record.tail.join('\n')).toMatch(/^x+ …\n\[… [\d,]+ more characters of the line above not kept\]\ndone flooding$/);
  }, 180_000);
});
