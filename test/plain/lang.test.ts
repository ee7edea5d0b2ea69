// Plain mode speaks the runbook's language on stderr: the prompts, the answers they take, what it
// says when an answer is wrong. Through main(), with a real shell running the commands and the
// answers on stdin. --lang en and the lang setting turn a Chinese runbook's prompts to English.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runMain } from '../helpers/cli-io.js';
import { tempDir } from '../helpers/real-shell.js';

let dir: string;
let remove: () => void;
beforeEach(() => {
  ({ dir, remove } = tempDir('runbook-lang-'));
});
afterEach(() => remove());

const env = () => ({ PATH: process.env.PATH, HOME: dir, RUNBOOK_CONFIG_DIR: join(dir, 'config'), TZ: 'UTC' });
const run = (args: string[], input = '') => runMain(args, env(), dir, input);
const play = (args: string[], input = '') => run(['play', ...args, '--plain', '--state-dir', join(dir, 'state')], input);

const ZH = `id: lang-zh
title: 语言
lang: zh-CN
sections:
  - id: prep
    title: 准备
    on: local
    steps:
      - id: wipe
        title: 清理
        run: echo wiping
        destructive: true
        confirm: 清理磁盘？
      - id: fails
        title: 会失败
        run: exit 4
`;

describe('plain mode in the runbook language', () => {
  it('the Chinese runbook: confirmation, a wrong answer, the failure question and the reason in Chinese on stderr', async () => {
    writeFileSync(join(dir, 'zh.yaml'), ZH);
    const r = await play(['zh.yaml'], 'x\ny\ns\n\n磁盘已满，手动处理\n');
    expect(r.status).toBe(0);
    expect(r.err).toContain('? prep/wipe@local: 清理磁盘？ 在 local 上运行：echo wiping [y/N]');
    expect(r.err).toContain('请回答 y 或 n');
    expect(r.err).toContain('? prep/fails@local 失败：退出状态 4，应为 0。 重试、跳过还是中止？[r/s/a]');
    expect(r.err).toContain('? 跳过 prep/fails@local 的原因：');
    expect(r.err).toContain('必须填写原因');
    // The journal-like lines on stdout stay as they are (English, stable).
    expect(r.out).toContain('skipped by');
  });

  it('--lang en over the Chinese runbook; the lang setting when no flag is given; the flag over the setting', async () => {
    writeFileSync(join(dir, 'zh.yaml'), ZH);
    const en = await play(['zh.yaml', '--lang', 'en'], 'y\na\n');
    expect(en.err).toContain('? prep/wipe@local: 清理磁盘？ Run on local: echo wiping [y/N]');
    expect(en.err).toContain('Retry, skip or abort? [r/s/a]');
    expect(en.err).not.toContain('在 local 上运行');
    expect((await run(['config', 'set', 'lang', 'en'])).status).toBe(0);
    const setting = await play(['zh.yaml'], 'y\na\n');
    expect(setting.err).toContain('Run on local: echo wiping [y/N]');
    const flag = await play(['zh.yaml', '--lang', 'zh-CN'], 'y\na\n');
    expect(flag.err).toContain('在 local 上运行：echo wiping [y/N]');
    const bad = await play(['zh.yaml', '--lang', 'de']);
    expect(bad.status).toBe(2);
    expect(bad.err).toContain('--lang must be en or zh-CN, not "de"');
  });
});
