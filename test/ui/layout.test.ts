import { describe, expect, it } from 'vitest';
import { computeLayout } from '../../src/ui/terminal/layout.js';

const total = (l: ReturnType<typeof computeLayout>) => l.header + l.body + l.output + l.troubleshoot + l.modal + l.status + l.help;

describe('layout', () => {
  it.each([
    [80, 24],
    [250, 70],
    [100, 30],
    [40, 12],
  ])('fills %ix%i exactly, in every arrangement', (columns, rows) => {
    for (const troubleshoot of [false, true]) {
      for (const modal of [false, true]) {
        const l = computeLayout({ columns, rows, troubleshoot, modal });
        expect(l.tooSmall).toBeUndefined();
        expect(total(l)).toBe(rows);
        expect(l.stepsWidth + 1 + l.nodesWidth).toBe(columns);
        expect(l.body).toBeGreaterThanOrEqual(3);
        if (modal) expect(l.modal).toBeGreaterThanOrEqual(Math.min(9, rows - 6));
        if (troubleshoot && !modal) expect(l.troubleshoot).toBeGreaterThanOrEqual(2);
      }
    }
  });

  it('80x24: steps and nodes side by side over the output', () => {
    expect(computeLayout({ columns: 80, rows: 24, troubleshoot: false, modal: false })).toMatchObject({
      body: 11,
      output: 10,
      stepsWidth: 32,
      nodesWidth: 47,
    });
  });

  it('says what it needs when the terminal is too small', () => {
    expect(computeLayout({ columns: 30, rows: 10, troubleshoot: false, modal: false }).tooSmall).toBe(
      'The terminal is 30x10; runbook needs at least 40x12.',
    );
  });
});
