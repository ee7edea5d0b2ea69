// Reading every line (issue 13), through the path the product takes: the App over a real runner,
// the simulated cluster reached over real SSH, frames through the screen writer into a headless
// terminal. A registrar-stuck master's journal line read whole by wrapping and by scrolling
// sideways, the ranges table narrowed to the column its gate reads at 80 and 120 columns, and a
// hostile line from a real local process that wraps without breaking the screen.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/engine/clock.js';
import { type SimCluster, startSimulator } from '../../src/sim/index.js';
import { NODE_STATUS_COLUMNS, NODE_STATUS_RANGES_COLUMNS, prettyTable } from '../../src/sim/programs/dcos.js';
import { createLocalTransport } from '../../src/transport/local.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/types.js';
import { textWidth } from '../../src/ui/terminal/text-width.js';
import { FakeTransport } from '../helpers/fake-transport.js';
import { runbook, section, stateOf } from '../engine/fixtures.js';
import { T0, patchCluster } from './fixtures.js';
import { buildScript, COCKROACH_STATUS, patchNode } from '../sim/steps.js';
import { mount } from './mount.js';
import type { TermScreen } from './terminal.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RECOVER = /recover\.cpp:\d+\] Unable to finish the recover protocol in 10secs, retrying/;

const rb = runbook(
  [
    section(
      'masters',
      [
        {
          id: 'iam-replicated',
          title: 'No under-replicated IAM ranges',
          run: COCKROACH_STATUS,
          // Never true here, so the step keeps polling and its table stays in the pane to be read.
          until: { column: 'ranges_underreplicated', all: 7 },
          every: '30s',
          timeout: '2m',
        },
      ],
      { on: 'master', title: 'Patch the masters' },
    ),
  ],
  {
    roles: {
      master: { troubleshoot: [{ title: 'dcos-mesos-master', run: 'sudo journalctl -u dcos-mesos-master -n 200 --no-pager' }] },
    },
  },
);

let sim: SimCluster;
let ssh: Transport;
let home: string;

beforeAll(async () => {
  sim = await startSimulator({ scenario: 'registrar-stuck', masters: 3, agents: 1, publicAgents: 0, timeScale: 400, seed: 9 });
  // The stuck master logs its recover protocol retries once patched.
  const url = await buildScript(sim);
  expect((await patchNode(sim, 'master-1', url)).exit).toBe(1);
  home = mkdtempSync(path.join(tmpdir(), 'runbook-lines-'));
  ssh = createSshTransport({
    knownHostsFiles: [sim.files.knownHosts],
    identityFile: sim.files.identityFile,
    agent: false,
    homeDir: home,
    connectTimeoutMs: 5000,
  });
}, 60_000);

