import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectMapping, firstInvalidUtf8, formatPath, parseYaml, readYamlFile, type YamlDocument } from '../../src/input/load-yaml.js';
import { InputError, formatProblem } from '../../src/input/problem.js';

/** The one-paragraph message an InputError prints, or a failure if fn does not throw one. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.problems.map(formatProblem).join('\n');
    throw e;
  }
  throw new Error('expected an InputError');
}

async function errorOfAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InputError) return e.problems.map(formatProblem).join('\n');
    throw e;
  }
  throw new Error('expected an InputError');
}

const at = (doc: YamlDocument, ...path: (string | number)[]): string => {
  const p = doc.locate(path);
  return `${p.line}:${p.column}`;
};
const keyAt = (doc: YamlDocument, ...path: (string | number)[]): string => {
  const p = doc.locateKey(path);
  return `${p.line}:${p.column}`;
};

describe('formatPath', () => {
  it('writes paths as authors read them', () => {
    expect(formatPath(['sections', 2, 'steps', 4, 'until'])).toBe('sections[2].steps[4].until');
    expect(formatPath(['params', 'installed_version'])).toBe('params.installed_version');
    expect(formatPath(['header', 'a b'])).toBe('header["a b"]');
    expect(formatPath([])).toBe('');
  });
});

describe('parseYaml places', () => {
  const text = [
    '# a comment',
    'id: demo',
    'title: "Demo"',
    'sections:',
    '  - id: one',
    '    steps:',
    '      - id: a',
    '        run: echo hi   # trailing comment',
    '        expect: { exit: 0 }',
    '      -   id: b',
    '          until:',
    '            - { regex: ok }',
    '            - json: a/b',
    '              equals: 1',
    '          every:',
    '          timeout: 15m',
    '  - { id: two, steps: [ { id: c, text: hello }, x ] }',
    'empty_list: []',
    'tags: [a, b, c]',
    '',
  ].join('\n');
  const doc = parseYaml(text, 'demo.yaml');

  it('keeps the value', () => {
    expect(doc.value).toMatchObject({ id: 'demo', sections: [{ id: 'one' }, { id: 'two' }] });
  });

  it('locates values and keys', () => {
    expect(at(doc)).toBe('2:1');
    expect(at(doc, 'id')).toBe('2:5');
    expect(keyAt(doc, 'id')).toBe('2:1');
    expect(at(doc, 'title')).toBe('3:8');
    expect(at(doc, 'sections')).toBe('5:3');
    expect(at(doc, 'sections', 0)).toBe('5:5');
    expect(keyAt(doc, 'sections', 0, 'steps')).toBe('6:5');
    expect(at(doc, 'sections', 0, 'steps', 0, 'run')).toBe('8:14');
    expect(at(doc, 'sections', 0, 'steps', 0, 'expect')).toBe('9:17');
    expect(at(doc, 'sections', 0, 'steps', 0, 'expect', 'exit')).toBe('9:25');
    expect(keyAt(doc, 'sections', 0, 'steps', 0, 'expect', 'exit')).toBe('9:19');
    expect(at(doc, 'sections', 0, 'steps', 1)).toBe('10:11');
    expect(at(doc, 'sections', 0, 'steps', 1, 'until', 0, 'regex')).toBe('12:24');
    expect(at(doc, 'sections', 0, 'steps', 1, 'until', 1, 'equals')).toBe('14:23');
    expect(keyAt(doc, 'sections', 0, 'steps', 1, 'until', 1, 'equals')).toBe('14:15');
    expect(at(doc, 'sections', 1, 'steps', 0, 'text')).toBe('17:40');
    expect(at(doc, 'sections', 1, 'steps', 1)).toBe('17:49');
    expect(at(doc, 'tags', 2)).toBe('19:14');
  });

  it('places an empty value at its key', () => {
    expect(at(doc, 'sections', 0, 'steps', 1, 'every')).toBe('15:11');
    expect(at(doc, 'sections', 0, 'steps', 1, 'timeout')).toBe('16:20');
  });

  it('falls back to the nearest ancestor with a place', () => {
    expect(at(doc, 'sections', 0, 'steps', 0, 'nope', 3)).toBe('7:9');
    expect(keyAt(doc, 'sections', 0, 'steps', 0, 'nope')).toBe('7:9');
    expect(at(doc, 'sections', 9)).toBe('5:3');
  });

  it('places sequence items after an empty item', () => {
    const d = parseYaml('a:\n  - x\n  -\n  - z\n', 'f.yaml');
    expect(d.value).toEqual({ a: ['x', null, 'z'] });
    expect(at(d, 'a', 0)).toBe('2:5');
    expect(at(d, 'a', 2)).toBe('4:5');
  });

  it('places keys of flow mappings without values', () => {
    const d = parseYaml('m: { a, b: 2 }\n', 'f.yaml');
    expect(d.value).toEqual({ m: { a: null, b: 2 } });
    expect(at(d, 'm', 'b')).toBe('1:12');
    expect(keyAt(d, 'm', 'a')).toBe('1:6');
  });

  it('keeps places with CRLF line ends and a byte order mark', () => {
    const d = parseYaml('\ufeffa: 1\r\nb:\r\n  c: 2\r\n', 'f.yaml');
    expect(d.value).toEqual({ a: 1, b: { c: 2 } });
    expect(at(d, 'b', 'c')).toBe('3:6');
  });

  it('places aliased values at the alias, and merge keys work', () => {
    const d = parseYaml('base: &poll { every: 10s, timeout: 15m }\nstep:\n  <<: *poll\n  id: x\nother: *poll\n', 'f.yaml');
    expect(d.value).toEqual({
      base: { every: '10s', timeout: '15m' },
      step: { every: '10s', timeout: '15m', id: 'x' },
      other: { every: '10s', timeout: '15m' },
    });
    expect(at(d, 'other', 'every')).toBe('5:8');
    expect(at(d, 'step', 'id')).toBe('4:7');
    // a merged key has no place of its own here: its mapping's place
    expect(at(d, 'step', 'every')).toBe('3:3');
  });

  it('reads YAML 1.2 core scalars: on, yes and dates stay strings', () => {
    const d = parseYaml('on: master\nyes: no\nwhen: 2024-01-01\nn: 1.5\nt: true\n', 'f.yaml');
    expect(d.value).toEqual({ on: 'master', yes: 'no', when: '2024-01-01', n: 1.5, t: true });
  });
});

describe('expectMapping', () => {
  it('returns the mapping', () => {
    expect(expectMapping(parseYaml('a: 1\n', 'f.yaml'), 'a runbook')).toEqual({ a: 1 });
  });
  it('says what was found instead, with a place', () => {
    expect(errorOf(() => expectMapping(parseYaml('- a\n- b\n', 'f.yaml'), 'a runbook'))).toBe(
      'f.yaml:1:1: error: expected a runbook (a mapping of keys to values) at the top of the file, found a list',
    );
    expect(errorOf(() => expectMapping(parseYaml('\n\n  hello\n', 'f.yaml'), 'an inventory'))).toBe(
      'f.yaml:3:3: error: expected an inventory (a mapping of keys to values) at the top of the file, found a string',
    );
    expect(errorOf(() => expectMapping(parseYaml('---\n', 'f.yaml'), 'a runbook'))).toMatch(/found nothing$/);
  });
});

describe('parseYaml refuses hostile or broken input with a place', () => {
  const cases: [string, string, string][] = [
    ['malformed', 'a: [1, 2\nb: 3\n', 'f.yaml:2:1: error: invalid YAML: missed comma between flow collection entries'],
    ['bad indentation', 'a:\n  b: 1\n c: 2\n', 'f.yaml:3:2: error: invalid YAML: bad indentation of a mapping entry'],
    ['tab indentation', 'a:\n\tb: 1\n', 'f.yaml:2:1: error: a tab is used for indentation; YAML indents with spaces only'],
    ['tab after spaces', 'a:\n  b: 1\n  \tc: 2\n', 'f.yaml:3:3: error: a tab is used for indentation; YAML indents with spaces only'],
    ['empty', '', 'f.yaml: error: the file is empty: it holds no YAML, only blank lines or comments'],
    ['only comments', '# nothing\n\n   # here\n', 'f.yaml: error: the file is empty: it holds no YAML, only blank lines or comments'],
    [
      '!!js/function',
      'id: x\nrun: !!js/function "function () { return 1 }"\n',
      'f.yaml:2:6: error: the YAML tag !!js/function is not supported; runbook files hold plain data (strings, numbers, booleans, lists, mappings), and tags that build JavaScript values are refused',
    ],
    [
      '!!js/regexp',
      'a:\n  b: !!js/regexp /x/\n',
      'f.yaml:2:6: error: the YAML tag !!js/regexp is not supported; runbook files hold plain data (strings, numbers, booleans, lists, mappings), and tags that build JavaScript values are refused',
    ],
    ['duplicate key', 'a: 1\nb:\n  c: 1\n  "c": 2\n', 'f.yaml:4:3: error: duplicate key "c": it appears earlier in the same mapping'],
    ['duplicate top key', 'id: a\ntitle: t\nid: b\n', 'f.yaml:3:1: error: duplicate key "id": it appears earlier in the same mapping'],
    ['number key', 'a:\n  1: x\n', 'f.yaml:2:3: error: keys must be strings, found the number 1; quote the key if it is meant as text'],
    ['null key', '~: x\n', 'f.yaml:1:1: error: keys must be strings, found null; quote the key if it is meant as text'],
    [
      'list key',
      '? [a, b]\n: x\n',
      'f.yaml:1:3: error: keys must be strings, found a list or mapping; quote the key if it is meant as text',
    ],
    ['unknown alias', 'a: *nope\n', 'f.yaml:1:9: error: the alias *nope names no anchor &nope defined before it'],
    [
      'multiple documents',
      'a: 1\n---\nb: 2\n',
      'f.yaml:2:1: error: the file holds more than one YAML document (separated by ---); put one runbook or inventory in each file',
    ],
    [
      'NUL byte',
      'a: 1\nb: x\0y\n',
      'f.yaml:2:5: error: the file contains a NUL byte; is it a binary file? Runbooks and inventories are UTF-8 text',
    ],
    [
      'control character',
      'a: x\u001b[31my\n',
      'f.yaml:1:5: error: the file contains the control character U+001B, which YAML does not allow; inside double quotes write it as an escape such as \\x1b',
    ],
    [
      'control character in a comment',
      '# \u0007\na: 1\n',
      'f.yaml:1:3: error: the file contains the control character U+0007, which YAML does not allow; inside double quotes write it as an escape such as \\x1b',
    ],
    ['__proto__ key', 'a: 1\n__proto__: { polluted: yes }\n', 'f.yaml:2:1: error: the key "__proto__" is not allowed'],
    [
      'recursive alias',
      'a: &a [1, *a]\n',
      'f.yaml:1:4: error: an alias (*name) refers to a node that contains it; recursive YAML is refused',
    ],
  ];
  it.each(cases)('%s', (_name, text, expected) => {
    expect(errorOf(() => parseYaml(text, 'f.yaml'))).toBe(expected);
  });

  it('refuses deep nesting with a place, and no RangeError escapes', () => {
    for (const text of [
      'a: '.concat('['.repeat(5000), ']'.repeat(5000), '\n'),
      'x:\n' + Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n') + ' 1\n',
    ]) {
      const started = Date.now();
      const message = errorOf(() => parseYaml(text, 'deep.yaml'));
      expect(message).toMatch(/^deep\.yaml:\d+:\d+: error: the YAML is nested more than 100 levels deep; refusing it$/);
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });

  it('refuses nesting that only aliases make deep', () => {
    // 20 levels in the text, each alias adds 19: 400 levels once expanded.
    const lines: string[] = [];
    for (let i = 0; i < 20; i++) lines.push(`l${i}: &l${i} ${'['.repeat(19)}${i === 0 ? '1' : `*l${i - 1}`}${']'.repeat(19)}`);
    const message = errorOf(() => parseYaml(lines.join('\n') + '\n', 'f.yaml'));
    expect(message).toMatch(
      /^f\.yaml:\d+:\d+: error: the document is nested more than 100 levels deep once its aliases \(\*name\) are expanded$/,
    );
  });

  it('refuses an alias bomb quickly', () => {
    const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    const names = 'abcdefghi';
    for (let i = 1; i < names.length; i++) {
      const n = names[i]!;
      const p = names[i - 1]!;
      lines.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(',')}]`);
    }
    const started = Date.now();
    const message = errorOf(() => parseYaml(lines.join('\n') + '\n', 'bomb.yaml'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(message).toBe(
      'bomb.yaml:6:4: error: the document expands to more than 500000 values through its aliases (*name); refusing it (is it an alias bomb?)',
    );
  });

  it('reads a file that opens with a banner of # quickly (no backtracking on comment lines)', () => {
    // 27 takes seconds with a backtracking check (twice as long per #), yet stays bounded if one comes back.
    const started = Date.now();
    expect(parseYaml(`${'#'.repeat(27)}\nid: x\n`, 'f.yaml').value).toEqual({ id: 'x' });
    expect(Date.now() - started).toBeLessThan(300);
    expect(errorOf(() => parseYaml(`${'#'.repeat(2000)}\n  # more\n\n`, 'f.yaml'))).toMatch(/the file is empty/);
  });

  it('accepts one document that starts with --- and ends with ...', () => {
    expect(parseYaml('---\na: 1\n...\n', 'f.yaml').value).toEqual({ a: 1 });
  });

  it('accepts a modest use of aliases', () => {
    const doc = parseYaml('a: &a [1, 2, 3]\nb: [*a, *a, *a]\n', 'f.yaml');
    expect(doc.value).toEqual({
      a: [1, 2, 3],
      b: [
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ],
    });
  });
});

describe('prototype pollution', () => {
  it('leaves Object.prototype untouched by __proto__ keys and << merges', () => {
    const attempts = [
      '__proto__: { polluted: 1 }\n',
      'a:\n  __proto__:\n    polluted: 1\n',
      'base: &b { __proto__: { polluted: 1 } }\nc:\n  <<: *b\n',
      'c:\n  <<: { __proto__: { polluted: 1 }, toString: 1 }\n',
      'c:\n  <<: [ { constructor: { prototype: { polluted: 1 } } } ]\n',
      '"__proto__": { polluted: 1 }\n',
    ];
    for (const text of attempts) {
      try {
        const doc = parseYaml(text, 'f.yaml');
        // Whatever was accepted holds only own keys, and a copy of it pollutes nothing either.
        JSON.parse(JSON.stringify(doc.value));
        structuredClone(doc.value);
        const copy = { ...(doc.value as object) };
        expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).message).toMatch(/"__proto__" is not allowed/);
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    }
  });

  it('reports a __proto__ key at its place, also inside a merged mapping', () => {
    expect(errorOf(() => parseYaml('base: &b { __proto__: { polluted: 1 } }\nc:\n  <<: *b\n', 'f.yaml'))).toBe(
      'f.yaml:1:12: error: the key "__proto__" is not allowed',
    );
  });
});

describe('readYamlFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-yaml-'));
  });
  afterAll(async () => {
    await chmod(join(dir, 'secret.yaml'), 0o600).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file', async () => {
    await writeFile(join(dir, 'ok.yaml'), 'a: 1\n');
    const doc = await readYamlFile(join(dir, 'ok.yaml'));
    expect(doc.value).toEqual({ a: 1 });
    expect(doc.file).toBe(join(dir, 'ok.yaml'));
  });

  it('refuses a 20 MB file by its size, before parsing', async () => {
    const file = join(dir, 'big.yaml');
    await writeFile(file, Buffer.alloc(20 * 1024 * 1024, 'a: 1\n'));
    const started = Date.now();
    expect(await errorOfAsync(readYamlFile(file))).toBe(
      `${file}: error: is 20 MB; files larger than 4 MB are refused (a YAML file is far smaller)`,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a directory, a missing file and a FIFO', async () => {
    expect(await errorOfAsync(readYamlFile(dir))).toBe(`${dir}: error: is a directory, not a YAML file`);
    expect(await errorOfAsync(readYamlFile(join(dir, 'missing.yaml')))).toBe(`${join(dir, 'missing.yaml')}: error: no such file`);
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    expect(await errorOfAsync(readYamlFile(fifo))).toBe(
      `${fifo}: error: is not a regular file (a device, a pipe or a socket); give the path of a YAML file`,
    );
  });

  it.skipIf(userInfo().uid === 0)('refuses an unreadable file', async () => {
    const file = join(dir, 'secret.yaml');
    await writeFile(file, 'a: 1\n');
    await chmod(file, 0o000);
    expect(await errorOfAsync(readYamlFile(file))).toBe(`${file}: error: cannot be read: permission denied`);
  });

  it.runIf(process.platform === 'linux')('reports a read error (EIO, even as root) as one line', async () => {
    // /proc/self/mem is a "regular file" that fails to read at offset 0.
    expect(await errorOfAsync(readYamlFile('/proc/self/mem'))).toMatch(/^\/proc\/self\/mem: error: cannot be read: EIO: i\/o error, read$/);
  });

  it('refuses binary files: NUL bytes, invalid UTF-8, UTF-16', async () => {
    const bin = join(dir, 'bin.yaml');
    await writeFile(bin, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00]));
    expect(await errorOfAsync(readYamlFile(bin))).toBe(
      `${bin}:1:8: error: the file contains a NUL byte; is it a binary file? A YAML file must be UTF-8 text`,
    );
    const latin1 = join(dir, 'latin1.yaml');
    await writeFile(latin1, Buffer.concat([Buffer.from('id: x\ntitle: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    expect(await errorOfAsync(readYamlFile(latin1))).toBe(
      `${latin1}:2:11: error: the file is not valid UTF-8 (byte 0xe9 at offset 16); is it a binary file? Save it as UTF-8`,
    );
    const utf16 = join(dir, 'utf16.yaml');
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a: 1\n', 'utf16le')]));
    expect(await errorOfAsync(readYamlFile(utf16))).toBe(`${utf16}:1:1: error: the file is UTF-16 text; save it as UTF-8`);
  });

  it('reads UTF-8 text, CJK included, with places in characters', async () => {
    const file = join(dir, 'zh.yaml');
    await writeFile(file, 'title: 修补集群\nnote: 好\n');
    const doc = await readYamlFile(file);
    expect(doc.value).toEqual({ title: '修补集群', note: '好' });
    expect(doc.locate(['note'])).toEqual({ line: 2, column: 7 });
  });

  it('refuses a deeply nested file with a place, quickly', async () => {
    const file = join(dir, 'deep.yaml');
    await writeFile(file, `a: ${'{ b: '.repeat(10_000)}1${' }'.repeat(10_000)}\n`);
    const started = Date.now();
    expect(await errorOfAsync(readYamlFile(file))).toMatch(
      /^.*deep\.yaml:1:\d+: error: the YAML is nested more than 100 levels deep; refusing it$/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('names the file in parse errors', async () => {
    const sub = join(dir, 'sub');
    await mkdir(sub, { recursive: true });
    const file = join(sub, 'bad.yaml');
    await writeFile(file, 'a: 1\na: 2\n');
    expect(await errorOfAsync(readYamlFile(file))).toBe(`${file}:2:1: error: duplicate key "a": it appears earlier in the same mapping`);
  });
});

describe('firstInvalidUtf8', () => {
  it('finds the first byte that is not UTF-8', () => {
    expect(firstInvalidUtf8(Buffer.from('héllo 修 😀'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0x80]))).toBe(1); // overlong
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe4, 0xbf]))).toBe(1); // truncated
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // above U+10FFFF
    expect(firstInvalidUtf8(Buffer.from([0x80]))).toBe(0);
  });
});
