// The flagship runbook: the English and Chinese editions are the same runbook, every instruction
// of the source page is in it, in the page's order, and its gates hold on the output DC/OS 1.11
// really prints (shapes from the 1.11 sources) and fail on what a broken node prints.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { capture, evaluateChecks } from '../helpers/search-now.js';
import { builtins } from '../../src/runbook/builtins.js';
import { captureSpec } from '../../src/runbook/capture-shape.js';
import { loadRunbookText } from '../../src/runbook/load.js';
import type { Checks, Runbook, Section, Step } from '../../src/runbook/schema.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const read = (rel: string): string => readFileSync(path.resolve(here, '../..', rel), 'utf8');
const load = (rel: string): Runbook => loadRunbookText(read(rel), rel).runbook;

const en = load('runbooks/dcos-1.11-patch.yaml');
const zh = load('runbooks/dcos-1.11-patch.zh-CN.yaml');

// ---- helpers ----

type Found = { section: Section; step: Step; index: number };

/** Every step, in plan order, with its position. */
function steps(rb: Runbook): Found[] {
  return rb.sections.flatMap((section) => section.steps.map((step) => ({ section, step }))).map((f, index) => ({ ...f, index }));
}

function step(rb: Runbook, sectionId: string, stepId: string): Step {
  const s = rb.sections.find((x) => x.id === sectionId)?.steps.find((x) => x.id === stepId);
  if (!s) throw new Error(`no step ${sectionId}/${stepId}`);
  return s;
}

/** Keys whose values are words for people; everything else is behaviour and must match. */
const HUMAN = new Set(['title', 'description', 'why', 'text', 'prompt', 'hint', 'lang']);

/**
 * A troubleshooting command's title is what steps refer to, and each edition writes it in its own
 * language ("node checks", "节点检查"): it stands in the skeleton as where it first appears.
 */
function troubleshootKeys(rb: Runbook): Map<string, string> {
  const keys = new Map<string, string>();
  for (const [role, r] of Object.entries(rb.roles ?? {})) (r.troubleshoot ?? []).forEach((t, i) => keys.has(t.title) || keys.set(t.title, `${role}#${i}`));
  return keys;
}

/** The runbook with its human text taken out: what must be identical in every language. */
function skeleton(v: unknown, trail: string[] = [], keys = troubleshootKeys(v as Runbook)): unknown {
  if (Array.isArray(v)) return v.map((x) => skeleton(x, trail, keys));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const parent = trail[trail.length - 1];
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) {
    if (k === 'title' && parent === 'troubleshoot') out[k] = keys.get(val as string);
    else if (k === 'troubleshoot' && typeof val === 'string') out[k] = keys.get(val) ?? `unknown: ${val}`;
    else if (HUMAN.has(k)) continue;
    else if (k === 'header') out[k] = Object.values(val as Record<string, string>);
    else if (k === 'checklist') out[k] = (val as string[]).length;
    else if (k === 'confirm') out[k] = typeof val === 'string' ? '<text>' : typeof val === 'object' ? skeleton({ ...(val as object), text: undefined }, [...trail, k], keys) : val;
    else if (k === 'deadline' && typeof val === 'object') out[k] = skeleton({ ...(val as object), text: undefined }, [...trail, k], keys);
    else out[k] = skeleton(val, [...trail, k], keys);
  }
  return out;
}

/** Every piece of human text, with where it is, in document order. */
function humanTexts(v: unknown, where = '', parent = ''): { where: string; text: string }[] {
  if (typeof v === 'string') return [];
  if (Array.isArray(v)) return v.flatMap((x, i) => humanTexts(x, `${where}[${i}]`, parent));
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, val]) => {
    const at = `${where}.${k}`;
    if (k === 'lang') return [];
    if (HUMAN.has(k) && !(k === 'title' && parent === 'troubleshoot') && typeof val === 'string') return [{ where: at, text: val }];
    if (k === 'checklist') return (val as string[]).map((text, i) => ({ where: `${at}[${i}]`, text }));
    if (k === 'confirm' && typeof val === 'string') return [{ where: at, text: val }];
    if (k === 'header') return Object.keys(val as object).map((text) => ({ where: at, text }));
    return humanTexts(val, at, k);
  });
}

