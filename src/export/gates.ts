// Gates in plain words: what must be true after a step, the way a person reads it on paper
// ("repeat every 60 s until every value of column ranges_underreplicated is 0; give up after 30 min").
import { builtins } from '../runbook/builtins.js';
import { DEFAULT_EVERY_MS, DEFAULT_POLL_TIMEOUT_MS } from '../engine/update.js';
import { parseDuration } from '../runbook/duration.js';
import type { BuiltinCheck, Check, Checks, Deadline, HealthProbe, Scalar, Step } from '../runbook/schema.js';
import type { Labels } from './labels.js';

/** Chinese descriptions of the built-in checks; others fall back to the registry's English. */
const BUILTIN_ZH: Record<string, string> = {
  'dcos/patch-path':
    '补丁只能升级到同一次要版本中更高的版本（1.11.1 -> 1.11.2），或为配置更改保持同一版本；拒绝降级、次要或主要版本跳跃，以及补丁矩阵不支持的组合。',
  'dcos/config-change':
    '比较旧的和新的 config.yaml：只允许更改 dns_search、docker_remove_delay、gc_delay、resolvers、telemetry_enabled、use_proxy、http_proxy、https_proxy 和 no_proxy；custom_checks 只能在不改变安全模式的纯配置更改中更改；security 只能提高一级且不能同时更改其他设置，配置了自定义检查时不能改为 permissive；enable_ipv6 从 true 改为 false（或从未设置改为 false）只能在纯配置更改中并以 ipv6_overlay: remove 确认；exhibitor_zk_backend 不能更改；打补丁时不能同时更改配置；必须声明 fault_domain_enabled 和 enable_ipv6。给出 checked_sha256 时，文件必须仍是检查过的那一份。',
  'dcos/mesos-version': '检查 `mesos-master --version` 的输出是否为该 DC/OS 版本附带的 Mesos 版本。',
  'dcos/mesos-agents':
    '将首要 Mesos 管理节点的代理节点列表（:5050/slaves）与清单中的代理节点和公共代理节点比较：Mesos 已知的每个代理节点都必须在清单中（除非被明确接受排除在外），清单中的每个代理节点都必须已注册且处于活动状态；给出 dcos 时，每个代理节点还必须运行该版本附带的 Mesos。',
};

const list = (checks: Checks | undefined): Check[] => (checks === undefined ? [] : Array.isArray(checks) ? checks : [checks]);

const scalar = (v: Scalar): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** A duration as words ("60 s", "30 min"); the text itself when it does not parse. */
export function durationWords(text: string, labels: Labels): string {
  const ms = parseDuration(text);
  return ms === undefined ? text : labels.duration(ms);
}

/** One check in words. */
export function checkWords(check: Check, labels: Labels): string {
  if ('exit' in check) return labels.exitIs(check.exit);
  if ('regex' in check) return check.not ? labels.outputNotMatches(check.regex) : labels.outputMatches(check.regex);
  if ('json' in check) return labels.jsonEquals(check.json, scalar(check.equals));
  return labels.columnAll(check.column, scalar(check.all));
}

/**
 * Several checks in words. With none, the gate is exit 0. Unless one is about the exit status,
 * the engine also requires exit 0; the front matter says that once (labels.exitRule) so each
 * gate stays one readable phrase.
 */
export function checksWords(checks: Checks | undefined, labels: Labels): string {
  const all = list(checks);
  if (all.length === 0) return labels.exitIs(0);
  return all.map((c) => checkWords(c, labels)).join(labels.and);
}

/** What a built-in check verifies, in the runbook's language. */
export function builtinWords(check: BuiltinCheck, labels: Labels): string {
  const def = builtins.get(check.builtin);
  const zh = labels.lang === 'zh-CN' ? BUILTIN_ZH[check.builtin] : undefined;
  return zh ?? def?.description ?? check.builtin;
}

/** The gate of a step, in words, or undefined when the step has no command to judge. */
export function gateWords(step: Step, labels: Labels): string | undefined {
  if (step.run === undefined && step.expect === undefined && step.until === undefined) return undefined;
  const parts: string[] = [];
  if (step.until !== undefined) {
    // While polling, the engine judges `until` alone.
    const what = checksWords(step.until, labels);
    // The engine's defaults, said out loud: paper has no other way to tell.
    const every = step.every !== undefined ? durationWords(step.every, labels) : labels.duration(DEFAULT_EVERY_MS);
    const timeout = step.timeout !== undefined ? durationWords(step.timeout, labels) : labels.duration(DEFAULT_POLL_TIMEOUT_MS);
    parts.push(labels.repeatUntil(every, what), labels.giveUpAfter(timeout));
  } else {
    parts.push(checksWords(step.expect, labels));
    if (step.timeout !== undefined) parts.push(labels.attemptAtMost(durationWords(step.timeout, labels)));
  }
  return parts.join(labels.lang === 'zh-CN' ? '；' : '; ');
}

/** A step's deadline in words: "must finish within 5 min of the step's start: agents expire". */
export function deadlineWords(deadline: Deadline, labels: Labels): string {
  if (typeof deadline === 'string') return labels.deadline(durationWords(deadline, labels));
  const sep = labels.lang === 'zh-CN' ? '；' : '; ';
  const answered =
    deadline.answered_by === undefined ? [] : Array.isArray(deadline.answered_by) ? deadline.answered_by : [deadline.answered_by];
  const base =
    labels.deadline(durationWords(deadline.after, labels)) +
    (answered.length > 0 ? `${sep}${labels.deadlineAnsweredBy(answered.join(labels.lang === 'zh-CN' ? ' 或 ' : ' or '))}` : '');
  return deadline.text ? `${base}${labels.lang === 'zh-CN' ? '：' : ': '}${deadline.text}` : base;
}

/** A role's background health probe in words: how often, and what healthy means. */
export function probeWords(probe: HealthProbe, labels: Labels): string {
  return labels.probeEvery(durationWords(probe.every ?? '15s', labels), checksWords(probe.expect, labels));
}
