import { describe, expect, it } from 'vitest';
import { dotMap, filterNodes, renderGrid, stateCounts, type GridInput } from '../../src/ui/panes/grid.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { stripStyle, textWidth } from '../../src/ui/terminal/text-width.js';
import { nodeView, nodeVersion, NO_FACTS, type NodeView } from '../../src/ui/app/view-model.js';
import type { RunState } from '../../src/engine/state.js';
import { freshState, masterPolling, T0 } from './fixtures.js';

const mono = createTheme('mono');

function input(state: RunState, over: Partial<GridInput> = {}): GridInput {
  const views = [...state.nodes.values()].map((n) => nodeView(state, n));
  return {
    views,
    version: (v: NodeView) => nodeVersion(state, v, NO_FACTS),
    health: new Map(),
    probed: new Set(['master']),
    roleTitles: { master: 'Masters', agent: 'Agents' },
    filter: '',
    focused: true,
    width: 80,
    height: 12,
    now: T0 + 71_000,
    theme: mono,
    spinner: '⠋',
    ...over,
  };
}

const plain = (lines: string[]) => lines.map((l) => stripStyle(l).trimEnd());

describe('node grid', () => {
  it('3 masters: a row each, with version, change, health and state', () => {
    const d = masterPolling(3, 0);
    const out = renderGrid(
      input(d.state, {
        selected: 'master-1',
        health: new Map([['master-2', { ok: true, message: 'registrar/log/recovered = 1', at: T0 }]]),
      }),
    );
    expect(plain(out.lines).slice(0, 5)).toEqual([
      '  node     address         version c h  state',
      '  local    127.0.0.1                    ✔ Supported patch path',
      '› master-1 10.0.4.1        1.11.1  ◐ ·  ◔ Mesos registrar recovered #1 00:14:30…',
      '  master-2 10.0.4.2        1.11.1  ○ ♥  ○ pending',
      '  master-3 10.0.4.3        1.11.1  ○ ·  ○ pending',
    ]);
    expect(out.lines).toHaveLength(12);
    expect(out.order).toEqual(['local', 'master-1', 'master-2', 'master-3']);
  });

  it('every row is exactly the pane width, at 47 and at 160 columns, CJK names included', () => {
    const d = masterPolling(3, 20);
    for (const width of [47, 160]) {
      const out = renderGrid(input(d.state, { width, height: 30, selected: 'agent-3' }));
      for (const line of out.lines) expect(textWidth(line)).toBe(width);
    }
  });

  it('20 agents: rows when they fit, a summary and a dot map when they do not', () => {
    const d = masterPolling(3, 20);
    const tall = renderGrid(input(d.state, { width: 120, height: 30 }));
    expect(plain(tall.lines).filter((l) => /agent-\d+/.test(l))).toHaveLength(20);
    const short = plain(renderGrid(input(d.state, { width: 47, height: 9, selected: 'agent-7', focused: false })).lines);
    expect(short[0]).toMatch(/^ {2}node/);
    expect(short.slice(1, 5).map((l) => l.slice(0, 10))).toEqual(['  local   ', '  master-1', '  master-2', '  master-3']);
    expect(short[5]).toBe('  Agents 20  ○20 not started');
    expect(short[6]).toBe('  ○○○○○○○○○○○○○○○○○○○○');
    expect(short[7]).toMatch(/^› agent-7 /);
  });

  it('2,000 agents: the dot map buckets nodes, and a filter by name or state reaches any one', () => {
    const state = freshState(3, 2000);
    const out = renderGrid(input(state, { width: 60, height: 10, selected: 'agent-1234' }));
    const lines = plain(out.lines);
    expect(lines).toHaveLength(10);
    expect(lines[5]).toBe('  Agents 2000  ○2000 not started');
    expect(lines.slice(6, 9).every((l) => /^ {2}○+$/.test(l))).toBe(true);
    expect(lines[9]).toMatch(/^› agent-1234 /);
    expect(out.page).toBeGreaterThan(1);
    expect(out.order).toHaveLength(2004);
    const one = renderGrid(input(state, { filter: 'agent-1234', width: 60, height: 10 }));
    expect(one.order).toEqual(['agent-1234']);
    expect(plain(one.lines)[1]).toMatch(/^ {2}agent-1234/);
    expect(renderGrid(input(state, { filter: 'failed' })).order).toEqual([]);
    expect(plain(renderGrid(input(state, { filter: 'nothing-like-this' })).lines)[0]).toBe('  no node matches "nothing-like-this"');
  });

  it('the dot map shows the worst state of a bucket, and the selected node inverted', () => {
    const d = masterPolling(3, 0);
    const views = [...d.state.nodes.values()].map((n) => nodeView(d.state, n));
    expect(dotMap(views, 10, 1, mono).lines.map(stripStyle)).toEqual(['●◔○○']);
    expect(dotMap(views, 2, 1, mono).lines.map(stripStyle)).toEqual(['◔○']);
    expect(dotMap(views, 10, 1, mono, 'master-2').lines[0]).toContain('\x1b[7m○\x1b[0m');
    expect(stripStyle(stateCounts(views, mono))).toBe('●1 passed  ◔1 polling  ○2 pending');
  });

  it('filters by state words, and by health', () => {
    const d = masterPolling(3, 5);
    const views = [...d.state.nodes.values()].map((n) => nodeView(d.state, n));
    expect(filterNodes(views, 'waiting', new Map()).map((v) => v.name)).toEqual(['master-1']);
    expect(filterNodes(views, 'changing', new Map()).map((v) => v.name)).toEqual(['master-1']);
    expect(filterNodes(views, 'agent-5', new Map()).map((v) => v.name)).toEqual(['agent-5']);
    expect(filterNodes(views, 'unhealthy', new Map([['master-2', { ok: false, message: 'x', at: 0 }]])).map((v) => v.name)).toEqual([
      'master-2',
    ]);
  });
});

describe('node grid windows', () => {
  it('says how many nodes are above and below when rows do not fit, the selection in view', () => {
    const d = masterPolling(3, 5);
    const out = renderGrid(input(d.state, { width: 70, height: 6, selected: 'agent-3' }));
    const lines = plain(out.lines);
    expect(lines).toHaveLength(6);
    expect(lines[1]).toBe('  ↑ 5 more nodes (j/k moves, / filters)');
    expect(lines.some((l) => l.startsWith('› agent-3'))).toBe(true);
    expect(lines[5]).toBe('  ↓ 1 more node (j/k moves, / filters)');
  });
});
