import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, parseDuration } from '../../src/runbook/duration.js';
import { Duration } from '../../src/runbook/schema.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h 2m 3s', 3_723_000],
    ['1.5s', 1500],
    ['0.5m', 30_000],
    [' 5m ', 300_000],
    ['0s', 0],
    ['2m500ms', 120_500],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', ' ', '10', 's', '10x', '1d', '-5s', '5 minutes', '1m30', 'm5', '1e3s', '.5s'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('accepts exactly what the schema pattern accepts', () => {
    const pattern = new RegExp(Duration.pattern as string);
    for (const text of ['500ms', '1m30s', '1h 2m', '1.5s', '10', '1d', '', '5 minutes', '-5s', '.5s']) {
      expect(parseDuration(text) !== undefined, text).toBe(pattern.test(text));
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [900_000, '15m'],
    [3_600_000, '1h'],
    [3_723_000, '1h2m3s'],
    [3_600_500, '1h0.5s'],
    [-90_000, '-1m30s'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1000, 61_001, 3_599_999, 86_400_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

describe('formatClock', () => {
  it.each([
    [0, '00:00:00'],
    [999, '00:00:00'],
    [751_000, '00:12:31'],
    [3_600_000, '01:00:00'],
    [360_000_000, '100:00:00'],
    [-5000, '-00:00:05'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatClock(ms)).toBe(text);
  });
});
