import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadInventory, nodesWithRole } from '../../src/inventory/load.js';
import { InputError } from '../../src/input/problem.js';
import { tempHome, type TempHome } from './fixture.js';

let home: TempHome;
beforeAll(async () => {
  home = await tempHome();
  await home.write('.ssh/dcos', 'key');
  await home.write('.ssh/other', 'key');
});
afterAll(() => home.cleanup());

const EXAMPLE = `# yaml-language-server: $schema=../docs/inventory.schema.json
name: prod-east                  # shown in the header
defaults: { user: centos, identity_file: ~/.ssh/dcos, port: 22, jump: bastion.example.com }
nodes:
  - { name: bootstrap, address: 10.0.0.10, roles: [bootstrap] }
  - { name: master-1, address: 10.0.4.1, roles: [master] }
  - { name: agent-1, address: agent-1.internal, ip: 10.0.1.5, roles: [agent], user: core, port: 2222, identity_file: ~/.ssh/other, jump: admin@bastion:2200, vars: { zone: a } }
`;

describe('our YAML inventory', () => {
  test('the documented example loads as written, defaults filling what nodes leave open', async () => {
    const file = await home.write('example.yaml', EXAMPLE);
    const warnings: unknown[] = [];
    const inventory = await loadInventory(file, { sshConfig: null, home: home.dir, onWarning: (p) => warnings.push(p) });
    expect(warnings).toEqual([]);
    expect(inventory).toEqual({
      source: file,
      name: 'prod-east',
      simulated: false,
      nodes: [
        {
          name: 'bootstrap',
          address: '10.0.0.10',
          ip: '10.0.0.10',
          roles: ['bootstrap'],
          user: 'centos',
          port: 22,
          identityFile: `${home.dir}/.ssh/dcos`,
          jump: 'bastion.example.com',
          vars: {},
        },
        {
          name: 'master-1',
          address: '10.0.4.1',
          ip: '10.0.4.1',
          roles: ['master'],
          user: 'centos',
          port: 22,
          identityFile: `${home.dir}/.ssh/dcos`,
          jump: 'bastion.example.com',
          vars: {},
        },
        {
          name: 'agent-1',
          address: 'agent-1.internal',
          ip: '10.0.1.5',
          roles: ['agent'],
          user: 'core',
          port: 2222,
          identityFile: `${home.dir}/.ssh/other`,
          jump: 'admin@bastion:2200',
          vars: { zone: 'a' },
        },
      ],
    });
    expect(nodesWithRole(inventory, 'master').map((n) => n.name)).toEqual(['master-1']);
    expect(nodesWithRole(inventory, 'Agent').map((n) => n.name)).toEqual(['agent-1']);
  });

  test.each([
    ['public agent', 'public_agent'],
    ['public-agent', 'public_agent'],
    ['slave_public', 'public_agent'],
    ['slave', 'agent'],
    ['masters', 'master'],
    ['gpu-nodes', 'gpu_nodes'],
    ['GPU_Nodes', 'gpu_nodes'],
  ])('the role %j is %j', async (written, role) => {
    const file = await home.write('roles.yaml', `nodes:\n  - { name: n1, address: 10.0.0.1, roles: [${JSON.stringify(written)}] }\n`);
    const inventory = await loadInventory(file, { sshConfig: null, home: home.dir });
    expect(inventory.nodes[0]!.roles).toEqual([role]);
    expect(nodesWithRole(inventory, written)).toHaveLength(1);
  });

  test('a node that names itself as the default jump host connects directly', async () => {
    const file = await home.write(
      'bastion.yaml',
      'defaults: { jump: bastion }\nnodes:\n  - { name: bastion, address: 203.0.113.7 }\n  - { name: m1, address: 10.0.4.1, roles: [master] }\n',
    );
    const inventory = await loadInventory(file, { sshConfig: null, home: home.dir });
    expect(inventory.nodes.map((n) => [n.name, n.jump])).toEqual([
      ['bastion', undefined],
      ['m1', 'bastion'],
    ]);
  });

  test('identity files are relative to the inventory, numbers in vars become text', async () => {
    await home.write('keys/ops', 'key');
    const file = await home.write(
      'rel.yaml',
      'nodes:\n  - { name: n1, address: n1.example.com, identity_file: keys/ops, vars: { rack: 7, gpu: true } }\n',
    );
    const inventory = await loadInventory(file, { sshConfig: null, home: home.dir });
    expect(inventory.nodes[0]).toMatchObject({ identityFile: `${home.dir}/keys/ops`, vars: { rack: '7', gpu: 'true' } });
  });

  test('known_hosts files are relative to the inventory; a missing one is a warning', async () => {
    await home.write('cluster/known_hosts', '');
    const file = await home.write(
      'cluster/inv.yaml',
      'known_hosts: [known_hosts, ~/nowhere]\nnodes:\n  - { name: n1, address: n1.example.com }\n',
    );
    const warnings: string[] = [];
    const inventory = await loadInventory(file, {
      sshConfig: null,
      home: home.dir,
      onWarning: (p) => warnings.push(`${p.line}:${p.column} ${p.message}`),
    });
    expect(inventory.knownHostsFiles).toEqual([`${home.dir}/cluster/known_hosts`, `${home.dir}/nowhere`]);
    expect(warnings).toEqual([
      `1:28 the known_hosts file ${home.dir}/nowhere does not exist; host keys are then looked up in ~/.ssh/known_hosts only`,
    ]);
    const one = await home.write('cluster/one.yaml', 'known_hosts: known_hosts\nnodes:\n  - { name: n1, address: n1.example.com }\n');
    expect((await loadInventory(one, { sshConfig: null, home: home.dir })).knownHostsFiles).toEqual([`${home.dir}/cluster/known_hosts`]);
  });
});

