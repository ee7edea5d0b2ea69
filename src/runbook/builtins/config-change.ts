import { createHash } from 'node:crypto';
import { parseYaml } from '../../input/load-yaml.js';
import { InputError } from '../../input/problem.js';
import { argText, type BuiltinArgValue, type BuiltinDef, type BuiltinResult } from './types.js';

// The DC/OS 1.11 rules for changing config.yaml on a running cluster (the patching page,
// "Modifying DC/OS configuration").

/** Keys that may change on a running cluster. */
export const CHANGEABLE_KEYS: readonly string[] = [
  'dns_search',
  'docker_remove_delay',
  'gc_delay',
  'resolvers',
  'telemetry_enabled',
  'use_proxy',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/**
 * Keys that only a configuration-only pass that keeps the security mode may change: the page
 * lists custom health checks as an optional addition, but not among the keys a patch or a
 * security pass may touch.
 */
export const CONFIG_PASS_KEYS: readonly string[] = ['custom_checks'];

/** 1.11 needs these declared; adding them to an older file is the format migration, not a change. */
const REQUIRED_ENTERPRISE = ['fault_domain_enabled', 'enable_ipv6'];
const REQUIRED_OPEN = ['enable_ipv6'];
/** What the 1.11 installer assumes for a key config.yaml leaves out: declaring that value is no change. */
const DEFAULTS: Record<string, string> = { enable_ipv6: 'true' };

/** The acknowledgement `ipv6_overlay` takes for enable_ipv6 true -> false. */
const IPV6_REMOVE = 'remove';
const IPV6_EFFECT =
  'enable_ipv6 true -> false takes the IPv6 overlay network dcos6 away from the running cluster: tasks attached to dcos6 lose that network when their agent is patched, and dcos6 cannot be used again without a new configuration pass';

const SECURITY_MODES = ['disabled', 'permissive', 'strict'] as const;
type SecurityMode = (typeof SECURITY_MODES)[number];
/** What the 1.11 Enterprise installer assumes when config.yaml has no `security`. */
const DEFAULT_SECURITY: SecurityMode = 'permissive';

const SECURITY_PATHS: Record<string, { from?: SecurityMode; to?: SecurityMode }> = {
  keep: {},
  'to-permissive': { from: 'disabled', to: 'permissive' },
  'to-strict': { from: 'permissive', to: 'strict' },
};

/** A config.yaml has a few dozen settings; far more is not one. */
const MAX_CONFIG_VALUES = 100_000;
/** Longest value shown in a line of the diff. */
const MAX_SHOWN = 200;

const isSecretKey = (key: string): boolean => /password|secret|token/i.test(key) || key === 'superuser_password_hash';

type Config = Record<string, unknown>;

export const configChange: BuiltinDef = {
  name: 'dcos/config-change',
  description:
    'Diffs the previous and the new config.yaml: only dns_search, docker_remove_delay, gc_delay, resolvers, telemetry_enabled, use_proxy, http_proxy, https_proxy and no_proxy may change; custom_checks only in a configuration-only pass that keeps the security mode; security only one level up, with nothing else, and not to permissive while custom checks are configured; enable_ipv6 true -> false (or absent -> false) only in a configuration-only pass with ipv6_overlay: remove; exhibitor_zk_backend never; no configuration change while patching to another version; fault_domain_enabled and enable_ipv6 must be declared. With checked_sha256, the file must still be the one checked.',
  args: {
    previous: { description: 'The config.yaml the cluster was installed or last changed with.', required: true, file: true },
    current: { description: 'The new config.yaml in genconf/.', required: true, file: true },
    patching: { description: 'true when this pass changes the DC/OS version (then nothing else may change).' },
    from: { description: 'The installed version; with `to`, stands in for `patching` (patching when they differ).' },
    to: { description: 'The target version.' },
    edition: { description: 'enterprise (default) or open: open source needs only enable_ipv6 declared.' },
    security: { description: 'The security mode the operator says the cluster runs now; must match the previous file.' },
    security_path: {
      description:
        'keep, to-permissive or to-strict: the change the operator chose; the files must agree. to-permissive is refused while config.yaml has custom_checks (they fail in permissive mode).',
    },
    ipv6_overlay: {
      description:
        'keep (default) or remove: remove acknowledges that enable_ipv6 goes from true to false and the IPv6 overlay dcos6 goes away; allowed only in a configuration-only pass, and config.yaml must make that change.',
    },
    checked: {
      description: 'The copy of config.yaml made when it was checked; with checked_sha256, names what changed since.',
      file: true,
    },
    checked_sha256: {
      description:
        'The sha256 of config.yaml when it was checked: the new file must still have it, or the check refuses and names what changed.',
    },
  },
  evaluate(args, context): BuiltinResult {
    const previousPath = argText(args, 'previous');
    const currentPath = argText(args, 'current');
    const previous = parseConfig('previous', previousPath, context.files.previous);
    if (typeof previous === 'string') return { ok: false, message: previous };
    const current = parseConfig('new', currentPath, context.files.current);
    if (typeof current === 'string') return { ok: false, message: current };

    const patching = patchingOf(args);
    if (typeof patching === 'string') return { ok: false, message: patching };

    const problems: string[] = [];
    const details: string[] = [];
    const required = argText(args, 'edition') === 'open' ? REQUIRED_OPEN : REQUIRED_ENTERPRISE;
    const missing = required.filter((k) => !(k in current));
    if (missing.length > 0) {
      problems.push(
        `The new config.yaml (${currentPath}) must declare ${missing.join(' and ')}: DC/OS 1.11 needs ${missing.length > 1 ? 'them' : 'it'} (use 'false' unless you need the feature).`,
      );
    }

    const changed: string[] = [];
    const securityChanges = modeOf(previous.security) !== modeOf(current.security);
    const keys = [...new Set([...Object.keys(previous), ...Object.keys(current)])];
    for (const key of keys) {
      const before = previous[key];
      const after = current[key];
      if (same(before, after)) continue;
      const shown = `${key}: ${show(key, before)} -> ${show(key, after)}`;
      if (before === undefined && required.includes(key) && (!(key in DEFAULTS) || same(withDefault(key, before), after))) {
        details.push(`${shown} (added: DC/OS 1.11 requires it)`);
        continue;
      }
      if (key === 'security' && modeOf(before) !== undefined && modeOf(before) === modeOf(after)) {
        details.push(`${shown} (the ${DEFAULT_SECURITY} default either way: no change)`);
        continue;
      }
      if (after === undefined && required.includes(key)) {
        details.push(`${shown} (removed, but DC/OS 1.11 requires it)`); // reported as missing above
        continue;
      }
      changed.push(key);
      if (CHANGEABLE_KEYS.includes(key) && securityChanges) {
        // The page: replace the security line "and change nothing else in config.yaml".
        details.push(`${shown} (refused)`);
        problems.push(
          `${key} cannot change in the pass that changes security: change nothing else in that pass; change ${key} in a configuration-only pass.`,
        );
      } else if (CHANGEABLE_KEYS.includes(key)) {
        details.push(`${shown} (may change)`);
      } else if (key === 'security') {
        const verdict = securityVerdict(before, after);
        details.push(`${shown} (${verdict.ok ? 'one level up' : 'refused'})`);
        if (!verdict.ok) problems.push(verdict.problem);
      } else if (key === 'enable_ipv6' && String(withDefault(key, before)) === 'true' && String(after) === 'false') {
        const verdict = ipv6Verdict(args, patching.on, securityChanges);
        details.push(`${shown} (${verdict.ok ? 'acknowledged: dcos6 goes away' : 'refused'})`);
        if (!verdict.ok) problems.push(verdict.problem);
      } else if (CONFIG_PASS_KEYS.includes(key)) {
        const ok = !patching.on && !securityChanges;
        details.push(`${shown} (${ok ? 'may change in a configuration-only pass' : 'refused'})`);
        if (securityChanges) {
          problems.push(
            `${key} cannot change in the pass that changes security: change nothing else in that pass; change ${key} in a configuration-only pass that keeps the security mode.`,
          );
        }
      } else if (key.startsWith('exhibitor_')) {
        // The page names this exhibitor_zk_backend; the 1.11 keys are exhibitor_storage_backend,
        // exhibitor_zk_hosts and exhibitor_zk_path. None of them may change.
        details.push(`${shown} (refused)`);
        problems.push(`${key} can never change on a running cluster: ZooKeeper's backend stays as installed.`);
      } else {
        details.push(`${shown} (refused)`);
        problems.push(
          `${key} cannot change on a running cluster; only ${CHANGEABLE_KEYS.join(', ')} and security may (and ${CONFIG_PASS_KEYS.join(', ')} in a configuration-only pass).`,
        );
      }
    }
    // The acknowledgement and the file must agree, like the security path below.
    const overlay = argText(args, 'ipv6_overlay');
    if (overlay === IPV6_REMOVE && !changed.includes('enable_ipv6')) {
      problems.push(
        `You chose ipv6_overlay: ${IPV6_REMOVE}, but config.yaml does not change enable_ipv6 from true to false; choose keep, or make that change.`,
      );
    } else if (overlay && overlay !== IPV6_REMOVE && overlay !== 'keep') {
      problems.push(`ipv6_overlay must be keep or ${IPV6_REMOVE}, not "${overlay}".`);
    }

    if (patching.on && changed.length > 0) {
      problems.unshift(
        `You cannot patch ${patching.pair} and change the configuration (${changed.join(', ')}) in one pass: patch with the unchanged config.yaml first, then change the configuration in a second pass on the new version.`,
      );
    }
    problems.push(...securityDeclarations(args, previous, current, previousPath));
    problems.push(...customChecksBeforePermissive(args, previous, current));

    const digest = sinceChecked(args, context.files, currentPath, current);
    if (typeof digest === 'object') {
      problems.unshift(digest.problem);
      details.unshift(...digest.details);
    }

    if (problems.length > 0) return { ok: false, message: problems.join(' '), details };
    const summary =
      changed.length === 0
        ? 'config.yaml has no configuration change.'
        : `config.yaml changes ${changed.join(', ')}, all allowed on a running cluster.`;
    return { ok: true, message: typeof digest === 'string' ? `${digest} ${summary}` : summary, details };
  },
};

function parseConfig(which: 'previous' | 'new', path: string, text: string | undefined): Config | string {
  const name = `The ${which} config.yaml${path ? ` (${path})` : ''}`;
  if (text === undefined) return `${name} was not read; the step must name it.`;
  if (text.trim() === '') return `${name} is empty.`;
  let data: unknown;
  try {
    // Plain data only, and bounded: the file comes from the bootstrap node, and its aliases could
    // otherwise expand into millions of values that the diff below walks and prints.
    data = parseYaml(text, path || 'config.yaml', { maxValues: MAX_CONFIG_VALUES }).value;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    const p = e.problems[0];
    if (p?.message.startsWith('the file is empty')) return `${name} is empty.`;
    return `${name} is not valid YAML: ${p?.message ?? 'it cannot be read'}${p?.line !== undefined ? ` (${p.line}:${p.column})` : ''}`;
  }
  if (data === null || data === undefined) return `${name} is empty.`;
  if (typeof data !== 'object' || Array.isArray(data)) return `${name} is not a mapping of settings (key: value).`;
  return data as Config;
}

function patchingOf(args: Record<string, BuiltinArgValue>): { on: boolean; pair: string } | string {
  const from = argText(args, 'from');
  const to = argText(args, 'to');
  const pair = from && to ? `${from} -> ${to}` : 'to another version';
  const flag = args.patching;
  if (flag === undefined || flag === '') {
    if (from && to) return { on: from !== to, pair };
    return 'dcos/config-change needs `patching` (true or false), or `from` and `to`.';
  }
  if (flag === true || flag === 'true') return { on: true, pair };
  if (flag === false || flag === 'false') return { on: false, pair };
  return `dcos/config-change: patching must be true or false, not "${String(flag)}".`;
}

/** DC/OS reads every value as text, so `false` and 'false' are the same setting. */
function canonical(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, canonical(o[k])]),
    );
  }
  return String(v);
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

