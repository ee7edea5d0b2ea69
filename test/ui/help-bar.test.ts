// The key bar shows the keys that apply now: r and s only with a decision owed, enter only before
// the start or in a pause, v/r/d/s with what each does on an interrupted step; at 80 columns the
// least needed keys give way first and q never does.
import { describe, expect, it } from 'vitest';
import type { Prompt } from '../../src/engine/state.js';
import { helpBarLine } from '../../src/ui/panes/help-bar.js';
import { createTheme } from '../../src/ui/terminal/theme.js';
import { stripStyle, textWidth } from '../../src/ui/terminal/text-width.js';
import { zh } from '../../src/words/words.js';

const mono = createTheme('mono');
const base = { section: 'masters', step: 'run-patch-script', node: 'master-2', task: 'masters/run-patch-script@master-2', askedAt: 0 };
const failure = { ...base, id: 'failure:masters/run-patch-script@master-2', kind: 'failure', reason: 'exit 1, expected 0' } as Extract<
  Prompt,
  { kind: 'failure' }
>;
const interrupted = (verify: boolean) =>
  ({
    ...base,
    id: 'interrupted:masters/run-patch-script@master-2',
    kind: 'interrupted',
    command: 'sudo bash dcos_node_upgrade.sh',
    choices: verify ? ['verify', 'rerun', 'mark-done', 'skip', 'abort'] : ['rerun', 'mark-done', 'skip', 'abort'],
  }) as unknown as Extract<Prompt, { kind: 'interrupted' }>;

const bar = (p: Omit<Parameters<typeof helpBarLine>[0], 'theme'>) => {
  const line = stripStyle(helpBarLine({ ...p, theme: mono }));
  expect(textWidth(line)).toBe(p.width);
  return line.trimEnd();
};

describe('the key bar', () => {
  it('ready: enter, no r or s (nothing failed), q', () => {
    const line = bar({ mode: 'steps', phase: 'ready', width: 120 });
    expect(line).toBe(' enter run  t troubleshoot  tab focus  / filter  ? help  q quit');
  });

  it('running with nothing owed: neither enter nor r nor s', () => {
    expect(bar({ mode: 'steps', phase: 'running', width: 80 })).toBe(' t troubleshoot  tab focus  / filter  ? help  q quit');
  });

  it('after a failure at 80 columns: r and s whole, t, and q kept; the least needed keys gave way', () => {
    const line = bar({ mode: 'steps', phase: 'running', decision: failure, width: 80 });
    expect(line).toMatch(/^ r retry  s skip  t troubleshoot .* q quit$/);
    // Narrower still: focus and filter go first, then help; r, s and q stay.
    expect(bar({ mode: 'steps', phase: 'running', decision: failure, width: 40 })).toBe(' r retry  s skip  t troubleshoot  q quit');
    expect(bar({ mode: 'steps', phase: 'running', decision: failure, width: 26 })).toBe(' r retry  s skip  q quit');
  });

  it('an interrupted step: v (when offered), r, d and s, each with what it does', () => {
    expect(bar({ mode: 'nodes', phase: 'running', decision: interrupted(true), width: 80 })).toMatch(
      /^ v verify  r run again  d mark done  s skip  .*q quit$/,
    );
    const without = bar({ mode: 'nodes', phase: 'running', decision: interrupted(false), width: 80 });
    expect(without).toMatch(/^ r run again  d mark done  s skip  .*q quit$/);
    expect(without).not.toContain('verify');
  });

  it('in Chinese at 80 columns: the same keys, their words in Chinese, q kept', () => {
    const line = bar({ mode: 'steps', phase: 'running', decision: interrupted(true), width: 80, words: zh });
    expect(line).toMatch(/^ v 复核  r 重新运行  d 标记完成  s 跳过  .*q 退出$/);
  });

  it('the confirmation keeps its own keys and q', () => {
    expect(bar({ mode: 'confirm', phase: 'running', width: 80 })).toBe(' y yes  n no  s skip  q quit');
  });
});
