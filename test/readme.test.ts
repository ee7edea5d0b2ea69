// The README's promises to a newcomer, checked against the product: the sample screen is the
// size it says and shows the default training (its node and step counts come from the simulator's
// default cluster and the shipped runbook, not from the text), the set-up says how to run the
// binary from a clone and what --time-scale does, and every command it lists exists.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { commands } from '../src/cli/commands.js';
import { buildPlan } from '../src/engine/plan.js';
import { loadRunbook } from '../src/runbook/load.js';
import { startSimulator } from '../src/sim/index.js';

const root = path.join(import.meta.dirname, '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('its sample screen is 100x30 and shows the default training: its node count and step total', async () => {
    const intro =
      /`npm start -- --time-scale (\d+)` in tmux at (\d+)x(\d+) with the default cluster \(a bootstrap node and\s+(\d+) cluster nodes, (\d+) steps\)/.exec(
        readme,
      );
    expect(intro).not.toBeNull();
    const [, , columns, rows, nodes, steps] = intro!.map(Number);
    const open = readme.indexOf('```\n', intro!.index) + 4;
    const screen = readme.slice(open, readme.indexOf('\n```', open)).split('\n');
    expect(screen).toHaveLength(rows!);
    for (const line of screen) expect(stringWidth(line)).toBeLessThanOrEqual(columns!);
    expect(stringWidth(screen.find((l) => l.startsWith('┌'))!)).toBe(columns);

    const sim = await startSimulator({ scenario: 'happy' });
    try {
      const file = path.join(root, 'runbooks', 'dcos-1.11-patch.yaml');
      const { runbook } = await loadRunbook(file, { inventory: sim.inventory });
      const plan = buildPlan(runbook, sim.inventory, { file });
      expect(sim.inventory.nodes.filter((n) => !n.roles.includes('bootstrap'))).toHaveLength(nodes!);
      expect(plan.total).toBe(steps);
      expect(screen[0]).toMatch(new RegExp(`step \\d+/${plan.total} `));
      // Every node of the default cluster is in the screen's node list.
      for (const node of sim.inventory.nodes) expect(screen.join('\n')).toContain(` ${node.name} `);
    } finally {
      await sim.close();
    }
  }, 30_000);

  it('says how to run runbook from a clone and what a real-speed training and --time-scale mean', () => {
    expect(readme).toContain('`npm install` in a clone does not put `runbook` on your PATH');
    expect(readme).toContain('`npx runbook <command>`');
    expect(readme).toContain('`npm link`');
    expect(readme).toMatch(/At real speed[^]*about 15 minutes of waiting/);
    expect(readme).toMatch(/--time-scale 50[^]*50 times faster/);
  });

  it('lists only commands that exist, and every one of them', () => {
    const block = readme.slice(readme.indexOf('## Commands'), readme.indexOf('```\n\n', readme.indexOf('## Commands')));
    const listed = new Set([...block.matchAll(/^runbook (\S+)/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual(commands.map((c) => c.name).sort());
  });
});