function show(key: string, v: unknown): string {
  if (v === undefined) return '(absent)';
  if (isSecretKey(key)) return '(hidden)';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  // Proxy URLs carry credentials: http://user:pass@host
  const shown = text.replace(/(\/\/[^/:@\s"]+:)[^@\s"]*@/g, '$1***@');
  return shown.length > MAX_SHOWN ? `${shown.slice(0, MAX_SHOWN)}…` : shown;
}

function modeOf(v: unknown): SecurityMode | undefined {
  if (v === undefined || v === null) return DEFAULT_SECURITY;
  const s = String(v);
  return (SECURITY_MODES as readonly string[]).includes(s) ? (s as SecurityMode) : undefined;
}

function securityVerdict(before: unknown, after: unknown): { ok: true } | { ok: false; problem: string } {
  const a = modeOf(before);
  const b = modeOf(after);
  const bad = a === undefined ? before : b === undefined ? after : undefined;
  if (!a || !b) return { ok: false, problem: `security: "${String(bad)}" is not a security mode (disabled, permissive or strict).` };
  const step = SECURITY_MODES.indexOf(b) - SECURITY_MODES.indexOf(a);
  if (step === 1) return { ok: true };
  if (step < 0) {
    return {
      ok: false,
      problem: `security cannot go down (${a} -> ${b}): a less strict mode needs a reinstall of the cluster, which ends every running workload.`,
    };
  }
  return {
    ok: false,
    problem: `security can go up only one level per pass (${a} -> ${b}): change to permissive first, then to strict in a second pass.`,
  };
}

function securityDeclarations(args: Record<string, BuiltinArgValue>, previous: Config, current: Config, previousPath: string): string[] {
  const problems: string[] = [];
  // Open source has no security modes to declare.
  if (argText(args, 'edition') === 'open') return problems;
  const declared = argText(args, 'security');
  const was = modeOf(previous.security);
  const now = modeOf(current.security);
  if (declared && was && declared !== was) {
    problems.push(`You said the cluster runs in ${declared} mode, but the previous config.yaml (${previousPath}) has security: ${was}.`);
  }
  const chosen = argText(args, 'security_path');
  if (!chosen || !was || !now) return problems;
  const path = SECURITY_PATHS[chosen];
  if (!path) {
    problems.push(`security_path must be keep, to-permissive or to-strict, not "${chosen}".`);
  } else if (!path.to) {
    if (was !== now) problems.push(`You chose to keep the security mode, but config.yaml changes it (${was} -> ${now}).`);
  } else if (was !== path.from || now !== path.to) {
    problems.push(
      `You chose ${chosen}, which goes from security: ${path.from} to security: ${path.to}, but config.yaml goes from ${was} to ${now}.`,
    );
  }
  return problems;
}

const withDefault = (key: string, v: unknown): unknown => (v === undefined || v === null ? DEFAULTS[key] : v);

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** enable_ipv6 true -> false: never while patching or with a security change; otherwise only acknowledged. */
function ipv6Verdict(
  args: Record<string, BuiltinArgValue>,
  patching: boolean,
  securityChanges: boolean,
): { ok: true } | { ok: false; problem: string } {
  if (patching)
    return {
      ok: false,
      problem: `${IPV6_EFFECT}. It is not on the page's list of keys that may change, and never while patching: patch with enable_ipv6 unchanged.`,
    };
  if (securityChanges)
    return {
      ok: false,
      problem: `${IPV6_EFFECT}. The pass that changes security may change nothing else: change enable_ipv6 in a configuration-only pass of its own.`,
    };
  if (argText(args, 'ipv6_overlay') === IPV6_REMOVE) return { ok: true };
  return {
    ok: false,
    problem: `${IPV6_EFFECT}. In a configuration-only pass it is allowed only when you acknowledge that (ipv6_overlay: ${IPV6_REMOVE}); otherwise keep enable_ipv6 as it is.`,
  };
}

/** How many custom checks a config.yaml declares (node checks and cluster checks), or 0. */
function customCheckCount(config: Config): number {
  const value = config.custom_checks;
  if (value === undefined || value === null || value === '') return 0;
  if (typeof value !== 'object') return 1;
  const names = (v: unknown): number => (v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v).length : 0);
  const c = value as Record<string, unknown>;
  const node = c.node_checks && typeof c.node_checks === 'object' ? (c.node_checks as Record<string, unknown>).checks : undefined;
  const count = names(c.cluster_checks) + names(node);
  return count > 0 ? count : Object.keys(c).length > 0 ? 1 : 0;
}

