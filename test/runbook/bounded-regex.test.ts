import { describe, expect, it } from 'vitest';
import { boundedExec, boundedTest } from '../../src/runbook/bounded-regex.js';
import { boundedTest as fromValidate } from '../../src/runbook/validate.js';

const evil = /^(a+)+$/;
const slow = `${'a'.repeat(40)}!`;

describe('regular expressions with a time limit', () => {
  it('answers as test and exec do for ordinary patterns', () => {
    expect(boundedTest(/^1\.11\.\d+$/, '1.11.4')).toBe(true);
    expect(boundedTest(/^1\.11\.\d+$/, '1.12.0')).toBe(false);
    const m = boundedExec(/Node (?:patch|upgrade) script URL: (\S+)/m, 'x\nNode upgrade script URL: http://b/s.sh\n');
    expect(m === 'timeout' ? m : m?.[1]).toBe('http://b/s.sh');
    expect(boundedExec(/nothing/, 'here')).toBeNull();
    expect(fromValidate).toBe(boundedTest);
  });

  it('gives up on a pattern that backtracks catastrophically instead of hanging', () => {
    const started = Date.now();
    expect(boundedExec(evil, slow, [100, 200])).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    // The sandbox still works afterwards.
    expect(boundedExec(/^(a+)+$/, 'aaaa')).not.toBe('timeout');
  });

  it('confirms a timeout with the longer limit, and does not try a pattern known to backtrack again', () => {
    const pattern = /^(b+)+$/;
    const started = Date.now();
    expect(boundedTest(pattern, `${'b'.repeat(40)}!`, [50, 150])).toBe('timeout');
    const first = Date.now() - started;
    expect(first).toBeGreaterThanOrEqual(190);
    // Known now: even a value it would match at once comes back as a timeout, without trying.
    expect(boundedTest(pattern, 'bbb')).toBe('timeout');
    expect(Date.now() - started - first).toBeLessThan(50);
  });
});
