import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadInventory, nodesWithRole } from '../../src/inventory/load.js';
import type { Inventory } from '../../src/inventory/types.js';
import { tempHome, type TempHome } from './fixture.js';

let home: TempHome;
beforeAll(async () => {
  home = await tempHome();
});
afterAll(() => home.cleanup());

const load = async (name: string, text: string): Promise<Inventory> =>
  loadInventory(await home.write(name, text), { sshConfig: null, home: home.dir, cwd: home.dir });
const summary = (inventory: Inventory): string[] => inventory.nodes.map((n) => `${n.name} ${n.address} [${n.roles.join(',')}]`);

// Shaped like dcos-ansible's inventory.example: bootstraps, masters, agents_private,
// agents_public, a parent group of both agent kinds, Windows agents with passwords.
const DCOS_ANSIBLE = `[bootstraps]
bootstrap1-dcos112s.example.com

[masters]
master1-dcos112s.example.com
master2-dcos112s.example.com
master3-dcos112s.example.com

[agents_private]
agent1-dcos112s.example.com
gpuagent1-dcos112s.example.com

[agents_public]
publicagent1-dcos112s.example.com

[bootstraps:vars]
node_type=bootstrap

[masters:vars]
node_type=master
dcos_legacy_node_type_name=master

[agents_private:vars]
node_type=agent
dcos_legacy_node_type_name=slave

[agents_public:vars]
node_type=agent_public
dcos_legacy_node_type_name=slave_public

[agents:children]
agents_private
agents_public

[agents_windows]
agent1-windows.example.com  ansible_user=Administrator  ansible_password=<mysecurepassword>

[all:vars]
dcos_superuser_password=s3cret

[common:children]
bootstraps
masters
agents
agents_public
`;

