import { describe, expect, it } from 'vitest';
import { OutputStream, TerminalSanitizer, parse, sanitize, type SanitizedLine } from '../../src/transport/sanitize.js';

const ESC = '\x1b';
const CSI = `${ESC}[`;
const OSC = `${ESC}]`;
const ST = `${ESC}\\`;
const BEL = '\x07';

/** Runs bytes through an OutputStream in the given chunks; returns the lines. */
function run(
  chunks: (string | Uint8Array)[],
  options?: ConstructorParameters<typeof OutputStream>[1],
): {
  lines: SanitizedLine[];
  text: string;
  truncated: boolean;
} {
  const lines: SanitizedLine[] = [];
  const s = new OutputStream((l) => lines.push(l), options);
  for (const c of chunks) s.write(typeof c === 'string' ? Buffer.from(c, 'utf8') : c);
  s.end();
  return { lines, text: s.text, truncated: s.truncated };
}

/** Every way to cut the UTF-8 bytes of `input` into two chunks, plus byte by byte. */
function splits(input: string): Uint8Array[][] {
  const bytes = Buffer.from(input, 'utf8');
  const out: Uint8Array[][] = [[bytes]];
  for (let i = 1; i < bytes.length; i++) out.push([bytes.subarray(0, i), bytes.subarray(i)]);
  out.push([...bytes].map((b) => Uint8Array.of(b)));
  return out;
}

// [name, raw output, the plain text a person should see]
const table: [string, string, string][] = [
  ['plain text', 'hello world\n', 'hello world\n'],
  ['no final newline', 'a\nb', 'a\nb'],
  ['CRLF line ends', 'a\r\nb\r\n', 'a\nb\n'],
  ['tab kept', 'a\tb\n', 'a\tb\n'],
  ['SGR colour removed from text', `${CSI}31mred${CSI}0m plain\n`, 'red plain\n'],
  ['device status query CSI 6n', `before${CSI}6nafter\n`, 'beforeafter\n'],
  ['cursor moves', `${CSI}2J${CSI}H${CSI}10;20Hx${CSI}3Ay\n`, 'xy\n'],
  ['alternate screen', `${CSI}?1049hfull screen${CSI}?1049l\n`, 'full screen\n'],
  ['OSC 0 title with BEL', `${OSC}0;evil title${BEL}text\n`, 'text\n'],
  ['OSC 2 title with ST', `${OSC}2;evil title${ST}text\n`, 'text\n'],
  ['OSC 8 link keeps its text', `${OSC}8;;https://x.invalid/${ST}click${OSC}8;;${ST}\n`, 'click\n'],
  ['OSC 52 clipboard write (BEL)', `a${OSC}52;c;cm0gLXJmIC8K${BEL}b\n`, 'ab\n'],
  ['OSC 52 clipboard write (ST)', `a${OSC}52;c;cm0gLXJmIC8K${ST}b\n`, 'ab\n'],
  ['DCS string', `a${ESC}P1$r0m${ST}b\n`, 'ab\n'],
  ['DCS not ended by BEL-less text', `a${ESC}Pq#0;2;0;0;0${ST}b\n`, 'ab\n'],
  ['APC string', `a${ESC}_Gf=100;AAAA${ST}b\n`, 'ab\n'],
  ['PM string', `a${ESC}^private${ST}b\n`, 'ab\n'],
  ['SOS string', `a${ESC}Xstart of string${ST}b\n`, 'ab\n'],
  ['ESC c full reset', `a${ESC}cb\n`, 'ab\n'],
  ['ESC 7 / ESC 8 save and restore', `a${ESC}7b${ESC}8c\n`, 'abc\n'],
  ['charset designation ESC ( 0', `a${ESC}(0b${ESC}(Bc\n`, 'abc\n'],
  ['C1 CSI U+009B', `a\u009b31mb\u009b6nc\n`, 'abc\n'],
  ['C1 OSC U+009D ended by C1 ST', `a\u009d0;title\u009cb\n`, 'ab\n'],
  ['C1 DCS U+0090', `a\u0090stuff\u009cb\n`, 'ab\n'],
  ['other C1 dropped', `a\u0085\u0084\u008eb\n`, 'ab\n'],
  ['BEL dropped', `ding${BEL}${BEL}\n`, 'ding\n'],
  ['other C0 dropped', 'a\x00\x01\x0b\x0c\x0e\x1fb\x7f\n', 'ab\n'],
  ['backspace deletes', 'abc\b\bX\n', 'aX\n'],
  ['overstrike bold and underline', 'b\bb_\bu\n', 'bu\n'],
  ['backspace at line start', '\b\bx\n', 'x\n'],
  ['progress bar keeps the last redraw', ' 10%\r 50%\r100%\n', '100%\n'],
  ['carriage return hides a prefix', 'rm -rf /\rharmless\n', 'harmless\n'],
  ['trailing CR before LF is a line end', 'done\r\r\n', 'done\n'],
  ['trailing CR at end of output', 'done\r', 'done'],
  ['CR then escape then text', `abc\r${CSI}Kxyz\n`, 'xyz\n'],
  ['unterminated OSC ends at newline', `a${OSC}0;title\nb\n`, 'a\nb\n'],
  ['CSI aborted by newline', `a${CSI}12\nb\n`, 'a\nb\n'],
  ['ESC ESC [ m', `a${ESC}${ESC}[31mb\n`, 'ab\n'],
  ['CAN aborts a sequence', `a${CSI}31\x18b\n`, 'ab\n'],
  ['ESC inside OSC starts a new sequence', `a${OSC}0;t${ESC}[31mb\n`, 'ab\n'],
  ['UTF-8 multibyte kept', 'héllo wörld 日本語 🎉\n', 'héllo wörld 日本語 🎉\n'],
  ['backspace deletes a whole emoji', 'a🎉\bb\n', 'ab\n'],
  ['empty lines kept', '\n\n', '\n\n'],
  // Bidirectional overrides and isolates reorder what is shown ("Trojan source"): dropped.
  ['bidi override dropped', 'status: \u202ekcatta\u202c ok\n', 'status: kcatta ok\n'],
  ['bidi embeddings and isolates dropped', 'a\u202ab\u202bc\u202dd\u2066e\u2067f\u2068g\u2069h\n', 'abcdefgh\n'],
  ['joiners kept (emoji sequences, scripts that need them)', '👩\u200d💻 می\u200cخواهم\n', '👩\u200d💻 می\u200cخواهم\n'],
];