const refs = (text: string): string[] => [...text.matchAll(/\{\{\s*([^}|\s]+)[^}]*\}\}/g)].map((m) => m[1] ?? '').sort();
const CJK = /[\u4e00-\u9fff]/;

// ---- the two editions ----

describe('English and Chinese editions', () => {
  it('have the same sections, steps, ids, commands, checks and order', () => {
    expect(skeleton(zh)).toEqual(skeleton(en));
  });

  it('say their language', () => {
    expect(en.lang).toBe('en');
    expect(zh.lang).toBe('zh-CN');
  });

  it('have human text in the same places, naming the same values', () => {
    const a = humanTexts(en);
    const b = humanTexts(zh);
    expect(b.map((t) => t.where)).toEqual(a.map((t) => t.where));
    a.forEach((t, i) => expect({ where: t.where, refs: refs(b[i]!.text) }).toEqual({ where: t.where, refs: refs(t.text) }));
  });

  it('are in English and in Chinese', () => {
    const texts = humanTexts(zh);
    expect(texts.length).toBeGreaterThan(150);
    expect(texts.filter((t) => !CJK.test(t.text))).toEqual([]);
    expect(humanTexts(en).filter((t) => CJK.test(t.text))).toEqual([]);
  });

  it('name their troubleshooting commands in their language, except unit and file names', () => {
    const titles = (rb: Runbook) => Object.values(rb.roles ?? {}).flatMap((r) => (r.troubleshoot ?? []).map((t) => t.title));
    const words = titles(zh).filter((t) => !/^(dcos-[a-z-]+|zookeeper\.out|nginx|genconf\/serve)$/.test(t));
    expect([...new Set(words)].sort()).toEqual(['DC/OS 单元', 'Mesos 代理', '节点检查', '集群备份', '集群检查']);
    // Any title added later is Chinese too, unless it names a unit or a file.
    expect(words.filter((t) => !/[\u4e00-\u9fff]/.test(t))).toEqual([]);
    expect(titles(en)).toContain('node checks');
  });

  it('never put a space between two Chinese characters (YAML folding of a line break does that)', () => {
    const spaced = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef] +[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;
    expect(humanTexts(zh).filter((t) => spaced.test(t.text)).map((t) => t.where)).toEqual([]);
  });

  it("carry none of the source page's translation slips", () => {
    const all = humanTexts(zh).map((t) => t.text).join('\n');
    expect(all).not.toMatch(/使用先前命令中使用的 IP 地址替换/);
    expect(all).not.toMatch(/in the (below )?command|with the DC\/OS version currently running|has the metric|If you are patching/);
    expect(all).not.toMatch(/，，|\]\]/);
  });
});

// ---- the page, instruction by instruction ----

/** Everything the runbook does or shows, one string per step, for searching. */
function stepText(s: Step): string {
  return JSON.stringify(s);
}
function roleText(rb: Runbook, role: string): string {
  return JSON.stringify(rb.roles?.[role] ?? {});
}

/**
 * The page's instructions in its order: a pattern each, found in one step, each after the last.
 * One deliberate move: the guards (patch path, then the configuration, with the page's bootstrap
 * steps that prepare genconf) come before the prerequisites, so that nothing runs on a node before
 * the final config.yaml has been checked. The optional custom health checks move with them: they
 * may be added only in a configuration-only pass, and only before the check.
 */
