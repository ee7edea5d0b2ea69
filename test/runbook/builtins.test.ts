import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtins, type BuiltinArgValue, type BuiltinContext, type BuiltinResult } from '../../src/runbook/builtins.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/dcos');
const fixture = (name: string): string => readFileSync(path.join(fixtures, name), 'utf8');

function run(name: string, args: Record<string, BuiltinArgValue>, context: Partial<BuiltinContext> = {}): BuiltinResult {
  const def = builtins.get(name);
  if (!def) throw new Error(`no builtin ${name}`);
  return def.evaluate(args, { files: {}, ...context });
}

describe('the registry', () => {
  it('has the DC/OS checks, each describing its arguments', () => {
    expect([...builtins.keys()].sort()).toEqual([
      'dcos/config-change',
      'dcos/mesos-agents',
      'dcos/mesos-version',
      'dcos/node-version',
      'dcos/patch-path',
    ]);
    for (const def of builtins.values()) {
      expect(def.description.length).toBeGreaterThan(20);
      for (const arg of Object.values(def.args)) expect(arg.description).not.toBe('');
    }
    expect(builtins.get('dcos/config-change')?.args.previous?.file).toBe(true);
    expect(builtins.get('dcos/config-change')?.args.current?.file).toBe(true);
  });
});

describe('dcos/patch-path', () => {
  const path = (from: string, to: string) => run('dcos/patch-path', { from, to });

  it.each([
    ['1.11.1', '1.11.2', '1.11.1 -> 1.11.2: a patch within DC/OS 1.11.'],
    ['1.11.0', '1.11.9', '1.11.0 -> 1.11.9: a patch within DC/OS 1.11.'],
    ['1.11.3', '1.11.13', '1.11.3 -> 1.11.13: a patch within DC/OS 1.11.'],
    ['1.9.1', '1.9.2', '1.9.1 -> 1.9.2: a patch within DC/OS 1.9.'],
    ['1.11.2', '1.11.2', '1.11.2 -> 1.11.2: the same version, so a configuration change only.'],
  ])('allows %s -> %s', (from, to, message) => {
    expect(path(from, to)).toEqual({ ok: true, message });
  });

  it.each([
    ['1.11.4', '1.12.0', '1.11.4 -> 1.12.0 is an upgrade across minor versions, not a patch; use the upgrade procedure.'],
    ['1.10.7', '1.11.2', '1.10.7 -> 1.11.2 is an upgrade across minor versions, not a patch; use the upgrade procedure.'],
    ['1.11.4', '2.0.0', '1.11.4 -> 2.0.0 is an upgrade across major versions, not a patch; use the upgrade procedure.'],
    [
      '1.11.4',
      '1.11.2',
      '1.11.4 -> 1.11.2 is a downgrade, which DC/OS does not support; patch only to a later release, or stay on 1.11.4.',
    ],
    [
      '1.11.4',
      '1.10.9',
      '1.11.4 -> 1.10.9 is a downgrade, which DC/OS does not support; patch only to a later release, or stay on 1.11.4.',
    ],
    [
      '1.11.0',
      '1.11.10',
      '1.11.0 -> 1.11.10 is not a supported patch path (the DC/OS 1.11 patch matrix excludes it); patch to an intermediate release first, e.g. 1.11.0 -> 1.11.9 -> 1.11.10.',
    ],
    ['1.11.4', '1.11.14', 'DC/OS 1.11.14 is not a release this runbook knows (1.11.0 to 1.11.13); check the version.'],
    ['1.11', '1.11.2', 'The installed version is "1.11", which is not a DC/OS version; write it as major.minor.patch, e.g. 1.11.2.'],
    ['1.11.1', 'v1.11.2', 'The target version is "v1.11.2", which is not a DC/OS version; write it as major.minor.patch, e.g. 1.11.2.'],
    ['1.11.1', '', 'The target version is empty, which is not a DC/OS version; write it as major.minor.patch, e.g. 1.11.2.'],
  ])('refuses %s -> %s', (from, to, message) => {
    expect(path(from, to)).toEqual({ ok: false, message });
  });

  it('ignores surrounding spaces a prompt may leave', () => {
    expect(path(' 1.11.1', '1.11.2 ').ok).toBe(true);
  });
});