describe('sanitiser: one sequence type at a time, split at every byte', () => {
  for (const [name, raw, want] of table) {
    it(name, () => {
      for (const chunks of splits(raw)) {
        const { text } = run(chunks);
        expect(text, `chunks ${JSON.stringify(chunks.map((c) => Buffer.from(c).toString('latin1')))}`).toBe(want);
      }
      expect(sanitize(raw)).toBe(want);
    });
  }
});

describe('sanitiser: bytes that are not UTF-8', () => {
  it('turns a raw 0x9b byte into U+FFFD, never into a C1 CSI', () => {
    const { text } = run([Uint8Array.from([0x61, 0x9b, 0x33, 0x31, 0x6d, 0x62, 0x0a])]);
    expect(text).toBe('a\ufffd31mb\n');
  });
  it('keeps a UTF-8 character split across chunks whole', () => {
    const bytes = Buffer.from('é', 'utf8');
    const { text } = run([bytes.subarray(0, 1), bytes.subarray(1), Buffer.from('\n')]);
    expect(text).toBe('é\n');
  });
  it('flushes a truncated UTF-8 character at the end as U+FFFD', () => {
    const { text } = run([Buffer.from('é', 'utf8').subarray(0, 1)]);
    expect(text).toBe('\ufffd');
  });
});

