// `runbook train` end to end: the shipped DC/OS runbook, the player and a fresh simulated cluster
// reached over real SSH on loopback. The happy path patches every node; each fault scenario stops
// where a careful operator notices it: at a gate, with the cause in what the player shows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarioDefinitions } from '../../src/sim/scenarios.js';
import { runMain } from '../helpers/cli-io.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'runbook-train-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function train(scenario: string, extra: string[] = []) {
  // stdin ends at once: any question the run asks is answered "end of input" (refuse, abort).
  const home = path.join(dir, scenario);
  const argv = [
    'train',
    '--scenario',
    scenario,
    '--plain',
    '--yes',
    '--time-scale',
    '200',
    '--state-dir',
    path.join(home, 'state'),
    ...extra,
  ];
  const { status, all } = await runMain(
    argv,
    { PATH: process.env.PATH, HOME: home, RUNBOOK_CONFIG_DIR: path.join(home, 'config') },
    process.cwd(),
  );
  return { status, out: all };
}

/** The step key (section/step@node) of the first failure the player printed, and its message. */
const firstFailure = (out: string) => /^\[[\d:]+\] (\S+@\S+) failed: (.*)$/m.exec(out)?.slice(1, 3);

const SCENARIO_TITLES: Record<string, string> = Object.fromEntries(scenarioDefinitions.map((s) => [s.name, s.title]));

describe('runbook train', () => {
  it('happy: finishes with exit 0 and every node at the target version', async () => {
    const { status, out } = await train('happy');
    expect(out).toMatch(/^Training: Patch every node of this DC\/OS 1\.11 Enterprise cluster/m);
    expect(out).toMatch(/summary: passed \d+, failed 0/);
    expect(out).toContain('Nodes at 1.11.5: 9 of 9');
    expect(out).toContain('Faults met, and what you did:\n  none');
    expect(status).toBe(0);
  }, 120_000);

  it('no-public-agents: finishes with exit 0, the public agents section skipped', async () => {
    const { status, out } = await train('no-public-agents');
    expect(out).toMatch(/section public-agents not run: /);
    expect(out).toContain('Nodes at 1.11.5: 8 of 8');
    expect(status).toBe(0);
  }, 120_000);

  it('ranges-slow: passes, but only after the IAM ranges gate polled minute after minute', async () => {
    const { status, out } = await train('ranges-slow');
    expect(status).toBe(0);
    const attempts = [...out.matchAll(/masters\/iam-replicated@\S+ attempt (\d+) not yet: ranges_underreplicated: \d+/g)].map((m) =>
      Number(m[1]),
    );
    expect(Math.max(...attempts)).toBeGreaterThanOrEqual(3);
  }, 120_000);

  // Where each fault shows, and the words that let the operator see the cause.
  const faults: [scenario: string, failedAt: RegExp, because: RegExp][] = [
    ['registrar-stuck', /^masters\/run-patch-script@master-\d$/, /checks failed/],
    ['libltdl', /^agents\/remove-libltdl@agent-\d$/, /Operation not permitted/],
    ['agent-expires', /^agents\/run-patch-script@agent-\d$/, /checks failed/],
    ['wrong-version', /^node-prerequisites\/dcos-version@\S+$/, /runs DC\/OS 1\.11\.3, but the patch is planned from 1\.11\.4/],
    ['forbidden-config', /^configuration\/config-diff@bootstrap$/, /exhibitor_storage_backend/],
    ['ipv6-disabled', /^node-prerequisites\/ipv6-kernel@\S+$/, /last line: "1"/],
    ['strict', /^configuration\/config-diff@bootstrap$/, /security: strict/],
    ['master-unhealthy', /^cluster-health\/registrar-recovered@master-3$/, /registrar\/log\/recovered/],
    ['unlisted-agent', /^cluster-health\/agents-known@master-\d$/, /inventory does not list: 10\.0\.1\.5\b/],
    ['config-edited', /^bootstrap\/config-unchanged@bootstrap$/, /changed after it was checked .* Changed since the check: resolvers\./],
    ['ipv6-change', /^configuration\/config-diff@bootstrap$/, /enable_ipv6 true -> false takes the IPv6 overlay network dcos6 away/],
    ['custom-checks', /^configuration\/config-diff@bootstrap$/, /custom health checks \(custom_checks, 2 checks\)/],
  ];
  for (const [scenario, failedAt, because] of faults) {
    it(`${scenario}: stops at the gate that shows the fault`, async () => {
      const { status, out } = await train(scenario);
      // The briefing does not give the fault away: the scenario's title is not printed before the run.
      expect(out.slice(0, out.indexOf('summary:'))).not.toContain(SCENARIO_TITLES[scenario]!);
      expect(status).toBe(1);
      const [at, message] = firstFailure(out) ?? [];
      expect(at).toMatch(failedAt);
      expect(message).toMatch(because);
      // The lesson comes after the run, never in the briefing.
      expect(out.indexOf('Lesson:')).toBeGreaterThan(out.indexOf('summary:'));
    }, 120_000);
  }

  it('refuses an unknown scenario and bad sizes as bad input', async () => {
    expect((await train('nope')).status).toBe(2);
    expect((await train('happy', ['--nodes', '9,1'])).status).toBe(2);
  });
});
