// The node shell on its own (no SSH): quoting as POSIX sh parses it, expansions, control flow,
// redirects into the node's files, and bash's error messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimClock } from '../../src/sim/clock.js';
import { ClusterModel } from '../../src/sim/model/cluster.js';
import { builtins, programs } from '../../src/sim/programs/index.js';
import type { SimHost } from '../../src/sim/programs/host.js';
import { Shell, runCapture } from '../../src/sim/shell/interpreter.js';

let clock: SimClock;
let model: ClusterModel;
let host: SimHost;

beforeAll(() => {
  clock = new SimClock({ manual: true });
  model = new ClusterModel({
    clock,
    seed: 7,
    masters: 3,
    agents: 2,
    publicAgents: 1,
    installedVersion: '1.11.4',
    targetVersion: '1.11.5',
    security: 'permissive',
    clusterName: 'unit',
    faults: {},
  });
  const node = model.state('master-1');
  host = { fs: node.fs, hostname: 'master-1', clock, programs, builtins, model, node };
});

afterAll(() => clock.dispose());

const sh = (): Shell => new Shell(host);
const run = (src: string, s = sh()) => runCapture(s, src);

describe('quoting and expansion', () => {
  it.each([
    [`echo 'a  b' "c  d" e\\ f`, 'a  b c  d e f\n'],
    [`echo 'it'\\''s'`, "it's\n"],
    [`x=1; echo "$x" '$x' \${x}y`, '1 $x 1y\n'],
    [`echo "$(echo inner) and \`echo back\`"`, 'inner and back\n'],
    [`echo $((2 + 3 * 4))`, '14\n'],
    [`unset v; echo \${v:-default} \${#HOME}`, 'default 10\n'],
    [`f=a.tar.gz; echo \${f%.gz} \${f#a.}`, 'a.tar tar.gz\n'],
    [`set -- one two; echo $# "$@"`, '2 one two\n'],
    [`a="x   y"; for w in $a; do echo "[$w]"; done`, '[x]\n[y]\n'],
    [`echo ~ ~/genconf`, '/home/dcos /home/dcos/genconf\n'],
    [`echo --host=$(/opt/mesosphere/bin/detect_ip)`, '--host=10.0.4.1\n'],
  ])('%s', async (src, out) => {
    const r = await run(src);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(out);
  });

  it('globs against the node files', async () => {
    const r = await run('ls /opt/mesosphere/bin/mesos-*');
    expect(r.stdout.split('\n')).toContain('/opt/mesosphere/bin/mesos-master');
  });
});

describe('control flow', () => {
  it.each([
    ['true && echo yes || echo no', 'yes\n', 0],
    ['false && echo yes || echo no', 'no\n', 0],
    ['false; echo $?', '1\n', 0],
    ['! false; echo $?', '0\n', 0],
    ['if [ -f /etc/os-release ]; then echo file; else echo none; fi', 'file\n', 0],
    ['for i in 1 2 3; do [ $i = 2 ] && continue; echo $i; done', '1\n3\n', 0],
    ['i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i', '3\n', 0],
    ['case master-1 in master-*) echo m;; *) echo o;; esac', 'm\n', 0],
    ['set -e; false; echo not reached', '', 1],
    ['set -e; false || true; echo reached', 'reached\n', 0],
    ['(exit 3); echo $?', '3\n', 0],
    ['echo a | grep -q a && echo found', 'found\n', 0],
    ['set -o pipefail; false | true; echo $?', '1\n', 0],
  ])('%s', async (src, out, status) => {
    const r = await run(src);
    expect(r.stdout).toBe(out);
    expect(r.status).toBe(status);
  });
});

describe('redirects and files', () => {
  it('writes, appends and reads files the model keeps', async () => {
    const s = sh();
    await run('echo one > ~/notes; echo two >> ~/notes', s);
    const r = await run('cat ~/notes; wc -l < ~/notes', s);
    expect(r.stdout).toBe('one\ntwo\n2\n');
  });

  it('refuses a redirect into a root-owned directory, as bash does', async () => {
    const r = await run('echo x > /etc/motd-new');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('bash: /etc/motd-new: Permission denied\n');
  });

  it('sends stderr where 2>&1 says', async () => {
    const r = await run('cat /nope 2>&1 | sed "s/^/got: /"');
    expect(r.stdout).toBe('got: cat: /nope: No such file or directory\n');
  });

  it('edits a file in place with sed -i', async () => {
    const s = sh();
    await run("printf 'security: disabled\\nother: 1\\n' > ~/c.yaml && sed -i 's/security: disabled/security: permissive/' ~/c.yaml", s);
    expect((await run('cat ~/c.yaml', s)).stdout).toBe('security: permissive\nother: 1\n');
  });
});

describe('errors as bash prints them', () => {
  it('answers an unknown command with 127', async () => {
    const r = await run('frobnicate --now');
    expect(r.status).toBe(127);
    expect(r.stderr).toBe('bash: frobnicate: command not found\n');
  });

  it('reports a syntax error with status 2', async () => {
    const r = await run('echo (');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("syntax error near unexpected token `('");
  });

  it('reports an unterminated quote', async () => {
    const r = await run("echo 'open");
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unexpected EOF while looking for matching `''");
  });

  it('runs sudo commands as root and refuses unknown ones like sudo does', async () => {
    expect((await run('sudo id -u')).stdout).toBe('0\n');
    const r = await run('sudo nosuchthing');
    expect(r.stderr).toBe('sudo: nosuchthing: command not found\n');
    expect(r.status).toBe(1);
  });
});

describe('text tools', () => {
  it.each([
    ["printf 'a\\nb\\nc\\nd\\n' | sed -n 2,3p", 'b\nc\n'],
    ["printf 'a\\nstart\\nx\\nend\\ny\\n' | sed -n '/start/,/end/p'", 'start\nx\nend\n'],
    ["printf 'a\\nb\\n' | sed '1d'", 'b\n'],
    ["printf 'k: 1\\nk: 2\\n' | grep -c 'k:'", '2\n'],
    ["printf 'x\\ny\\n' | grep -v x", 'y\n'],
    ["printf 'A\\nb\\n' | grep -E '^[a-z]$'", 'b\n'],
    ["printf 'b\\na\\nb\\n' | sort | uniq -c", '      1 a\n      2 b\n'],
    ["echo 'one two three' | awk '{print $2}'", 'two\n'],
    ["echo 'a:b:c' | cut -d: -f2", 'b\n'],
    ["printf 'one\\ntwo\\n' > /tmp/x; printf 'one\\nthree\\n' > /tmp/y; diff /tmp/x /tmp/y; echo $?", '2c2\n< two\n---\n> three\n1\n'],
  ])('%s', async (src, out) => {
    const r = await run(src);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(out);
  });
});