describe('sanitiser: colours become parsed styles', () => {
  it('parses basic, bright, 256 and true colours and attributes', () => {
    const p = parse(`${CSI}1;31mA${CSI}22;92mB${CSI}38;5;208mC${CSI}38;2;1;2;255mD${CSI}48:2::16:32:48mE${CSI}0mF`);
    expect(p.text).toBe('ABCDEF');
    expect(p.segments).toEqual([
      { text: 'A', style: { bold: true, fg: 1 } },
      { text: 'B', style: { fg: 10 } },
      { text: 'C', style: { fg: 208 } },
      { text: 'D', style: { fg: '#0102ff' } },
      { text: 'E', style: { fg: '#0102ff', bg: '#102030' } },
      { text: 'F', style: {} },
    ]);
  });
  it('drops what is not colour or a basic attribute', () => {
    const p = parse(`${CSI}5;8;53mX${CSI}mY`);
    expect(p.segments).toEqual([{ text: 'XY', style: {} }]);
  });
  it('ignores private and malformed SGR-looking sequences', () => {
    const p = parse(`${CSI}?31mA${CSI}>4;1mB${CSI}38;5;999mC\n`);
    expect(p.text).toBe('ABC\n');
    expect(p.segments.every((s) => Object.keys(s.style).length === 0)).toBe(true);
  });
  it('carries style over to the next line, as a terminal does', () => {
    const { lines } = run([`${CSI}33mone\ntwo${CSI}0m\nthree\n`]);
    expect(lines.map((l) => l.segments?.map((s) => s.style))).toEqual([[{ fg: 3 }], [{ fg: 3 }], undefined]);
  });
  it('gives an unstyled line no segments', () => {
    const { lines } = run(['plain\n']);
    expect(lines).toEqual([{ text: 'plain', newline: true }]);
  });
  it('keeps segment texts joining to the plain text', () => {
    const { lines } = run([`a${CSI}1mb${CSI}4mc${CSI}0md\n`]);
    const line = lines[0]!;
    expect(line.segments!.map((s) => s.text).join('')).toBe(line.text);
    expect(line.text).toBe('abcd');
  });
});

describe('sanitiser: bounded memory', () => {
  it('cuts a line with no newline at maxLineChars', () => {
    const { lines } = run(['x'.repeat(25) + '\n'], { maxLineChars: 10 });
    expect(lines.map((l) => [l.text.length, l.newline])).toEqual([
      [10, false],
      [10, false],
      [5, true],
    ]);
  });
  it('cuts the default at 1 MiB; what it hands on of a longer line is its head and a count of the rest', () => {
    const t = new TerminalSanitizer();
    expect([...t.write('y'.repeat(1024 * 1024 + 5)), ...t.end()].map((l) => [l.text.length, l.cut])).toEqual([
      [1024 * 1024, true],
      [5, undefined],
    ]);
    const { lines, text } = run(['y'.repeat(1024 * 1024 + 5)]);
    expect(lines).toEqual([
      { text: `${'y'.repeat(4096)} …`, newline: false, cut: true },
      { text: '[… 1,044,485 more characters of the line above not kept]', newline: false, dropped: 1024 * 1024 + 5 - 4096 },
    ]);
    expect(text).toBe('y'.repeat(1024 * 1024 + 5));
  });
  it('hands on a whole line longer than maxShownLineChars as one line: its head and how much was dropped, styles kept', () => {
    const { lines } = run([`${CSI}31m${'r'.repeat(6)}${CSI}0m${'p'.repeat(6)}\nnext\n`], { maxShownLineChars: 8 });
    expect(lines).toEqual([
      {
        text: 'rrrrrrpp … [4 more characters of this line not kept]',
        newline: true,
        dropped: 4,
        segments: [
          { text: 'rrrrrr', style: { fg: 1 } },
          { text: 'pp', style: {} },
          { text: ' … [4 more characters of this line not kept]', style: {} },
        ],
      },
      { text: 'next', newline: true },
    ]);
  });
  it('never cuts a surrogate pair', () => {
    const { lines } = run(['a' + '🎉'.repeat(5) + '\n'], { maxLineChars: 4 });
    for (const l of lines) expect(l.text).not.toMatch(/[\ud800-\udbff]$|^[\udc00-\udfff]/);
    expect(lines.map((l) => l.text).join('')).toBe('a' + '🎉'.repeat(5));
  });
  it('keeps the last maxChars of the output and says it truncated', () => {
    const input = Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('');
    const { text, truncated } = run([input], { maxChars: 100 });
    expect(truncated).toBe(true);
    expect(text.length).toBe(100);
    expect(input.endsWith(text)).toBe(true);
  });
  it('is not truncated below the cap', () => {
    const { text, truncated } = run(['a\nb\n'], { maxChars: 100 });
    expect(truncated).toBe(false);
    expect(text).toBe('a\nb\n');
  });
  it('keeps an 8 MiB stream within its 4 MiB default cap', () => {
    const s = new OutputStream();
    const chunk = Buffer.from(('z'.repeat(1023) + '\n').repeat(1024)); // 1 MiB
    for (let i = 0; i < 8; i++) s.write(chunk);
    s.end();
    expect(s.truncated).toBe(true);
    expect(s.text.length).toBe(4 * 1024 * 1024);
  });
});

