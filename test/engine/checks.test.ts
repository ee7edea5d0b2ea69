import { describe, expect, it } from 'vitest';
import * as pure from '../../src/engine/checks.js';
import { findTable, lookupJson, sameValue } from '../../src/engine/checks.js';
import { capture, evaluateCheck, evaluateChecks } from '../helpers/search-now.js';
import type { Check, Checks } from '../../src/runbook/schema.js';

// Output shapes from the DC/OS 1.11 facts: Mesos metrics escape "/" as "\/" and print doubles.
const MASTER_METRICS =
  '{"master\\/uptime_secs":95.123456,"registrar\\/log\\/recovered":1.0,"master\\/elected":0.0,"master\\/slaves_active":3.0,"registrar\\/log\\/ensemble_size":3.0}\n';
const MASTER_NOT_RECOVERED = '{"master\\/uptime_secs":3.5,"registrar\\/log\\/recovered":0.0}\n';
const AGENT_METRICS = '{"slave\\/registered":1.0,"slave\\/uptime_secs":42.5,"slave\\/tasks_running":4.0}\n';
const EXHIBITOR =
  '[{"code":3,"description":"serving","hostname":"10.0.4.1","isLeader":false},{"code":3,"description":"serving","hostname":"10.0.4.2","isLeader":true},{"code":1,"description":"down","hostname":"10.0.4.3","isLeader":false}]';
const DIAGNOSTICS = `{
  "status": 0,
  "checks": {
    "clock_sync": {"output": "Clock is synced\\n", "status": 0},
    "components_master": {"output": "", "status": 0}
  }
}
`;

// The page's table, with its uneven indentation, as cockroach prints it to a terminal.
const RULE =
  '        +----+---------------------+--------+---------------------+---------------------+------------------+-----------------------+--------+--------------------+------------------------+';
const cockroach = (underreplicated: [number, number, number]) =>
  [
    RULE,
    ' | id | address | build | updated_at | started_at | replicas_leaders | replicas_leaseholders | ranges | ranges_unavailable | ranges_underreplicated |',
    RULE,
    ` | 1 | 172.31.7.32:26257 | v1.1.4 | 2018-03-08 13:56:10 | 2018-02-28 20:11:00 | 195 | 194 | 195 | 0 | ${underreplicated[0]} |`,
    ` | 2 | 172.31.10.48:26257 | v1.1.4 | 2018-03-08 13:56:05 | 2018-03-05 13:33:45 | 200 | 199 | 200 | 0 | ${underreplicated[1]} |`,
    ` | 3 | 172.31.23.132:26257 | v1.1.4 | 2018-03-08 13:56:01 | 2018-02-28 20:18:41 | 187 | 187 | 187 | 0 | ${underreplicated[2]} |`,
    RULE,
    '(3 rows)',
    '',
  ].join('\n');
// Without a terminal cockroach 1.1 prints tab-separated values.
const COCKROACH_TSV = [
  '3 rows',
  'id\taddress\tbuild\tupdated_at\tstarted_at\treplicas_leaders\treplicas_leaseholders\tranges\tranges_unavailable\tranges_underreplicated',
  '1\t172.31.7.32:26257\tv1.1.4\t2018-03-08 13:56:10\t2018-02-28 20:11:00\t195\t194\t195\t0\t0',
  '2\t172.31.10.48:26257\tv1.1.4\t2018-03-08 13:56:05\t2018-03-05 13:33:45\t200\t199\t200\t0\t4',
  '',
].join('\n');
const SYSTEMCTL = `dcos-exhibitor.service      loaded active running Exhibitor: Zookeeper supervisor service
dcos-mesos-master.service   loaded active running Mesos Master: distributed systems kernel
`;
const INSTALLER_STDERR =
  'Generating configuration files...\nCluster package list: package_lists/abc.package_list.json\nGenerating Bash configuration files for DC/OS\n';
const INSTALLER_STDOUT = 'Node upgrade script URL: http://10.0.0.5:80/upgrade/5f0c3e2a9b7d4c1e8f6a0b3c2d1e4f5a/dcos_node_upgrade.sh\n';

const out = (stdout: string, exit: number | null = 0, stderr = '') => ({ stdout, stderr, exit });