// Each case: the inventory's text and every problem exactly as the CLI prints it.
const PROBLEMS: [string, string, string[]][] = [
  [
    'unknown keys, with a guess',
    'nodes:\n  - name: m1\n    adress: 10.0.0.1\n    identityFile: ~/.ssh/dcos\n    colour: red\n',
    [
      '~/bad.yaml:2:11: error: node "m1" has no address: give it one (address:) (at nodes[0].name)',
      '~/bad.yaml:3:5: error: unknown key "adress" in a node; did you mean "address"? (at nodes[0].adress)',
      '~/bad.yaml:4:5: error: unknown key "identityFile" in a node; did you mean "identity_file"? (at nodes[0].identityFile)',
      '~/bad.yaml:5:5: error: unknown key "colour" in a node (expected one of: name, address, ip, roles, user, port, identity_file, jump, host_key_alias, vars) (at nodes[0].colour)',
    ],
  ],
  [
    'unknown keys at the top and in defaults',
    'node:\n  - { name: a }\ndefaults: { usr: core }\n',
    [
      '~/bad.yaml:1:1: error: unknown key "node" at the top of the inventory; did you mean "nodes"? (at node)',
      '~/bad.yaml:1:1: error: the inventory lists no nodes: add a `nodes:` list (each with a name, an address and roles)',
      '~/bad.yaml:3:13: error: unknown key "usr" in defaults; did you mean "user"? (at defaults.usr)',
    ],
  ],
  [
    'duplicate node names',
    'nodes:\n  - { name: m1, address: 10.0.0.1 }\n  - { name: m1, address: 10.0.0.2 }\n',
    ['~/bad.yaml:3:13: error: duplicate node name "m1" (first at line 2) (at nodes[1].name)'],
  ],
  [
    'bad ports',
    'defaults: { port: 0 }\nnodes:\n  - { name: a, address: 10.0.0.1, port: "22a" }\n  - { name: b, address: 10.0.0.2, port: 70000 }\n  - { name: c, address: 10.0.0.3, port: 22.5 }\n',
    [
      '~/bad.yaml:1:19: error: defaults.port must be a whole number from 1 to 65535, not 0 (at defaults.port)',
      '~/bad.yaml:3:41: error: port must be a whole number from 1 to 65535, not "22a" (at nodes[0].port)',
      '~/bad.yaml:4:41: error: port must be a whole number from 1 to 65535, not 70000 (at nodes[1].port)',
      '~/bad.yaml:5:41: error: port must be a whole number from 1 to 65535, not 22.5 (at nodes[2].port)',
    ],
  ],
  [
    'roles not a list, a role that is not a word, the reserved role local',
    'nodes:\n  - { name: a, address: 10.0.0.1, roles: master }\n  - { name: b, address: 10.0.0.2, roles: ["gpu;rm"] }\n  - { name: c, address: 10.0.0.3, roles: [local] }\n',
    [
      '~/bad.yaml:2:42: error: roles must be a list, e.g. roles: [master] (at nodes[0].roles)',
      '~/bad.yaml:3:43: error: role "gpu;rm": a role is a word: letters, digits, "_", "-", "." or spaces (at nodes[1].roles[0])',
      '~/bad.yaml:4:43: error: role "local": "local" is reserved: a section with `on: local` runs on this machine (at nodes[2].roles[0])',
    ],
  ],
  [
    'a master that is also an agent',
    'nodes:\n  - { name: a, address: 10.0.0.1, roles: [master, slave] }\n',
    [
      '~/bad.yaml:2:42: error: node "a" has the roles master and agent; a DC/OS node is only one of master, agent, public_agent (at nodes[0].roles)',
    ],
  ],
  [
    'jumps that name neither a node nor user@host[:port]',
    'nodes:\n  - { name: a, address: 10.0.0.1, jump: "bastion host" }\n  - { name: b, address: 10.0.0.2, jump: "admin@bastion:99999" }\n  - { name: c, address: 10.0.0.3, jump: "a,b" }\n  - { name: d, address: 10.0.0.4, jump: d }\n',
    [
      '~/bad.yaml:2:41: error: node "a": jump "bastion host" names no node of this inventory and is not [user@]host[:port] (at nodes[0].jump)',
      '~/bad.yaml:3:41: error: node "b": jump "admin@bastion:99999" names no node of this inventory and is not [user@]host[:port] (at nodes[1].jump)',
      '~/bad.yaml:4:41: error: node "c": jump "a,b" names several jump hosts; runbook connects through one jump host (add the first hop as a node with its own jump) (at nodes[2].jump)',
      '~/bad.yaml:5:41: error: node "d" cannot be its own jump host (at nodes[3].jump)',
    ],
  ],
  [
    'jump hosts in a loop',
    'nodes:\n  - { name: a, address: 10.0.0.1, jump: b }\n  - { name: b, address: 10.0.0.2, jump: a }\n',
    ['~/bad.yaml:2:41: error: jump hosts go round in a loop: "a" -> "b" -> "a" (at nodes[0].jump)'],
  ],
  [
    'more jump hosts one after another than a connection follows',
    `nodes:\n${Array.from({ length: 10 }, (_, i) => `  - { name: n${i}, address: 10.0.0.${i + 1}${i ? `, jump: n${i - 1}` : ''} }\n`).join('')}`,
    [
      '~/bad.yaml:11:43: error: node "n9" is reached through 9 jump hosts, one behind the other ("n8" -> "n7" -> "n6" -> "n5" -> "n4" -> "n3" -> "n2" -> "n1" -> ...); runbook follows at most 8: let a nearer one be the jump host (at nodes[9].jump)',
    ],
  ],
  [
    'an identity file that does not exist is a warning with the expanded path',
    'nodes:\n  - { name: a, address: 10.0.0.1, identity_file: ~/.ssh/missing }\n',
    ['~/bad.yaml:2:50: warning: the identity file "~/.ssh/missing" does not exist (looked for ~/.ssh/missing) (at nodes[0].identity_file)'],
  ],
  [
    'node names with control characters',
    'nodes:\n  - { name: "m1\\e[2J", address: 10.0.0.1 }\n  - { name: "m2\\u202e", address: 10.0.0.2 }\n',
    [
      '~/bad.yaml:2:13: error: the node name "m1\\x1b[2J" contains control characters; a name is shown on screen and must be plain text (at nodes[0].name)',
      '~/bad.yaml:3:13: error: the node name "m2\\u202e" contains control characters; a name is shown on screen and must be plain text (at nodes[1].name)',
    ],
  ],
  [
    'addresses and users that ssh cannot use',
    'nodes:\n  - { name: a, address: "10.0.0.1:22" }\n  - { name: b, address: "-oProxyCommand=x" }\n  - { name: c, address: 10.0.0.3, user: "-l root" }\n',
    [
      '~/bad.yaml:2:25: error: node "a": the address "10.0.0.1:22" is not a host name or an IP address (put the port in its own field, not after a colon) (at nodes[0].address)',
      '~/bad.yaml:3:25: error: node "b": the address "-oProxyCommand=x" is not a host name or an IP address (it starts with "-") (at nodes[1].address)',
      '~/bad.yaml:4:41: error: node "c": "-l root" is not a user name ssh can log in with (at nodes[2].user)',
    ],
  ],
  [
    'wrong shapes',
    'name: [a]\nnodes:\n  - just-a-name\n  - { name: b, address: 10.0.0.2, vars: { x: [1] } }\n',
    [
      '~/bad.yaml:1:7: error: name must be text, found a list (at name)',
      '~/bad.yaml:3:5: error: each node must be a mapping (name, address, roles, ...), found a string (at nodes[0])',
      '~/bad.yaml:4:46: error: vars.x must be a string, a number or a boolean, found a list (at nodes[1].vars.x)',
    ],
  ],
  ['no nodes', 'name: empty\nnodes: []\n', ['~/bad.yaml:2:8: error: nodes is empty: list at least one node (at nodes)']],
  [
    'an inventory name with control characters, a secret in vars',
    'name: "prod\\e]0;owned\\a"\nnodes:\n  - { name: a, address: 10.0.0.1, vars: { zone: a, db_password: hunter2 } }\n',
    [
      '~/bad.yaml:1:7: error: the inventory name "prod\\x1b]0;owned\\x07" contains control characters; it is shown in the header and must be plain text (at name)',
      '~/bad.yaml:3:52: warning: the variable "db_password" looks like a secret and is not kept: inventory values are shown and exported; give secrets to a runbook as parameters with secret: true (at nodes[0].vars.db_password)',
    ],
  ],
  [
    'the same machine twice is a warning',
    'nodes:\n  - { name: a, address: 10.0.0.1 }\n  - { name: b, address: 10.0.0.1 }\n',
    ['~/bad.yaml:3:13: warning: node "b" has the same address and port as node "a" (10.0.0.1) (at nodes[1].name)'],
  ],
];

