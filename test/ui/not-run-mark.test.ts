// Skipped by the operator and not run because of a `when:` are different things: different
// glyphs and words in the step list, in every state the run is in.
import { describe, expect, it } from 'vitest';
import { stepRows } from '../../src/ui/app/view-model.js';
import { stepListLines } from '../../src/ui/panes/step-list.js';
import { createTheme, GLYPH } from '../../src/ui/terminal/theme.js';
import { stripStyle } from '../../src/ui/terminal/text-width.js';
import { Driver, T0, runbook, section, stateOf } from '../engine/fixtures.js';

const rb = runbook(
  [
    section('checks', [
      { id: 'strict-only', title: 'Strict only', run: 'x', when: "params.security == 'strict'" },
      { id: 'broken', title: 'Broken', run: 'y' },
      { id: 'last', title: 'Last', run: 'z' },
    ]),
    section('strict', [{ id: 'a', run: 'a' }], { when: "params.security == 'strict'", title: 'Strict section' }),
  ],
  { params: { security: { choices: ['disabled', 'strict'], default: 'disabled' } } },
);

describe('not run and skipped', () => {
  it('have their own marks and words', () => {
    const d = new Driver(stateOf(rb, undefined, { security: 'disabled' }));
    d.start();
    d.done('checks/broken@local', { exit: 1 });
    d.act({ type: 'skip', task: 'checks/broken@local', reason: 'checked by hand' });
    d.done('checks/last@local');
    const rows = stepRows(d.state, new Set(['checks']), T0);
    const states = Object.fromEntries(rows.map((r) => [r.key, [r.state, r.detail]]));
    expect(states['checks/strict-only']).toEqual(['not-run', "not run: when: params.security == 'strict' is false"]);
    expect(states['checks/broken']).toEqual(['skipped', 'skipped: checked by hand']);
    expect(states.strict).toEqual(['not-run', "not run: when: params.security == 'strict' is false"]);
    const lines = stepListLines({
      rows,
      cursor: 'checks',
      width: 80,
      height: 8,
      focused: false,
      training: false,
      theme: createTheme('mono'),
      spinner: '⠋',
    }).map(stripStyle);
    expect(lines.find((l) => l.includes('Strict only'))).toContain(`${GLYPH['not-run']} Strict only`);
    expect(lines.find((l) => l.includes('Broken'))).toContain(`${GLYPH.skipped} Broken`);
    expect(GLYPH['not-run']).not.toBe(GLYPH.skipped);
  });
});
