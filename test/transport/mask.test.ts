// Secrets masked in a command's raw output: before sanitising, across line breaks, across the
// chunks the wire happens to deliver.
import { describe, expect, it } from 'vitest';
import { MASK, StreamMasker } from '../../src/transport/mask.js';
import { OutputStream } from '../../src/transport/sanitize.js';
import { secretForms } from '../../src/runbook/secret-forms.js';

/** Every chunking worth trying: whole, each split in two, and one UTF-16 unit at a time. */
function chunkings(text: string): string[][] {
  const out: string[][] = [[text], [...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

const through = (forms: string[], chunks: string[]): string => {
  const m = new StreamMasker(forms);
  return chunks.map((c) => m.write(c)).join('') + m.end();
};

describe('StreamMasker', () => {
  it('masks a secret however the stream is cut, and hands on the rest unchanged', () => {
    const text = 'before hunter2 middle hunter2after hunt';
    for (const chunks of chunkings(text)) expect(through(['hunter2'], chunks)).toBe(`before ${MASK} middle ${MASK}after hunt`);
  });

  it('prefers the longest form at a position, even when the shorter one is complete first', () => {
    const forms = ['line-one\nline-two', 'line-one', 'line-two'];
    for (const chunks of chunkings('x line-one\nline-two y line-one z')) expect(through(forms, chunks)).toBe(`x ${MASK} y ${MASK} z`);
    // The long form breaks off: the line that was complete is masked alone.
    for (const chunks of chunkings('line-one\nline-zzz')) expect(through(forms, chunks)).toBe(`${MASK}\nline-zzz`);
  });

  it('holds back only what could still become a secret', () => {
    const m = new StreamMasker(['secret']);
    expect(m.write('abc sec')).toBe('abc ');
    expect(m.write('ond')).toBe('second');
    expect(m.write('sssecre')).toBe('ss');
    expect(m.end()).toBe('secre');
  });

  it('hides a secret made of mask characters with nothing, so it cannot survive its own mask', () => {
    expect(through(['••'], ['a••b'])).toBe('ab');
  });
});

describe('OutputStream with secrets', () => {
  const secret = 'pa\x1b]52;c;QUJD\x07ss\r\n\tзаказ-秘密\nlast line!';
  const forms = secretForms({ s: secret }, ['s']);

  /** The UTF-8 bytes of `text`, one byte per chunk (a multibyte character split too). */
  const bytewise = (text: string): Uint8Array[] => [...Buffer.from(text, 'utf8')].map((b) => Uint8Array.of(b));

  it('masks a secret holding an escape sequence, CR, LF, a tab and multibyte text, fed one byte at a time', () => {
    const lines: string[] = [];
    const s = new OutputStream((l) => lines.push(l.text), { mask: forms });
    for (const chunk of bytewise(`token=${secret}\ndone\n`)) s.write(chunk);
    s.end();
    expect(lines).toEqual([`token=${MASK}`, 'done']);
    expect(s.text).toBe(`token=${MASK}\ndone\n`);
  });

  it('masks each line of a multi-line secret printed on its own, and what a terminal would make of it', () => {
    const lines: string[] = [];
    const s = new OutputStream((l) => lines.push(l.text), { mask: forms });
    s.write(Buffer.from('> \tзаказ-秘密\n> last line!\n', 'utf8'));
    s.end();
    expect(lines.join('\n')).not.toContain('秘密');
    expect(lines.join('\n')).not.toContain('last line!');
  });

  it('without secrets, sanitising is as before (a secret fed unmasked loses its escape and leaks)', () => {
    const lines: string[] = [];
    const s = new OutputStream((l) => lines.push(l.text));
    s.write(Buffer.from(`x${secret}\n`, 'utf8'));
    s.end();
    expect(lines.join('\n')).toContain('last line!');
  });
});

describe('secretForms', () => {
  it('has the value, its quoted forms, its lines and what a terminal shows of it, but no short piece', () => {
    const forms = secretForms({ s: "ab'c\nx\n\x1b[1mlonger-line", short: 'k\x1b[1m' }, ['s', 'short']);
    expect(forms).toEqual(
      expect.arrayContaining([
        "ab'c\nx\n\x1b[1mlonger-line",
        "ab'\\''c\nx\n\x1b[1mlonger-line",
        "ab'c\nx\nlonger-line",
        'longer-line',
        "ab'c",
        'k\x1b[1m',
      ]),
    );
    // "x" and "k" alone would mask every x and k of the output.
    expect(forms).not.toContain('x');
    expect(forms).not.toContain('k');
  });
});

describe('a secret inside JSON', () => {
  it('is masked whole as a JSON string escapes it, and line by line', () => {
    const secret = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END KEY-----';
    const lines: string[] = [];
    const s = new OutputStream((l) => lines.push(l.text), { mask: secretForms({ key: secret }, ['key']) });
    s.write(Buffer.from(`{"key":${JSON.stringify(secret)},"ok":true}\n`, 'utf8'));
    s.end();
    expect(lines).toEqual([`{"key":"${MASK}","ok":true}`]);
  });
});
