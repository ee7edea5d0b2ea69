// The configuration guards of the DC/OS runbook, played by the engine in plain mode against the
// simulated cluster over real SSH: a colleague who edits config.yaml after the check, an
// enable_ipv6 change while patching, custom checks in the move to permissive. Each run must stop
// where the guard stands, with no node patch script built and no node patched.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSession } from '../../src/cli/session.js';
import type { JournalRecord } from '../../src/engine/events.js';
import { readJournal } from '../../src/engine/journal.js';
import { runPlain } from '../../src/plain/plain.js';
import { type SimCluster, startSimulator } from '../../src/sim/index.js';
import { tempDir } from '../helpers/real-shell.js';
import { capturedIo } from '../helpers/cli-io.js';
import { sq, sshRun } from '../sim/ssh-client.js';

const runbooks = join(import.meta.dirname, '..', '..', 'runbooks');

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('runbook-guards-'));
});
afterEach(() => remove());

interface Played {
  status: number;
  out: string;
  records: JournalRecord[];
  /** Node upgrade scripts the installer built, and nodes whose patch started. */
  built: number;
  patched: string[];
  versions: Record<string, string>;
  faults: string[];
}

async function play(scenario: string, file = 'dcos-1.11-patch.yaml', override: Record<string, string> = {}, during?: (sim: SimCluster) => Promise<void>, answers = ''): Promise<Played> {
  const sim = await startSimulator({ scenario, timeScale: 200, masters: 3, agents: 2, publicAgents: 1 });
  try {
    const io = capturedIo({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config') }, dir, answers);
    const params = Object.entries({ ...sim.suggestedParams, ...override }).map(([k, v]) => `${k}=${v}`);
    const opened = await openSession({ io, command: 'train', file: join(runbooks, file), inventory: sim.inventory, params, stateDir: join(dir, 'state'), yes: true, timeScale: 200 });
    if (opened.kind !== 'session') throw new Error('expected a session');
    const { session } = opened;
    const status = await runPlain(session.runner, { stdout: io.stdout, stderr: io.stderr, answers: session.answers, journal: session.journalFile, autoConfirm: true });
    await session.close();
    if (during) await during(sim);
    expect(sim.internalErrors).toEqual([]);
    const { records } = await readJournal(session.journalFile);
    const summary = sim.model.summary();
    return {
      status,
      out: io.all(),
      records,
      built: sim.model.scripts.size,
      patched: summary.actions.filter((a) => a.kind === 'patch-started').map((a) => a.node),
      versions: summary.versions,
      faults: summary.faultsMet.map((f) => f.id),
    };
  } finally {
    await sim.close();
  }
}

const finished = (records: JournalRecord[], status: string) =>
  records.filter((r) => r.event === 'step-finished' && 'status' in r && r.status === status).map((r) => `${'section' in r ? r.section : ''}/${'step' in r ? r.step : ''}`);
const started = (records: JournalRecord[]) => records.filter((r) => r.event === 'step-started').map((r) => `${'section' in r ? r.section : ''}/${'step' in r ? r.step : ''}`);
const failure = (out: string) => /^\[[\d:]+\] (\S+@\S+) failed: (.*)$/m.exec(out)?.slice(1, 3) ?? [];

describe.each(['dcos-1.11-patch.yaml', 'dcos-1.11-patch.zh-CN.yaml'])('%s: configuration guards over SSH', (file) => {
  it('config-edited: a colleague edits config.yaml after the check; the run stops before the installer, naming what changed', async () => {
    const r = await play('config-edited', file);
    expect(r.status).toBe(1);
    const [at, message] = failure(r.out);
    expect(at).toBe('bootstrap/config-unchanged@bootstrap');
    expect(message).toContain('/opt/dcos-bootstrap/genconf/config.yaml changed after it was checked');
    expect(message).toContain('Changed since the check: resolvers.');
    expect(r.out).toContain('since the check: resolvers: ["169.254.169.253"] -> ["169.254.169.253","10.0.0.2"]');
    // The check itself passed on what it read; the colleague's edit came after.
    expect(finished(r.records, 'passed')).toContain('configuration/config-diff');
    expect(r.faults).toContain('config-edited-after-check');
    // Nothing was built from the unchecked file, and no node was touched.
    expect(started(r.records)).not.toContain('bootstrap/generate-script');
    expect(r.built).toBe(0);
    expect(r.patched).toEqual([]);
    expect(new Set(Object.values(r.versions))).toEqual(new Set(['1.11.4']));
  }, 120_000);

  it('ipv6-change: enable_ipv6 true -> false while patching stops at the configuration check, before anything is built', async () => {
    const r = await play('ipv6-change', file);
    expect(r.status).toBe(1);
    const [at, message] = failure(r.out);
    expect(at).toBe('configuration/config-diff@bootstrap');
    expect(message).toContain('change the configuration (enable_ipv6)');
    expect(message).toContain('IPv6 overlay network dcos6');
    // Saying "remove" does not help while patching.
    const acked = await play('ipv6-change', file, { ipv6_overlay: 'remove' });
    expect(acked.status).toBe(1);
    expect(failure(acked.out)[0]).toBe('configuration/config-diff@bootstrap');
    for (const x of [r, acked]) {
      expect(started(x.records).filter((s) => !s.startsWith('supported-paths/') && !s.startsWith('guidelines/') && !s.startsWith('configuration/'))).toEqual([]);
      expect(x.built).toBe(0);
      expect(x.patched).toEqual([]);
    }
  }, 180_000);

  it('custom-checks: the move to permissive is refused while custom checks are configured, saying what to do', async () => {
    const r = await play('custom-checks', file);
    expect(r.status).toBe(1);
    const [at, message] = failure(r.out);
    expect(at).toBe('configuration/config-diff@bootstrap');
    expect(message).toContain('config.yaml has custom health checks (custom_checks, 2 checks)');
    expect(message).toContain('First remove custom_checks in a configuration-only pass that keeps security: disabled');
    // The note before the check said the same, and nothing beyond the configuration section ran.
    expect(finished(r.records, 'passed')).toContain('configuration/permissive-health-checks');
    expect(started(r.records).some((s) => s.startsWith('masters/') || s.startsWith('bootstrap/'))).toBe(false);
    expect(r.built).toBe(0);
    expect(r.patched).toEqual([]);
  }, 120_000);
});

describe('an operator who skips the guards', () => {
  it('still cannot build from the edited config.yaml: the build command pins the digest checked', async () => {
    // Skip the failed recheck (with a reason), then abort when the build fails.
    const r = await play('config-edited', 'dcos-1.11-patch.yaml', {}, undefined, 's\nthe colleague says it is fine\na\n');
    expect(r.status).toBe(1);
    expect(r.records.some((x) => x.event === 'step-finished' && 'step' in x && x.step === 'config-unchanged' && 'status' in x && x.status === 'skipped')).toBe(true);
    const [at, message] = [...r.out.matchAll(/^\[[\d:]+\] (\S+@\S+) failed: (.*)$/gm)].map((m) => [m[1], m[2]]).at(-1) ?? [];
    expect(at).toBe('bootstrap/generate-script@bootstrap');
    expect(message).toContain('computed checksum did NOT match');
    expect(r.built).toBe(0);
    expect(r.patched).toEqual([]);
  }, 120_000);

  it('cannot skip the configuration check itself: without its digest, the recheck refuses', async () => {
    // forbidden-config fails the check; skip it, then abort at the recheck.
    const r = await play('forbidden-config', 'dcos-1.11-patch.yaml', {}, undefined, 's\nlooks fine to me\na\n');
    expect(r.status).toBe(1);
    const failures = [...r.out.matchAll(/^\[[\d:]+\] (\S+@\S+) failed: (.*)$/gm)].map((m) => m[1]);
    expect(failures).toEqual(['configuration/config-diff@bootstrap', 'bootstrap/config-unchanged@bootstrap']);
    expect(r.out).toMatch(/config-unchanged@bootstrap failed: .*vars\.config_sha256 is not set/);
    expect(r.built).toBe(0);
    expect(r.patched).toEqual([]);
  }, 120_000);
});

/**
 * An operator at the prompts: answers each by its last line on stderr, through `decide`, so a test
 * can refuse or skip one step and confirm every other.
 */
async function operate(scenario: string, override: Record<string, string>, decide: (prompt: string, printed: string) => string): Promise<Played> {
  const sim = await startSimulator({ scenario, timeScale: 200, masters: 3, agents: 2, publicAgents: 1 });
  try {
    const io = capturedIo({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config') }, dir);
    const params = Object.entries({ ...sim.suggestedParams, ...override }).map(([k, v]) => `${k}=${v}`);
    const opened = await openSession({ io, command: 'play', file: join(runbooks, 'dcos-1.11-patch.yaml'), inventory: sim.inventory, params, stateDir: join(dir, 'state'), timeScale: 200 });
    if (opened.kind !== 'session') throw new Error('expected a session');
    const { session } = opened;
    let asked = 0;
    const answers = {
      next: async (): Promise<string | undefined> => {
        if (++asked > 200) return undefined;
        return decide(io.err().trimEnd().split('\n').at(-1) ?? '', io.out());
      },
      close: () => undefined,
    };
    const status = await runPlain(session.runner, { stdout: io.stdout, stderr: io.stderr, answers: answers as typeof session.answers, journal: session.journalFile });
    await session.close();
    expect(sim.internalErrors).toEqual([]);
    const { records } = await readJournal(session.journalFile);
    const summary = sim.model.summary();
    return { status, out: io.all(), records, built: sim.model.scripts.size, patched: summary.actions.filter((a) => a.kind === 'patch-started').map((a) => a.node), versions: summary.versions, faults: summary.faultsMet.map((f) => f.id) };
  } finally {
    await sim.close();
  }
}

describe('the acknowledgement of the IPv6 overlay removal', () => {
  // A configuration-only pass on the installed version that switches enable_ipv6 off.
  const pass = { target_version: '1.11.4', ipv6_overlay: 'remove' };

  it('typed, lets the configuration check pass the change', async () => {
    const r = await operate('ipv6-change', pass, (prompt, printed) => {
      // Past the configuration check, refuse the next confirmation and abort: nothing is patched.
      if (printed.includes('configuration/config-diff@bootstrap passed')) return / failed: .*Retry, skip or abort/.test(prompt) ? 'a' : 'n';
      if (prompt.includes('[type "remove dcos6" to confirm]')) return 'remove dcos6';
      return 'y';
    });
    const diff = r.records.find((x) => x.event === 'step-finished' && 'step' in x && x.step === 'config-diff');
    expect(diff).toMatchObject({ status: 'passed' });
    expect(r.out).toMatch(/configuration\/config-diff@bootstrap passed: config\.yaml changes enable_ipv6, all allowed on a running cluster\./);
    expect(r.records.some((x) => x.event === 'confirmation-answered' && 'step' in x && x.step === 'ipv6-overlay-removal' && 'answer' in x && x.answer === 'yes')).toBe(true);
    expect(r.built).toBe(0);
    expect(r.patched).toEqual([]);
  }, 120_000);

  it('skipped, leaves the check without an acknowledgement: it refuses', async () => {
    const r = await operate('ipv6-change', pass, (prompt) => {
      if (prompt.includes('[type "remove dcos6" to confirm]')) return 'no';
      if (prompt.startsWith('? configuration/ipv6-overlay-removal@bootstrap failed')) return 's';
      if (prompt.startsWith('? reason to skip')) return 'we know what we do';
      if (/ failed: .*Retry, skip or abort/.test(prompt)) return 'a';
      return 'y';
    });
    expect(r.status).toBe(1);
    const failures = [...r.out.matchAll(/^\[[\d:]+\] (\S+@\S+) failed: (.*)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
    expect(failures.at(-1)).toMatch(/^configuration\/config-diff@bootstrap: .*vars\.ipv6_overlay is not set/);
    expect(r.built).toBe(0);
    expect(r.patched).toEqual([]);
  }, 120_000);
});

describe('the pin in the build command', () => {
  it('refuses to run the installer when genconf/config.yaml no longer has the digest checked', async () => {
    const runbook = load(readFileSync(join(runbooks, 'dcos-1.11-patch.yaml'), 'utf8')) as { sections: { id: string; steps: { id: string; run?: string }[] }[] };
    const template = runbook.sections.find((s) => s.id === 'bootstrap')?.steps.find((s) => s.id === 'generate-script')?.run ?? '';
    expect(template).toContain('sha256sum -c');
    const sim = await startSimulator({ scenario: 'happy', timeScale: 200, masters: 1, agents: 1, publicAgents: 0 });
    try {
      const config = '/opt/dcos-bootstrap/genconf/config.yaml';
      const digest = (await sshRun(sim, 'bootstrap', `sha256sum ${config}`)).stdout.slice(0, 64);
      // As the player writes it: every interpolated value a single-quoted word.
      const command = (sha: string) =>
        template.replace('{{params.bootstrap_dir}}', sq('/opt/dcos-bootstrap')).replace('{{vars.config_sha256}}', sq(sha)).replace('{{params.installed_version}}', sq('1.11.4'));
      // A colleague's edit in the last second.
      expect((await sshRun(sim, 'bootstrap', `echo 'dns_search: corp.example.com' >> ${config}`)).exit).toBe(0);
      const refused = await sshRun(sim, 'bootstrap', command(digest), 30_000);
      expect(refused.exit).toBe(1);
      expect(refused.stdout).toBe('genconf/config.yaml: FAILED\n');
      expect(refused.stderr).toBe('sha256sum: WARNING: 1 computed checksum did NOT match\n');
      expect(sim.model.scripts.size).toBe(0);
      // With the digest of what is there now, it builds.
      const now = (await sshRun(sim, 'bootstrap', `sha256sum ${config}`)).stdout.slice(0, 64);
      const built = await sshRun(sim, 'bootstrap', command(now), 60_000);
      expect(built.exit).toBe(0);
      expect(built.stdout).toMatch(/Node upgrade script URL: \S+/);
      expect(sim.model.scripts.size).toBe(1);
    } finally {
      await sim.close();
    }
  }, 120_000);
});
