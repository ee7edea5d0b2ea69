// The catalog of the UI's words: both languages have every key (the type says so; this checks
// the objects, so a key added by a cast is caught too), every command of the keymap has its
// words, and no Chinese text is left in English.
import { keyWords, type KeyWords } from '../../src/ui/key-words.js';
import { describe, expect, it } from 'vitest';
import { BINDINGS, keyLabel } from '../../src/ui/app/keymap.js';
import { en, uiWordsFor, zh, type UiWords } from '../../src/words/words.js';

/** A value that is `n` as text and a number, and has every property (itself such a value). */
const deepSample = (n: number): unknown =>
  new Proxy(() => n, {
    get: (_, k) => (k === Symbol.toPrimitive ? () => n : k === 'length' ? n : deepSample(n)),
    apply: () => deepSample(n),
  });

/** Every text of a catalog, functions called with sample arguments (1 and 2 take both branches). */
function texts(words: UiWords | KeyWords): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') out.push(v);
    else if (typeof v === 'function') {
      const call = (args: unknown[]) => (v as (...a: unknown[]) => unknown)(...args);
      for (const sample of [1, 2]) {
        // Primitive samples take both branches of plural rules; a text that reads "undefined" had an
        // object parameter, which the samples below fill in.
        let said: unknown;
        try {
          said = call(Array.from({ length: v.length }, () => sample));
        } catch {
          said = undefined; // a list or an object parameter: the samples below fill it in
        }
        if (said !== undefined && !String(JSON.stringify(said)).includes('undefined')) walk(said, path);
        const filled = call(Array.from({ length: v.length }, () => deepSample(sample)));
        if (typeof filled === 'string' || Array.isArray(filled)) walk(filled, path);
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
  };
  walk(words, '');
  return out;
}

const shape = (v: unknown): unknown =>
  v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))
    : typeof v === 'function'
      ? `function/${(v as () => unknown).length}`
      : typeof v;

describe('the catalog of the UI words', () => {
  it('both languages have the same keys, with functions taking the same arguments', () => {
    expect(shape(zh)).toEqual(shape(en));
  });

  it('every command of the keymap has a label and a help sentence in both languages', () => {
    for (const words of [en, zh])
      for (const b of BINDINGS) {
        expect(keyWords(words).commands[b.id]?.label, `${words.lang} ${b.id}`).toBeTruthy();
        expect(keyWords(words).commands[b.id]?.help, `${words.lang} ${b.id}`).toBeTruthy();
      }
    expect(Object.keys(keyWords(zh).commands).sort()).toEqual(BINDINGS.map((b) => b.id).sort());
  });

  it('no Chinese text is left in English: its ASCII words are keys, programs and commands only', () => {
    const keys = new Set(BINDINGS.flatMap((b) => b.keys.map((k) => keyLabel(k).toLowerCase())));
    // Names that stay as they are in any language: programs, the commands that go on with a run, the format's `when`.
    const names = new Set(['tmux', 'ssh', 'ctrl', 'runbook', 'play', 'train', 'resume', 'scenario', 'end', 'when']);
    const english: string[] = [];
    for (const t of [...texts(zh), ...texts(keyWords(zh))])
      for (const w of t.match(/[A-Za-z]{3,}/g) ?? [])
        if (!keys.has(w.toLowerCase()) && !names.has(w.toLowerCase())) english.push(`${w} in "${t}"`);
    expect(english).toEqual([]);
    // And the check can fail: the English catalog is full of such words.
    expect(texts(en).join(' ')).toMatch(/Press enter/);
    // And no Chinese in the English catalog.
    expect([...texts(en), ...texts(keyWords(en))].filter((t) => /[\u3000-\u9fff\uff00-\uffef]/.test(t))).toEqual([]);
  });

  it('the language rule is the export labels rule: zh, zh-CN, zh-Hans are Chinese; anything else English', () => {
    expect(uiWordsFor('zh-CN')).toBe(zh);
    expect(uiWordsFor('zh')).toBe(zh);
    expect(uiWordsFor('zh-Hans')).toBe(zh);
    expect(uiWordsFor('en')).toBe(en);
    expect(uiWordsFor('de')).toBe(en);
    expect(uiWordsFor(undefined)).toBe(en);
    expect(uiWordsFor('zhx')).toBe(en);
  });

  it('the engine reasons the journal keeps in English are said in Chinese by their shape; others stay as they are', () => {
    expect(zh.reason('exit 1, expected 0: No such file')).toBe('退出状态 1，应为 0：No such file');
    expect(zh.reason("when: params.security == 'strict' is false")).toBe("条件不成立：params.security == 'strict'");
    expect(zh.reason('timed out after 15 min (outcome unknown)')).toBe('15 min 后超时（结果未知）');
    expect(zh.reason('registrar not recovered')).toBe('registrar not recovered');
    expect(en.reason('exit 1, expected 0')).toBe('exit 1, expected 0');
  });
});
