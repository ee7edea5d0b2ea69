// The counts agree: a run on the simulated cluster (over real SSH, plain mode) with a failure then
// a retry that passes, a step the operator skips, and steps and a section a `when:` leaves out.
// The summary line, the TUI's tallies (from the state the journal rebuilds), `runbook report` in
// Markdown and HTML and the trainee's report all say what the journal says.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns, readJournal } from '../../src/engine/journal.js';
import { buildPlan } from '../../src/engine/plan.js';
import { createRunState } from '../../src/engine/state.js';
import { tallyOfState, tallyText } from '../../src/engine/tally.js';
import { replay } from '../../src/engine/update.js';
import { traineeReport } from '../../src/export/trainee-report.js';
import { loadInventory } from '../../src/inventory/load.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { inventoryToYaml, startSimulator, type SimCluster } from '../../src/sim/index.js';
import { statusLine } from '../../src/ui/panes/status-line.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { runMain } from '../helpers/cli-io.js';

let dir: string;
let sim: SimCluster;

const RUNBOOK = `id: tally-sim
title: Counts that agree
params:
  security: { choices: [disabled, strict], default: disabled }
sections:
  - id: m
    title: Masters
    on: master
    steps:
      - id: flaky
        run: 'test -f /tmp/tried-once || { touch /tmp/tried-once; echo first try fails; exit 1; }'
      - id: strict-only
        run: hostname
        when: "params.security == 'strict'"
      - id: broken
        run: 'echo cannot; exit 2'
      - id: fine
        run: hostname
  - id: strict-agents
    title: Strict agents only
    on: agent
    when: "params.security == 'strict'"
    steps:
      - { id: one, run: hostname }
      - { id: two, run: hostname }
`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'runbook-tally-'));
  sim = await startSimulator({ masters: 1, agents: 2, timeScale: 50 });
  writeFileSync(path.join(dir, 'inventory.yaml'), inventoryToYaml(sim.inventory));
  writeFileSync(path.join(dir, 'runbook.yaml'), RUNBOOK);
}, 60_000);

afterAll(async () => {
  await sim?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: path.join(dir, 'config') });

describe('the tallies of a run', () => {
  it('agree in the summary line, the TUI, runbook report (md, html) and the trainee report, with the journal', async () => {
    const state = path.join(dir, 'state');
    const argv = ['play', path.join(dir, 'runbook.yaml'), '--inventory', path.join(dir, 'inventory.yaml'), '--plain', '--state-dir', state];
    // retry the first failure; skip the second, with a reason.
    const played = await runMain(argv, env(), dir, 'r\ns\nchecked by hand\n');
    expect(played.status, played.all).toBe(0);
    expect(played.out).toMatch(/m\/strict-only@master-1 not run: when: /);
    expect(played.out).toMatch(/section strict-agents not run: when: /);
    expect(played.out).toMatch(/m\/broken@master-1 skipped by \S+: checked by hand/);

    const [run] = await listRuns(state);
    const { records } = await readJournal(run!.file);
    // What the journal says, counted by hand from its records.
    const finished = records.filter((r) => r.event === 'step-finished');
    const last = new Map(finished.map((r) => [`${r.section}/${r.step}@${r.node}`, r]));
    const byHand = {
      passed: [...last.values()].filter((r) => r.status === 'passed').length,
      skipped: [...last.values()].filter((r) => r.status === 'skipped' && r.by !== 'runbook').length,
      notRunWhen:
        [...last.values()].filter((r) => r.status === 'skipped' && r.by === 'runbook').length +
        records.reduce((n, r) => n + (r.event === 'section-skipped' ? r.tasks : 0), 0),
    };
    expect(byHand).toEqual({ passed: 2, skipped: 1, notRunWhen: 5 });
    expect(finished.filter((r) => r.status === 'failed')).toHaveLength(2); // the flaky one's first try, the broken one
    const words = `passed 2, failed 0, skipped 1, interrupted 0, not run (when) 5`;

    // 1. The summary line.
    expect(played.out.trimEnd().split('\n').at(-1)?.startsWith(`summary: ${words} in `)).toBe(true);

    // 2. The TUI: its finished status reads the state the journal rebuilds.
    const loaded = await loadRunbook(path.join(dir, 'runbook.yaml'));
    const inventory = await loadInventory(path.join(dir, 'inventory.yaml'), { sshConfig: null });
    const rebuilt = replay(
      createRunState({ plan: buildPlan(loaded.runbook, inventory), runId: run!.id, file: 'runbook.yaml', digest: '', params: {}, by: 'x' }),
      records,
    );
    expect(tallyText(tallyOfState(rebuilt))).toBe(words);
    const status = statusLine({
      phase: 'finished',
      outcome: 'passed',
      tally: tallyOfState(rebuilt),
      waiting: 0,
      width: 120,
      theme: createTheme('mono'),
    });
    expect(status).toContain(`The run passed (${words})`);

    // 3. runbook report, Markdown and HTML.
    const md = await runMain(['report', run!.id, '--format', 'md', '--state-dir', state], env(), dir);
    expect(md.status, md.all).toBe(0);
    for (const [label, n] of [
      ['passed', 2],
      ['failed', 0],
      ['skipped by the operator', 1],
      ['not run (when)', 5],
      ['interrupted', 0],
      ['not reached', 0],
    ] as const)
      expect(md.out).toContain(`| ${label} | ${n} |`);
    // The two failures are listed, and the retried one says what came after: the count of 0 is not a contradiction.
    expect(md.out).toContain('**Afterwards:** passed, attempt 2');
    expect(md.out).toContain('**Afterwards:** skipped');
    const htmlFile = path.join(dir, 'report.html');
    const html = await runMain(['report', run!.id, '--format', 'html', '-o', htmlFile, '--state-dir', state], env(), dir);
    expect(html.status, html.all).toBe(0);
    const page = readFileSync(htmlFile, 'utf8');
    expect(page).toMatch(/not run \(when\)<\/t[hd]>\s*<td>5<\/td>/);
    expect(page).toMatch(/skipped by the operator<\/t[hd]>\s*<td>1<\/td>/);

    // 4. The trainee's report.
    const trainee = traineeReport({
      scenario: { name: 'x', title: 'x', lesson: 'x' },
      records,
      summary: {
        installedVersion: '',
        runningVersion: '',
        targetVersion: '',
        versions: {},
        faultsMet: [],
        actions: [],
        unhealthyUnits: {},
        removedAgents: [],
      },
      outcome: 'passed',
    });
    expect(trainee).toContain(`Steps: ${words}`);
    expect(trainee).toMatch(/Gates and steps you skipped:\n {2}m\/broken@master-1: checked by hand \(by \S+\)\n/);
    expect(trainee).toContain('(5 not run because a when: of the runbook was false');
  }, 120_000);
});
