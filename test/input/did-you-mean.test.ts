import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from '../../src/input/did-you-mean.js';

describe('editDistance', () => {
  it.each([
    ['destrutive', 'destructive', 1],
    ['tiemout', 'timeout', 1],
    ['ab', 'ba', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
    ['same', 'same', 0],
  ])('%s -> %s is %d', (a, b, n) => {
    expect(editDistance(a, b)).toBe(n);
  });
});

describe('closest', () => {
  const stepKeys = [
    'id',
    'title',
    'why',
    'text',
    'checklist',
    'run',
    'check',
    'destructive',
    'confirm',
    'expect',
    'until',
    'every',
    'timeout',
    'deadline',
    'capture',
    'when',
    'troubleshoot',
    'hint',
  ];
  it.each([
    ['destrutive', 'destructive'],
    ['tiemout', 'timeout'],
    ['Title', 'title'],
    ['captures', 'capture'],
    ['expcet', 'expect'],
    ['troubleshooting', 'troubleshoot'],
    ['banana', undefined],
    ['x', undefined],
  ])('%s -> %s', (word, expected) => {
    expect(closest(word, stepKeys)).toBe(expected);
  });

  it('never suggests the word itself', () => {
    expect(closest('run', ['run'])).toBeUndefined();
  });

  it('words a suggestion', () => {
    expect(didYouMean('destrutive', ['destructive'])).toBe('; did you mean "destructive"?');
    expect(didYouMean('zzz', ['destructive'])).toBe('');
  });
});