describe('evaluateCheck', () => {
  const table: [string, Check, ReturnType<typeof out>, boolean, string][] = [
    ['exit matches', { exit: 0 }, out(''), true, 'exit 0'],
    [
      'exit differs, says what the command said last',
      { exit: 0 },
      out('', 1, 'This script must be run as root\n'),
      false,
      'exit 1, expected 0: This script must be run as root',
    ],
    [
      'exit differs, quotes the last line with words, not the end of a JSON dump',
      { exit: 0 },
      out('Node upgrade not successful, checks failed\n{\n  "status": 2,\n  "checks": {}\n}\n', 1),
      false,
      'exit 1, expected 0: Node upgrade not successful, checks failed',
    ],
    ['no exit status', { exit: 0 }, out('', null), false, 'the command did not finish (no exit status), expected exit 0'],
    [
      'regex over several lines',
      { regex: '^mesos 1\\.5\\.\\d+$' },
      out('warning: x\nmesos 1.5.1\n'),
      true,
      '/^mesos 1\\.5\\.\\d+$/ matched "mesos 1.5.1"',
    ],
    [
      'regex missing names the last line',
      { regex: '^mesos 1\\.5\\.2$' },
      out('mesos 1.5.1\n'),
      false,
      '/^mesos 1\\.5\\.2$/ not found in the output (last line: "mesos 1.5.1")',
    ],
    ['regex on empty output', { regex: 'x' }, out(''), false, '/x/ not found in the output (the output is empty)'],
    [
      'regex not',
      { regex: 'http_callback', not: true },
      out('--event_subscriber "http_callback"\n'),
      false,
      '/http_callback/ matched "--event_subscriber "http_callback"", expected no match',
    ],
    ['regex not, absent', { regex: 'http_callback', not: true }, out('exec marathon\n'), true, '/http_callback/ not in the output'],
    ['an invalid pattern fails, not throws', { regex: '(' }, out('x'), false, 'invalid regular expression /(/: Unterminated group'],
    [
      'mesos key with slashes, escaped in JSON, 1.0 equals 1',
      { json: 'registrar/log/recovered', equals: 1 },
      out(MASTER_METRICS),
      true,
      'registrar/log/recovered = 1',
    ],
    [
      'mesos key not yet recovered',
      { json: 'registrar/log/recovered', equals: 1 },
      out(MASTER_NOT_RECOVERED),
      false,
      'registrar/log/recovered: 0, expected 1',
    ],
    ['agent registered', { json: 'slave/registered', equals: 1 }, out(AGENT_METRICS), true, 'slave/registered = 1'],
    ['key absent', { json: 'slave/registered', equals: 1 }, out(MASTER_METRICS), false, 'slave/registered: not in the output'],
    ['nested walk', { json: 'checks/clock_sync/status', equals: 0 }, out(DIAGNOSTICS), true, 'checks/clock_sync/status = 0'],
    [
      'nested walk, missing level',
      { json: 'checks/xz/status', equals: 0 },
      out(DIAGNOSTICS),
      false,
      'checks/xz/status: not in the output (no checks/xz)',
    ],
    ['every element with *', { json: '*/code', equals: 3 }, out(EXHIBITOR), false, '2/code: 1, expected 3'],
    ['array index', { json: '1/isLeader', equals: true }, out(EXHIBITOR), true, '1/isLeader = true'],
    [
      'not JSON',
      { json: 'a', equals: 1 },
      out('curl: (7) Failed to connect to 10.0.4.1 port 5050\n'),
      false,
      'a: the output is not JSON (last line: "curl: (7) Failed to connect to 10.0.4.1 port 5050")',
    ],
    ['string value compared to number', { json: 'v', equals: '1.5.1' }, out('{"v":"1.5.1"}'), true, 'v = "1.5.1"'],
    ['object is not a scalar', { json: 'checks', equals: 0 }, out(DIAGNOSTICS), false, 'checks: an object, expected 0'],
    [
      'column all zero',
      { column: 'ranges_underreplicated', all: 0 },
      out(cockroach([0, 0, 0])),
      true,
      'ranges_underreplicated is 0 on all 3 rows',
    ],
    [
      'column names the row and node',
      { column: 'ranges_underreplicated', all: 0 },
      out(cockroach([0, 12, 0])),
      false,
      'ranges_underreplicated: 12 on row 2 (node 172.31.10.48:26257), expected 0',
    ],
    [
      'column in tab-separated output',
      { column: 'ranges_underreplicated', all: 0 },
      out(COCKROACH_TSV),
      false,
      'ranges_underreplicated: 4 on row 2 (node 172.31.10.48:26257), expected 0',
    ],
    [
      'column with no data rows',
      { column: 'ranges_underreplicated', all: 0 },
      out(`${RULE}\n| id | address | ranges_underreplicated |\n${RULE}\n(0 rows)\n`),
      false,
      'ranges_underreplicated: the table has no data rows, so nothing proves the column is 0',
    ],
    [
      'column absent',
      { column: 'ranges_underreplicated', all: 0 },
      out('ERROR: cannot dial\n'),
      false,
      'ranges_underreplicated: no table with that column in the output (last line: "ERROR: cannot dial")',
    ],
    [
      'whitespace table',
      { column: 'ACTIVE', all: 'active' },
      out('UNIT LOAD ACTIVE SUB\ndcos-net.service loaded active running\ndcos-setup.service loaded failed failed\n'),
      false,
      'ACTIVE: failed on row 2 (UNIT dcos-setup.service), expected "active"',
    ],
  ];
  it.each(table)('%s', (_name, check, input, ok, message) => {
    expect(evaluateCheck(check, input)).toEqual({ ok, message });
  });
});

