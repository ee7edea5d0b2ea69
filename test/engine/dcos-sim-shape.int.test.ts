// The flagship runbooks against clusters shaped unlike the default, and clusters that do not
// cooperate, played end to end in plain mode over real SSH against the simulator (--yes is
// accepted because every target is simulated). What must hold: every node on the target release
// with no public agent and with several; public agents patched one at a time; no master patched
// while one is unhealthy; no run ending in success with an agent Mesos knows left behind unnoticed.
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSession } from '../../src/cli/session.js';
import { readJournal } from '../../src/engine/journal.js';
import type { JournalRecord } from '../../src/engine/events.js';
import { runPlain } from '../../src/plain/plain.js';
import { type SimCluster, startSimulator } from '../../src/sim/index.js';
import { capturedIo } from '../helpers/cli-io.js';
import { tempDir } from '../helpers/real-shell.js';

const RUNBOOKS = {
  en: join(import.meta.dirname, '..', '..', 'runbooks', 'dcos-1.11-patch.yaml'),
  zh: join(import.meta.dirname, '..', '..', 'runbooks', 'dcos-1.11-patch.zh-CN.yaml'),
};
const SCALE = 150;

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('runbook-dcos-shape-'));
});
afterEach(() => remove());

interface Played {
  status: number;
  stdout: string;
  stderr: string;
  records: JournalRecord[];
  sim: SimCluster;
}

