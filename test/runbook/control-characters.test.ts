// Issue 11, item 7: a control character anywhere in a runbook's text (a title that sets the
// window title, a var that fills the clipboard with OSC 52, a CR that makes a confirmation show
// another command than the one that runs) is refused where it is written.
import { readFileSync } from 'node:fs';
import * as jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { formatPath, parseYaml } from '../../src/input/load-yaml.js';
import { validateRunbook } from '../../src/runbook/validate.js';

// Each a way to take over a terminal or to hide text: OSC title, OSC 52 clipboard, a bare CR,
// SGR conceal, C1 CSI, a right-to-left override, BEL, NUL, backspace.
const ATTACKS = ['\x1b]0;pwned\x07', '\x1b]52;c;cm0gLXJmIC8=\x07', '\rrm -rf /', '\x1b[8m', '\x9b2J', '\u202e', '\x07', '\0', 'x\b'];

type Path = (string | number)[];

/** Every string value of a YAML value with its path; mutate: rewrite each with its index. */
function strings(value: unknown, path: Path, out: Path[], mutate?: (s: string, i: number) => string): unknown {
  if (typeof value === 'string') {
    out.push(path);
    return mutate ? mutate(value, out.length - 1) : value;
  }
  if (Array.isArray(value)) return value.map((v, i) => strings(v, [...path, i], out, mutate));
  if (value && typeof value === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) o[k] = strings(v, [...path, k], out, mutate);
    return o;
  }
  return value;
}

const controlErrors = (text: string, file: string) =>
  validateRunbook(parseYaml(text, file)).filter((p) => p.severity === 'error' && /control character/.test(p.message));

describe('control characters in a runbook', () => {
  for (const file of ['runbooks/dcos-1.11-patch.yaml', 'runbooks/dcos-1.11-patch.zh-CN.yaml']) {
    it(`are refused in every text field of ${file}, each at its place`, () => {
      const text = readFileSync(file, 'utf8');
      expect(controlErrors(text, file)).toEqual([]);
      const paths: Path[] = [];
      const hostile = strings(jsYaml.load(text), [], paths, (s, i) => {
        const a = ATTACKS[i % ATTACKS.length]!;
        const at = Math.floor(s.length / 2);
        return s.slice(0, at) + a + s.slice(at);
      });
      expect(paths.length).toBeGreaterThan(300);
      const written = jsYaml.dump(hostile, { lineWidth: -1 });
      const errors = controlErrors(written, 'hostile.yaml');
      // One error per string, at the string's own path, with a line and column.
      expect(errors.map((e) => e.path).sort()).toEqual(paths.map((p) => formatPath(p)).sort());
      for (const e of errors) {
        expect(e.line).toBeGreaterThan(0);
        expect(e.column).toBeGreaterThan(0);
        // The message names the character; it never carries it.
        expect(e.message).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
      }
    });
  }

  it('are refused in keys (a param, a capture, a role) and point at the character in a plain scalar', () => {
    const text = [
      'id: keys',
      'title: Keys',
      'params:',
      '  "v\\e]0;x\\a": { default: a }',
      'roles:',
      '  "r\\u202e": {}',
      'sections:',
      '  - id: s',
      '    title: S',
      '    on: local',
      '    steps:',
      '      - id: a',
      '        title: "A \\e[8mhidden"',
      '        run: echo hi',
      '        capture: { "c\\r": "(x)" }',
      '',
    ].join('\n');
    const errors = controlErrors(text, 'keys.yaml');
    expect(errors.map((e) => e.path)).toEqual([
      'params["v\\u001b]0;x\\u0007"]',
      'roles["r\u202e"]',
      'sections[0].steps[0].title',
      'sections[0].steps[0].capture["c\\r"]',
    ]);
    // The title's ESC is at line 13, column 19: where the author wrote \e.
    expect(errors[2]).toMatchObject({ line: 13, column: 19 });
    expect(errors[2]!.message).toContain('ESC (U+001B) at character 3');
  });

  it('tab and newline stay allowed in text', () => {
    const text =
      'id: t\ntitle: "T\\tx"\nsections:\n  - id: s\n    title: S\n    on: local\n    steps:\n      - id: a\n        text: |\n          one\n          \ttwo\n        confirm: true\n';
    expect(controlErrors(text, 't.yaml')).toEqual([]);
  });
});