describe('Ansible INI inventories', () => {
  test('a dcos-ansible inventory: groups become roles, the nearest DC/OS role wins', async () => {
    const warnings: string[] = [];
    const file = await home.write('dcos-ansible.ini', DCOS_ANSIBLE);
    const inventory = await loadInventory(file, {
      sshConfig: null,
      home: home.dir,
      onWarning: (p) => warnings.push(`${p.line}:${p.column}: ${p.message}`),
    });
    expect(summary(inventory)).toEqual([
      'bootstrap1-dcos112s.example.com bootstrap1-dcos112s.example.com [bootstrap,common]',
      'master1-dcos112s.example.com master1-dcos112s.example.com [master,common]',
      'master2-dcos112s.example.com master2-dcos112s.example.com [master,common]',
      'master3-dcos112s.example.com master3-dcos112s.example.com [master,common]',
      'agent1-dcos112s.example.com agent1-dcos112s.example.com [agent,common]',
      'gpuagent1-dcos112s.example.com gpuagent1-dcos112s.example.com [agent,common]',
      // [agents:children] agents_public would make it an agent too; the nearer group decides.
      'publicagent1-dcos112s.example.com publicagent1-dcos112s.example.com [public_agent,common]',
      'agent1-windows.example.com agent1-windows.example.com [agents_windows]',
    ]);
    expect(inventory.nodes[1]!.vars).toEqual({ node_type: 'master', dcos_legacy_node_type_name: 'master' });
    expect(inventory.nodes[6]!.vars).toEqual({ node_type: 'agent_public', dcos_legacy_node_type_name: 'slave_public' });
    // The password is never kept, and the operator is told why.
    expect(inventory.nodes[7]).toMatchObject({ user: 'Administrator', vars: {} });
    expect(JSON.stringify(inventory)).not.toContain('mysecurepassword');
    expect(JSON.stringify(inventory)).not.toContain('s3cret');
    expect(warnings).toEqual([
      '36:57: ansible_password is ignored: runbook logs in with keys or the SSH agent, never with a password from the inventory',
      '39:25: the variable "dcos_superuser_password" looks like a secret and is not kept: inventory values are shown and exported; give secrets to a runbook as parameters with secret: true',
    ]);
    expect(nodesWithRole(inventory, 'agent').map((n) => n.name)).toEqual(['agent1-dcos112s.example.com', 'gpuagent1-dcos112s.example.com']);
    expect(nodesWithRole(inventory, 'public-agent')).toHaveLength(1);
    expect(nodesWithRole(inventory, 'agents_windows')).toHaveLength(1);
  });

  test('connection variables, host:port, ranges, all:vars, comments with # and ;', async () => {
    const inventory = await load(
      'connect.ini',
      `; the production cluster
# (both comment styles)
bastion ansible_host=203.0.113.7 ansible_user=admin

[masters]
m1 ansible_host=10.0.4.1
m2:2200 ansible_host=10.0.4.2 ansible_ssh_user=root   # a trailing comment

[slaves]
agent[01:03].example.com
node-[a:b]

[slave_public]
pub1 ansible_host=10.0.2.1 ansible_ssh_common_args='-o ProxyJump=ops@bastion.example.com:2222'
pub2 ansible_host=10.0.2.2 ansible_ssh_common_args='-o ProxyCommand="ssh -W %h:%p -q core@203.0.113.7"'

[gpu_nodes]
node-b

[all:vars]
ansible_user=centos
ansible_ssh_private_key_file=~/.ssh/dcos
dcos_version='1.11.2'

[masters:vars]
ansible_port=2222
ansible_ssh_extra_args="-J bastion"
`,
    );
    expect(
      inventory.nodes.map((n) => ({
        name: n.name,
        address: n.address,
        user: n.user,
        port: n.port,
        jump: n.jump,
        roles: n.roles.join(','),
      })),
    ).toEqual([
      { name: 'bastion', address: '203.0.113.7', user: 'admin', port: undefined, jump: undefined, roles: '' },
      { name: 'm1', address: '10.0.4.1', user: 'centos', port: 2222, jump: 'bastion', roles: 'master' },
      { name: 'm2', address: '10.0.4.2', user: 'root', port: 2200, jump: 'bastion', roles: 'master' },
      { name: 'agent01.example.com', address: 'agent01.example.com', user: 'centos', port: undefined, jump: undefined, roles: 'agent' },
      { name: 'agent02.example.com', address: 'agent02.example.com', user: 'centos', port: undefined, jump: undefined, roles: 'agent' },
      { name: 'agent03.example.com', address: 'agent03.example.com', user: 'centos', port: undefined, jump: undefined, roles: 'agent' },
      { name: 'node-a', address: 'node-a', user: 'centos', port: undefined, jump: undefined, roles: 'agent' },
      { name: 'node-b', address: 'node-b', user: 'centos', port: undefined, jump: undefined, roles: 'agent,gpu_nodes' },
      { name: 'pub1', address: '10.0.2.1', user: 'centos', port: undefined, jump: 'ops@bastion.example.com:2222', roles: 'public_agent' },
      { name: 'pub2', address: '10.0.2.2', user: 'centos', port: undefined, jump: 'core@203.0.113.7', roles: 'public_agent' },
    ]);
    expect(inventory.nodes[1]).toMatchObject({ identityFile: `${home.dir}/.ssh/dcos`, vars: { dcos_version: '1.11.2' } });
  });

  test('variables follow Ansible precedence: all, parent groups, child groups, the host', async () => {
    const inventory = await load(
      'precedence.ini',
      `[agents:children]
gpu

[gpu]
g1
g2 zone=host

[all:vars]
zone=all
rack=r0
[agents:vars]
zone=agents
[gpu:vars]
zone=gpu
`,
    );
    expect(inventory.nodes.map((n) => n.vars)).toEqual([
      { zone: 'gpu', rack: 'r0' },
      { zone: 'host', rack: 'r0' },
    ]);
    expect(inventory.nodes[0]!.roles).toEqual(['gpu', 'agent']);
  });

  test('a host line with shell metacharacters in its name is accepted as a name', async () => {
    // The name is data: it is shown escaped and, where a runbook interpolates it into a
    // command, shell-quoted at that point (src/runbook interpolation), never here.
    const inventory = await load('shell.ini', `[agents]\n'web;$(reboot)&&x' ansible_host=10.0.1.9\n"a|b>c" ansible_host=10.0.1.10\n`);
    expect(inventory.nodes.map((n) => [n.name, n.address])).toEqual([
      ['web;$(reboot)&&x', '10.0.1.9'],
      ['a|b>c', '10.0.1.10'],
    ]);
  });
});

