import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadInventory } from '../../src/inventory/load.js';
import { expandTokens, matchHost, matchPattern, SshConfig } from '../../src/inventory/ssh-config.js';
import { tempHome, type TempHome } from './fixture.js';

// Every config here is a real file in a temp directory that stands in for $HOME: the ssh
// config of the machine running the tests is never read.
let home: TempHome;
beforeAll(async () => {
  home = await tempHome();
  await home.write('.ssh/m1', 'key');
});
afterAll(() => home.cleanup());

const nodesOf = async (inventory: string, sshConfig: string, name = 'inv.yaml') => {
  const config = await home.write('.ssh/config', sshConfig);
  const file = await home.write(name, inventory);
  const warnings: string[] = [];
  const result = await loadInventory(file, {
    sshConfig: config,
    home: home.dir,
    cwd: home.dir,
    onWarning: (p) => warnings.push(home.show([p])[0]!),
  });
  return { nodes: result.nodes, warnings };
};

describe('OpenSSH patterns', () => {
  test.each([
    ['m1', 'm1', true],
    ['m1', 'm*', true],
    ['m12', 'm?', false],
    ['m1', 'm?', true],
    ['agent-1.dcos', '*.dcos', true],
    ['dcos', '*.dcos', false],
    ['a', '*', true],
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', '*a*a*a*a*a*a*a*a*a*a*c', false],
  ])('%s against %s: %s', (host, pattern, expected) => {
    expect(matchPattern(host, pattern)).toBe(expected);
  });

  test('a negated pattern that matches rules the Host line out; negation alone matches nothing', () => {
    expect(matchHost('agent-3', ['agent-*', '!agent-3'])).toBe(false);
    expect(matchHost('agent-4', ['agent-*', '!agent-3'])).toBe(true);
    expect(matchHost('x', ['!bastion'])).toBe(false);
    expect(matchHost('m2', ['m1', 'm2'])).toBe(true);
  });

  test.each([
    ['~/.ssh/%r@%h:%p', '~/.ssh/core@10.0.0.1:22'],
    ['100%%', '100%'],
    ['%n.key', 'm1.key'],
  ])('tokens: %s -> %s', (value, expected) => {
    expect(expandTokens(value, { h: '10.0.0.1', p: '22', r: 'core', n: 'm1' }, 'hprn')).toBe(expected);
  });

  test('tokens a key does not accept are errors, as in ssh', () => {
    expect(expandTokens('%C', { h: 'x' }, 'hprn')).toEqual({ problem: 'the token %C is not supported here (use %% for a literal %)' });
    expect(expandTokens('50%', {}, 'h')).toEqual({ problem: 'ends with a lone %' });
  });
});

