// A pane's rows are made again when any of its props changed, compared one by one: a prop added to
// a pane needs no list of dependencies kept by hand (the lists it replaced missed some: the grid's
// role titles, what is probed). Checked on the real path, rows through the writer into a terminal.
import React, { useContext, useLayoutEffect } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameOutputContext } from '../../src/ui/app/frame-output.js';
import { shallowEqual, usePane } from '../../src/ui/app/Screen.js';
import { nodeGridLines, type NodeGridProps } from '../../src/ui/panes/node-grid.js';
import { nodeView, nodeVersion, NO_FACTS, type NodeView } from '../../src/ui/app/view-model.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { freshState, T0 } from './fixtures.js';
import { renderScreen, type TermScreen } from './terminal.js';

let mounted: TermScreen[] = [];
afterEach(() => {
  for (const m of mounted) m.unmount();
  mounted = [];
});

describe('shallowEqual', () => {
  const f = () => 1;
  it.each([
    [{ a: 1 }, { a: 1 }, true],
    [{ a: 1, f }, { a: 1, f }, true],
    [{ a: 1 }, { a: 2 }, false],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [{ a: 1, b: undefined }, { a: 1, c: undefined }, false],
    [{ a: [1] }, { a: [1] }, false],
    [{ a: NaN }, { a: NaN }, true],
    [undefined, { a: 1 }, false],
    [undefined, undefined, true],
  ])('%o and %o: %s', (a, b, same) => {
    expect(shallowEqual(a, b)).toBe(same);
  });
});

/** The grid pane alone, its rows handed to the screen writer as the Screen does. */
function Grid({ props, calls }: { props: NodeGridProps; calls: { n: number } }) {
  const rows = usePane((p: NodeGridProps) => {
    calls.n += 1;
    return nodeGridLines(p);
  }, props);
  const output = useContext(FrameOutputContext);
  useLayoutEffect(() => output?.(rows), [output, rows]);
  return null;
}

describe('usePane', () => {
  const state = freshState(3, 20);
  const views = [...state.nodes.values()].map((n) => nodeView(state, n));
  const base: NodeGridProps = {
    views,
    version: (v: NodeView) => nodeVersion(state, v, NO_FACTS),
    health: new Map(),
    healthVersion: 0,
    probed: new Set(['master']),
    roleTitles: { master: 'Masters', agent: 'Agents' },
    filter: '',
    focused: false,
    width: 80,
    height: 12,
    now: T0,
    theme: createTheme('mono'),
    spinner: '⠋',
  };

  it('the same props in a new object: the rows are not made again; a prop the old lists forgot changes them', async () => {
    const calls = { n: 0 };
    const r = await renderScreen(<Grid props={base} calls={calls} />, { columns: 80, rows: 12 });
    mounted.push(r);
    expect(r.frame()).toContain('Agents 20');
    expect(calls.n).toBe(1);
    await r.rerender(<Grid props={{ ...base }} calls={calls} />);
    expect(calls.n).toBe(1);
    // The role titles come with the plan: renamed, the grid shows the new name.
    await r.rerender(<Grid props={{ ...base, roleTitles: { master: 'Masters', agent: 'Public agents' } }} calls={calls} />);
    expect(calls.n).toBe(2);
    expect(r.frame()).toContain('Public agents 20');
    expect(r.frame()).not.toContain(' Agents 20');
  });
});