const PROBLEMS: [string, string, string[]][] = [
  [
    'section headers and lines that are not host lines',
    '[masters\nm1\n[agents:hostz]\na1\n[agents:children]\nbad group\n[all:vars]\nnovalue\n[masters]\nm1 ansible_port\n',
    [
      '~/bad.ini:1:1: error: "[masters" is not a section header; write [group], [group:vars] or [group:children]',
      '~/bad.ini:3:9: error: unknown section type ":hostz"; a section is [group], [group:vars] or [group:children]',
      '~/bad.ini:6:1: error: expected a group name in [agents:children], found "bad group"',
      '~/bad.ini:8:1: error: expected key=value in [all:vars], found "novalue"',
      '~/bad.ini:10:4: error: expected key=value after the host name, found "ansible_port"',
    ],
  ],
  [
    'bad ranges',
    '[agents]\nagent[1:0].example.com\nnode[01:1000]\nweb[a:9]\nbig[0:99999]\nhuge[0:999][0:999]\n',
    [
      '~/bad.ini:2:1: error: the range [1:0] runs backwards',
      '~/bad.ini:3:1: error: the range [01:1000] pads with zeros, so its start and end need as many digits',
      '~/bad.ini:4:1: error: the range [a:9] must run between two numbers or two letters',
      '~/bad.ini:5:1: error: the range [0:99999] names 100000 hosts; at most 10000 are accepted',
      '~/bad.ini:6:1: error: the pattern huge[0:999][0:999] names more than 10000 hosts',
    ],
  ],
  [
    'bad connection values, each at its column',
    "[masters]\nm1 ansible_port=22x\nm2   ansible_host=\"{{ lookup('env', 'M2') }}\"\nm3 ansible_ssh_common_args=\"-o ProxyCommand='nc -X connect -x proxy:3128 %h %p'\"\nm4 ansible_host=10.0.0.4 ansible_ssh_common_args='-o StrictHostKeyChecking=no'\nm5 ansible_host=10.0.0.5 ansible_connection=local\nm6 ansible_host='unclosed\n",
    [
      '~/bad.ini:2:4: error: ansible_port must be a whole number from 1 to 65535, not "22x"',
      "~/bad.ini:3:6: error: ansible_host is a Jinja template (\"{{ lookup('env', 'M2') }}\"); runbook does not evaluate templates: write the value itself",
      '~/bad.ini:4:4: error: ansible_ssh_common_args sets a ProxyCommand runbook cannot follow ("nc -X connect -x proxy:3128 %h %p"); only "ssh -W %h:%p [user@]host" relays, ProxyJump and -J are understood',
      '~/bad.ini:5:26: warning: ansible_ssh_common_args: StrictHostKeyChecking is ignored; runbook always checks host keys against known_hosts and does not forward the agent',
      '~/bad.ini:6:26: warning: ansible_connection=local is not supported; runbook connects to every node over SSH',
      "~/bad.ini:7:1: error: a single quote (') is not closed on this host line",
    ],
  ],
  [
    'a host name that is not an address, and a host in two DC/OS roles',
    "[masters]\n'web;reboot'\nboth\n[agents]\nboth\n",
    [
      '~/bad.ini:2:1: error: host "web;reboot" has no ansible_host, and its name is not a host name or an IP address to connect to',
      '~/bad.ini:3:1: error: host "both" is in groups masters (master) and agents (agent); a DC/OS node is only one of master, agent, public_agent',
    ],
  ],
  [
    'groups that include each other',
    '[a:children]\nb\n[b:children]\na\n[b]\nh1\n',
    ['~/bad.ini:4:1: error: groups include each other: a -> b -> a; a group cannot be its own child'],
  ],
  ['no hosts at all', '[masters]\n[agents:vars]\nx=1\n', ['~/bad.ini: error: the inventory names no hosts']],
];

