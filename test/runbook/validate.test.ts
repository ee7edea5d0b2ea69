import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../src/inventory/types.js';
import { parseYaml } from '../../src/input/load-yaml.js';
import { loadRunbook, loadRunbookText } from '../../src/runbook/load.js';
import { InputError } from '../../src/input/problem.js';
import { validateRunbook, type ValidateOptions } from '../../src/runbook/validate.js';

/** Problems as `line:column severity: message`, in file order. */
function problems(text: string, options?: ValidateOptions): string[] {
  return validateRunbook(parseYaml(text, 'rb.yaml'), options).map((p) => `${p.line}:${p.column} ${p.severity}: ${p.message}`);
}

const y = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** The DESIGN example, with the confirmation text a destructive step needs. */
const VALID = y(
  'id: dcos-1.11-patch',
  'title: Patch a live DC/OS 1.11 cluster',
  'params:',
  "  installed_version: { prompt: Version running now, pattern: '^1\\.11\\.\\d+$' }",
  '  security: { choices: [disabled, permissive, strict], default: disabled }',
  '  jwt: { prompt: Auth token, secret: true, when: "params.security == \'strict\'" }',
  'roles:',
  '  master:',
  '    troubleshoot:',
  '      - { title: dcos-mesos-master, run: sudo journalctl -u dcos-mesos-master -n 200 --no-pager }',
  '    health: { run: "curl -fsS http://{{node.ip}}:5050/metrics/snapshot", expect: { json: "registrar/log/recovered", equals: 1 }, every: 15s }',
  'sections:',
  '  - id: bootstrap',
  '    title: Build the node patch script',
  '    on: bootstrap',
  '    steps:',
  '      - id: generate-script',
  '        title: Generate the node patch script',
  '        run: dcos_generate_config.ee.sh --generate-node-upgrade-script {{params.installed_version}}',
  "        capture: { patch_url: 'Node (?:patch|upgrade) script URL: (\\S+)' }",
  '  - id: masters',
  '    title: Patch the masters',
  '    on: master',
  '    strategy: serial',
  '    steps:',
  '      - id: run-patch-script',
  '        title: Run the node patch script',
  '        why: Installs the new packages and restarts DC/OS units on this master.',
  '        run: curl -O {{vars.patch_url}} && sudo bash dcos_node_upgrade.sh',
  '        destructive: true',
  '        confirm: { typed: "{{node.name}}" }',
  '        expect: { exit: 0 }',
  '        troubleshoot: dcos-mesos-master',
  '      - id: registrar-recovered',
  '        title: Mesos registrar recovered',
  '        run: curl -fsS http://{{node.ip}}:5050/metrics/snapshot',
  '        until: { json: "registrar/log/recovered", equals: 1 }',
  '        every: 10s',
  '        timeout: 15m',
  '      - id: ack-gui',
  '        text: The DC/OS GUI may be inconsistent until every master is patched.',
  '        confirm: true',
);

/** A minimal runbook around some steps (they start at line 6). */
const steps = (...lines: string[]): string =>
  y(
    'id: t',
    'title: T',
    'sections:',
    '  - { id: s, title: S, on: local, steps: [ { id: first, text: hi } ] }',
    '  - id: m',
    '    title: M',
    '    on: master',
    '    steps:',
    ...lines,
  );

