// The printed runbook from data: content, placeholders, secrets, escaping, language. The runbook
// is read with js-yaml here because src/export takes data; the CLI tests load it for real.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/export/html.js';
import { renderMarkdown } from '../../src/export/markdown.js';
import { buildExport, sectionKind, type ExportInput } from '../../src/export/model.js';
import { loadInventory } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/types.js';
import type { Runbook, Section } from '../../src/runbook/schema.js';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'export');
const sample = load(readFileSync(path.join(fixtures, 'sample.yaml'), 'utf8')) as Runbook;
const SECRET = 'eyJhbGciOi.SECRET-TOKEN-4711';

let inventory: Inventory;
beforeAll(async () => {
  inventory = await loadInventory(path.join(fixtures, 'inventory.yaml'));
});

const input = (extra: Partial<ExportInput> = {}): ExportInput => ({
  runbook: sample,
  file: 'sample.yaml',
  digest: 'sha256:0123',
  ...extra,
});
const both = (i: ExportInput) => {
  const doc = buildExport(i);
  return { doc, md: renderMarkdown(doc), html: renderHtml(doc) };
};

describe('buildExport', () => {
  it('shows commands with placeholders when there is no inventory and no params', () => {
    const { doc, md, html } = both(input());
    const masters = doc.sections.find((s) => s.id === 'masters')!;
    expect(masters.steps[1]!.commands).toEqual([
      { nodes: [], text: 'curl -fsS -H "Authorization: token=<params.jwt>" http://<node.ip>:5050/metrics/snapshot' },
    ]);
    expect(masters.steps[0]!.commands[0]!.text).toBe('curl -fsSO <vars.patch_url> && sudo bash dcos_node_upgrade.sh');
    // Three blank sign-off rows per section that runs on nodes; local sections sign once.
    expect(masters.signOff).toEqual([
      { node: '', address: '' },
      { node: '', address: '' },
      { node: '', address: '' },
    ]);
    expect(doc.sections[0]!.signOff).toEqual([{ node: 'this machine (local)', address: '' }]);
    expect(md).toContain('dcos_generate_config.ee.sh --generate-node-upgrade-script <params.installed_version>');
    expect(html).toContain('dcos_generate_config.ee.sh --generate-node-upgrade-script &lt;params.installed_version&gt;');
  });

  it('fills in params and nodes, one block per node where the command differs', () => {
    const { doc, md } = both(input({ inventory, params: { installed_version: '1.11.1' } }));
    const masters = doc.sections.find((s) => s.id === 'masters')!;
    expect(masters.steps[0]!.commands).toHaveLength(1); // the same on every master
    expect(masters.steps[2]!.commands.map((b) => b.nodes)).toEqual([['master-1'], ['master-2'], ['master-3']]);
    expect(masters.steps[2]!.commands[1]!.text).toContain('--host=10.0.4.2');
    expect(masters.signOff.map((r) => r.node)).toEqual(['master-1', 'master-2', 'master-3']);
    const agents = doc.sections.find((s) => s.id === 'agents')!;
    expect(agents.signOff.map((r) => `${r.node} ${r.address}`)).toEqual(['agent-1 10.0.1.1', 'agent-2 10.0.1.2']);
    expect(md).toContain('--generate-node-upgrade-script 1.11.1\n');
    expect(md).toMatch(
      /\*\*Command\*\* \(on master-2\):\n\n```sh\nsudo \/opt\/mesosphere\/bin\/cockroach node status --ranges --certs-dir=\/run\/dcos\/pki\/cockroach --host=10\.0\.4\.2\n```/,
    );
  });

  it("says when no node of the inventory has a section's role, instead of an empty sign-off", () => {
    const runbook: Runbook = {
      id: 'r',
      title: 'R',
      sections: [{ id: 's', title: 'S', on: 'gpu', steps: [{ id: 'a', run: 'nvidia-smi -i {{node.ip}}' }] }],
    };
    const doc = buildExport({ runbook, file: 'r.yaml', digest: 'x', inventory });
    expect(doc.sections[0]).toMatchObject({ noTargets: true, signOff: [] });
    expect(doc.sections[0]!.steps[0]!.commands).toEqual([{ nodes: [], text: 'nvidia-smi -i <node.ip>' }]);
    expect(renderMarkdown(doc)).toContain('*No node in the inventory has this role: the run skips this section.*');
    expect(renderHtml(doc)).not.toContain('<table class="signoff">');
  });

  it('quotes values as the run will', () => {
    const runbook: Runbook = {
      id: 'q',
      title: 'Quoting',
      params: { dir: {} },
      sections: [{ id: 's', title: 'S', steps: [{ id: 'a', run: 'ls {{params.dir}}' }] }],
    };
    const doc = buildExport({ runbook, file: 'q.yaml', digest: 'x', params: { dir: "it's here; rm -rf /" } });
    expect(doc.sections[0]!.steps[0]!.commands[0]!.text).toBe(`ls 'it'\\''s here; rm -rf /'`);
  });

  it('never prints a secret, whatever path it takes', () => {
    const params = { installed_version: '1.11.1', security: 'strict', jwt: SECRET };
    for (const i of [input({ params }), input({ params, inventory })]) {
      const { md, html } = both(i);
      for (const text of [md, html]) {
        expect(text).not.toContain(SECRET);
        expect(text).not.toContain('SECRET-TOKEN');
        expect(text).toContain('params.jwt');
      }
    }
  });

  it('names every section and every step with its command', () => {
    for (const i of [input(), input({ inventory, params: { installed_version: '1.11.1' } })]) {
      const { md, html } = both(i);
      for (const section of sample.sections) {
        expect(md).toContain(section.title);
        expect(html).toContain(section.title);
        for (const step of section.steps) {
          expect(md).toContain(step.id);
          if (step.title && !step.title.includes('<')) {
            expect(md).toContain(step.title);
            expect(html).toContain(step.title);
          }
        }
      }
    }
  });

  it('marks destructive steps with a word and a border, not only colour', () => {
    const { md, html } = both(input());
    expect(md.match(/> \*\*⚠ DESTRUCTIVE\*\*/g)).toHaveLength(2);
    expect(html.match(/<div class="step destructive"/g)).toHaveLength(2);
    expect(html.match(/<span class="flag">⚠ DESTRUCTIVE<\/span>/g)).toHaveLength(2);
    expect(html).toMatch(/\.step\.destructive \{ border: 2\.5pt solid #000;/);
  });

  it('keeps a <script> in a title inert', () => {
    const { md, html } = both(input());
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Remove libltdl &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<h1>Patch a &lt;b&gt;sample&lt;/b&gt; cluster</h1>');
    expect(md).not.toMatch(/(?<!\\)<script/i);
    expect(md).toContain('Remove libltdl \\<script\\>alert(1)\\</script\\>');
  });

  it('gives gates, deadlines, captures, checks and checklists in words', () => {
    const { md } = both(input());
    expect(md).toContain(
      '**Must be true after it:** repeat every 60 s until every value of column ranges\\_underreplicated is 0; give up after 30 min',
    );
    expect(md).toContain("**Deadline:** must finish within 5 min of the step's start: agents expire");
    expect(md).toContain('Remembers vars.patch\\_url from the output: `Node (?:patch|upgrade) script URL: (\\S+)`');
    expect(md).toContain('**Check:** A patch goes to a later release');
    expect(md).toContain('- `to`: `<params.target_version>`');
    expect(md).toContain('- ☐ ZooKeeper is backed up');
    expect(md).toContain('☐ Confirmed: command and node checked before it ran (type "\\<node.name\\>" to confirm)');
  });

  it('lists troubleshooting commands per role in an appendix', () => {
    const { doc, md } = both(input());
    expect(doc.troubleshooting.map((r) => r.role)).toEqual(['master', 'agent']);
    expect(md).toMatch(
      /## Appendix: Troubleshooting[\s\S]*### Role: Masters[\s\S]*sudo journalctl -u dcos-mesos-master -n 200 --no-pager[\s\S]*### Role: agent[\s\S]*dcos-mesos-slave/,
    );
    expect(md).toContain('**Health probe**: every 15 s, healthy when registrar/log/recovered in the JSON output is 1');
  });

  it('prints parameters with what is known, and secrets only as placeholders', () => {
    const { doc } = both(input({ params: { installed_version: '1.11.1', jwt: SECRET } }));
    expect(doc.params.map((p) => [p.name, p.value])).toEqual([
      ['installed_version', '1.11.1'],
      ['target_version', '1.11.2 (default)'],
      ['security', 'disabled (default; one of: disabled, permissive, strict)'],
      ['jwt', '<params.jwt>'],
    ]);
    expect(doc.params[3]!.notes).toContain('secret: never printed');
    // Shown once, in the value, not again in the notes.
    expect(doc.params[2]!.notes.join(' ')).not.toContain('disabled');
  });

  it('shows what a parameter not given offers: its default and choices; given, the value and the choices in the notes', () => {
    const runbook: Runbook = {
      ...sample,
      lang: 'zh-CN',
      params: {
        mode: { prompt: '模式', choices: ['keep', 'to-strict'] },
        dir: { prompt: '目录', default: '/opt/x' },
        free: { prompt: '随便' },
        token: { prompt: '令牌', secret: true, default: 'NEVER-SHOWN-7' },
      },
    };
    const none = buildExport(input({ runbook }));
    expect(none.params.map((p) => p.value)).toEqual([
      '可选值：keep, to-strict (运行开始时询问)',
      '/opt/x (默认)',
      '<params.free> (运行开始时询问)',
      '<params.token>',
    ]);
    const md = renderMarkdown(none);
    expect(md).not.toContain('<params.mode>');
    expect(md).not.toContain('NEVER-SHOWN-7');
    const given = buildExport(input({ runbook, params: { mode: 'keep', dir: '/srv' } }));
    expect(given.params.slice(0, 2).map((p) => [p.value, p.notes.join(' | ')])).toEqual([
      ['keep', '模式 | 可选值：keep, to-strict'],
      ['/srv', '目录 | 默认：/opt/x'],
    ]);
  });
});

describe('section kinds', () => {
  const s = (id: string, steps: Section['steps']): Section => ({ id, title: id, steps });
  it.each<[string, Section, boolean, string]>([
    ['an id starting with guard', s('guards-1', [{ id: 'a', run: 'x', destructive: true }]), false, 'guards'],
    ['an id starting with preflight', s('preflight', [{ id: 'a', text: 'x' }]), false, 'guards'],
    ['an id starting with prereq', s('prerequisites', [{ id: 'a', run: 'systemctl --version' }]), false, 'prerequisites'],
    [
      'an id with a word starting with prereq',
      s('master-prerequisites', [{ id: 'a', run: 'v', expect: { regex: '1' } }]),
      false,
      'prerequisites',
    ],
    ['an id with a word starting with guard', s('config_guards', [{ id: 'a', text: 'x' }]), true, 'guards'],
    [
      'only manual steps',
      s('notes', [
        { id: 'a', text: 'x', confirm: true },
        { id: 'b', checklist: ['y'] },
      ]),
      false,
      'checklist',
    ],
    ['built-in checks before any change', s('paths', [{ id: 'a', check: { builtin: 'dcos/patch-path' } }]), false, 'guards'],
    ['gated commands before any change', s('versions', [{ id: 'a', run: 'v', expect: { regex: '1' } }]), false, 'guards'],
    ['the same after a change', s('versions', [{ id: 'a', run: 'v', expect: { regex: '1' } }]), true, 'procedure'],
    ['a command that captures', s('build', [{ id: 'a', run: 'v', expect: { exit: 0 }, capture: { x: '(.*)' } }]), false, 'procedure'],
  ])('%s', (_, section, changedBefore, kind) => {
    expect(sectionKind(section, changedBefore)).toBe(kind);
  });
});

describe('language', () => {
  const zhRunbook: Runbook = {
    ...sample,
    lang: 'zh-CN',
    title: '不停机修补实时集群',
    sections: sample.sections.map((s) => (s.id === 'masters' ? { ...s, title: '修补管理节点' } : s)),
  };

  it('labels a Chinese runbook in Chinese, with CJK fonts and lang', () => {
    const { md, html } = both({ runbook: zhRunbook, file: 'x.zh-CN.yaml', digest: 'd' });
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif');
    for (const label of [
      '参数',
      '破坏性操作',
      '签字确认',
      '节点',
      '完成',
      '时间',
      '签名',
      '完成后必须满足',
      '附录：故障排除'.slice(0, 2),
    ]) {
      expect(html).toContain(label);
      expect(md).toContain(label);
    }
    expect(md).toContain('## 4. 修补管理节点');
    expect(md).not.toContain('Sign-off');
  });

  it('labels anything else in English', () => {
    expect(buildExport({ ...input(), runbook: { ...sample, lang: 'de' } }).labels.lang).toBe('en');
    expect(buildExport(input()).lang).toBe('en');
  });
});

describe('the HTML page', () => {
  it('is one self-contained file made for paper', () => {
    const { html } = both(input({ inventory }));
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).toMatch(/@page \{ size: A4; margin: [^}]+\}/);
    expect(renderHtml(buildExport(input()), { paper: 'letter' })).toMatch(/@page \{ size: letter;/);
    expect(html).toMatch(/\.part \{ break-before: page; page-break-before: always; \}/);
    expect(html.match(/<section class="part"/g)).toHaveLength(sample.sections.length + 1);
    // Nothing fetched from anywhere: no scripts, links, images, imports or url() in the CSS.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|href="(?!#)/i);
    expect(html).not.toMatch(/[ \t]$/m);
  });

  it('has a sign-off table per section with a row per node', () => {
    const { html } = both(input({ inventory }));
    const tables = html.match(/<table class="signoff">[\s\S]*?<\/table>/g)!;
    expect(tables).toHaveLength(sample.sections.length);
    const masters = tables[3]!;
    expect(masters).toContain(
      '<th scope="col">Node</th><th scope="col">Address</th><th scope="col" class="done">Done</th><th scope="col" class="time">Time</th><th scope="col" class="initials">Initials</th>',
    );
    expect(
      masters.match(/<tr><td>master-\d<\/td><td>10\.0\.4\.\d<\/td><td class="done"><span class="box" aria-hidden="true"><\/span><\/td>/g),
    ).toHaveLength(3);
  });
});

// html-validate is a dev dependency; where it is missing this test is skipped and says so.
const validatorName = 'html-validate';
const validator = await import(validatorName).catch(() => undefined);

describe('validity', () => {
  it.skipIf(!validator)('every feature of the format gives valid HTML, in both languages and both papers', async () => {
    const hv = new validator!.HtmlValidate({ extends: ['html-validate:recommended', 'html-validate:document'] });
    const pages = [
      renderHtml(buildExport(input())),
      renderHtml(buildExport(input({ inventory, params: { installed_version: '1.11.1' } })), { paper: 'letter' }),
      renderHtml(buildExport({ ...input(), runbook: { ...sample, lang: 'zh-CN', params: {}, roles: {} } })),
    ];
    for (const html of pages) {
      const report = await hv.validateString(html);
      expect(
        report.results.flatMap((r: { messages: { line: number; ruleId: string; message: string }[] }) =>
          r.messages.map((m) => `${m.line}: ${m.ruleId}: ${m.message}`),
        ),
      ).toEqual([]);
    }
  });
});