describe('dcos/node-version', () => {
  const VERSION_JSON =
    '{"version": "1.11.3", "dcos-image-commit": "8b3b1cd8d4cd5b1d6a6b7d5d3d1d2a3b4c5d6e7f", "bootstrap-id": "c2f5b0a1"}\n';
  const check = (expected: string, stdout: string, exit: number | null = 0, when?: string) =>
    run(
      'dcos/node-version',
      { expected, ...(when ? { when } : {}) },
      { output: { stdout, stderr: exit === 0 ? '' : 'cat: /opt/mesosphere/etc/dcos-version.json: No such file or directory\n', exit } },
    );

  it('passes when the node runs the version expected', () => {
    expect(check('1.11.3', VERSION_JSON)).toEqual({ ok: true, message: 'DC/OS 1.11.3, as expected.' });
  });

  it('before the patch: names both versions and what the script would do', () => {
    expect(check('1.11.4', VERSION_JSON)).toEqual({
      ok: false,
      message:
        'This node runs DC/OS 1.11.3, but the patch is planned from 1.11.4: the node patch script would refuse it. Check installed_version, and the version on every node, before building the script.',
    });
  });

  it('after the patch: says the patch did not take effect', () => {
    expect(check('1.11.5', VERSION_JSON, 0, 'after').message).toBe(
      'This node runs DC/OS 1.11.3, not 1.11.5: the patch did not take effect here.',
    );
  });

  it('explains a missing file, bad JSON and a bad expectation', () => {
    expect(check('1.11.3', '', 1).message).toBe(
      '/opt/mesosphere/etc/dcos-version.json could not be read (exit 1): cat: /opt/mesosphere/etc/dcos-version.json: No such file or directory: is this a DC/OS node?',
    );
    expect(check('1.11.3', '<html>').message).toBe('/opt/mesosphere/etc/dcos-version.json is not JSON: <html>');
    expect(check('1.11.3', '{"version": 11}').message).toBe(
      '/opt/mesosphere/etc/dcos-version.json has no version this check can read (found 11).',
    );
    expect(check('eleven', VERSION_JSON).message).toBe('"eleven" is not a DC/OS version (expected major.minor.patch, e.g. 1.11.4).');
  });
});

describe('dcos/mesos-version', () => {
  const check = (dcos: string, stdout: string, exit: number | null = 0) =>
    run('dcos/mesos-version', { dcos }, { output: { stdout, stderr: '', exit } });

  it.each([
    ['1.11.0', 'mesos 1.5.0'],
    ['1.11.2', 'mesos 1.5.0'],
    ['1.11.3', 'mesos 1.5.1'],
    ['1.11.7', 'mesos 1.5.1'],
    ['1.11.8', 'mesos 1.5.2'],
    ['1.11.10', 'mesos 1.5.2'],
    ['1.11.11', 'mesos 1.5.3'],
    ['1.11.13', 'mesos 1.5.4'],
  ])('DC/OS %s ships %s', (dcos, stdout) => {
    expect(check(dcos, `${stdout}\n`)).toEqual({ ok: true, message: `Mesos ${stdout.slice(6)}, as DC/OS ${dcos} ships.` });
  });

  it('refuses the old Mesos, naming both versions', () => {
    expect(check('1.11.5', 'mesos 1.5.0\n')).toEqual({
      ok: false,
      message: 'This master runs Mesos 1.5.0, but DC/OS 1.11.5 ships Mesos 1.5.1: the patch did not take effect on this node.',
    });
  });

  it("refuses the page's literal 1.4.0 on 1.11", () => {
    expect(check('1.11.2', 'mesos 1.4.0\n').ok).toBe(false);
  });

  it('fails clearly on a failed command, no version, no output, or an unknown release', () => {
    expect(
      run(
        'dcos/mesos-version',
        { dcos: '1.11.5' },
        { output: { stdout: '', stderr: 'sudo: /opt/mesosphere/bin/mesos-master: command not found\n', exit: 127 } },
      ),
    ).toEqual({ ok: false, message: 'mesos-master --version exited with 127: sudo: /opt/mesosphere/bin/mesos-master: command not found.' });
    expect(check('1.11.5', 'hello\n')).toEqual({ ok: false, message: 'mesos-master --version printed no version: hello.' });
    expect(run('dcos/mesos-version', { dcos: '1.11.5' })).toEqual({
      ok: false,
      message: 'dcos/mesos-version needs the output of `mesos-master --version`: give the step that command as its run.',
    });
    expect(check('1.12.0', 'mesos 1.7.0\n')).toEqual({
      ok: false,
      message: 'DC/OS "1.12.0" is not a DC/OS 1.11 release this check knows, so the Mesos version it ships is unknown.',
    });
  });
});

