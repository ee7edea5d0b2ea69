// The small parsers the loaders share, from tables.
import { describe, expect, test } from 'vitest';
import { addressHint, isAddress, parseJumpTarget } from '../../src/inventory/address.js';
import { expandHostPattern, splitHostPort } from '../../src/inventory/host-pattern.js';
import { normalizeRole, roleProblem } from '../../src/inventory/roles.js';
import { jumpFromProxyCommand, parseSshArgs, splitWords } from '../../src/inventory/ssh-args.js';
import { showText } from '../../src/inventory/text.js';

describe('host patterns', () => {
  test.each([
    ['agent[01:03].example.com', ['agent01.example.com', 'agent02.example.com', 'agent03.example.com']],
    ['node[a:c]', ['nodea', 'nodeb', 'nodec']],
    ['web[1:5:2]', ['web1', 'web3', 'web5']],
    ['r[1:2]n[a:b]', ['r1na', 'r1nb', 'r2na', 'r2nb']],
    ['[:1]x', ['0x', '1x']],
    ['plain', ['plain']],
  ])('%s', (pattern, hosts) => {
    expect(expandHostPattern(pattern)).toEqual({ hosts });
  });

  test.each([
    ['host:2222', { host: 'host', port: '2222' }],
    ['agent[01:20]:2200', { host: 'agent[01:20]', port: '2200' }],
    ['agent[01:20]', { host: 'agent[01:20]' }],
    ['[2001:db8::1]:22', { host: '2001:db8::1', port: '22' }],
    ['2001:db8::1', { host: '2001:db8::1' }],
    ['host:', { host: 'host', port: '' }],
  ])('%s splits into %j', (pattern, expected) => {
    expect(splitHostPort(pattern)).toEqual(expected);
  });
});

describe('ssh command lines', () => {
  test('words split like a POSIX shell, with comments when asked', () => {
    expect(splitWords(`a 'b c' "d \\"e\\"" f\\ g # h`, true).words.map((w) => w.text)).toEqual(['a', 'b c', 'd "e"', 'f g']);
    expect(splitWords(`a 'b`).error).toBe("a single quote (') is not closed");
  });

  test.each([
    ['-o ProxyJump=ops@bastion:2222', { jump: 'ops@bastion:2222' }],
    ['-oProxyJump=bastion -J other', { jump: 'bastion' }],
    ['-J bastion -o ProxyJump=other', { jump: 'bastion' }],
    ['-o "ProxyJump bastion"', { jump: 'bastion' }],
    ['-o ProxyCommand="ssh -W %h:%p -q core@203.0.113.7"', { jump: 'core@203.0.113.7' }],
    ['-o ProxyCommand="ssh -W [%h]:%p -p 2222 bastion"', { jump: 'bastion:2222' }],
    ['-o ProxyCommand="ssh bastion nc %h %p"', { jump: 'bastion' }],
    ['-o ProxyCommand="nc -x proxy:1080 %h %p"', { proxyCommand: 'nc -x proxy:1080 %h %p' }],
    ['-o ProxyCommand=none', { jump: 'none' }],
    ['-l core -p 2200 -i ~/.ssh/k', { user: 'core', port: '2200', identityFile: '~/.ssh/k' }],
    ['-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null', { ignored: ['StrictHostKeyChecking', 'UserKnownHostsFile'] }],
    ['-o ServerAliveInterval=30', {}],
    ['-J', { error: '-J needs a value' }],
  ])('%s', (line, expected) => {
    expect(parseSshArgs(line)).toEqual({ ignored: [], ...expected });
  });

  test.each([
    ['ssh -W %h:%p bastion', 'bastion'],
    ['exec /usr/bin/ssh -q -W %h:%p -l ops gw', 'ops@gw'],
    ['ssh -W %h:%p -J a b', undefined],
    ['ssh -W 10.0.0.1:22 bastion', undefined],
    ['ssh bastion', undefined],
    ['ssh -W %h:%p bastion extra', undefined],
    ['socat - PROXY:proxy:%h:%p', undefined],
  ])('ProxyCommand %s relays through %s', (command, jump) => {
    expect(jumpFromProxyCommand(command)).toBe(jump);
  });
});

describe('roles', () => {
  test.each([
    ['masters', 'master'],
    ['dcos_masters', 'master'],
    ['agents_private', 'agent'],
    ['private_agents', 'agent'],
    ['slaves', 'agent'],
    ['agents_public', 'public_agent'],
    ['public-agents', 'public_agent'],
    ['Public Agent', 'public_agent'],
    ['bootstraps', 'bootstrap'],
    ['gpu_nodes', 'gpu_nodes'],
    // Names that an object literal would find on Object.prototype are ordinary words.
    ['constructor', 'constructor'],
    ['toString', 'tostring'],
    ['__proto__', '__proto__'],
    ['hasOwnProperty', 'hasownproperty'],
  ])('%s -> %s', (word, role) => {
    expect(normalizeRole(word)).toBe(role);
  });

  test('words that cannot be roles', () => {
    expect(roleProblem('local')).toBe('"local" is reserved: a section with `on: local` runs on this machine');
    expect(roleProblem('a/b')).toBe('a role is a word: letters, digits, "_", "-", "." or spaces');
    expect(roleProblem('  ')).toBe('a role cannot be empty');
    expect(roleProblem('zone.a')).toBeUndefined();
    expect(roleProblem('constructor')).toBeUndefined();
  });
});

describe('addresses and jump hosts', () => {
  test.each([
    ['10.0.4.1', true],
    ['master-1.dcos.internal', true],
    ['my_host', true],
    ['2001:db8::1', true],
    ['fe80::1%eth0', true],
    ['::ffff:10.0.0.1', true],
    ['10.0.4.1:22', false],
    ['-oProxyCommand=x', false],
    ['a b', false],
    ['a..b', false],
    ['1:2:3', false],
  ])('%s is an address: %s', (text, expected) => {
    expect(isAddress(text)).toBe(expected);
  });

  test('hints for common slips', () => {
    expect(addressHint('core@10.0.0.1')).toBe('put the user in its own field, not before an @');
    expect(addressHint('10.0.0.1:22')).toBe('put the port in its own field, not after a colon');
  });

  test.each([
    ['bastion', { host: 'bastion' }],
    ['admin@bastion:2200', { user: 'admin', host: 'bastion', port: 2200 }],
    ['ops@[2001:db8::1]:22', { user: 'ops', host: '2001:db8::1', port: 22 }],
    ['a@b@c', undefined],
    ['bastion:0', undefined],
    ['bastion:x', undefined],
    ['-oProxyCommand=x', undefined],
  ])('jump %s', (text, expected) => {
    expect(parseJumpTarget(text)).toEqual(expected);
  });
});

test('text from files is shown escaped and cut', () => {
  expect(showText('a\u001b[31mb\u0085c"\\')).toBe('"a\\x1b[31mb\\x85c\\"\\\\"');
  expect(showText('x'.repeat(100))).toBe(`"${'x'.repeat(80)}…"`);
});