describe('Ansible INI: problems, exactly as printed', () => {
  test.each(PROBLEMS)('%s', async (_, text, expected) => {
    await home.write('bad.ini', text);
    const { problems } = await home.inspect('bad.ini');
    expect(home.show(problems)).toEqual(expected);
  });
});

describe('Ansible INI: hostile input', () => {
  test('a binary file is refused with a place, not parsed', async () => {
    await home.write('binary.ini', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0xff, 0xfe]));
    const { problems } = await home.inspect('binary.ini');
    expect(home.show(problems)).toEqual([
      '~/binary.ini:1:8: error: the file contains a NUL byte; is it a binary file? An inventory must be UTF-8 text',
    ]);
  });

  test('bytes that are not UTF-8 are refused', async () => {
    await home.write('latin1.ini', Buffer.from('[masters]\nm\xe9tro\n', 'latin1'));
    const { problems } = await home.inspect('latin1.ini');
    expect(home.show(problems)).toEqual([
      '~/latin1.ini:2:2: error: the file is not valid UTF-8 (byte 0xe9 at offset 11); is it a binary file? Save it as UTF-8',
    ]);
  });

  test('a 20 MB file is refused before it is read, quickly', async () => {
    const line = 'agent ansible_host=10.0.0.1 zone=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n';
    await home.write('huge.ini', `[agents]\n${line.repeat(Math.ceil((20 * 1024 * 1024) / line.length))}`);
    const started = Date.now();
    const { problems } = await home.inspect('huge.ini');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(home.show(problems)).toEqual(['~/huge.ini: error: is 20 MB; files larger than 4 MB are refused (an inventory is far smaller)']);
  });

  test('a chain of 20,000 nested groups loads, without overflowing the stack', async () => {
    let text = '[g0]\nh1\n[g20000:vars]\nzone=a\n';
    for (let i = 1; i <= 20_000; i++) text += `[g${i}:children]\ng${i - 1}\n`;
    const inventory = await load('chain.ini', text);
    expect(inventory.nodes).toHaveLength(1);
    expect(inventory.nodes[0]!.roles).toHaveLength(20_001);
    expect(inventory.nodes[0]!.vars).toEqual({ zone: 'a' });
  });

  test('groups that multiply into millions of inherited settings are refused quickly', async () => {
    // 3,000 hosts under 3,000 nested groups with a variable each: 18 million combinations.
    // (A DC/OS cluster of 2,000 agents in 10 groups with 50 variables has 120,000.)
    let text = '[g0]\nh[1:3000]\n';
    for (let i = 1; i <= 3000; i++) text += `[g${i}:children]\ng${i - 1}\n[g${i}:vars]\nv${i}=x\n`;
    await home.write('woven.ini', text);
    const started = Date.now();
    const { inventory, problems } = await home.inspect('woven.ini');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(inventory).toBeUndefined();
    expect(home.show(problems)).toEqual([
      '~/woven.ini: error: the groups give the hosts more than 1000000 inherited group memberships and variables in all; refusing the inventory (is it generated?): list only the groups and variables a runbook needs',
    ]);
  });

  test('a file of garbage stops after 100 problems', async () => {
    await home.write('garbage.ini', '[masters]\nm1 x\n'.repeat(500));
    const { problems } = await home.inspect('garbage.ini');
    expect(problems).toHaveLength(101);
    expect(home.show(problems).at(-1)).toBe('~/garbage.ini:201: error: stopped after 100 problems; is this an Ansible inventory?');
  });
});