describe('~/.ssh/config aliases', () => {
  test('HostName, User, Port, IdentityFile and ProxyJump resolve into the node; the inventory wins', async () => {
    const { nodes, warnings } = await nodesOf(
      `nodes:
  - { name: master-1, address: m1, roles: [master] }
  - { name: m2, roles: [master], user: centos }
  - { name: agent-1, address: 10.0.1.5, roles: [agent] }
`,
      `# the operator's aliases
Host m1
    HostName 10.0.4.1
    User core
    Port 2222
    IdentityFile ~/.ssh/m1
    ProxyJump admin@bastion.example.com

Host m2
  HostName=10.0.4.2
  User = core
`,
    );
    expect(warnings).toEqual([]);
    expect(nodes).toEqual([
      {
        name: 'master-1',
        address: '10.0.4.1',
        ip: '10.0.4.1',
        roles: ['master'],
        user: 'core',
        port: 2222,
        identityFile: `${home.dir}/.ssh/m1`,
        jump: 'admin@bastion.example.com',
        vars: {},
      },
      // No address: the name is the alias. The inventory's user wins over the config's.
      { name: 'm2', address: '10.0.4.2', ip: '10.0.4.2', roles: ['master'], user: 'centos', vars: {} },
      { name: 'agent-1', address: '10.0.1.5', ip: '10.0.1.5', roles: ['agent'], vars: {} },
    ]);
  });

  test('the first value of each key wins, across Host blocks and wildcards, as in OpenSSH', async () => {
    const { nodes } = await nodesOf(
      'nodes:\n  - { name: agent-1, address: agent-1 }\n  - { name: agent-9, address: agent-9 }\n  - { name: pub, address: pub-1 }\n',
      `Host agent-? !agent-9
  User first
Host agent-* pub-*
  User second
  Port 2200
  HostName %h.dcos.internal
Host *
  User fallback
  Port 22
`,
    );
    expect(nodes.map((n) => [n.name, n.address, n.user, n.port])).toEqual([
      ['agent-1', 'agent-1.dcos.internal', 'first', 2200],
      ['agent-9', 'agent-9.dcos.internal', 'second', 2200],
      ['pub', 'pub-1.dcos.internal', 'second', 2200],
    ]);
  });

  test('known_hosts: the HostName ssh connects to, unless HostKeyAlias says otherwise', async () => {
    const { nodes } = await nodesOf(
      'nodes:\n  - { name: a, address: m1 }\n  - { name: b, address: m2 }\n',
      'Host m1\n  HostName 10.0.4.1\nHost m2\n  HostName 10.0.4.2\n  HostKeyAlias master-2.dcos\n',
    );
    expect(nodes.map((n) => [n.address, n.hostKeyAlias])).toEqual([
      ['10.0.4.1', undefined],
      ['10.0.4.2', 'master-2.dcos'],
    ]);
  });

  test('ProxyJump none, relaying ProxyCommands, and a jump host that is itself an alias', async () => {
    const { nodes } = await nodesOf(
      `nodes:
  - { name: direct, address: direct.dcos }
  - { name: relayed, address: relayed.dcos }
  - { name: aliased, address: 10.0.1.7, jump: bastion }
  - { name: inherited, address: other.dcos }
`,
      `Host direct.dcos
  ProxyJump none
Host relayed.dcos
  ProxyCommand ssh -q -W %h:%p -l ops gateway.example.com
Host bastion
  HostName 203.0.113.7
  User admin
  Port 2200
Host *.dcos
  ProxyJump jumper@bastion-2:2022
`,
    );
    expect(nodes.map((n) => [n.name, n.jump])).toEqual([
      ['direct', undefined],
      ['relayed', 'ops@gateway.example.com'],
      ['aliased', 'admin@203.0.113.7:2200'],
      ['inherited', 'jumper@bastion-2:2022'],
    ]);
  });

  test('Match blocks are skipped with a warning; a Host line after one applies again', async () => {
    const { nodes, warnings } = await nodesOf(
      'nodes:\n  - { name: a, address: m1 }\n',
      'Match host m1 exec "true"\n  User from-match\nHost m1\n  HostName 10.0.4.1\n  User from-host\n',
    );
    expect(nodes.map((n) => [n.address, n.user])).toEqual([['10.0.4.1', 'from-host']]);
    expect(warnings).toEqual([
      '~/.ssh/config:1:1: warning: Match blocks are not evaluated: the settings in this block are ignored for every node (use Host blocks for inventory nodes)',
    ]);
  });

  test('Include: globs relative to ~/.ssh in sorted order, ~ paths, and includes inside a Host block', async () => {
    await home.write('.ssh/config.d/20-agents.conf', 'Host agent-*\n  User from-20\n');
    await home.write('.ssh/config.d/10-agents.conf', 'Host agent-*\n  User from-10\n  Port 2210\n');
    await home.write('.ssh/config.d/.hidden.conf', 'Host *\n  User hidden\n');
    await home.write('site/masters.conf', 'HostName 10.0.4.1\nUser from-masters\n');
    const { nodes } = await nodesOf(
      'nodes:\n  - { name: agent-1, address: agent-1.example.com }\n  - { name: m1, address: m1 }\n  - { name: m2, address: m2.example.com }\n',
      'Include config.d/*.conf\nHost m1\n  Include ~/site/masters.conf\nHost *\n  User default\n',
    );
    expect(nodes.map((n) => [n.address, n.user, n.port])).toEqual([
      ['agent-1.example.com', 'from-10', 2210],
      ['10.0.4.1', 'from-masters', undefined],
      // The include inside "Host m1" does not apply to m2, and the state after it is restored.
      ['m2.example.com', 'default', undefined],
    ]);
  });

  test('an alias in an Ansible INI inventory resolves the same way', async () => {
    const { nodes } = await nodesOf(
      '[masters]\nm1\n[agents]\nagent-1 ansible_host=a1\n',
      'Host m1\n  HostName 10.0.4.1\nHost a1\n  HostName 10.0.1.5\n  User core\n',
      'hosts.ini',
    );
    expect(nodes.map((n) => [n.name, n.address, n.user, n.roles.join()])).toEqual([
      ['m1', '10.0.4.1', undefined, 'master'],
      ['agent-1', '10.0.1.5', 'core', 'agent'],
    ]);
  });

  test('precedence: the inventory, then the ssh config, then user settings', async () => {
    const { nodes } = await nodesOf(
      'defaults: { port: 2000 }\nnodes:\n  - { name: a, address: m1 }\n  - { name: b, address: other }\n',
      'Host m1\n  User core\n  Port 22\n',
    );
    const file = await home.write(
      'inv.yaml',
      'defaults: { port: 2000 }\nnodes:\n  - { name: a, address: m1 }\n  - { name: b, address: other }\n',
    );
    const withSettings = await loadInventory(file, {
      sshConfig: `${home.dir}/.ssh/config`,
      home: home.dir,
      defaults: { user: 'settings-user', port: 2 },
    });
    expect(nodes.map((n) => [n.user, n.port])).toEqual([
      ['core', 2000],
      [undefined, 2000],
    ]);
    expect(withSettings.nodes.map((n) => [n.user, n.port])).toEqual([
      ['core', 2000],
      ['settings-user', 2000],
    ]);
  });

  test('the default is ~/.ssh/config when it exists; null skips it', async () => {
    await home.write('.ssh/config', 'Host m1\n  HostName 10.0.4.1\n');
    const file = await home.write('inv.yaml', 'nodes:\n  - { name: a, address: m1 }\n');
    expect((await loadInventory(file, { home: home.dir })).nodes[0]!.address).toBe('10.0.4.1');
    expect((await loadInventory(file, { home: home.dir, sshConfig: null })).nodes[0]!.address).toBe('m1');
  });
});