const PAGE: { what: string; pattern: RegExp }[] = [
  { what: 'supported patch paths', pattern: /"builtin":"dcos\/patch-path"/ },
  { what: 'read the release notes', pattern: /release notes/ },
  { what: "enable_ipv6 'false' because of the overlay issue", pattern: /overlay networks.*1\.11\.3/ },
  { what: 'fault_domain_enabled and enable_ipv6 declared', pattern: /fault_domain_enabled and\s+enable_ipv6/ },
  { what: 'IPv6 disabled in kernel means disabled in config.yaml', pattern: /disabled in the kernel/ },
  { what: 'license key in genconf/license.txt', pattern: /enforces its license key/ },
  { what: 'GUI inconsistent until all masters are patched; Exhibitor on 8181', pattern: /higher-level system APIs.*8181/ },
  { what: 'patched Marathon leader cannot reach an unpatched Mesos leader', pattern: /insecure \(unpatched\) leading Mesos master/ },
  { what: 'task history does not persist', pattern: /task history in the Mesos UI/ },
  { what: 'Enterprise download location', pattern: /support portal/ },
  { what: 'custom health checks fail on the way to permissive', pattern: /custom node or cluster health checks/ },
  { what: 'optional custom health checks', pattern: /Optionally, add custom node and cluster health checks/ },
  { what: 'strict: restart pods and HTTP command executor tasks while permissive', pattern: /HTTP command executor/ },
  { what: 'copy config.yaml and ip-detect into genconf; merge into the new format', pattern: /empty genconf folder.*merged into the 1\.11 format.*exhibitor_zk_backend/ },
  { what: 'replace security: disabled with security: permissive', pattern: /replace \\"security: disabled\\" with \\"security: permissive\\"/ },
  { what: 'replace security: permissive with security: strict', pattern: /replace \\"security: permissive\\" with \\"security: strict\\"/ },
  { what: 'config.yaml and ip-detect of the previous version present', pattern: /genconf\/config\.yaml \{\{params\.bootstrap_dir\}\}\/genconf\/ip-detect/ },
  { what: 'license file present', pattern: /"run":"ls -l \{\{params\.bootstrap_dir\}\}\/genconf\/license\.txt"/ },
  { what: 'compare old and new config.yaml', pattern: /"builtin":"dcos\/config-change"/ },
  { what: 'enable_ipv6 read from config.yaml', pattern: /grep -E '\^enable_ipv6:'/ },
  { what: 'stable state, Marathon-on-Marathon 1.3.5, all ports, systemctl/journalctl', pattern: /known healthy state.*Marathon 1\.3\.5.*TCP and UDP.*journalctl/ },
  { what: 'systemd 218 or newer', pattern: /"run":"systemctl --version"/ },
  { what: 'ipset on CentOS/RHEL', pattern: /rpm -q ipset/ },
  { what: 'IPv6 in the kernel', pattern: /\/proc\/sys\/net\/ipv6\/conf\/all\/disable_ipv6/ },
  { what: 'Marathon event subscriber disabled', pattern: /grep -n -e '--event_subscriber' \/opt\/mesosphere\/bin\/marathon\.sh/ },
  {
    what: 'ZooKeeper backup (Guano), the credentials as parameters (the password through env:), on one master',
    pattern: /"env":\{"ZK_PASSWORD":"\{\{params\.zk_password\}\}"\},"run":"[^"]*dcos-shell java -jar \{\{params\.guano_jar\}\} -u \{\{params\.zk_user\}\} -p \\"\$ZK_PASSWORD\\" -d \/ -o \/tmp\/mesos-zk-backup -s \{\{node\.ip\}\}:2181 && .*tar -zcvf/,
  },
  { what: 'IAM backup, verified', pattern: /cockroach dump --certs-dir=\/run\/dcos\/pki\/cockroach --host=\$\(\/opt\/mesosphere\/bin\/detect_ip\) iam .*grep -c '\^CREATE TABLE'/ },
  { what: 'Marathon constraints script', pattern: /check-constraints\.py/ },
  { what: 'cluster backup, until it is ready', pattern: /"run":"dcos backup create --label=patch-\{\{run\.id\}\}"/ },
  { what: 'modify ip-detect', pattern: /Modify genconf\/ip-detect/ },
  { what: 'download dcos_generate_config.ee.sh', pattern: /Download dcos_generate_config\.ee\.sh/ },
  { what: 'generate the node patch script', pattern: /dcos_generate_config\.ee\.sh --generate-node-upgrade-script \{\{params\.installed_version\}\}/ },
  { what: 'run the nginx container', pattern: /docker run -d -p \{\{params\.nginx_port\}\}:80 -v \{\{params\.bootstrap_dir\}\}\/genconf\/serve:\/usr\/share\/nginx\/html:ro nginx/ },
  { what: 'masters: download and run the node patch script, exit 0', pattern: /"run":"curl -fsSO \{\{vars\.patch_url\}\} && sudo bash dcos_node_upgrade\.sh".*"expect":\{"exit":0\}/ },
  { what: 'masters: Exhibitor converged', pattern: /:8181\/exhibitor\/v1\/cluster\/status/ },
  { what: 'masters: dcos-mesos-master up', pattern: /systemctl is-active dcos-mesos-master/ },
  { what: 'masters: registrar/log/recovered = 1', pattern: /:5050\/metrics\/snapshot.*"json":"registrar\/log\/recovered","equals":1/ },
  { what: 'masters: registrar/log/recovered = 1 in strict mode, over https with the token', pattern: /printf 'header = \\"Authorization: token=%s\\"\\\\n' \{\{params\.jwt\}\} \| curl [^"]*-K - https:\/\/\{\{node\.ip\}\}:5050\/metrics\/snapshot/ },
  { what: 'masters: mesos-master --version', pattern: /"run":"\/opt\/mesosphere\/bin\/mesos-master --version".*"builtin":"dcos\/mesos-version"/ },
  {
    what: 'masters: under-replicated ranges down to zero, re-run each minute',
    pattern: /sudo \/opt\/mesosphere\/bin\/cockroach node status --ranges --certs-dir=\/run\/dcos\/pki\/cockroach --host=\$\(\/opt\/mesosphere\/bin\/detect_ip\)".*"column":"ranges_underreplicated","all":0.*"every":"60s"/,
  },
  { what: 'masters: GUI note', pattern: /DC\/OS GUI\s+may not list/ },
  { what: 'agents: remove libltdl.so.7', pattern: /"run":"sudo rm -f \/opt\/mesosphere\/lib\/libltdl\.so\.7"/ },
  { what: 'agents: download and run the node patch script, exit 0, five-minute expiry', pattern: /dcos_node_upgrade\.sh".*"expect":\{"exit":0\}.*"deadline":\{"after":"5m"/ },
  { what: 'agents: slave/registered = 1', pattern: /:5051\/metrics\/snapshot.*"json":"slave\/registered","equals":1/ },
  { what: 'agents: Mesos UI shows the agent and its tasks', pattern: /\/mesos \(https:\/\/ in strict mode\)/ },
  { what: 'Universe packages are not patched', pattern: /Services are not patched automatically/ },
];

describe('every instruction of the page', () => {
  const all = steps(en);
  // The masters' and agents' gates also run, beyond the page, on the cluster before the first
  // master (cluster-health): the page's instruction is the one in its own section.
  const find = (what: string, pattern: RegExp) => {
    const section = /^(masters|agents):/.exec(what)?.[1];
    return all.find((f) => (section === undefined || f.section.id === section) && pattern.test(stepText(f.step)));
  };

  it.each(PAGE)('$what', ({ what, pattern }) => {
    expect(find(what, pattern)).toBeDefined();
  });

  it('comes in the order of the page (guards first)', () => {
    const at = PAGE.map(({ what, pattern }) => ({ what, index: find(what, pattern)?.index ?? -1 }));
    const sorted = [...at].sort((a, b) => a.index - b.index);
    expect(at.map((x) => x.what)).toEqual(sorted.map((x) => x.what));
    expect(all[0]?.step.check?.builtin).toBe('dcos/patch-path');
  });

  it('has the troubleshooting commands of the page for each role, and dcos-net', () => {
    const everywhere = [/journalctl -u dcos-download/, /journalctl -u dcos-spartan/, /journalctl -u dcos-net/, /systemctl \| grep dcos/, /dcos-diagnostics check node-poststart/, /dcos-diagnostics check cluster/];
    for (const role of ['master', 'agent', 'public_agent']) for (const p of everywhere) expect(roleText(en, role)).toMatch(p);
    for (const p of [/journalctl -u dcos-exhibitor/, /\/opt\/mesosphere\/active\/exhibitor\/usr\/zookeeper\/zookeeper\.out/, /journalctl -u dcos-mesos-dns/, /journalctl -u dcos-mesos-master/]) {
      expect(roleText(en, 'master')).toMatch(p);
    }
    expect(roleText(en, 'agent')).toMatch(/journalctl -u dcos-mesos-slave /);
    expect(roleText(en, 'public_agent')).toMatch(/journalctl -u dcos-mesos-slave-public /);
  });

  it('follows live logs, and shows the rest once', () => {
    for (const role of ['master', 'agent', 'public_agent']) {
      for (const t of en.roles?.[role]?.troubleshoot ?? []) {
        if (/journalctl -u/.test(t.run)) expect(t.run).toMatch(/-n 200 --no-pager$/);
        if (t.follow) expect(t.follow).toMatch(/journalctl -f |tail -F /);
      }
    }
  });

  it('names a troubleshooting pane the role has, wherever a gate can fail', () => {
    for (const { section, step: s } of steps(en)) {
      if (!s.troubleshoot) continue;
      const roles = section.on === undefined ? [] : Array.isArray(section.on) ? section.on : [section.on];
      for (const role of roles) expect((en.roles?.[role]?.troubleshoot ?? []).map((t) => t.title)).toContain(s.troubleshoot);
    }
    const gates = steps(en).filter((f) => f.step.until && f.section.on !== 'local');
    expect(gates.filter((f) => !f.step.troubleshoot).map((f) => f.step.id)).toEqual([]);
  });

  it('explains every step', () => {
    expect(steps(en).filter((f) => !f.step.why).map((f) => `${f.section.id}/${f.step.id}`)).toEqual([]);
  });

  it('never runs a destructive step without a confirmation, and makes the operator type the master', () => {
    const destructive = steps(en).filter((f) => f.step.destructive);
    expect(destructive.map((f) => `${f.section.id}/${f.step.id}`)).toEqual([
      'masters/run-patch-script',
      'agents/remove-libltdl',
      'agents/run-patch-script',
      'public-agents/remove-libltdl',
      'public-agents/run-patch-script',
    ]);
    for (const f of destructive) expect(JSON.stringify(f.step.confirm)).toMatch(/\{\{node\.name\}\}/);
    expect(step(en, 'masters', 'run-patch-script').confirm).toMatchObject({ typed: '{{node.name}}' });
  });

  it('patches masters one at a time and stops at the first failure', () => {
    const masters = en.sections.find((s) => s.id === 'masters');
    expect(masters).toMatchObject({ on: 'master', strategy: 'serial', max_failures: 0 });
    expect(en.sections.find((s) => s.id === 'agents')).toMatchObject({ on: 'agent', strategy: { batch: '{{params.agent_batch}}' }, max_failures: 0 });
    expect(en.params?.agent_batch).toMatchObject({ default: '5', pattern: '^[1-9][0-9]*$' });
  });

  it('patches public agents apart, after the private agents, one at a time, and only if there are any', () => {
    const ids = en.sections.map((s) => s.id);
    expect(ids.indexOf('public-agents')).toBe(ids.indexOf('agents') + 1);
    expect(en.sections.find((s) => s.id === 'public-agents')).toMatchObject({ on: 'public_agent', optional: true, strategy: 'serial', max_failures: 0 });
  });

  it('checks the cluster before the first master and every agent Mesos knows at the end', () => {
    const ids = en.sections.map((s) => s.id);
    expect(ids.indexOf('cluster-health')).toBe(ids.indexOf('masters') - 1);
    expect(ids.indexOf('final-versions')).toBe(ids.indexOf('public-agents') + 1);
    expect(ids.indexOf('final-check')).toBe(ids.indexOf('final-versions') + 1);
    expect(en.sections.find((s) => s.id === 'final-versions')).toMatchObject({ on: ['master', 'agent', 'public_agent'], steps: [{ check: { builtin: 'dcos/node-version', with: { expected: '{{params.target_version}}', when: 'after' } } }] });
    const health = en.sections.find((s) => s.id === 'cluster-health')!;
    // Nothing in it changes the cluster.
    expect(health.steps.filter((s) => s.destructive || /dcos_node_upgrade|systemctl (restart|stop)|rm /.test(s.run ?? ''))).toEqual([]);
    expect(health.steps.map((s) => s.check?.builtin ?? s.until)).toContainEqual('dcos/mesos-agents');
    const final = en.sections.find((s) => s.id === 'final-check')!;
    expect(final.steps.map((s) => s.check?.with)).toEqual([
      { accept: '{{params.agents_left_out}}', dcos: '{{params.target_version}}' },
      { accept: '{{params.agents_left_out}}', dcos: '{{params.target_version}}' },
    ]);
  });

  it("ends the agents' countdown when the agent is registered again, and says so", () => {
    for (const id of ['agents', 'public-agents']) {
      const patch = step(en, id, 'run-patch-script');
      expect(patch.deadline).toMatchObject({ after: '5m', answered_by: ['agent-registered', 'agent-registered-strict'] });
      expect(patch.why).toMatch(/ends when\s+the next gate sees the agent registered again/);
    }
  });

  it('keeps the token secret, read from the environment, and asks for it only in strict mode', () => {
    expect(en.params?.jwt).toMatchObject({ secret: true, env: 'DCOS_AUTH_TOKEN' });
    expect(en.params?.jwt?.when).toMatch(/strict/);
    const withToken = steps(en).filter((f) => /params\.jwt/.test(f.step.run ?? ''));
    expect(withToken.map((f) => f.step.when)).toEqual(withToken.map(() => "params.security == 'strict' || params.security_change == 'to-strict'"));
  });
});

// ---- the gates against real output ----

const ok = (stdout: string, exit = 0) => ({ stdout, stderr: '', exit });
const holds = (checks: Checks | undefined, out: { stdout: string; stderr: string; exit: number | null }) => evaluateChecks(checks, out).ok;

describe('the gates on DC/OS 1.11 output', () => {
  it('captures the node patch script URL in either wording, from the last line', () => {
    const s = step(en, 'bootstrap', 'generate-script');
    const url = 'http://10.0.0.5:80/upgrade/5f0c3e2a9b7d4c1e8f6a0b3c2d1e4f5a/dcos_node_upgrade.sh';
    const real = {
      stdout: `Node upgrade script URL: ${url}\n`,
      stderr: 'Generating configuration files...\nCluster package list: package_lists/0a1b.package_list.json\nGenerating Bash configuration files for DC/OS\n',
      exit: 0,
    };
    expect(capture(captureSpec(s.capture!.patch_url!).regex, real)).toEqual({ ok: true, value: url });
    expect(capture(captureSpec(s.capture!.patch_url!).regex, ok(`Node patch script URL: ${url}\n`))).toEqual({ ok: true, value: url });
    expect(holds(s.expect, real)).toBe(true);
    expect(holds(s.expect, { stdout: '', stderr: 'Must provide the version of the cluster upgrading from\n', exit: 1 })).toBe(false);
  });

  it('Exhibitor: converged only when every member serves', () => {
    const until = step(en, 'masters', 'exhibitor-converged').until;
    const member = (code: number, host: string, leader = false) =>
      `{"code":${code},"description":"${['latent', 'down', 'not serving', 'serving'][code]}","hostname":"${host}","isLeader":${leader}}`;
    expect(holds(until, ok(`[${member(3, '10.0.4.1')},${member(3, '10.0.4.2', true)},${member(3, '10.0.4.3')}]`))).toBe(true);
    expect(holds(until, ok(`[${member(2, '10.0.4.1')},${member(3, '10.0.4.2', true)},${member(3, '10.0.4.3')}]`))).toBe(false);
    expect(holds(until, ok(`[${member(3, '10.0.4.1')},${member(1, '10.0.4.2')},${member(3, '10.0.4.3')}]`))).toBe(false);
    expect(holds(until, ok('[]'))).toBe(false);
    expect(holds(until, { stdout: '', stderr: 'curl: (7) Failed to connect to 10.0.4.1 port 8181: Connection refused\n', exit: 7 })).toBe(false);
  });

  it('dcos-mesos-master: active, not activating', () => {
    const until = step(en, 'masters', 'mesos-master-active').until;
    expect(holds(until, ok('active\n'))).toBe(true);
    expect(holds(until, ok('activating\n', 3))).toBe(false);
    expect(holds(until, ok('inactive\n', 3))).toBe(false);
  });

  it('registrar/log/recovered and slave/registered, as Mesos prints them', () => {
    const master = step(en, 'masters', 'registrar-recovered').until;
    const strict = step(en, 'masters', 'registrar-recovered-strict').until;
    const snapshot = (v: string) => `{"master\\/uptime_secs":95.123456,"registrar\\/log\\/recovered":${v},"master\\/elected":0.0,"master\\/slaves_active":3.0}\n`;
    for (const until of [master, strict]) {
      expect(holds(until, ok(snapshot('1.0')))).toBe(true);
      expect(holds(until, ok(snapshot('0.0')))).toBe(false);
    }
    const agent = step(en, 'agents', 'agent-registered').until;
    expect(holds(agent, ok('{"slave\\/registered":1.0,"slave\\/uptime_secs":42.5,"slave\\/tasks_running":4.0}\n'))).toBe(true);
    expect(holds(agent, ok('{"slave\\/registered":0.0,"slave\\/uptime_secs":2.5}\n'))).toBe(false);
    expect(holds(agent, { stdout: '', stderr: 'curl: (22) The requested URL returned error: 401 Unauthorized\n', exit: 22 })).toBe(false);
  });

  it('mesos-master --version against the target release, not the literal 1.4.0', () => {
    const s = step(en, 'masters', 'mesos-version');
    const def = builtins.get(s.check!.builtin)!;
    const evaluate = (dcos: string, stdout: string) => def.evaluate({ dcos }, { files: {}, output: ok(stdout) }).ok;
    expect(s.check!.with).toEqual({ dcos: '{{params.target_version}}' });
    expect(evaluate('1.11.5', 'mesos 1.5.1\n')).toBe(true);
    expect(evaluate('1.11.5', 'mesos 1.4.0\n')).toBe(false);
  });

  it("cockroach: the page's own table passes; a non-zero under-replicated count does not", () => {
    const until = step(en, 'masters', 'iam-replicated').until;
    const border = '+----+---------------------+--------+---------------------+---------------------+------------------+-----------------------+--------+--------------------+------------------------+';
    const table = (last: number) =>
      [
        border,
        '| id | address | build | updated_at | started_at | replicas_leaders | replicas_leaseholders | ranges | ranges_unavailable | ranges_underreplicated |',
        border,
        '| 1 | 172.31.7.32:26257 | v1.1.4 | 2018-03-08 13:56:10 | 2018-02-28 20:11:00 | 195 | 194 | 195 | 0 | 0 |',
        `| 2 | 172.31.10.48:26257 | v1.1.4 | 2018-03-08 13:56:05 | 2018-03-05 13:33:45 | 200 | 199 | 200 | 0 | ${last} |`,
        '| 3 | 172.31.23.132:26257 | v1.1.4 | 2018-03-08 13:56:01 | 2018-02-28 20:18:41 | 187 | 187 | 187 | 0 | 0 |',
        border,
        '(3 rows)',
        '',
      ].join('\n');
    expect(holds(until, ok(table(0)))).toBe(true);
    expect(holds(until, ok(table(12)))).toBe(false);
  });

  it('systemd 218 or newer', () => {
    const expectSystemd = step(en, 'node-prerequisites', 'systemd-version').expect;
    const version = (n: string) => ok(`systemd ${n}\n+PAM +AUDIT +SELINUX +IMA -APPARMOR +SMACK +SYSVINIT\n`);
    for (const n of ['218', '219', '229', '239', '252 (252.5-2ubuntu3)', '1000']) expect(holds(expectSystemd, version(n))).toBe(true);
    for (const n of ['208', '209', '217', '21', '2']) expect(holds(expectSystemd, version(n))).toBe(false);
  });

  it('IPv6: read from config.yaml, then enabled in every kernel when config.yaml wants it', () => {
    const read = step(en, 'configuration', 'read-enable-ipv6');
    const grep = (text: string) => text.split('\n').filter((l) => /^enable_ipv6:/.test(l)).join('\n');
    const fixture = readFileSync(path.resolve(here, '../fixtures/dcos/enterprise-permissive.yaml'), 'utf8');
    expect(capture(captureSpec(read.capture!.enable_ipv6!).regex, ok(grep(fixture)))).toEqual({ ok: true, value: 'false' });
    for (const line of ["enable_ipv6: 'true'", 'enable_ipv6: true', 'enable_ipv6: "true"  # overlay']) {
      expect(capture(captureSpec(read.capture!.enable_ipv6!).regex, ok(line))).toEqual({ ok: true, value: 'true' });
    }
    expect(holds(read.expect, ok('enable_ipv6: maybe'))).toBe(false);

    const kernel = step(en, 'node-prerequisites', 'ipv6-kernel');
    expect(kernel.when).toBe("vars.enable_ipv6 == 'true'");
    expect(holds(kernel.expect, ok('0\n'))).toBe(true);
    expect(holds(kernel.expect, ok('1\n'))).toBe(false);
    expect(holds(kernel.expect, { stdout: '', stderr: 'cat: /proc/sys/net/ipv6/conf/all/disable_ipv6: No such file or directory\n', exit: 1 })).toBe(false);
  });

  it('marathon.sh: passes only when grep finds no event subscriber', () => {
    const e = step(en, 'master-prerequisites', 'event-subscriber').expect;
    expect(holds(e, ok('', 1))).toBe(true);
    expect(holds(e, ok('12:  --event_subscriber "http_callback" \\\n', 0))).toBe(false);
    expect(holds(e, { stdout: '', stderr: 'grep: /opt/mesosphere/bin/marathon.sh: No such file or directory\n', exit: 2 })).toBe(false);
  });

  it('the script URL answers 200 through nginx', () => {
    const until = step(en, 'bootstrap', 'script-served').until;
    expect(holds(until, ok('HTTP/1.1 200 OK\r\nServer: nginx/1.25.3\r\nContent-Type: application/octet-stream\r\n\r\n'))).toBe(true);
    expect(holds(until, { stdout: '', stderr: 'curl: (22) The requested URL returned error: 404 Not Found\n', exit: 22 })).toBe(false);
  });
});