describe('evaluateChecks', () => {
  it('requires exit 0 unless a check is about the exit status', () => {
    expect(evaluateChecks({ regex: 'x' }, out('x', 7))).toEqual({ ok: false, message: 'exit 7, expected 0: x' });
    expect(evaluateChecks([{ exit: 1 }, { regex: 'x' }], out('x', 1))).toEqual({ ok: true, message: 'exit 1; /x/ matched "x"' });
  });
  it('stops at the first failing check of a list', () => {
    const checks: Checks = [
      { json: 'registrar/log/recovered', equals: 1 },
      { json: 'master/elected', equals: 1 },
    ];
    expect(evaluateChecks(checks, out(MASTER_METRICS))).toEqual({ ok: false, message: 'master/elected: 0, expected 1' });
  });
  it('with no checks, is the exit status', () => {
    expect(evaluateChecks(undefined, out(''))).toEqual({ ok: true, message: 'exit 0' });
    expect(evaluateChecks(undefined, out('', 2))).toEqual({ ok: false, message: 'exit 2, expected 0' });
  });
});

describe('helpers', () => {
  it('prefers the literal key with slashes over a nested walk', () => {
    expect(lookupJson({ 'a/b': 1, a: { b: 2 } }, 'a/b')).toEqual({ found: true, values: [{ path: 'a/b', value: 1 }] });
    expect(lookupJson({ a: { 'b/c': 5 } }, 'a/b/c')).toEqual({ found: true, values: [{ path: 'a/b/c', value: 5 }] });
  });
  it('compares values as an operator would', () => {
    expect(sameValue(1.0, 1)).toBe(true);
    expect(sameValue('1', 1)).toBe(true);
    expect(sameValue(true, 'true')).toBe(true);
    expect(sameValue('', 0)).toBe(false);
    expect(sameValue(null, 0)).toBe(false);
  });
  it('reads the page table, skipping rules and the row count', () => {
    const t = findTable(cockroach([0, 0, 0]), 'ranges_underreplicated');
    expect(t?.header[9]).toBe('ranges_underreplicated');
    expect(t?.rows.map((r) => r[1])).toEqual(['172.31.7.32:26257', '172.31.10.48:26257', '172.31.23.132:26257']);
    expect(findTable(SYSTEMCTL, 'nothing')).toBeUndefined();
  });
  it('captures the installer URL in either wording, from stdout after the stderr log', () => {
    const re = 'Node (?:patch|upgrade) script URL: (\\S+)';
    expect(capture(re, { stdout: INSTALLER_STDOUT, stderr: INSTALLER_STDERR })).toEqual({
      ok: true,
      value: 'http://10.0.0.5:80/upgrade/5f0c3e2a9b7d4c1e8f6a0b3c2d1e4f5a/dcos_node_upgrade.sh',
    });
    expect(capture(re, { stdout: 'Node patch script URL: http://b/x.sh\n', stderr: '' })).toEqual({ ok: true, value: 'http://b/x.sh' });
    expect(capture(re, { stdout: '', stderr: 'Must provide the version of the cluster upgrading from\n' })).toEqual({
      ok: false,
      message:
        '/Node (?:patch|upgrade) script URL: (\\S+)/ not found in the output (last line: "Must provide the version of the cluster upgrading from")',
    });
  });
});

