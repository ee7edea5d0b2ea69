// `runbook train` draws its first frame from the scenario's nodes before the simulator starts. That
// frame must be the one the session opened on the started cluster gives: the same node names, the
// same 10.0.x.x labels, the same header, for clusters shaped unlike the default (one master, an
// agent left out of the inventory, no public agents, a configuration-only scenario) and for the
// Chinese runbook. The simulator is real (ssh2 servers on loopback) and the session is the one
// train opens (its params, its inventory).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession } from '../../src/cli/session.js';
import { trainingFrameState } from '../../src/cli/train-frame.js';
import { startSimulator } from '../../src/sim/index.js';
import { firstFrameRows } from '../../src/ui/app/first-frame.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { capturedIo } from '../helpers/cli-io.js';

const root = path.join(import.meta.dirname, '..', '..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'runbook-train-frame-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("train's first frame, drawn before the simulator starts", () => {
  it.each([
    ['happy, the default cluster', 'happy', {}, 'dcos-1.11-patch.yaml'],
    ['unlisted-agent on one master and seven agents', 'unlisted-agent', { masters: 1, agents: 7 }, 'dcos-1.11-patch.yaml'],
    [
      'no-public-agents on two masters and three agents, in Chinese',
      'no-public-agents',
      { masters: 2, agents: 3 },
      'dcos-1.11-patch.zh-CN.yaml',
    ],
    ['custom-checks (configuration only)', 'custom-checks', {}, 'dcos-1.11-patch.yaml'],
  ])(
    'is the frame of the session on the started cluster: %s',
    async (_what, scenario, size, runbook) => {
      const file = path.join(root, 'runbooks', runbook);
      const early = await trainingFrameState({ file, scenario, size, params: [], env: {} });
      expect(early).toBeDefined();

      const sim = await startSimulator({ scenario, ...size });
      try {
        const io = capturedIo({ PATH: process.env.PATH, HOME: dir, DCOS_AUTH_TOKEN: sim.token }, dir);
        const opened = await openSession({
          io,
          command: 'train',
          file,
          inventory: { ...sim.inventory, name: `sim:${scenario}` },
          params: Object.entries(sim.suggestedParams).map(([k, v]) => `${k}=${v}`),
          stateDir: path.join(dir, `${scenario}-state`),
        });
        if (opened.kind !== 'session') throw new Error('expected a session');
        try {
          const late = opened.session.runner.getState();
          // The labels themselves, node by node, before the rows that show them.
          const labels = (nodes: Iterable<{ name: string }>) => [...nodes].map((n) => n.name);
          expect(labels(early!.nodes.values())).toEqual(labels(late.nodes.values()));
          expect([...early!.plan.targets].map(([n, t]) => [n, t.ip ?? t.address])).toEqual(
            [...late.plan.targets].map(([n, t]) => [n, t.ip ?? t.address]),
          );
          const frame = (state: typeof late) =>
            firstFrameRows(state, {
              columns: 140,
              rows: 60,
              theme: createTheme('mono'),
              target: `sim:${scenario}`,
              training: true,
              now: 0,
              spinner: '*',
            });
          expect(frame(early!)).toEqual(frame(late));
        } finally {
          await opened.session.close();
        }
      } finally {
        await sim.close();
      }
    },
    60_000,
  );

  it('lays out nothing for a text it cannot read as a runbook (the session reports it with its places)', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = path.join(dir, 'not-a-runbook.yaml');
    writeFileSync(file, 'sections: 12\n');
    expect(await trainingFrameState({ file, scenario: 'happy', size: {}, params: [], env: {} })).toBeUndefined();
  });
});