afterAll(async () => {
  await ssh?.close();
  if (sim) expect(sim.internalErrors).toEqual([]);
  await sim?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

const inventory = () => ({ ...sim.inventory, nodes: sim.inventory.nodes.filter((n) => n.roles.includes('master')) });

/** Every row of the screen within its width, and as many rows as the terminal has. */
function fitsTheScreen(r: TermScreen): void {
  expect(r.lines()).toHaveLength(r.size.rows);
  for (const l of r.lines()) expect(textWidth(l)).toBeLessThanOrEqual(r.size.columns);
}

/** The troubleshooting pane's rows: from its title to the status line. */
function paneRows(r: TermScreen): string[] {
  const lines = r.lines();
  const at = lines.findIndex((l) => l.startsWith(' Troubleshoot'));
  return lines.slice(at + 1, -2);
}

describe('a registrar-stuck master: its journal line read whole', () => {
  it.each([
    [80, 24],
    [120, 40],
  ])(
    '%ix%i: cut with … and a hint; w wraps it onto rows that join to the line; → shows its end',
    async (columns, rows) => {
      const { r } = await mount(stateOf(rb, inventory()), () => ssh, { columns, rows });
      // Select master-1 in the nodes pane, open its troubleshooting: the journal runs over SSH.
      await r.press('tab');
      await r.press('t');
      const cut = await r.waitFor('done exit 0', 15_000);
      const line = paneRows(r).findLast((l) => / recove/.test(l))!;
      // Cut at the edge: it says so, and how to read the rest.
      expect(line).toMatch(/…$/);
      expect(line).not.toMatch(RECOVER);
      expect(cut).toMatch(/cut: w wraps, → scrolls/);
      fitsTheScreen(r);

      await r.press('w');
      const wrapped = await r.waitFor((f) => f.includes('wrapped: w cuts'));
      const pane = paneRows(r);
      // The last message of that kind, whole: its rows joined give the message, no … anywhere in it.
      const joined = pane.map((l) => l.padEnd(columns)).join('');
      expect(joined).toMatch(RECOVER);
      expect(wrapped).not.toMatch(/recover\.cpp[^\n]*…/);
      fitsTheScreen(r);

      // Cut again, and scrolled sideways: the end of the line is in sight, marked on the left.
      await r.press('w');
      await r.waitFor((f) => f.includes('cut: w wraps'));
      // t gave the troubleshooting pane the focus: the sideways keys are its own.
      for (let i = 0; i < 4; i++) await r.press('right');
      const shifted = await r.waitFor((f) => /from col \d+/.test(f));
      expect(shifted).toMatch(/^….*retrying$/m);
      fitsTheScreen(r);
    },
    40_000,
  );
});

describe('a gate that reads a column: the ranges table', () => {
  it.each([
    [80, 24],
    [120, 40],
  ])(
    '%ix%i: ranges_underreplicated and every row of it in sight, the columns left out marked',
    async (columns, rows) => {
      const { r } = await mount(stateOf(rb, inventory()), () => ssh, { columns, rows });
      await r.press('enter');
      const frame = await r.waitFor('columns left out: → all', 15_000);
      expect(frame).toMatch(/^\| id \| … \|.*\| ranges_underreplicated \|$/m);
      // The data rows: each ends with that column's value.
      expect(frame.match(/^\| +\d \| … \|.*\| +\d+ \|$/gm)).toHaveLength(3);
      fitsTheScreen(r);
      // → shows the table whole from a column on; ← brings the narrowed view back.
      await r.press('tab');
      await r.press('tab');
      await r.press('right');
      const whole = await r.waitFor((f) => /from col \d+: ← back/.test(f));
      expect(whole).not.toContain('| id | … |');
      await r.press('left');
      await r.waitFor('columns left out: → all');
    },
    40_000,
  );
});

describe('a hostile line from a real process', () => {
  it('escape sequences, 10,000 characters without a space, Chinese: wraps at the width, the screen keeps its shape', async () => {
    const program = [
      "process.stdout.write('\\x1b[2J\\x1b[H\\x1b[31m' + 'x'.repeat(10000) + '\\x1b[0m\\n');",
      "process.stdout.write('节点'.repeat(70) + '\\x1b]0;title\\x07end\\n');",
    ].join('');
    const local = runbook([
      section('prep', [{ id: 'noise', title: 'A noisy program', run: `node -e ${JSON.stringify(program)}` }], { on: 'local' }),
    ]);
    const transport = createLocalTransport({ cwd: process.cwd(), env: process.env });
    const { r } = await mount(stateOf(local), () => transport, { columns: 80, rows: 24 });
    await r.press('enter');
    await r.waitFor((f) => f.includes('节点节点'), 15_000);
    await r.press('w');
    const frame = await r.waitFor('wrapped: w cuts');
    fitsTheScreen(r);
    // The Chinese line wrapped at 80 columns: 40 characters a row, the last row ends it.
    expect(frame).toContain(`${'节点'.repeat(20)}\n`);
    expect(frame).toMatch(/^(节点)+end$/m);
    // No escape reached the terminal: the screen was not cleared, the header is still there.
    expect(r.lines()[0]).toMatch(/Test runbook/);
    expect(frame).not.toMatch(/\x1b|\[2J|\]0;title/);
    await transport.close();
  }, 40_000);
});

describe('golden screens: the ranges table as the gate reads it', () => {
  // The simulator's table for three masters, one of them with ranges still under-replicated,
  // replayed so that the screen is the same on every run (the live one is checked above).
  const table = prettyTable(
    [...NODE_STATUS_COLUMNS, ...NODE_STATUS_RANGES_COLUMNS],
    [1, 2, 3].map((i) => [
      String(i),
      `10.0.4.${i}:26257`,
      'v1.1.4',
      '2018-03-08 13:56:01.123456',
      '2018-03-08 13:50:01.123456',
      '193',
      '192',
      '193',
      '0',
      i === 2 ? '12' : '0',
    ]),
  );

  it.each([
    [80, 24],
    [120, 40],
  ])('%ix%i', async (columns, rows) => {
    const t = new FakeTransport().expect(COCKROACH_STATUS, { stdout: table }, { times: Infinity });
    const cluster = patchCluster(3, 0);
    const { r } = await mount(stateOf(rb, cluster), () => t, { columns, rows, clock: new FakeClock(T0) });
    await r.press('enter');
    await r.waitFor('columns left out: → all');
    // The first attempt over (its result in), the step waits for the next: a still frame.
    const frame = await r.waitFor((f) => f.includes('|  2 | … |') && f.includes('◔'));
    fitsTheScreen(r);
    await expect(frame + '\n').toMatchFileSnapshot(path.join(here, '__screens__', `ranges-column-${columns}x${rows}.txt`));
  });
});
