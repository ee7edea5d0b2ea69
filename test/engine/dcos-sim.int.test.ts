// The flagship runbook, played end to end by the engine in plain mode against the simulated
// DC/OS cluster over real SSH, with --yes (accepted because every target is the simulator).
// In strict mode the superuser token is a secret param: it must reach the nodes' commands and
// appear nowhere in what the player wrote (stdout, stderr, the journal).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSession } from '../../src/cli/session.js';
import { readJournal } from '../../src/engine/journal.js';
import { runPlain } from '../../src/plain/plain.js';
import { startSimulator } from '../../src/sim/index.js';
import { tempDir } from '../helpers/real-shell.js';
import { capturedIo } from '../helpers/cli-io.js';

const runbookFile = join(import.meta.dirname, '..', '..', 'runbooks', 'dcos-1.11-patch.yaml');

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('runbook-dcos-sim-'));
});
afterEach(() => remove());

async function train(scenario: string, extraEnv: Record<string, string> = {}, override: Record<string, string> = {}) {
  const sim = await startSimulator({ scenario, timeScale: 120, masters: 3, agents: 4 });
  try {
    const io = capturedIo({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config'), ...extraEnv }, dir);
    const params = Object.entries({ ...sim.suggestedParams, ...override }).map(([k, v]) => `${k}=${v}`);
    const opened = await openSession({
      io,
      command: 'train',
      file: runbookFile,
      inventory: sim.inventory,
      params,
      stateDir: join(dir, 'state'),
      yes: true,
      timeScale: 120,
    });
    if (opened.kind !== 'session') throw new Error('expected a session');
    const { session } = opened;
    const status = await runPlain(session.runner, {
      stdout: io.stdout,
      stderr: io.stderr,
      answers: session.answers,
      journal: session.journalFile,
      autoConfirm: true,
    });
    await session.close();
    expect(sim.internalErrors).toEqual([]);
    return { status, stdout: io.out(), stderr: io.err(), journal: session.journalFile, token: sim.token };
  } finally {
    await sim.close();
  }
}

describe.skipIf(!existsSync(runbookFile))('the DC/OS runbook against the simulator', () => {
  it('happy path: every gate passes, every destructive step confirmed by --yes, exit 0', async () => {
    const r = await train('happy');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^summary: passed \d+, failed 0, skipped 0, interrupted 0(, not run \(when\) \d+)? in \d\d:\d\d:\d\d; journal /,
    );
    const { records, torn } = await readJournal(r.journal);
    expect(torn).toBe(false);
    const patched = records
      .filter((x) => x.event === 'step-finished' && x.step === 'run-patch-script' && x.status === 'passed')
      .map((x) => ('node' in x ? x.node : ''));
    expect(patched.sort()).toEqual(['agent-1', 'agent-2', 'agent-3', 'agent-4', 'master-1', 'master-2', 'master-3', 'public-agent-1']);
    const confirmations = records.filter((x) => x.event === 'confirmation-answered');
    expect(confirmations.length).toBeGreaterThan(8);
    expect(confirmations.every((x) => x.event === 'confirmation-answered' && x.answer === 'yes' && x.by === '--yes (simulator)')).toBe(
      true,
    );
    expect(records.find((x) => x.event === 'captured' && x.name === 'patch_url')).toMatchObject({
      value: expect.stringMatching(/^http:\/\/10\.0\.0\.10:80\/upgrade\/[0-9a-f]{32}\/dcos_node_upgrade\.sh$/),
    });
    // Masters one at a time: master-2 starts only after master-1 finished the section.
    const order = records
      .filter((x) => x.event === 'node-started' || x.event === 'node-finished')
      .filter((x) => 'section' in x && x.section === 'masters')
      .map((x) => `${x.event} ${'node' in x ? x.node : ''}`);
    expect(order).toEqual([
      'node-started master-1',
      'node-finished master-1',
      'node-started master-2',
      'node-finished master-2',
      'node-started master-3',
      'node-finished master-3',
    ]);
  }, 120_000);

  it('strict mode: the token reaches the nodes and appears nowhere the player wrote', async () => {
    const sim = await startSimulator({ scenario: 'strict', masters: 1, agents: 1 });
    const token = sim.token;
    await sim.close();
    // A fresh simulator of the same scenario has the same token (seeded); pass it the way an operator would.
    const r = await train('strict', { DCOS_AUTH_TOKEN: token }, { security: 'strict' });
    expect(r.token).toBe(token);
    expect(r.status).toBe(0);
    const everything = [r.stdout, r.stderr, readFileSync(r.journal, 'utf8')].join('\n');
    expect(token.length).toBeGreaterThan(20);
    expect(everything).not.toContain(token);
    // The token travels on curl's input from printf (a builtin), so no process list shows it.
    expect(everything).toMatch(/token=%s"\\n' •••••• \| curl /);
  }, 120_000);
});