/**
 * Custom health checks fail once a cluster moves from disabled to permissive (the page: bypassing
 * them is not supported in 1.11), and the node patch script waits for them: the first master would
 * fail after switching mode, leaving the masters in mixed modes. Refused before anything changes.
 */
function customChecksBeforePermissive(args: Record<string, BuiltinArgValue>, previous: Config, current: Config): string[] {
  const toPermissive =
    argText(args, 'security_path') === 'to-permissive' ||
    (modeOf(previous.security) === 'disabled' && modeOf(current.security) === 'permissive');
  if (!toPermissive) return [];
  const count = Math.max(customCheckCount(previous), customCheckCount(current));
  if (count === 0) return [];
  return [
    `config.yaml has custom health checks (custom_checks, ${count} check${count === 1 ? '' : 's'}). They fail once the cluster moves to permissive, bypassing them is not supported in 1.11, and the node patch script waits for them: the first master would fail after switching mode, leaving the masters in mixed modes. First remove custom_checks in a configuration-only pass that keeps security: disabled, then move to permissive with no other change, then add the checks back in another configuration-only pass.`,
  ];
}

/**
 * With checked_sha256: the new config.yaml must be the one that was checked. Returns the digest's
 * line for a pass, or the refusal with each key that changed since the check.
 */