describe('validateRunbook', () => {
  it('accepts the DESIGN example (with a confirmation on the destructive step)', () => {
    expect(problems(VALID)).toEqual([]);
  });

  const table: [string, string, string[]][] = [
    // --- shape -------------------------------------------------------------------------------
    ['a list at the top', '- a\n- b\n', ['1:1 error: expected a runbook: a mapping with id, title and sections, found a list']],
    ['missing keys', 'id: x\n', ['1:1 error: missing key "title" in the runbook', '1:1 error: missing key "sections" in the runbook']],
    [
      'misspelt destructive (the brief example)',
      steps('      - id: run-patch-script', '        run: bash x.sh', '        destrutive: true', '        confirm: Patch it?'),
      ['11:9 error: unknown key "destrutive" in step "run-patch-script"; did you mean "destructive"?'],
    ],
    [
      'misspelt key at the top, and a bad id',
      y('id: Bad_Id', 'titel: x', 'sections: [ { id: s, title: S, steps: [ { id: a, text: hi } ] } ]'),
      [
        '1:5 error: "Bad_Id" is not a valid id: use lower case letters, digits, ".", "-" and "_", starting with a letter or digit (at most 80 characters)',
        '2:1 error: unknown key "titel" in the runbook; did you mean "title"?',
      ],
    ],
    [
      'strategy words',
      steps('      - { id: a, text: hi }').replace('    on: master\n', '    on: master\n    strategy: seriel\n'),
      ['8:15 error: expected one of serial, parallel or { batch: N }, found "seriel"; did you mean "serial"?'],
    ],
    [
      'strategy batch of zero',
      steps('      - { id: a, text: hi }').replace('    on: master\n', '    on: master\n    strategy: { batch: 0 }\n'),
      ['8:24 error: batch must be at least 1, found 0'],
    ],
    [
      'strategy as a mapping with the wrong key',
      steps('      - { id: a, text: hi }').replace('    on: master\n', '    on: master\n    strategy: { size: 3 }\n'),
      ['8:15 error: expected one of serial, parallel or { batch: N }, found a mapping with "size"'],
    ],
    [
      'a check with a misspelt key',
      steps('      - id: a', '        run: curl x', '        until: { json: a/b, equal: 1 }', '        timeout: 1m'),
      ['11:29 error: unknown key "equal" in until of step "a"; did you mean "equals"?'],
    ],
    [
      'a check that is none of the kinds',
      steps('      - id: a', '        run: curl x', '        expect: { status: 0 }'),
      [
        '11:17 error: expected one of { exit: N }, { regex: ... }, { json: ..., equals: ... }, { column: ..., all: ... } or a list of them, found a mapping with "status"',
      ],
    ],
    [
      'exit status out of range, in a list of checks',
      steps('      - id: a', '        run: curl x', '        expect: [ { exit: 0 }, { exit: 256 } ]'),
      ['11:40 error: exit must be at most 255, found 256'],
    ],
    [
      'a number where text is expected',
      steps('      - id: a', '        title: 1.10', '        text: hi'),
      ['10:16 error: expected a string, found a number (1.1); put it in quotes'],
    ],
    [
      'empty steps',
      y('id: t', 'title: T', 'sections:', '  - id: s', '    title: S', '    steps: []'),
      ['6:12 error: steps must list at least one item, found an empty list'],
    ],
    [
      'confirm of the wrong kind',
      steps('      - id: a', '        confirm: 3'),
      ['10:18 error: expected one of true/false, a string or a mapping with text or typed, found a number (3)'],
    ],
    [
      'bad param and capture names',
      y(
        'id: t',
        'title: T',
        'params:',
        '  bad-name: { prompt: x }',
        'sections:',
        '  - id: s',
        '    title: S',
        '    steps:',
        "      - { id: a, run: echo, capture: { 1st: '(x)' } }",
      ),
      [
        '4:3 error: "bad-name" is not a valid param name: use letters, digits and "_", not starting with a digit',
        '9:40 error: "1st" is not a valid capture name: use letters, digits and "_", not starting with a digit',
      ],
    ],
    [
      'durations that do not parse',
      steps('      - id: a', '        run: curl x', '        until: { exit: 0 }', '        every: 10 sec', '        timeout: 1d'),
      [
        '12:16 error: "10 sec" is not a duration; write it like 500ms, 10s, 15m, 1h or 1m30s',
        '13:18 error: "1d" is not a duration; write it like 500ms, 10s, 15m, 1h or 1m30s',
      ],
    ],
    // --- ids ---------------------------------------------------------------------------------
    [
      'duplicate section ids',
      y(
        'id: t',
        'title: T',
        'sections:',
        '  - { id: s, title: S, steps: [ { id: a, text: hi } ] }',
        '  - { id: s, title: S2, steps: [ { id: a, text: hi } ] }',
      ),
      [
        '5:11 error: duplicate section id "s" (first at line 4): the journal and --resume tell sections apart by id, so section ids must be unique in the runbook',
      ],
    ],
    [
      'duplicate step ids within a section, but not across sections',
      steps('      - { id: first, text: a }', '      - { id: b, text: b }', '      - { id: b, text: c }'),
      [
        '11:15 error: duplicate step id "b" in section "m" (first at line 10): the journal and --resume tell steps apart by section and step id, so step ids must be unique within their section',
      ],
    ],
    // --- references ----------------------------------------------------------------------------
    [
      'unknown param, with a suggestion',
      y(
        'id: t',
        'title: T',
        'params: { installed_version: { prompt: v } }',
        'sections:',
        '  - { id: s, title: S, steps: [ { id: a, run: "echo {{params.instaled_version}}" } ] }',
      ),
      [
        '5:53 error: params.instaled_version names no param: the runbook declares no param "instaled_version"; did you mean "installed_version"?',
      ],
    ],
    [
      'a var used before the step that captures it',
      y(
        'id: t',
        'title: T',
        'sections:',
        '  - id: a',
        '    title: A',
        '    steps:',
        '      - { id: use, run: "curl {{vars.url}}" }',
        "      - { id: get, run: gen, capture: { url: 'URL: (\\S+)' } }",
        '      - { id: use-again, run: "curl {{vars.url}}" }',
        '  - id: b',
        '    title: B',
        '    steps:',
        '      - { id: use-later, run: "curl {{vars.url}}" }',
        '      - { id: self, run: "curl {{vars.self}}", capture: { self: (x) } }',
        '      - { id: never, run: "curl {{vars.ulr}}" }',
      ),
      [
        '7:31 error: vars.url is used before it is captured: step "get" (line 8) captures it, later in the plan',
        '14:32 error: vars.self is used before it is captured: step "self" (line 14) captures it, later in the plan',
        '15:33 error: vars.ulr is not captured by any step; did you mean "url"?; a step sets vars.NAME with capture: { NAME: \'regex with (group)\' }',
      ],
    ],
    [
      'unknown node fields and node outside a node',
      y(
        'id: t',
        'title: T',
        'header: { where: "{{node.name}}" }',
        'sections:',
        '  - { id: s, title: "On {{node.ip}}", on: master, steps: [ { id: a, run: "ping {{node.hostname}}" } ] }',
      ),
      [
        '3:19 error: node.name is not available in the header: it is not run on a node',
        '5:25 error: node.ip is not available in section "s": it is not run on a node',
        '5:82 error: "node.hostname" is not a reference: expected node.name, node.ip, node.address, node.role, node.user, node.port or node.vars.NAME',
      ],
    ],
    [
      'a secret shown in text, fine in a command',
      y(
        'id: t',
        'title: T',
        'params: { jwt: { secret: true } }',
        'sections:',
        '  - id: s',
        '    title: S',
        '    steps:',
        '      - id: a',
        `        run: 'printf "header = \\"Authorization: token=%s\\"\\n" {{params.jwt}} | curl -K - https://x'`,
        '        text: "Token is {{params.jwt}}"',
      ),
      [
        '10:25 error: {{params.jwt}} would show the secret param "jwt" in step "a"; secrets may be used only in commands, which are masked when shown',
      ],
    ],
    [
      'a value where no shell quoting is safe',
      steps('      - id: a', '        run: sh -c "echo {{node.name}}"'),
      [
        `10:26 error: {{node.name}} cannot be placed safely in this command: it is the script of sh -c, which a second shell reads as code; use env: and "$NAME" instead (env: { NAME: '{{node.name}}' } on the step, and "$NAME" in the command)`,
      ],
    ],
    [
      'env: names the shell or the loader read, a ref that does not resolve, env: without a command',
      steps(
        '      - id: a',
        '        run: sh -c \'echo "$URL"\'',
        "        env: { URL: '{{vars.nope}}', LD_PRELOAD: x, PATH: /tmp }",
        '      - id: b',
        '        text: hi',
        '        env: { A: x }',
      ),
      [
        "11:22 error: vars.nope is not captured by any step; a step sets vars.NAME with capture: { NAME: 'regex with (group)' }",
        '11:38 error: env: LD_PRELOAD is read by the shell or the loader (a value there changes what runs); choose another name',
        '11:53 error: env: PATH is read by the shell or the loader (a value there changes what runs); choose another name',
        '14:9 error: step "b" has env: but no run: env: is for its command',
      ],
    ],
    [
      'a secret as an argument of a program, which ps shows; fine through a builtin and env:',
      y(
        'id: t',
        'title: T',
        'params: { jwt: { secret: true } }',
        'sections:',
        '  - id: s',
        '    title: S',
        '    steps:',
        `      - { id: a, run: 'curl -H "Authorization: token={{params.jwt}}" https://x' }`,
        `      - { id: b, run: 'echo x | sudo -u app printf %s {{params.jwt}}' }`,
        `      - { id: c, run: 'printf %s {{params.jwt}} | curl -K - https://x; echo {{params.jwt}} > f; cat <<< {{params.jwt}}' }`,
        `      - { id: d, env: { T: '{{params.jwt}}' }, run: 'printf %s "$T" | curl -K - https://x' }`,
        `      - { id: e, run: 'echo {{params.jwt | raw}}' }`,
      ),
      [
        "8:54 error: {{params.jwt}} cannot be placed safely in this command: it is a secret, and here it would be an argument of curl, which ps shows to every user of the node; pass it on standard input from a shell builtin instead, e.g. printf '%s' {{params.jwt}} | PROGRAM (curl: printf 'header = \"Authorization: token=%s\"\\n' {{params.jwt}} | curl -K - ...)",
        "9:55 error: {{params.jwt}} cannot be placed safely in this command: it is a secret, and here it would be an argument of printf, which ps shows to every user of the node; pass it on standard input from a shell builtin instead, e.g. printf '%s' {{params.jwt}} | PROGRAM (curl: printf 'header = \"Authorization: token=%s\"\\n' {{params.jwt}} | curl -K - ...)",
        '12:29 error: {{params.jwt | raw}} pastes a secret where this reader cannot tell whether ps would show it; leave out | raw',
      ],
    ],
    [
      'the long form of a capture: its regex needs a group, its pattern must compile, its shape is one of the list',
      steps(
        '      - id: a',
        '        run: gen',
        '        capture:',
        "          u: { regex: 'URL: \\S+', shape: url }",
        "          v: { regex: 'v=(\\S+)', pattern: '[0-9' }",
        "          w: { regex: 'w=(\\S+)', shape: uri }",
      ),
      [
        '12:23 error: the regular expression of capture "u" has no group: put what goes into vars.u in ( )',
        '13:43 error: the regular expression of the pattern of capture "v" does not compile: Unterminated character class',
        '14:41 error: expected one of url, host, version, integer, word or path, found "uri"; did you mean "url"?',
      ],
    ],
    [
      'template syntax errors in a block scalar',
      steps('      - id: a', '        run: |', '          echo one', '          echo {{params.x'),
      ['12:16 error: unclosed {{: expected }} (write \\{{ for a literal {{)'],
    ],
    // --- conditions ------------------------------------------------------------------------------
    [
      'conditions: syntax, unknown params, order of params',
      y(
        'id: t',
        'title: T',
        'params:',
        '  a: { when: "params.b == \'x\'" }',
        '  b: { when: "params.b == \'x\'" }',
        '  c: { when: "params.securty == \'strict\'" }',
        'sections:',
        '  - { id: s, title: S, when: "params.a ==", steps: [ { id: a, text: hi } ] }',
      ),
      [
        '4:15 error: params.b is declared after param "a"; declare it first, since params are asked in order',
        '5:15 error: param "b" cannot depend on itself',
        '6:15 error: params.securty names no param: the runbook declares no param "securty"',
        "8:42 error: the condition does not parse: expected a value: a 'string', a number, true, false, or a reference such as params.NAME, found the end of the condition",
      ],
    ],
    // --- roles ----------------------------------------------------------------------------------
    [
      'roles not declared, local mixed with roles',
      y(
        'id: t',
        'title: T',
        'roles: { web: {} }',
        'sections:',
        '  - { id: a, title: A, on: mastr, steps: [ { id: a, text: hi } ] }',
        '  - { id: b, title: B, on: [web, agent, public_agent], steps: [ { id: a, text: hi } ] }',
        '  - { id: c, title: C, on: [local, web], steps: [ { id: a, text: hi } ] }',
      ),
      [
        '5:28 warning: role "mastr" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local; did you mean "master"?',
        '7:29 error: local cannot be combined with roles: a section runs either locally or on nodes',
      ],
    ],
    [
      'keys named like what every JavaScript object has are unknown keys too',
      y(
        'id: t',
        'title: T',
        'constructor: 1',
        'sections:',
        '  - id: s',
        '    title: S',
        '    on: local',
        '    toString: x',
        '    steps:',
        '      - { id: a, run: echo hi, valueOf: 2, check: { builtin: dcos/patch-path, with: { from: 1.11.1, to: 1.11.2, hasOwnProperty: y } } }',
      ),
      [
        '3:1 error: unknown key "constructor" in the runbook',
        '8:5 error: unknown key "toString" in section "s"',
        '10:32 error: unknown key "valueOf" in step "a"',
        '10:113 error: unknown argument "hasOwnProperty" of built-in check "dcos/patch-path" (its arguments: from, to)',
      ],
    ],
    [
      'roles named like what every JavaScript object has',
      y(
        'id: t',
        'title: T',
        'roles: { valueOf: {} }',
        'sections:',
        '  - { id: a, title: A, on: constructor, steps: [ { id: a, text: hi } ] }',
        '  - { id: b, title: B, on: [toString, valueOf], steps: [ { id: a, text: hi } ] }',
      ),
      [
        '5:28 warning: role "constructor" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local',
        '6:29 warning: role "toString" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local',
      ],
    ],
    [
      'troubleshoot names',
      y(
        'id: t',
        'title: T',
        'roles:',
        '  master: { troubleshoot: [ { title: dcos-mesos-master, run: journalctl -u dcos-mesos-master } ] }',
        '  agent: { troubleshoot: [ { title: dcos-mesos-slave, run: journalctl -u dcos-mesos-slave } ] }',
        'sections:',
        '  - id: m',
        '    title: M',
        '    on: [master, agent]',
        '    steps:',
        '      - { id: a, run: x, troubleshoot: dcos-mesos-mastr }',
        '      - { id: b, run: x, troubleshoot: dcos-mesos-master }',
        '  - { id: l, title: L, steps: [ { id: a, run: x, troubleshoot: dcos-mesos-master } ] }',
      ),
      [
        '11:40 error: troubleshoot "dcos-mesos-mastr" names no troubleshooting command of role "master", "agent"; did you mean "dcos-mesos-master"? (they have: dcos-mesos-master, dcos-mesos-slave)',
        '12:40 warning: troubleshoot "dcos-mesos-master" exists for role "master" but not for role "agent"',
        '13:64 error: troubleshoot "dcos-mesos-master" needs a section that runs on roles; this section runs locally, where there are no troubleshooting commands',
      ],
    ],
    // --- regular expressions ----------------------------------------------------------------------
    [
      'regular expressions that do not compile, and a capture without a group',
      y(
        'id: t',
        'title: T',
        "params: { v: { pattern: '^1\\.11\\.(\\d+$' } }",
        'sections:',
        '  - id: s',
        '    title: S',
        '    steps:',
        '      - id: a',
        '        run: x',
        "        expect: { regex: 'ok[' }",
        "        capture: { url: 'URL: \\S+', other: '(' }",
      ),
      [
        '3:25 error: the regular expression of the pattern of param "v" does not compile: Unterminated group',
        '10:26 error: the regular expression of the regex check does not compile: Unterminated character class',
        '11:25 error: the regular expression of capture "url" has no group: put what goes into vars.url in ( )',
        '11:44 error: the regular expression of capture "other" does not compile: Unterminated group',
      ],
    ],
    [
      'param defaults against choices and pattern',
      y(
        'id: t',
        'title: T',
        'params:',
        '  security: { choices: [disabled, permissive, strict], default: permisive }',
        "  version: { pattern: '^1\\.11\\.\\d+$', default: 1.10.2, choices: ['1.11.1', '1.12.0'] }",
        '  token: { secret: true, default: abc }',
        'sections: [ { id: s, title: S, steps: [ { id: a, text: hi } ] } ]',
      ),
      [
        '4:65 error: the default "permisive" of param "security" is not one of its choices (disabled, permissive, strict); did you mean "permissive"?',
        '5:48 error: the default "1.10.2" of param "version" is not one of its choices (1.11.1, 1.12.0); did you mean "1.11.1"?',
        '5:48 error: the default "1.10.2" of param "version" does not match its pattern ^1\\.11\\.\\d+$',
        '5:76 error: the choice "1.12.0" of param "version" does not match its pattern ^1\\.11\\.\\d+$',
        '6:35 warning: param "token" is secret but has a default: the secret is then written in the runbook file',
      ],
    ],
    [
      'a secret default that breaks its pattern is not printed',
      y(
        'id: t',
        'title: T',
        'params:',
        "  token: { secret: true, default: s3cr3t-t0ken, pattern: '^[a-z]+$', choices: [abc] }",
        'sections: [ { id: s, title: S, steps: [ { id: a, text: hi } ] } ]',
      ),
      [
        '4:35 error: the default of param "token" (a secret, not shown) is not one of its choices',
        '4:35 error: the default of param "token" (a secret, not shown) does not match its pattern ^[a-z]+$',
        '4:35 warning: param "token" is secret but has a default: the secret is then written in the runbook file',
      ],
    ],
    // --- steps ------------------------------------------------------------------------------------
    [
      'until, every, timeout',
      steps(
        '      - id: a',
        '        run: curl x',
        '        until: { exit: 0 }',
        '      - id: b',
        '        run: curl x',
        '        every: 10s',
        '      - id: c',
        '        until: { exit: 0 }',
        '        timeout: 1m',
        '      - id: d',
        '        run: curl x',
        '        until: { exit: 0 }',
        '        every: 0s',
        '        timeout: 1m',
        '      - id: e',
        '        run: curl x',
        '        until: { exit: 0 }',
        '        every: 2m',
        '        timeout: 1m',
        '      - id: f',
        '        run: curl x',
        '        timeout: 0ms',
      ),
      [
        '11:9 error: until needs a timeout: how long to keep polling (e.g. timeout: 15m)',
        '14:9 error: every is only used with until: it is how often to poll',
        '15:9 error: step "c" does nothing: give it run, check, text, checklist or confirm',
        '16:9 error: until re-runs the command of step "c", but it has no run',
        '21:16 error: every must be longer than 0s',
        '26:16 warning: every (2m) is longer than timeout (1m): the command is polled only once',
        '30:18 error: timeout must be longer than 0s: a command with no time at all is stopped as soon as it starts',
      ],
    ],
    [
      'steps that do nothing, and expect or capture without run',
      steps(
        '      - id: a',
        '        title: Nothing',
        '      - { id: b, expect: { exit: 0 }, text: hi }',
        "      - { id: c, capture: { x: '(x)' }, text: hi }",
        '      - { id: d, confirm: false }',
      ),
      [
        '9:9 error: step "a" does nothing: give it run, check, text, checklist or confirm',
        '11:18 error: expect checks the result of a command, but step "b" has no run',
        '12:18 error: capture reads the output of a command, but step "c" has no run',
        '13:9 error: step "d" does nothing: give it run, check, text, checklist or confirm',
      ],
    ],
    [
      'destructive steps need a command and a confirmation text',
      steps(
        '      - { id: a, run: rm -rf /opt/x, destructive: true }',
        '      - { id: b, run: rm -rf /opt/x, destructive: true, confirm: true }',
        '      - { id: c, run: rm -rf /opt/x, destructive: true, confirm: {} }',
        '      - { id: d, text: Remove it, destructive: true, confirm: Sure? }',
        '      - { id: e, run: rm -rf /opt/x, destructive: true, confirm: "Remove /opt/x on {{node.name}}?" }',
        '      - { id: f, run: rm -rf /opt/x, destructive: true, confirm: { typed: "{{node.name}}" } }',
        '      - { id: g, run: rm -rf /opt/x, destructive: true, confirm: { text: "Remove /opt/x?" } }',
      ),
      [
        '9:38 error: step "a" is destructive, so it needs a confirmation text: confirm: "what the operator confirms" or confirm: { typed: "{{node.name}}" }',
        '10:38 error: step "b" is destructive, so it needs a confirmation text: confirm: "what the operator confirms" or confirm: { typed: "{{node.name}}" } (confirm: true alone is not enough)',
        '11:38 error: step "c" is destructive, so it needs a confirmation text: confirm: "what the operator confirms" or confirm: { typed: "{{node.name}}" }',
        '12:35 error: step "d" is destructive but has no run: only a command can be destructive',
      ],
    ],
    [
      'built-in checks',
      steps(
        '      - { id: a, check: { builtin: dcos/patch-pth } }',
        '      - { id: b, check: { builtin: dcos/patch-path, with: { from: "1.11.1", too: "1.11.2" } } }',
        '      - { id: c, check: { builtin: dcos/patch-path } }',
      ),
      [
        '9:36 error: unknown built-in check "dcos/patch-pth"; did you mean "dcos/patch-path"? (built-in checks: dcos/patch-path, dcos/config-change, dcos/mesos-version, dcos/node-version, dcos/mesos-agents)',
        '10:59 error: built-in check "dcos/patch-path" needs the argument "to": The DC/OS version to patch to, e.g. 1.11.2.',
        '10:77 error: unknown argument "too" of built-in check "dcos/patch-path"; did you mean "to"? (its arguments: from, to)',
        '11:25 error: built-in check "dcos/patch-path" needs the argument "from": The DC/OS version the cluster runs now, e.g. 1.11.1.',
        '11:25 error: built-in check "dcos/patch-path" needs the argument "to": The DC/OS version to patch to, e.g. 1.11.2.',
      ],
    ],
    [
      'concurrency without parallel',
      steps('      - { id: a, text: hi }').replace('    on: master\n', '    on: master\n    concurrency: 5\n'),
      ['8:5 warning: concurrency applies only to strategy: parallel; section "m" runs serial'],
    ],
    [
      'duplicate troubleshooting titles in a role',
      y(
        'id: t',
        'title: T',
        'roles:',
        '  master:',
        '    troubleshoot:',
        '      - { title: logs, run: journalctl -u a }',
        '      - { title: logs, run: journalctl -u b }',
        'sections: [ { id: s, title: S, steps: [ { id: a, text: hi } ] } ]',
      ),
      ['7:18 error: duplicate troubleshooting command "logs" in role "master" (first at line 6): steps name them by title'],
    ],
  ];

  it.each(table)('%s', (_name, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it('step_timeout: a duration longer than 0s, placed where it is written', () => {
    const base = (v: string) =>
      y('id: t', 'title: T', `step_timeout: ${v}`, 'sections:', '  - id: s', '    title: S', '    steps:', '      - { id: a, run: echo }');
    expect(problems(base('45m'))).toEqual([]);
    expect(problems(base('0s'))).toEqual([
      '3:15 error: step_timeout must be longer than 0s: a command with no time at all is stopped as soon as it starts',
    ]);
    expect(problems(base('soon'))[0]).toMatch(/^3:15 error: .*duration/);
  });

  it('does not hang on a pattern that backtracks catastrophically', () => {
    const started = Date.now();
    const text = y(
      'id: t',
      'title: T',
      'params:',
      `  p: { pattern: '^(a+)+$', default: ${'a'.repeat(40)}!, choices: [${'a'.repeat(40)}!] }`,
      'sections: [ { id: s, title: S, steps: [ { id: a, text: hi } ] } ]',
    );
    expect(problems(text)).toEqual([
      `4:17 error: the pattern of param "p" takes too long to match "${'a'.repeat(40)}!" (catastrophic backtracking); simplify it`,
      `4:17 error: the pattern of param "p" takes too long to match "${'a'.repeat(40)}!" (catastrophic backtracking); simplify it`,
    ]);
    // One confirmed timeout (250 ms, then 3 s), and the second value is not tried again.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('folds role spellings as the planner does', () => {
    const text = y(
      'id: t',
      'title: T',
      'roles: { master: { troubleshoot: [ { title: logs, run: journalctl } ] } }',
      'sections:',
      '  - { id: m, title: M, on: [masters, Public-Agent, slave, LOCAL_X], steps: [ { id: a, run: x, troubleshoot: logs } ] }',
    );
    expect(problems(text)).toEqual([
      '5:59 warning: role "LOCAL_X" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local; did you mean "local"?',
      '5:109 warning: troubleshoot "logs" exists for role "masters" but not for role "Public-Agent", role "slave", role "LOCAL_X"',
    ]);
  });

  it('with an inventory: a section left with no node is an error, a listed role no node has only a warning', () => {
    const inventory: Inventory = {
      source: 'inv.yaml',
      nodes: [
        { name: 'm1', address: '10.0.0.1', ip: '10.0.0.1', roles: ['master'], vars: { zone: 'a' } },
        { name: 'a1', address: '10.0.0.2', ip: '10.0.0.2', roles: ['agent'], vars: {} },
      ],
      simulated: false,
    };
    const text = y(
      'id: t',
      'title: T',
      'sections:',
      '  - { id: b, title: B, on: bootstrap, steps: [ { id: a, text: hi } ] }',
      '  - { id: m, title: M, on: [master, agnet], steps: [ { id: a, run: "echo {{node.vars.zone}} {{node.vars.rack}}" } ] }',
      '  - { id: l, title: L, on: local, steps: [ { id: a, text: hi } ] }',
      '  - { id: p, title: P, on: [agent, public_agent], steps: [ { id: a, text: hi } ] }',
      '  - { id: q, title: Q, on: public_agent, optional: true, steps: [ { id: a, text: hi } ] }',
      '  - { id: r, title: R, on: [public_agent, gpu], steps: [ { id: a, text: hi } ] }',
    );
    expect(problems(text, { inventory })).toEqual([
      '4:28 error: no node of the inventory inv.yaml has role "bootstrap" (its roles: agent, master): section "b" would run on no node (mark it optional: true if that is expected)',
      '5:37 warning: role "agnet" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local; did you mean "agent"?',
      '5:37 warning: no node of the inventory inv.yaml has role "agnet"; did you mean "agent"? (its roles: agent, master); the section runs on the nodes with its other roles',
      '5:93 warning: no node of the inventory inv.yaml has vars.rack',
      '7:36 warning: no node of the inventory inv.yaml has role "public_agent" (its roles: agent, master); the section runs on the nodes with its other roles',
      '8:28 warning: no node of the inventory inv.yaml has role "public_agent" (its roles: agent, master); the section is optional and will be skipped',
      '9:29 error: no node of the inventory inv.yaml has role "public_agent" (its roles: agent, master): section "r" would run on no node (mark it optional: true if that is expected)',
      '9:43 warning: role "gpu" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local',
      '9:43 error: no node of the inventory inv.yaml has role "gpu" (its roles: agent, master): section "r" would run on no node (mark it optional: true if that is expected)',
    ]);
    expect(problems(text)).toEqual([
      '5:37 warning: role "agnet" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local; did you mean "agent"?',
      '9:43 warning: role "gpu" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local',
    ]);
  });

  it('a deadline answered_by names a later step of its section; a batch param must be declared', () => {
    const text = y(
      'id: t',
      'title: T',
      'sections:',
      '  - id: a',
      '    title: A',
      '    on: agent',
      "    strategy: { batch: '{{params.agent_btach}}' }",
      '    steps:',
      '      - { id: before, run: "true" }',
      '      - { id: patch, run: "true", deadline: { after: 5m, answered_by: [registerd, before, registered] } }',
      '      - { id: registered, run: "true" }',
    );
    expect(problems(text)).toEqual([
      '7:25 error: params.agent_btach names no param: the runbook declares no param "agent_btach"',
      '10:72 error: answered_by names no step of this section: "registerd"; did you mean "registered"?',
      '10:83 error: answered_by must name a later step: "before" comes before the countdown starts',
    ]);
  });

  it('never throws on broken runbooks: every line removed, every value replaced by other kinds', () => {
    const lines = VALID.split('\n');
    const variants: string[] = [];
    for (let i = 0; i < lines.length; i++) variants.push([...lines.slice(0, i), ...lines.slice(i + 1)].join('\n'));
    for (let i = 0; i < lines.length; i++) {
      for (const junk of ['[]', '{}', '~', '3', 'true', '"{{"', '[1, [2]]', '{ a: { b: c } }']) {
        variants.push([...lines.slice(0, i), lines[i]!.replace(/:\s.*$/, `: ${junk}`), ...lines.slice(i + 1)].join('\n'));
      }
    }
    let validated = 0;
    for (const text of variants) {
      let doc;
      try {
        doc = parseYaml(text, 'rb.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        continue;
      }
      const list = validateRunbook(doc);
      validated += 1;
      for (const p of list) expect(p.line).toBeGreaterThan(0);
    }
    expect(validated).toBeGreaterThan(300);
  });

  it('gives every problem a file, line, column and path', () => {
    const list = validateRunbook(parseYaml(steps('      - id: a', '        destrutive: true'), 'rb.yaml'));
    expect(list.length).toBeGreaterThan(0);
    for (const p of list) {
      expect(p.file).toBe('rb.yaml');
      expect(p.line).toBeGreaterThan(0);
      expect(p.column).toBeGreaterThan(0);
      expect(p.path).toMatch(/^sections\[1\]\.steps\[0\]/);
    }
  });
});

describe('loadRunbook', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runbook-load-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads a valid runbook with its digest', async () => {
    const file = join(dir, 'ok.yaml');
    await writeFile(file, VALID);
    const loaded = await loadRunbook(file);
    expect(loaded.runbook.id).toBe('dcos-1.11-patch');
    expect(loaded.runbook.sections.map((s) => s.id)).toEqual(['bootstrap', 'masters']);
    expect(loaded.digest).toBe(createHash('sha256').update(VALID).digest('hex'));
    expect(loaded.warnings).toEqual([]);
    expect(loaded.doc.locate(['sections', 1, 'steps', 0]).line).toBe(26);
  });

  it('throws one InputError with every problem, warnings included', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, steps('      - id: a', '        destrutive: true').replace('on: master', 'on: mastr'));
    const error = await loadRunbook(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message.split('\n')).toEqual([
      `${file}:7:9: warning: role "mastr" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local; did you mean "master"? (at sections[1].on)`,
      `${file}:9:9: error: step "a" does nothing: give it run, check, text, checklist or confirm (at sections[1].steps[0])`,
      `${file}:10:9: error: unknown key "destrutive" in step "a"; did you mean "destructive"? (at sections[1].steps[0].destrutive)`,
    ]);
  });

  it('keeps warnings of a runbook that loads', () => {
    const loaded = loadRunbookText(steps('      - { id: a, text: hi }').replace('on: master', 'on: web'), 'rb.yaml');
    expect(loaded.warnings.map((w) => w.message)).toEqual([
      'role "web" is not declared under roles: and is not one of bootstrap, master, agent, public_agent or local',
    ]);
  });

  it('refuses hostile YAML before validating it', async () => {
    const file = join(dir, 'bomb.yaml');
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++)
      lines.push(
        `${'abcdefgh'[i]}: &${'abcdefgh'[i]} [${Array(10)
          .fill(`*${'abcdefgh'[i - 1]}`)
          .join(', ')}]`,
      );
    await writeFile(file, lines.join('\n') + '\n');
    const started = Date.now();
    await expect(loadRunbook(file)).rejects.toThrow(/expands to more than 500000 values/);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
