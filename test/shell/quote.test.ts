import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isShellSafeWord, shellQuote, shellQuoteAlways, ShellQuoteError } from '../../src/shell/quote.js';
import { HOSTILE_VALUES, printedWords, runShell, SHELLS, tempDir } from '../helpers/real-shell.js';

const tmp = tempDir('runbook-quote-');
afterAll(() => tmp.remove());
const injected = path.join(tmp.dir, 'INJECTED');

describe('shellQuote', () => {
  it.each([
    ['10.0.4.1', '10.0.4.1'],
    ['master-1', 'master-1'],
    ['http://10.0.0.5:80/upgrade/abc/dcos_node_upgrade.sh', 'http://10.0.0.5:80/upgrade/abc/dcos_node_upgrade.sh'],
    ['', "''"],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ["'", "''\\'''"],
    ['$HOME', "'$HOME'"],
    ['FOO=bar', "'FOO=bar'"],
    ['~', "'~'"],
    ['a,b', "'a,b'"],
    ['if', "'if'"],
    ['time', "'time'"],
    ['打补丁', "'打补丁'"],
  ])('quotes %j as %s', (value, quoted) => {
    expect(shellQuote(value)).toBe(quoted);
  });

  it("never uses the $'...' form that dash misreads", () => {
    for (const v of HOSTILE_VALUES) expect(shellQuote(v).startsWith("$'")).toBe(false);
  });

  it('leaves bare only words without special characters', () => {
    expect(isShellSafeWord('a-b_c.d/e:f@g%h+i')).toBe(true);
    for (const c of ' \t\n!"#$&\'()*,;<=>?[\\]^`{|}~') expect(isShellSafeWord(`a${c}b`)).toBe(false);
    expect(isShellSafeWord('')).toBe(false);
  });

  it('refuses a NUL byte, which no shell argument can hold', () => {
    expect(() => shellQuote('a\0b')).toThrow(ShellQuoteError);
    expect(() => shellQuoteAlways('')).not.toThrow();
    expect(shellQuoteAlways('abc')).toBe("'abc'");
  });

  it("shows why: bash's $'...' quoting, as zx writes it, lets dash run the rest", () => {
    const zxStyle = `$'a\\'; touch "$DIR/INJECTED" #'`; // zx's quote for: a'; touch "$DIR/INJECTED" #
    runShell('/bin/dash', `printf '%s\\n' ${zxStyle}`, { DIR: tmp.dir });
    expect(existsSync(injected)).toBe(true);
    rmSync(injected);
    const r = runShell('/bin/dash', `printf '%s\\n' ${shellQuote(`a'; touch "$DIR/INJECTED" #`)}`, { DIR: tmp.dir });
    expect(r.stdout).toBe(`a'; touch "$DIR/INJECTED" #\n`);
    expect(existsSync(injected)).toBe(false);
  });

  describe.each(SHELLS)('round trip under %s', (shell) => {
    it('prints every hostile value exactly, bare or always quoted, and runs nothing', () => {
      for (const quote of [shellQuote, shellQuoteAlways]) {
        const printed = printedWords(
          shell,
          HOSTILE_VALUES.map((v) => `printf '%s\\0' ${quote(v)}`),
          { DIR: tmp.dir },
        );
        expect(printed).toEqual(HOSTILE_VALUES.map((v) => [v]));
        expect(existsSync(injected)).toBe(false);
      }
    });

    it('keeps a hostile value one argument among others', () => {
      const values = ['a\'; touch "$DIR/INJECTED" #', '', 'b c', '$(id)'];
      const printed = printedWords(shell, [`printf '%s\\0' ${values.map(shellQuote).join(' ')}`], { DIR: tmp.dir });
      expect(printed).toEqual([values]);
      expect(existsSync(injected)).toBe(false);
    });

    it('catches a broken quoting: the check itself can fail', () => {
      const naive = (v: string) => `"${v}"`;
      const printed = printedWords(shell, [`printf '%s\\0' ${naive('$(touch "$DIR/INJECTED")x')}`], { DIR: tmp.dir });
      expect(printed).toEqual([['x']]);
      expect(existsSync(injected)).toBe(true);
      rmSync(injected);
    });
  });
});
