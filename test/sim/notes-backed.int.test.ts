// The runbooks' notes that send the operator to a UI give a command with the same facts, and the
// simulated cluster answers it (over real SSH) for the agent the note names; the notes about what
// no simulator has (release notes, task history) say what to look at on a real cluster.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRunbookText } from '../../src/runbook/load.js';
import { startSimulator, type SimCluster } from '../../src/sim/index.js';
import { connect } from './ssh-client.js';

const COMMAND = 'curl -fsS http://leader.mesos:5050/slaves';
const steps = (file: string): Map<string, string> => {
  const at = path.join('runbooks', file);
  const rb = loadRunbookText(readFileSync(at, 'utf8'), at).runbook;
  return new Map(rb.sections.flatMap((s) => s.steps.map((st): [string, string] => [`${s.id}/${st.id}`, st.text ?? ''])));
};

let sim: SimCluster;
beforeAll(async () => {
  sim = await startSimulator({ masters: 1, agents: 2, publicAgents: 1, timeScale: 50 });
}, 60_000);
afterAll(async () => {
  await sim?.close();
});

describe('notes the simulator cannot show as a UI', () => {
  it.each(['dcos-1.11-patch.yaml', 'dcos-1.11-patch.zh-CN.yaml'])(
    '%s: the Mesos UI notes give the command; the others say what a real cluster has',
    (file) => {
      const text = steps(file);
      for (const key of ['agents/mesos-ui', 'public-agents/mesos-ui']) {
        expect(text.get(key), key).toContain(COMMAND);
        expect(text.get(key), key).toContain('{{node.ip}} with "active":true'.replace(' with ', file.includes('zh') ? '，且 ' : ' with '));
      }
      expect(text.get('guidelines/release-notes')).toMatch(
        file.includes('zh') ? /模拟集群没有版本注释/ : /A simulated\s+cluster has no release notes/,
      );
    },
  );

  it('the simulated cluster answers that command on a master: each agent by its address, active', async () => {
    const s = await connect(sim, 'master-1');
    try {
      const r = await s.run(COMMAND);
      expect(r.exit, r.stderr).toBe(0);
      for (const agent of sim.inventory.nodes.filter((n) => n.roles.includes('agent') || n.roles.includes('public_agent'))) {
        const listed = (JSON.parse(r.stdout) as { slaves: { hostname: string; active: boolean }[] }).slaves.find(
          (a) => a.hostname === agent.ip,
        );
        expect(listed, agent.name).toMatchObject({ active: true });
      }
    } finally {
      s.close();
    }
  });
});