/** A small seeded generator so a failure can be replayed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

// Anything a terminal acts on: C0 but tab and newline, DEL, C1.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]/;

describe('sanitiser: fuzz', () => {
  const alphabet = [0x1b, 0x1b, 0x5b, 0x5d, 0x50, 0x5c, 0x07, 0x0d, 0x0a, 0x08, 0x9b, 0x9c, 0x9d, 0xc2, 0xc2, 0x90, 0x3b, 0x31, 0x6d, 0x3f];
  for (const seed of [1, 2, 3, 42, 2024]) {
    it(`random bytes never yield ESC, C1, BEL or other controls (seed ${seed})`, () => {
      const r = rng(seed);
      for (let round = 0; round < 200; round++) {
        const len = Math.floor(r() * 400);
        const bytes = new Uint8Array(len);
        for (let i = 0; i < len; i++) {
          // Half the bytes from the interesting alphabet, half anything.
          bytes[i] = r() < 0.5 ? alphabet[Math.floor(r() * alphabet.length)]! : Math.floor(r() * 256);
        }
        const whole = run([bytes], { maxLineChars: 64 });
        expect(whole.text).not.toMatch(UNSAFE);
        for (const l of whole.lines) {
          expect(l.text).not.toMatch(UNSAFE);
          expect(l.text).not.toContain('\n');
          for (const s of l.segments ?? []) expect(s.text).not.toMatch(UNSAFE);
        }
        // The same bytes in random chunks give the same result.
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < len;) {
          const n = 1 + Math.floor(r() * 7);
          chunks.push(bytes.subarray(i, i + n));
          i += n;
        }
        expect(run(chunks, { maxLineChars: 64 }).text).toBe(whole.text);
      }
    });
  }
  it('also holds when text arrives as decoded code points with C1 controls', () => {
    const r = rng(7);
    const t = new TerminalSanitizer();
    let out = '';
    for (let round = 0; round < 2000; round++) {
      let s = '';
      for (let i = 0; i < 20; i++) s += String.fromCharCode(Math.floor(r() * 0xa0));
      out += t
        .write(s)
        .map((l) => l.text)
        .join('\n');
    }
    out += t
      .end()
      .map((l) => l.text)
      .join('\n');
    expect(out).not.toMatch(UNSAFE);
  });
});

describe('sanitiser: lines stream as they complete', () => {
  it('hands over a line as soon as its newline arrives', () => {
    const seen: string[] = [];
    const s = new OutputStream((l) => seen.push(l.text));
    s.write(Buffer.from('first\nsec'));
    expect(seen).toEqual(['first']);
    s.write(Buffer.from('ond\n'));
    expect(seen).toEqual(['first', 'second']);
    s.write(Buffer.from('tail'));
    expect(seen).toEqual(['first', 'second']);
    s.end();
    expect(seen).toEqual(['first', 'second', 'tail']);
  });
});
