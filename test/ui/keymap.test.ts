import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BINDINGS, commandFor, keyName, keysMarkdown } from '../../src/ui/app/keymap.js';

const DOC = new URL('../../docs/keys.md', import.meta.url);

describe('keymap', () => {
  it('names key presses as Ink reports them', () => {
    expect(keyName('y', {})).toBe('y');
    expect(keyName('G', { shift: true })).toBe('G');
    expect(keyName('', { return: true })).toBe('enter');
    expect(keyName('', { escape: true, meta: true })).toBe('escape');
    expect(keyName('', { tab: true, shift: true })).toBe('shift+tab');
    expect(keyName('c', { ctrl: true })).toBe('ctrl+c');
    expect(keyName('', { pageDown: true })).toBe('pagedown');
    expect(keyName('', { backspace: true })).toBe('backspace');
  });

  it("has the design's keys: enter, y/n, t, tab, arrows and j/k, r, s, ?, q", () => {
    expect(commandFor('steps', 'enter')?.id).toBe('run');
    expect(commandFor('confirm', 'y')?.id).toBe('confirm.yes');
    expect(commandFor('confirm', 'n')?.id).toBe('confirm.no');
    expect(commandFor('nodes', 't')?.id).toBe('troubleshoot');
    expect(commandFor('output', 'tab')?.id).toBe('focus.next');
    for (const k of ['up', 'k']) expect(commandFor('nodes', k)?.id).toBe('up');
    for (const k of ['down', 'j']) expect(commandFor('steps', k)?.id).toBe('down');
    expect(commandFor('steps', 'r')?.id).toBe('retry');
    expect(commandFor('steps', 's')?.id).toBe('skip');
    expect(commandFor('steps', '?')?.id).toBe('help');
    expect(commandFor('steps', 'q')?.id).toBe('quit');
  });

  it('a destructive confirmation answers to y, a (the nodes listed) and n only: no enter, no other key runs it', () => {
    const keys = BINDINGS.filter((b) => b.modes.includes('confirm')).flatMap((b) => b.keys.map((k) => `${k}=${b.id}`));
    expect(keys.sort()).toEqual(['a=confirm.all', 'ctrl+c=quit', 'n=confirm.no', 'q=quit', 's=confirm.skip', 'y=confirm.yes']);
    expect(commandFor('typed', 'a')).toBeUndefined();
    expect(commandFor('confirm', 'enter')).toBeUndefined();
  });

  it('every binding has help text and at least one key and mode', () => {
    for (const b of BINDINGS) {
      expect(b.help.length, b.id).toBeGreaterThan(10);
      expect(b.keys.length, b.id).toBeGreaterThan(0);
      expect(b.modes.length, b.id).toBeGreaterThan(0);
    }
  });

  it('docs/keys.md is generated from the keymap (UPDATE_DOCS=1 rewrites it)', () => {
    const text = keysMarkdown();
    if (process.env.UPDATE_DOCS) writeFileSync(DOC, text);
    let onDisk = '';
    try {
      onDisk = readFileSync(DOC, 'utf8');
    } catch {
      // missing: fails below
    }
    expect(onDisk, 'docs/keys.md is stale: run UPDATE_DOCS=1 npx vitest run test/ui/keymap.test.ts').toBe(text);
    for (const b of BINDINGS) expect(text).toContain(`| ${b.id} |`);
  });
});