/** Plays a runbook against a fresh simulator; the simulator is closed, its model kept for the checks. */
async function play(
  scenario: string,
  shape: { agents: number; publicAgents?: number },
  runbook: keyof typeof RUNBOOKS = 'en',
  override: Record<string, string> = {},
  input = '',
): Promise<Played> {
  const sim = await startSimulator({ scenario, timeScale: SCALE, masters: 3, ...shape, seed: 3 });
  try {
    const io = capturedIo({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config') }, dir, input);
    const params = Object.entries({ ...sim.suggestedParams, ...override }).map(([k, v]) => `${k}=${v}`);
    const opened = await openSession({
      io,
      command: 'train',
      file: RUNBOOKS[runbook],
      inventory: sim.inventory,
      params,
      stateDir: join(dir, `state-${runbook}`),
      yes: true,
      timeScale: SCALE,
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
    const { records } = await readJournal(session.journalFile);
    return { status, stdout: io.out(), stderr: io.err(), records, sim };
  } finally {
    await sim.close();
  }
}

const nodeOf = (r: JournalRecord): string => ('node' in r ? String(r.node) : '');
const sectionOf = (r: JournalRecord): string => ('section' in r ? String(r.section) : '');

function patched(records: JournalRecord[]): string[] {
  return records
    .filter((r) => r.event === 'step-finished' && r.step === 'run-patch-script' && r.status === 'passed')
    .map(nodeOf)
    .sort();
}

/** Every node but the bootstrap node on the target release, from the simulator's own record. */
function expectAllOnTarget(sim: SimCluster): void {
  const versions = sim.model.versions();
  expect(Object.keys(versions).length).toBe(sim.model.masters.length + sim.model.agents.length);
  expect(Object.entries(versions).filter(([, v]) => v !== sim.model.targetVersion)).toEqual([]);
}

/** [start, end] of each node's time in a section, from the journal's timestamps. */
function intervals(records: JournalRecord[], section: string): { node: string; from: number; to: number }[] {
  const started = new Map<string, number>();
  const out: { node: string; from: number; to: number }[] = [];
  for (const r of records) {
    if (sectionOf(r) !== section) continue;
    if (r.event === 'node-started') started.set(nodeOf(r), Date.parse(r.ts));
    if (r.event === 'node-finished') out.push({ node: nodeOf(r), from: started.get(nodeOf(r)) ?? NaN, to: Date.parse(r.ts) });
  }
  return out;
}

const overlapping = (xs: { from: number; to: number }[]): boolean =>
  xs.some((a, i) => xs.some((b, j) => i !== j && a.from < b.to && b.from < a.to));

describe('the DC/OS runbooks against clusters of other shapes', () => {
  it.each(['en', 'zh'] as const)(
    '%s: a cluster without public agents plays to the end, every node on the target release',
    async (lang) => {
      const r = await play('no-public-agents', { agents: 3 }, lang);
      expect(r.sim.inventory.nodes.some((n) => n.roles.includes('public_agent'))).toBe(false);
      expect(r.status).toBe(0);
      expect(patched(r.records)).toEqual(['agent-1', 'agent-2', 'agent-3', 'master-1', 'master-2', 'master-3']);
      expectAllOnTarget(r.sim);
      expect(r.records.find((x) => x.event === 'section-skipped' && sectionOf(x) === 'public-agents')).toBeDefined();
      // The prerequisites list public_agent beside the other roles: a warning, not a refusal.
      expect(r.stderr).toMatch(
        /warning: no node of the inventory sim:no-public-agents has role "public_agent".*runs on the nodes with its other roles/,
      );
      expect(r.stderr).not.toMatch(/error/);
    },
    120_000,
  );

  it.each(['en', 'zh'] as const)(
    '%s: several public agents are patched after the private agents, never two at the same time',
    async (lang) => {
      const r = await play('happy', { agents: 2, publicAgents: 3 }, lang);
      expect(r.status).toBe(0);
      expectAllOnTarget(r.sim);
      const pub = intervals(r.records, 'public-agents');
      expect(pub.map((x) => x.node)).toEqual(['public-agent-1', 'public-agent-2', 'public-agent-3']);
      expect(overlapping(pub)).toBe(false);
      expect(
        intervals(r.records, 'agents')
          .map((x) => x.node)
          .sort(),
      ).toEqual(['agent-1', 'agent-2']);
      expect(Math.min(...pub.map((x) => x.from))).toBeGreaterThanOrEqual(Math.max(...intervals(r.records, 'agents').map((x) => x.to)));
      // The simulator's own record: each public agent's patch script ran alone.
      const runs = r.sim.model.agents
        .filter((a) => a.role === 'public_agent')
        .map((a) => {
          const mine = r.sim.model.actions.filter((x) => x.node === a.name);
          return { from: mine.find((x) => x.kind === 'patch-started')!.at, to: mine.find((x) => x.kind === 'patch-finished')!.at };
        });
      expect(runs).toHaveLength(3);
      expect(overlapping(runs)).toBe(false);
    },
    120_000,
  );
});

describe('the DC/OS runbook against a cluster that does not cooperate', () => {
  it('a master unhealthy before the patch stops the run before any master is patched, saying which and why', async () => {
    const r = await play('master-unhealthy', { agents: 2 });
    expect(r.status).toBe(1);
    const failed = r.records.filter((x) => x.event === 'step-finished' && x.status === 'failed');
    expect(failed.map((x) => `${sectionOf(x)}/${'step' in x ? x.step : ''}@${nodeOf(x)}`)).toEqual([
      'cluster-health/registrar-recovered@master-3',
    ]);
    expect(r.stdout).toMatch(/cluster-health\/registrar-recovered@master-3 failed.*registrar\/log\/recovered/);
    // Nothing was patched, nothing restarted: the masters section never started.
    expect(r.sim.model.actions.filter((a) => a.kind !== 'installer' && a.kind !== 'nginx')).toEqual([]);
    expect(r.records.some((x) => x.event === 'section-started' && sectionOf(x) === 'masters')).toBe(false);
    expect(Object.values(r.sim.model.versions()).every((v) => v === r.sim.model.runningVersion)).toBe(true);
  }, 120_000);

  it('an agent Mesos knows but the inventory leaves out stops the run before anything changes, naming its address and hostname', async () => {
    const r = await play('unlisted-agent', { agents: 3, publicAgents: 1 });
    expect(r.sim.inventory.nodes.map((n) => n.name)).not.toContain('agent-3');
    expect(r.status).toBe(1);
    const failed = r.records.filter((x) => x.event === 'step-finished' && x.status === 'failed');
    expect(new Set(failed.map((x) => `${sectionOf(x)}/${'step' in x ? x.step : ''}`))).toEqual(new Set(['cluster-health/agents-known']));
    expect(r.stdout).toContain('Mesos knows 1 agent(s) the inventory does not list: 10.0.1.3');
    expect(r.sim.model.actions.filter((a) => a.kind !== 'installer' && a.kind !== 'nginx')).toEqual([]);
    expect(patched(r.records)).toEqual([]);
  }, 120_000);

  it('leaving the agent out by name is journaled, and the run ends saying it stays on the old release', async () => {
    const r = await play('unlisted-agent', { agents: 3, publicAgents: 1 }, 'en', { agents_left_out: '10.0.1.3' });
    expect(r.status).toBe(0);
    expect(r.records[0]).toMatchObject({ event: 'run-started', params: expect.objectContaining({ agents_left_out: '10.0.1.3' }) });
    const final = r.records.filter((x) => x.event === 'step-finished' && sectionOf(x) === 'final-check' && x.status === 'passed');
    expect(final.length).toBe(3);
    for (const x of final) expect('message' in x ? x.message : '').toContain('1 left out as accepted, still on the old release: 10.0.1.3');
    expect(r.sim.model.versions()['agent-3']).toBe(r.sim.model.runningVersion);
    expect(patched(r.records)).toEqual(['agent-1', 'agent-2', 'master-1', 'master-2', 'master-3', 'public-agent-1']);
  }, 120_000);

  it('an agent whose failing steps the operator skips never lets the run end in success: the final versions catch it', async () => {
    // libltdl: agent-1's library cannot be removed, so its patch fails; the operator skips every
    // failing step of it (with a reason each), and the run goes on to the end.
    const skips = ['s', 'library is immutable, will fix later', 's', 'patched by hand later', 's', 'known to be behind'].join('\n');
    const r = await play('libltdl', { agents: 2, publicAgents: 1 }, 'en', {}, `${skips}\n`);
    expect(
      r.records.filter((x) => x.event === 'step-finished' && x.status === 'skipped' && nodeOf(x) === 'agent-1' && sectionOf(x) === 'agents')
        .length,
    ).toBeGreaterThanOrEqual(2);
    expect(r.sim.model.versions()['agent-1']).toBe(r.sim.model.runningVersion);
    const failed = r.records.filter((x) => x.event === 'step-finished' && x.status === 'failed' && sectionOf(x) === 'final-versions');
    expect(failed.map(nodeOf)).toEqual(['agent-1']);
    expect('reason' in failed[0]! ? failed[0].reason : '').toMatch(
      /runs DC\/OS 1\.11\.4, not 1\.11\.5: the patch did not take effect here/,
    );
    expect(r.status).toBe(1);
    expect(r.records.at(-1)).toMatchObject({ event: 'run-finished' });
    expect(r.records.at(-1)).not.toMatchObject({ status: 'passed' });
  }, 120_000);
});