describe('dcos/config-change', () => {
  const PREV = '/opt/dcos-bootstrap/previous/config.yaml';
  const CUR = '/opt/dcos-bootstrap/genconf/config.yaml';
  function diff(previous: string, current: string, more: Record<string, BuiltinArgValue> = {}): BuiltinResult {
    return run(
      'dcos/config-change',
      { previous: PREV, current: CUR, from: '1.11.4', to: '1.11.4', ...more },
      { files: { previous, current } },
    );
  }
  const base = fixture('enterprise-permissive.yaml');

  it('passes an unchanged file', () => {
    expect(diff(base, base)).toEqual({ ok: true, message: 'config.yaml has no configuration change.', details: [] });
  });

  it('treats false and the string "false" as the same setting, as DC/OS does', () => {
    const quoted = base
      .replace('fault_domain_enabled: false', "fault_domain_enabled: 'false'")
      .replace("enable_ipv6: 'false'", 'enable_ipv6: false');
    expect(diff(base, quoted).ok).toBe(true);
  });

  it('allows the changeable keys, listing each change with old and new values and hiding proxy passwords', () => {
    const r = diff(base, fixture('enterprise-allowed-changes.yaml'));
    expect(r).toEqual({
      ok: true,
      message: 'config.yaml changes resolvers, http_proxy, https_proxy, gc_delay, telemetry_enabled, all allowed on a running cluster.',
      details: [
        'resolvers: ["169.254.169.253"] -> ["169.254.169.253","10.0.0.2"] (may change)',
        'http_proxy: http://svc-proxy:***@proxy.corp.example:3128 -> http://svc-proxy:***@proxy2.corp.example:8080 (may change)',
        'https_proxy: https://svc-proxy:***@proxy.corp.example:3128 -> https://svc-proxy:***@proxy2.corp.example:8080 (may change)',
        'gc_delay: 2days -> 3days (may change)',
        'telemetry_enabled: true -> false (may change)',
      ],
    });
    expect(JSON.stringify(r)).not.toContain('Pr0xyPass');
  });

  it('refuses a key that may not change, naming it and what may', () => {
    const r = diff(base, base.replace('- 10.0.4.3', '- 10.0.4.4'));
    expect(r).toEqual({
      ok: false,
      message:
        'master_list cannot change on a running cluster; only dns_search, docker_remove_delay, gc_delay, resolvers, telemetry_enabled, use_proxy, http_proxy, https_proxy, no_proxy and security may (and custom_checks in a configuration-only pass).',
      details: ['master_list: ["10.0.4.1","10.0.4.2","10.0.4.3"] -> ["10.0.4.1","10.0.4.2","10.0.4.4"] (refused)'],
    });
  });

  it('hides the values of secret-looking keys', () => {
    const changed = base
      .replace(/^superuser_password_hash: .*$/m, 'superuser_password_hash: $6$rounds=656000$NEWSALT$NEWHASH')
      .concat('ca_key_password: hunter2\n');
    const r = diff(base, changed);
    expect(r.ok).toBe(false);
    expect(r.details).toEqual([
      'superuser_password_hash: (hidden) -> (hidden) (refused)',
      'ca_key_password: (absent) -> (hidden) (refused)',
    ]);
    expect(JSON.stringify(r)).not.toMatch(/NEWHASH|hunter2|YSvuFmas/);
  });

  it('refuses any change of the Exhibitor backend', () => {
    const r = diff(base, base.replace('exhibitor_storage_backend: static', 'exhibitor_storage_backend: zookeeper'));
    expect(r).toEqual({
      ok: false,
      message: "exhibitor_storage_backend can never change on a running cluster: ZooKeeper's backend stays as installed.",
      details: ['exhibitor_storage_backend: static -> zookeeper (refused)'],
    });
    expect(diff(base, `${base}exhibitor_zk_backend: zookeeper\n`).message).toBe(
      "exhibitor_zk_backend can never change on a running cluster: ZooKeeper's backend stays as installed.",
    );
  });

  describe('security', () => {
    const disabled = fixture('enterprise-disabled.yaml');
    const strict = fixture('enterprise-strict.yaml');

    it('allows one level up: disabled -> permissive, permissive -> strict', () => {
      expect(diff(disabled, base)).toEqual({
        ok: true,
        message: 'config.yaml changes security, all allowed on a running cluster.',
        details: ['security: disabled -> permissive (one level up)'],
      });
      expect(diff(base, strict).ok).toBe(true);
    });

    it('refuses going down', () => {
      expect(diff(strict, base)).toEqual({
        ok: false,
        message:
          'security cannot go down (strict -> permissive): a less strict mode needs a reinstall of the cluster, which ends every running workload.',
        details: ['security: strict -> permissive (refused)'],
      });
    });

    it('refuses any other change in the pass that changes security, even of a key that may change', () => {
      const r = diff(disabled, base.replace('gc_delay: 2days', 'gc_delay: 3days'), {
        security: 'disabled',
        security_path: 'to-permissive',
      });
      expect(r.ok).toBe(false);
      expect(r.message).toBe(
        'gc_delay cannot change in the pass that changes security: change nothing else in that pass; change gc_delay in a configuration-only pass.',
      );
    });

    it('refuses two levels at once', () => {
      expect(diff(disabled, strict).message).toBe(
        'security can go up only one level per pass (disabled -> strict): change to permissive first, then to strict in a second pass.',
      );
    });

    it('refuses a value that is not a mode', () => {
      expect(diff(base, base.replace(/^security: .*$/m, 'security: paranoid')).message).toBe(
        'security: "paranoid" is not a security mode (disabled, permissive or strict).',
      );
    });

    it('reads a missing security key as permissive, the 1.11 Enterprise default', () => {
      const unset = base.replace(/^security: .*\n/m, '');
      expect(diff(unset, strict).ok).toBe(true);
      expect(diff(unset, disabled).ok).toBe(false);
      expect(diff(unset, base, { from: '1.11.4', to: '1.11.5', security: 'permissive', security_path: 'keep' })).toEqual({
        ok: true,
        message: 'config.yaml has no configuration change.',
        details: ['security: (absent) -> permissive (the permissive default either way: no change)'],
      });
    });

    it("checks the files against the operator's declared mode and path", () => {
      expect(diff(disabled, base, { security: 'disabled', security_path: 'to-permissive' }).ok).toBe(true);
      expect(diff(base, strict, { security: 'permissive', security_path: 'to-strict' }).ok).toBe(true);
      expect(diff(base, base, { security: 'permissive', security_path: 'keep' }).ok).toBe(true);
      expect(diff(base, base, { security: 'strict', security_path: 'keep' }).message).toBe(
        `You said the cluster runs in strict mode, but the previous config.yaml (${PREV}) has security: permissive.`,
      );
      expect(diff(base, strict, { security: 'permissive', security_path: 'keep' }).message).toBe(
        'You chose to keep the security mode, but config.yaml changes it (permissive -> strict).',
      );
      expect(diff(base, base, { security: 'permissive', security_path: 'to-strict' }).message).toBe(
        'You chose to-strict, which goes from security: permissive to security: strict, but config.yaml goes from permissive to permissive.',
      );
    });
  });

  it('refuses patching and changing the configuration in one pass', () => {
    const r = diff(base, fixture('enterprise-allowed-changes.yaml'), { from: '1.11.4', to: '1.11.5' });
    expect(r.ok).toBe(false);
    expect(r.message).toBe(
      'You cannot patch 1.11.4 -> 1.11.5 and change the configuration (resolvers, http_proxy, https_proxy, gc_delay, telemetry_enabled) in one pass: patch with the unchanged config.yaml first, then change the configuration in a second pass on the new version.',
    );
    expect(diff(base, base, { from: '1.11.4', to: '1.11.5' }).ok).toBe(true);
    expect(diff(fixture('enterprise-disabled.yaml'), base, { from: '1.11.4', to: '1.11.5' }).ok).toBe(false);
  });

  it('takes patching as a flag too', () => {
    const changed = fixture('enterprise-allowed-changes.yaml');
    const flagged = (patching: BuiltinArgValue) =>
      run('dcos/config-change', { previous: PREV, current: CUR, patching }, { files: { previous: base, current: changed } });
    expect(flagged(true).ok).toBe(false);
    expect(flagged('true').message).toMatch(/^You cannot patch to another version and change the configuration/);
    expect(flagged(false).ok).toBe(true);
    expect(flagged('maybe')).toEqual({ ok: false, message: 'dcos/config-change: patching must be true or false, not "maybe".' });
    expect(run('dcos/config-change', { previous: PREV, current: CUR }, { files: { previous: base, current: base } }).message).toBe(
      'dcos/config-change needs `patching` (true or false), or `from` and `to`.',
    );
  });

  it('requires fault_domain_enabled and enable_ipv6, and lets a 1.10-format file gain them', () => {
    const old = fixture('enterprise-1.10-format.yaml');
    expect(diff(base, old)).toEqual({
      ok: false,
      message: `The new config.yaml (${CUR}) must declare fault_domain_enabled and enable_ipv6: DC/OS 1.11 needs them (use 'false' unless you need the feature).`,
      details: [
        'fault_domain_enabled: false -> (absent) (removed, but DC/OS 1.11 requires it)',
        'enable_ipv6: false -> (absent) (removed, but DC/OS 1.11 requires it)',
      ],
    });
    expect(diff(base, base.replace(/^enable_ipv6: .*\n/m, '')).message).toBe(
      `The new config.yaml (${CUR}) must declare enable_ipv6: DC/OS 1.11 needs it (use 'false' unless you need the feature).`,
    );
    // Declaring what 1.11 assumes when the key is absent is the migration; anything else is a change.
    const declared = base.replace("enable_ipv6: 'false'", "enable_ipv6: 'true'");
    expect(diff(old, declared, { from: '1.11.4', to: '1.11.5' })).toEqual({
      ok: true,
      message: 'config.yaml has no configuration change.',
      details: [
        'fault_domain_enabled: (absent) -> false (added: DC/OS 1.11 requires it)',
        'enable_ipv6: (absent) -> true (added: DC/OS 1.11 requires it)',
      ],
    });
  });

  describe('enable_ipv6 true -> false (the IPv6 overlay dcos6 goes away)', () => {
    const on = base.replace("enable_ipv6: 'false'", "enable_ipv6: 'true'");
    const absent = base.replace(/^enable_ipv6: .*\n/m, '');

    it('is a change, refused while patching, whether the old file said true or left it out', () => {
      for (const previous of [on, absent]) {
        const r = diff(previous, base, { from: '1.11.4', to: '1.11.5', ipv6_overlay: 'remove' });
        expect(r.ok).toBe(false);
        expect(r.message).toMatch(/^You cannot patch 1\.11\.4 -> 1\.11\.5 and change the configuration \(enable_ipv6\) in one pass/);
        expect(r.message).toContain('takes the IPv6 overlay network dcos6 away from the running cluster');
        expect(r.message).toContain('never while patching');
        expect(r.details).toEqual([`enable_ipv6: ${previous === on ? 'true' : '(absent)'} -> false (refused)`]);
      }
    });

    it('in a configuration-only pass, passes only with the acknowledgement, and the acknowledgement only with the change', () => {
      const silent = diff(on, base);
      expect(silent.ok).toBe(false);
      expect(silent.message).toContain('allowed only when you acknowledge that (ipv6_overlay: remove)');
      expect(diff(on, base, { ipv6_overlay: 'keep' }).ok).toBe(false);
      expect(diff(on, base, { ipv6_overlay: 'remove' })).toEqual({
        ok: true,
        message: 'config.yaml changes enable_ipv6, all allowed on a running cluster.',
        details: ['enable_ipv6: true -> false (acknowledged: dcos6 goes away)'],
      });
      expect(diff(absent, base, { ipv6_overlay: 'remove' }).ok).toBe(true);
      expect(diff(on, on, { ipv6_overlay: 'remove' }).message).toBe(
        'You chose ipv6_overlay: remove, but config.yaml does not change enable_ipv6 from true to false; choose keep, or make that change.',
      );
      expect(diff(on, base, { ipv6_overlay: 'yes' }).message).toContain('ipv6_overlay must be keep or remove, not "yes".');
    });

    it('is refused in the pass that changes security, acknowledged or not', () => {
      const disabledOn = fixture('enterprise-disabled.yaml').replace("enable_ipv6: 'false'", "enable_ipv6: 'true'");
      const r = diff(disabledOn, base, { security_path: 'to-permissive', ipv6_overlay: 'remove' });
      expect(r.ok).toBe(false);
      expect(r.message).toContain('The pass that changes security may change nothing else');
    });

    it('refuses false -> true like any key outside the list', () => {
      const r = diff(base, on);
      expect(r.ok).toBe(false);
      expect(r.details).toEqual(['enable_ipv6: false -> true (refused)']);
    });
  });

  describe('custom_checks: one policy', () => {
    const checks = [
      'custom_checks:',
      '  cluster_checks:',
      '    marathon-lb-up:',
      '      description: marathon-lb answers',
      '      cmd: [curl, -fsS, http://marathon-lb.marathon.mesos:9090/_haproxy_health_check]',
      '      timeout: 5s',
      '  node_checks:',
      '    checks:',
      '      disk-space:',
      '        description: enough disk',
      '        cmd: [/opt/checks/disk.sh]',
      '        timeout: 3s',
      '    poststart: [disk-space]',
      '',
    ].join('\n');
    const disabled = fixture('enterprise-disabled.yaml');

    it('may be added, changed or removed only in a configuration-only pass that keeps the security mode', () => {
      expect(diff(base, base + checks)).toMatchObject({
        ok: true,
        details: [expect.stringMatching(/^custom_checks: \(absent\) -> .* \(may change in a configuration-only pass\)$/)],
      });
      expect(diff(base + checks, base).ok).toBe(true);
      const patching = diff(base, base + checks, { from: '1.11.4', to: '1.11.5' });
      expect(patching.ok).toBe(false);
      expect(patching.message).toMatch(/^You cannot patch 1\.11\.4 -> 1\.11\.5 and change the configuration \(custom_checks\)/);
      const strict = diff(base, fixture('enterprise-strict.yaml') + checks, { security_path: 'to-strict' });
      expect(strict.message).toContain('custom_checks cannot change in the pass that changes security');
    });

    it('refuses the move to permissive while config.yaml has custom checks, and says what to do', () => {
      for (const [previous, current] of [
        [disabled + checks, base + checks],
        [disabled + checks, base],
      ] as const) {
        const r = diff(previous, current, { security: 'disabled', security_path: 'to-permissive' });
        expect(r.ok).toBe(false);
        expect(r.message).toContain(
          'config.yaml has custom health checks (custom_checks, 2 checks). They fail once the cluster moves to permissive',
        );
        expect(r.message).toContain('First remove custom_checks in a configuration-only pass that keeps security: disabled');
      }
      // Keeping the mode, or with no custom checks, the same files pass.
      expect(diff(disabled + checks, disabled + checks, { security: 'disabled', security_path: 'keep' }).ok).toBe(true);
      expect(diff(disabled, base, { security: 'disabled', security_path: 'to-permissive' }).ok).toBe(true);
    });
  });

  describe('checked_sha256: the configuration built is the one checked', () => {
    const COPY = '/opt/dcos-bootstrap/config.checked.yaml';
    const sha = (t: string): string => createHash('sha256').update(t).digest('hex');
    const again = (checkedText: string, now: string, more: Record<string, BuiltinArgValue> = {}): BuiltinResult =>
      run(
        'dcos/config-change',
        { previous: PREV, current: CUR, checked: COPY, checked_sha256: sha(checkedText), from: '1.11.4', to: '1.11.5', ...more },
        { files: { previous: base, current: now, checked: checkedText } },
      );

    it('passes the file that was checked, saying so', () => {
      expect(again(base, base)).toEqual({
        ok: true,
        message: `${CUR} is the config.yaml that was checked (sha256 ${sha(base).slice(0, 12)}…). config.yaml has no configuration change.`,
        details: [],
      });
    });

    it('refuses a file a colleague edited after the check, naming each key that changed since', () => {
      const edited = base
        .replace('gc_delay: 2days', 'gc_delay: 3days')
        .replace(/^resolvers:\n- 169\.254\.169\.253\n/m, 'resolvers:\n- 169.254.169.253\n- 10.0.0.2\n');
      const r = again(base, edited);
      expect(r.ok).toBe(false);
      expect(r.message).toMatch(
        new RegExp(
          `^${CUR.replace(/\./g, '\\.')} changed after it was checked \\(sha256 ${sha(base).slice(0, 12)}… when checked, ${sha(edited).slice(0, 12)}… now\\)`,
        ),
      );
      expect(r.message).toContain('Changed since the check: resolvers, gc_delay.');
      expect(r.details?.slice(0, 2)).toEqual([
        'since the check: resolvers: ["169.254.169.253"] -> ["169.254.169.253","10.0.0.2"]',
        'since the check: gc_delay: 2days -> 3days',
      ]);
      // Even an edit the policy would allow in this pass is refused: it was not the file checked.
      expect(again(base, edited, { from: '1.11.4', to: '1.11.4' }).ok).toBe(false);
      // A comment only: still not the same bytes.
      expect(again(base, `${base}# edited\n`, { from: '1.11.4', to: '1.11.4' }).message).toContain('Only its layout or comments changed.');
    });

    it('refuses when the checked copy was changed too, or no digest was recorded', () => {
      const edited = base.replace('gc_delay: 2days', 'gc_delay: 3days');
      const r = run(
        'dcos/config-change',
        { previous: PREV, current: CUR, checked: COPY, checked_sha256: sha(base), from: '1.11.4', to: '1.11.5' },
        { files: { previous: base, current: edited, checked: edited } },
      );
      expect(r.message).toContain('The checked copy is missing or changed too');
      expect(again(base, base, { checked_sha256: '' }).message).toContain('There is no digest of a checked config.yaml');
    });
  });

  it('needs only enable_ipv6 for open source, and no security declarations', () => {
    const oss = fixture('open-source.yaml');
    expect(diff(oss, oss, { edition: 'open', security: 'disabled', security_path: 'keep' }).ok).toBe(true);
    expect(diff(oss, oss.replace(/^enable_ipv6: .*\n/m, ''), { edition: 'open' }).message).toMatch(/must declare enable_ipv6:/);
    expect(diff(oss, oss.replace('/dcos-lab', '/dcos-lab2'), { edition: 'open' }).details).toEqual([
      'exhibitor_zk_path: /dcos-lab -> /dcos-lab2 (refused)',
    ]);
  });

  it('names the file that is malformed, empty, or not a mapping', () => {
    expect(diff(fixture('malformed.yaml'), base)).toEqual({
      ok: false,
      message: `The previous config.yaml (${PREV}) is not valid YAML: a tab is used for indentation; YAML indents with spaces only (4:1)`,
    });
    expect(diff(base, '')).toEqual({ ok: false, message: `The new config.yaml (${CUR}) is empty.` });
    expect(diff(base, '- a\n- b\n')).toEqual({
      ok: false,
      message: `The new config.yaml (${CUR}) is not a mapping of settings (key: value).`,
    });
  });

  it('stays small and quick on a config.yaml whose aliases multiply, and cuts long values', () => {
    // Seven levels of nine aliases: 4.8 million values once expanded (the result once held 33 MB).
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [i, n] of [...'bcdefg'].entries()) lines.push(`${n}: &${n} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`);
    const started = Date.now();
    const r = diff(base, `${base}${lines.join('\n')}\n`);
    expect(Date.now() - started).toBeLessThan(500);
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r).length).toBeLessThan(2000);
    expect(r.message).toMatch(/^The new config\.yaml \(.*\) is not valid YAML: the document expands to more than/);

    const long = diff(base, base.replace('- 169.254.169.253', Array(2000).fill('- 10.0.0.1').join('\n')));
    expect(long.details?.[0]).toMatch(/^resolvers: .{1,250}… \(may change\)$/);
  });

  it('refuses YAML that would build objects other than plain data', () => {
    const r = diff(base, `${base}x: !!js/function 'function () { return 1 }'\n`);
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/^The new config.yaml \(.*\) is not valid YAML: the YAML tag !!js\/function is not supported; .* \(27:4\)$/);
  });
});
