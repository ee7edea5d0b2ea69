import { describe, expect, it } from 'vitest';
import { builtinWords, checkWords, deadlineWords, gateWords, probeWords } from '../../src/export/gates.js';
import { labelsFor } from '../../src/export/labels.js';
import type { Check, Step } from '../../src/runbook/schema.js';

const en = labelsFor('en');
const zh = labelsFor('zh-CN');

describe('checks in plain words', () => {
  it.each<[Check, string, string]>([
    [{ exit: 0 }, 'exit status is 0', '退出状态为 0'],
    [{ exit: 3 }, 'exit status is 3', '退出状态为 3'],
    [{ regex: 'serving' }, 'the output matches /serving/', '输出匹配 /serving/'],
    [{ regex: 'error', not: true }, 'the output does not match /error/', '输出不匹配 /error/'],
    [
      { json: 'registrar/log/recovered', equals: 1 },
      'registrar/log/recovered in the JSON output is 1',
      'JSON 输出中 registrar/log/recovered 为 1',
    ],
    [{ json: 'state', equals: 'ok' }, 'state in the JSON output is "ok"', 'JSON 输出中 state 为 "ok"'],
    [
      { column: 'ranges_underreplicated', all: 0 },
      'every value of column ranges_underreplicated is 0',
      'ranges_underreplicated 列的每个值都为 0',
    ],
  ])('%j', (check, english, chinese) => {
    expect(checkWords(check, en)).toBe(english);
    expect(checkWords(check, zh)).toBe(chinese);
  });

  it('says how a polled gate repeats and when it gives up', () => {
    const step: Step = {
      id: 'ranges',
      run: 'cockroach node status --ranges',
      until: { column: 'ranges_underreplicated', all: 0 },
      every: '60s',
      timeout: '30m',
    };
    expect(gateWords(step, en)).toBe('repeat every 60 s until every value of column ranges_underreplicated is 0; give up after 30 min');
    expect(gateWords({ ...step, every: '90s' }, en)).toContain('repeat every 90 s until');
    expect(gateWords({ ...step, every: '150s' }, en)).toContain('repeat every 2 min 30 s until');
    expect(gateWords(step, zh)).toBe('每 60 秒 重复一次，直到 ranges_underreplicated 列的每个值都为 0；30 分钟 后放弃');
  });

  it('joins several checks, and says the defaults the engine polls with', () => {
    const step: Step = {
      id: 'r',
      run: 'curl x',
      until: [
        { json: 'slave/registered', equals: 1 },
        { regex: 'x', not: true },
      ],
    };
    expect(gateWords(step, en)).toBe(
      'repeat every 10 s until slave/registered in the JSON output is 1 and the output does not match /x/; give up after 10 min',
    );
  });

  it('says how often a health probe looks and what healthy means', () => {
    expect(probeWords({ run: 'curl', expect: { json: 'slave/registered', equals: 1 }, every: '15s' }, en)).toBe(
      'every 15 s, healthy when slave/registered in the JSON output is 1',
    );
  });

  it('gives a plain command exit 0 and a time limit per attempt', () => {
    expect(gateWords({ id: 'a', run: 'true' }, en)).toBe('exit status is 0');
    expect(gateWords({ id: 'a', run: 'true', timeout: '2m' }, en)).toBe('exit status is 0; each attempt may take at most 2 min');
    expect(gateWords({ id: 'a', text: 'read me' }, en)).toBeUndefined();
  });

  it('says what a deadline means', () => {
    expect(deadlineWords('5m', en)).toBe("must finish within 5 min of the step's start");
    expect(deadlineWords({ after: '5m', text: 'agents expire' }, en)).toBe("must finish within 5 min of the step's start: agents expire");
    expect(deadlineWords({ after: '5m', text: '代理节点过期' }, zh)).toBe('必须在步骤开始后 5 分钟 内完成：代理节点过期');
    expect(deadlineWords({ after: '5m', answered_by: ['agent-registered', 'agent-registered-strict'], text: 'agents expire' }, en)).toBe(
      "must finish within 5 min of the step's start; the countdown ends when agent-registered or agent-registered-strict passes on the node: agents expire",
    );
    expect(deadlineWords({ after: '5m', answered_by: 'agent-registered' }, zh)).toBe(
      '必须在步骤开始后 5 分钟 内完成；agent-registered 在该节点上通过时倒计时结束',
    );
  });

  it('describes built-in checks from their registry, in Chinese where we have it', () => {
    expect(builtinWords({ builtin: 'dcos/patch-path' }, en)).toMatch(/^A patch goes to a later release of the same minor version/);
    expect(builtinWords({ builtin: 'dcos/patch-path' }, zh)).toMatch(/^补丁只能升级到同一次要版本/);
    expect(builtinWords({ builtin: 'nobody/knows' }, en)).toBe('nobody/knows');
    expect(builtinWords({ builtin: 'dcos/mesos-agents' }, en)).toMatch(/^Compares the leading Mesos master's agent list/);
    expect(builtinWords({ builtin: 'dcos/mesos-agents' }, zh)).toMatch(/^将首要 Mesos 管理节点的代理节点列表/);
  });
});