describe('patterns that backtrack', () => {
  // ^(a+)+$ tries every way of splitting the a's before the "!" fails it: 2^30 ways here, over
  // 10 s without a limit even once V8 has compiled the pattern to machine code (it interprets it
  // at first, some times slower). A regression makes these tests fail slowly, not hang.
  const hostile = `${'a'.repeat(30)}!\n`;

  it(
    'a check that cannot be decided in time fails, naming the pattern; the same pattern is then not tried again',
    { timeout: 20_000 },
    () => {
      const started = Date.now();
      const outcome = evaluateChecks({ regex: '^(a+)+$' }, out(hostile));
      expect(Date.now() - started).toBeLessThan(8000);
      expect(outcome).toEqual({
        ok: false,
        undecided: true,
        message:
          '/^(a+)+$/ backtracks (no answer within 3 s on this output of 32 characters): the check cannot be decided; simplify the pattern',
      });
      const again = Date.now();
      expect(evaluateCheck({ regex: '^(a+)+$', not: true }, out('aaaa\n'))).toEqual({
        ok: false,
        undecided: true,
        message:
          '/^(a+)+$/ backtracks (no answer within 3 s on earlier output, so it is not tried again): the check cannot be decided; simplify the pattern',
      });
      expect(capture('^(a+)+$', { stdout: 'aaaa\n', stderr: '' })).toEqual({
        ok: false,
        message:
          '/^(a+)+$/ backtracks (no answer within 3 s on earlier output, so it is not tried again): nothing is captured; simplify the pattern',
      });
      expect(Date.now() - again).toBeLessThan(500);
    },
  );

  it('a capture on a megabyte of output with one hostile line fails within the limit', { timeout: 20_000 }, () => {
    const started = Date.now();
    const got = capture('^(b+)+$', { stdout: `${'build log line\n'.repeat(70_000)}${'b'.repeat(30)}!\n`, stderr: '' });
    expect(Date.now() - started).toBeLessThan(8000);
    expect(got).toEqual({
      ok: false,
      message:
        '/^(b+)+$/ backtracks (no answer within 3 s on this output of 1050032 characters): nothing is captured; simplify the pattern',
    });
  });

  it('the checks never search: a pattern the runner did not answer is undecided at once, even on hostile output', () => {
    const started = Date.now();
    const input = out(`${'c'.repeat(30)}!\n`);
    expect(pure.evaluateChecks({ regex: '^(c+)+$' }, input)).toEqual({
      ok: false,
      undecided: true,
      message: '/^(c+)+$/ was not searched for in this output: the check cannot be decided; simplify the pattern',
    });
    expect(pure.capture('^(c+)+$', input)).toEqual({
      ok: false,
      message: '/^(c+)+$/ was not searched for in this output: nothing is captured; simplify the pattern',
    });
    // With the runner's answer, the same check is decided.
    expect(
      pure.evaluateChecks(
        { regex: '^(c+)!$' },
        { ...input, searches: { '^(c+)!$': { index: 0, groups: ['c'.repeat(30) + '!', 'c'.repeat(30)] } } },
      ).ok,
    ).toBe(true);
    expect(Date.now() - started).toBeLessThan(200);
  });

  it('ordinary patterns on large output still match, with and without a worker', () => {
    const big = `${'x'.repeat(100_000)}\nNode upgrade script URL: http://b/s.sh\nactive\n`;
    expect(capture('URL: (\\S+)', { stdout: big, stderr: '' })).toEqual({ ok: true, value: 'http://b/s.sh' });
    expect(evaluateCheck({ regex: '^active$' }, out(big))).toEqual({ ok: true, message: '/^active$/ matched "active"' });
    expect(evaluateCheck({ regex: '^act(?:ive)?$' }, out(big))).toEqual({ ok: true, message: '/^act(?:ive)?$/ matched "active"' });
  });
});
