// `runbook train --runbook FILE` on a terminal draws its first frame before the runbook is
// validated. A runbook that fails validation must still exit 2 with its problems and nothing run,
// even when the frame was on the screen and the operator pressed enter at once. The binary runs
// as it ships, in tmux, under script(1), which keeps every byte it wrote (the frame included).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBinary } from '../engine/binary.js';
import { Tmux, hasTmux } from './tmux.js';

const here = import.meta.dirname;
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasTmux() || !hasScript)('train --runbook on a terminal: the early frame', () => {
  let dir: string;
  let cli: { cli: string; remove: () => void };
  const tmux = new Tmux(`runbook-e2e-train-frame-${process.pid}`);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'runbook-e2e-train-frame-'));
    cli = await buildBinary();
  }, 60_000);

  afterAll(async () => {
    await tmux.kill();
    cli?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the early frame, then exits 2 with the problem and its place, nothing run, enter pressed at once', async () => {
    // Laid out like a good runbook (so the frame is drawn), but a command names a param that is not declared.
    const fixture = readFileSync(path.join(here, 'fixtures', 'patch-agents.yaml'), 'utf8');
    const bad = fixture.replace('run: systemctl is-active dcos-mesos-master', 'run: systemctl is-active {{params.nope}}');
    expect(bad).not.toBe(fixture);
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, bad);
    const line = bad.split('\n').findIndex((l) => l.includes('params.nope')) + 1;
    const state = path.join(dir, 'state');
    const log = path.join(dir, 'typescript');
    const command = `'${process.execPath}' '${cli.cli}' train --runbook '${file}' --state-dir '${state}'`;
    await tmux.start(`script -qefc "${command}" '${log}'`, 120, 40, {
      HOME: path.join(dir, 'home'),
      CI: 'false',
      TERM: 'xterm-256color',
      PATH: process.env.PATH ?? '',
    });
    // Enter, again and again, from the start until the player has gone.
    let screen = '';
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      await tmux.keys('Enter');
      screen = await tmux.screen();
      if (screen.includes('[exit')) break;
    }
    screen = await tmux.waitFor('[exit', 5_000);
    expect(screen).toContain('[exit 2]');
    expect(screen).toContain(`${file}:${line}:`);
    expect(screen).toMatch(/params\.nope names no param/);
    // The frame was drawn first: the runbook's title and the simulated nodes, in the alternate screen.
    const written = readFileSync(log, 'utf8');
    const frameAt = written.indexOf('Patch the agents (end-to-end test)');
    expect(frameAt).toBeGreaterThan(-1);
    expect(written).toContain('master-1');
    expect(written.indexOf('params.nope names no param')).toBeGreaterThan(frameAt);
    // Nothing ran: no journal, and the screen never went past its first step.
    const runs = path.join(state, 'runs');
    expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
    expect(written).not.toMatch(/step 2\/8|✔|✖/);
  }, 60_000);

  it('leaves the early frame before the session asks for a param, so the question is seen and answered', async () => {
    const fixture = readFileSync(path.join(here, 'fixtures', 'patch-agents.yaml'), 'utf8');
    // train hands the runbook the simulator's params, so the runbook declares them; ticket it asks for.
    const simParams = [
      'installed_version',
      'target_version',
      'security',
      'security_change',
      'bootstrap_dir',
      'previous_config',
      'nginx_port',
      'zk_user',
      'zk_password',
    ];
    const declared = simParams.map((n) => `  ${n}:\n    prompt: ${n}\n`).join('');
    const asking = fixture.replace(
      'header:\n',
      `params:\n${declared}  ticket:\n    prompt: Change ticket for this patch\nheader:\n  ticket: '{{params.ticket}}'\n`,
    );
    expect(asking).not.toBe(fixture);
    const file = path.join(dir, 'asking.yaml');
    writeFileSync(file, asking);
    await tmux.kill();
    await tmux.start(
      `'${process.execPath}' '${cli.cli}' train --runbook '${file}' --state-dir '${path.join(dir, 'state-asking')}'`,
      120,
      40,
      {
        HOME: path.join(dir, 'home'),
        CI: 'false',
        TERM: 'xterm-256color',
        PATH: process.env.PATH ?? '',
      },
    );
    // On the normal screen, not under the frame in the alternate one.
    const asked = await tmux.waitFor('Change ticket for this patch', 30_000);
    expect(asked).not.toContain('Nodes');
    await tmux.keysTo('e2e', { text: 'CHG-42' }, 'Enter');
    const screen = await tmux.waitFor((s) => s.includes('master-1') && s.includes('CHG-42'), 30_000);
    expect(screen).toContain('Patch the agents (end-to-end test)');
    await tmux.keys('q');
    await tmux.waitFor('[exit', 10_000);
  }, 60_000);
});