describe('our YAML inventory: problems, exactly as printed', () => {
  test.each(PROBLEMS)('%s', async (_, text, expected) => {
    await home.write('bad.yaml', text);
    const { problems } = await home.inspect('bad.yaml');
    expect(home.show(problems)).toEqual(expected);
  });

  test('a chain of 3,000 jump hosts is checked quickly', async () => {
    const nodes = Array.from(
      { length: 3000 },
      (_, i) => `  - { name: n${i}, address: 10.0.${i >> 8}.${(i & 255) + 1}${i ? `, jump: n${i - 1}` : ''} }\n`,
    );
    await home.write('chain.yaml', `nodes:\n${nodes.join('')}`);
    const started = Date.now();
    const { inventory, problems } = await home.inspect('chain.yaml');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(inventory).toBeUndefined();
    expect(home.show(problems)[0]).toMatch(/^~\/chain\.yaml:11:\d+: error: node "n9" is reached through 9 jump hosts/);
  });

  test('a loop among jump hosts behind a long chain is found once', async () => {
    const nodes = Array.from(
      { length: 300 },
      (_, i) => `  - { name: n${i}, address: 10.0.${i >> 8}.${(i & 255) + 1}, jump: n${i ? i - 1 : 2} }\n`,
    );
    await home.write('loop.yaml', `nodes:\n${nodes.join('')}`);
    const { problems } = await home.inspect('loop.yaml');
    expect(home.show(problems).filter((p) => p.includes('loop'))).toEqual([
      '~/loop.yaml:2:42: error: jump hosts go round in a loop: "n0" -> "n2" -> "n1" -> "n0" (at nodes[0].jump)',
    ]);
  });

  test('loadInventory throws one InputError with every problem', async () => {
    await home.write('bad.yaml', 'nodes:\n  - { name: a, port: x }\n  - { name: a, address: 10.0.0.2 }\n');
    const error = await loadInventory(`${home.dir}/bad.yaml`, { sshConfig: null, home: home.dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(home.show((error as InputError).problems)).toEqual([
      '~/bad.yaml:2:13: error: node "a" has no address: give it one (address:) (at nodes[0].name)',
      '~/bad.yaml:2:22: error: port must be a whole number from 1 to 65535, not "x" (at nodes[0].port)',
      '~/bad.yaml:3:13: error: duplicate node name "a" (first at line 2) (at nodes[1].name)',
    ]);
  });
});
