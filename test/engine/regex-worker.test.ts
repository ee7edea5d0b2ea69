import { describe, expect, it } from 'vitest';
import { cannotBacktrack, SEARCH_LIMIT_MS, searchAsync } from '../../src/engine/regex-worker.js';
import { MATCH_LIMITS_MS } from '../../src/runbook/bounded-regex.js';

const plain = (re: RegExp, text: string) => {
  const m = re.exec(text);
  return m === null ? null : { index: m.index, groups: [...m] };
};

describe('searching output with a time limit', () => {
  it.each([
    ['^active$', true],
    ['slave/registered 1', true],
    ['^HTTP/1\\.1 200 OK$', true],
    ['(?:node)-[0-9]\\b', true],
    ['[*+?{|(]x', true],
    ['[a\\]+]x', true],
    ['\\*\\+\\?\\{\\|\\d', true],
    ['a*', false],
    ['a+', false],
    ['colou?r', false],
    ['a{2}', false],
    ['\\u{3,}', false],
    ['active|failed', false],
    ['(a)\\1', false],
    ['(?<n>a)\\k<n>', false],
    ['(?=a)a', false],
    ['(?!b)a', false],
    ['(?<=x)a', false],
    ['[a\\]]+', false],
  ])('%s cannot backtrack: %s', (source, expected) => {
    expect(cannotBacktrack(source)).toBe(expected);
  });

  it('has the limit that confirms a timeout in bounded-regex', () => {
    expect(SEARCH_LIMIT_MS).toBe(MATCH_LIMITS_MS.at(-1));
  });

  it('answers as exec does: here or in the worker, for short and long texts', async () => {
    const long = `${'x'.repeat(100_000)}\nNode upgrade script URL: http://b/s.sh\nactive\n`;
    const longer = `${'x'.repeat(300_000)}\nNode upgrade script URL: http://b/s.sh\nactive\n`;
    for (const [re, text] of [
      [/^active$/m, 'activating\nactive\n'],
      [/^active$/m, long],
      [/^active$/m, longer.repeat(50)],
      [/URL: (\S+)( x)?/m, long],
      [/URL: (\S+)( x)?/m, longer],
      [/"version":\s*"([^"]+)"/m, '{"version": "1.11.4"}'],
      [/nothing/m, 'here'],
      [/^act(ive)?$/m, 'act\n'],
    ] as const) {
      expect(await searchAsync(re, text)).toEqual(plain(re, text));
    }
  });

  it('stops a search past its limit, and the next search has a new worker', { timeout: 20_000 }, async () => {
    const started = Date.now();
    // 2^30 ways to split the a's: over 10 s without a limit.
    expect(await searchAsync(/^(a+)+$/, `${'a'.repeat(30)}!`, 300)).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await searchAsync(/^(a+)+$/, 'aaa')).toEqual({ index: 0, groups: ['aaa', 'aaa'] });
    expect(await searchAsync(/b+(c)/, 'abbc')).toEqual({ index: 1, groups: ['bbc', 'c'] });
  });
});
