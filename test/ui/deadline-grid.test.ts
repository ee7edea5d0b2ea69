// The agents' countdown as the grid shows it: it ends when the gate that answers it passes, so a
// registered agent never reads "over", however long the operator takes over the next note; an
// agent that did not answer in time does.
import { describe, expect, it } from 'vitest';
import { renderGrid } from '../../src/ui/panes/grid.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { stripStyle } from '../../src/ui/terminal/text-width.js';
import { nodeView, nodeVersion, NO_FACTS, type NodeView } from '../../src/ui/app/view-model.js';
import type { RunState } from '../../src/engine/state.js';
import type { Step } from '../../src/runbook/schema.js';
import { cluster, Driver, runbook, section, stateOf } from '../engine/fixtures.js';

const steps: Step[] = [
  { id: 'patch', title: 'Run the patch script', run: 'x', deadline: { after: '5m', text: 'the agent expires', answered_by: 'registered' } },
  { id: 'registered', title: 'Agent registered', run: 'y' },
  { id: 'ui', title: 'Tasks reconciled in the Mesos UI', text: 'Look at the Mesos UI', confirm: true },
];

function row(state: RunState, name: string, now: number): string {
  const views = [...state.nodes.values()].map((n) => nodeView(state, n));
  const out = renderGrid({
    views,
    version: (v: NodeView) => nodeVersion(state, v, NO_FACTS),
    health: new Map(),
    probed: new Set(),
    roleTitles: { agent: 'Agents' },
    filter: '',
    focused: true,
    width: 100,
    height: 12,
    now,
    theme: createTheme('mono'),
    spinner: '⠋',
  });
  return out.lines.map(stripStyle).find((l) => l.includes(name)) ?? '';
}

describe('the deadline in the node grid', () => {
  it('counts down while the agent is away, and is gone once it registered: never "over" on a registered agent', () => {
    const d = new Driver(stateOf(runbook([section('agents', steps, { on: 'agent', strategy: { batch: 2 } })]), cluster(0, 2)));
    d.start();
    d.advance(60_000);
    d.done('agents/patch@agent-1');
    d.done('agents/patch@agent-2');
    expect(row(d.state, 'agent-1', d.now)).toMatch(/⏲ 04:00/);
    d.advance(30_000);
    d.done('agents/registered@agent-1');
    // agent-1 answered; agent-2 never does. The operator reads the UI note for ten minutes.
    d.advance(600_000);
    d.send({ type: 'timer', task: 'agents/patch@agent-1', attempt: 0, kind: 'deadline' });
    d.send({ type: 'timer', task: 'agents/patch@agent-2', attempt: 0, kind: 'deadline' });
    expect(row(d.state, 'agent-1', d.now)).not.toMatch(/⏲/);
    expect(row(d.state, 'agent-2', d.now)).toMatch(/⏲ over/);
  });
});