const PROBLEMS: [string, string, string, string[]][] = [
  [
    'settings ssh cannot use, each at its line in the ssh config',
    'nodes:\n  - { name: a, address: m1 }\n  - { name: b, address: m2 }\n  - { name: c, address: m3 }\n  - { name: d }\n',
    'Host m1\n  IdentityFile ~/.ssh/%C\n  Port twenty\nHost m2\n  ProxyJump a1,a2\nHost m3\n  ProxyCommand nc -X 5 -x socks:1080 %h %p\n  HostName "unclosed\nHost\n',
    [
      '~/bad.yaml:5:13: error: node "d" has no address: give it one (address:), or a "Host d" block with a HostName in ~/.ssh/config (at nodes[3].name)',
      '~/.ssh/config:2:3: error: IdentityFile "~/.ssh/%C": the token %C is not supported here (use %% for a literal %)',
      '~/.ssh/config:3:3: error: Port must be a whole number from 1 to 65535, not "twenty"',
      '~/.ssh/config:5:3: error: node "b": ProxyJump "a1,a2" names several jump hosts; runbook connects through one jump host (add the first hop as a node with its own jump)',
      '~/.ssh/config:7:3: error: node "c": ProxyCommand "nc -X 5 -x socks:1080 %h %p" cannot be followed; runbook understands ProxyJump and "ssh -W %h:%p [user@]host" relays',
      '~/.ssh/config:8:3: error: HostName: a double quote (") is not closed',
      '~/.ssh/config:9:1: error: Host needs at least one pattern',
    ],
  ],
  [
    'an Include that includes itself',
    'nodes:\n  - { name: a, address: 10.0.0.1 }\n',
    'Include config\n',
    ['~/.ssh/config:1:1: error: Include is nested more than 16 files deep; does a file include itself?'],
  ],
];

describe('~/.ssh/config: problems, exactly as printed', () => {
  test.each(PROBLEMS)('%s', async (_, inventory, config, expected) => {
    await home.write('.ssh/config', config);
    await home.write('bad.yaml', inventory);
    const { problems } = await home.inspect('bad.yaml', { sshConfig: `${home.dir}/.ssh/config` });
    expect(home.show(problems)).toEqual(expected);
  });

  test('an ssh config given explicitly must exist', async () => {
    await home.write('ok.yaml', 'nodes:\n  - { name: a, address: 10.0.0.1 }\n');
    const { problems } = await home.inspect('ok.yaml', { sshConfig: `${home.dir}/nowhere/config` });
    expect(home.show(problems)).toEqual(['~/nowhere/config: error: no such file']);
  });

  test('SshConfig.lookup reports where each value was written', async () => {
    const config = await SshConfig.fromText('Host m1\n  HostName 10.0.4.1\n', 'cfg', { home: home.dir });
    expect(config.lookup('M1')).toEqual({ hostName: { value: '10.0.4.1', key: 'HostName', at: { file: 'cfg', line: 2, column: 3 } } });
  });
});
