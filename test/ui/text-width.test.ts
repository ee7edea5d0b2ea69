import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { DOT, GLYPH, SPINNER_FRAMES, SPINNER_MARK } from '../../src/ui/terminal/theme.js';
import { NARROW_GLYPHS, fit, padEnd, stripStyle, textWidth, truncate, wrap } from '../../src/ui/terminal/text-width.js';

describe('text width', () => {
  it.each([
    ['abc', 3],
    ['补丁', 4],
    ['主节点 master-1', 15],
    ['\x1b[32mok\x1b[0m', 2],
    ['e\u0301', 1],
    ['', 0],
  ])('%j is %i columns', (text, width) => {
    expect(textWidth(text)).toBe(width);
  });

  it('counts the glyphs the panes draw without string-width, and agrees with it', () => {
    const glyphs = [...NARROW_GLYPHS, ...Object.values(GLYPH), ...Object.values(DOT), ...SPINNER_FRAMES, SPINNER_MARK];
    for (const g of glyphs) {
      expect(g.length, g).toBe(1);
      expect(stringWidth(g), g).toBe(1);
    }
    for (const text of [
      ' \x1b[36m⠋\x1b[0m Patch the masters  ○ before  ⏲ 04:12  ♥ ✔ passed',
      `┌ Run on agent-1? ${'─'.repeat(40)}┐`,
      '○○●●✖◐◔⊘',
      'ok ✔ 修补 ○',
      'a\u200bb ✔',
      'x\u0301 ●',
    ]) {
      expect(textWidth(text), JSON.stringify(text)).toBe(stringWidth(text));
    }
  });

  it('truncates by columns with an ellipsis, dropping a wide character that would straddle the edge', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('修补主节点', 6)).toBe('修补…');
    expect(textWidth(truncate('修补主节点', 6))).toBe(5);
    expect(truncate('abc', 0)).toBe('');
  });

  it('fits to exactly a width, CJK included', () => {
    for (const text of ['master-1', '修补主节点 master-1 很长很长', '', 'x']) {
      for (const w of [1, 5, 8, 13]) expect(textWidth(fit(text, w))).toBe(w);
    }
    expect(padEnd('\x1b[1mab\x1b[0m', 4)).toBe('\x1b[1mab\x1b[0m  ');
    expect(stripStyle('\x1b[31;1mred\x1b[0m')).toBe('red');
  });

  it('wraps at spaces, and inside words or between CJK characters when it must', () => {
    expect(wrap('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrap('这是一个很长的中文句子', 8).every((l) => textWidth(l) <= 8)).toBe(true);
    expect(wrap('a\n\nb', 5)).toEqual(['a', '', 'b']);
  });

  it('never starts a Chinese line with a closing mark nor ends one with an opening mark', () => {
    const text = '升级前，请确认（所有主节点）都已恢复。然后继续：逐个修补代理节点。';
    for (const width of [6, 7, 8, 9, 10, 11, 13, 20]) {
      const lines = wrap(text, width);
      expect(lines.join(''), String(width)).toBe(text);
      for (const line of lines) {
        expect(textWidth(line), line).toBeLessThanOrEqual(width);
        expect('，。、：）'.includes(line[0] ?? ''), `${width}: ${line}`).toBe(false);
        expect(line.endsWith('（'), `${width}: ${line}`).toBe(false);
      }
    }
    // Mixed text keeps the spaces between words and breaks between CJK characters.
    expect(wrap('修补 master-1 节点', 10)).toEqual(['修补', 'master-1', '节点']);
  });

  it('puts the ellipsis right after the text, not after a blank', () => {
    expect(truncate('Patch the masters', 7)).toBe('Patch…');
    expect(truncate('修补 主节点', 6)).toBe('修补…');
  });
});