function sinceChecked(
  args: Record<string, BuiltinArgValue>,
  files: Record<string, string>,
  currentPath: string,
  current: Config,
): string | { problem: string; details: string[] } | undefined {
  if (!('checked_sha256' in args)) return undefined;
  const expected = argText(args, 'checked_sha256').toLowerCase();
  const now = sha256(files.current ?? '');
  const short = (h: string): string => `${h.slice(0, 12)}…`;
  if (!/^[0-9a-f]{64}$/.test(expected)) {
    return {
      problem: `There is no digest of a checked config.yaml (checked_sha256 is "${expected}"): check the configuration first.`,
      details: [],
    };
  }
  if (now === expected) return `${currentPath} is the config.yaml that was checked (sha256 ${short(now)}).`;
  const head = `${currentPath} changed after it was checked (sha256 ${short(expected)} when checked, ${short(now)} now), and the node patch script is built only from a checked configuration.`;
  const copy = files.checked;
  if (copy === undefined || sha256(copy) !== expected) {
    return {
      problem: `${head} The checked copy is missing or changed too, so what changed cannot be shown; check the configuration again.`,
      details: [],
    };
  }
  const checked = parseConfig('previous', argText(args, 'checked'), copy);
  if (typeof checked === 'string') return { problem: head, details: [] };
  const keys = [...new Set([...Object.keys(checked), ...Object.keys(current)])].filter((k) => !same(checked[k], current[k]));
  const details = keys.map((k) => `since the check: ${k}: ${show(k, checked[k])} -> ${show(k, current[k])}`);
  const what = keys.length > 0 ? `Changed since the check: ${keys.join(', ')}.` : 'Only its layout or comments changed.';
  return {
    problem: `${head} ${what} Find out who changed it and why; then restore the checked copy (${argText(args, 'checked')}) or check the new file again.`,
    details,
  };
}
