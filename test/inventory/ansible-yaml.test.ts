import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadInventory, nodesWithRole } from '../../src/inventory/load.js';
import { tempHome, type TempHome } from './fixture.js';

let home: TempHome;
beforeAll(async () => {
  home = await tempHome();
  await home.write('.ssh/dcos.pem', 'key');
});
afterAll(() => home.cleanup());

// The YAML form of a dcos-ansible inventory, as ansible-inventory --list -y would write it.
const DCOS_ANSIBLE_YAML = `all:
  vars:
    ansible_user: centos
    ansible_ssh_private_key_file: ~/.ssh/dcos.pem
    dcos_version: 1.11.2
  children:
    bootstraps:
      hosts:
        bootstrap1: { ansible_host: 10.0.0.10 }
    masters:
      hosts:
        master[1:3]:
      vars:
        ansible_ssh_common_args: -o ProxyJump=admin@bastion.example.com
    agents:
      children:
        agents_private:
          hosts:
            agent[01:02].dcos.internal:
            gpu1.dcos.internal:2222: { cuda: "9.1" }
        agents_public:
          hosts:
            public1: { ansible_host: 10.0.2.1, ansible_port: 2200 }
    gpu_nodes:
      hosts:
        gpu1.dcos.internal:
`;

describe('Ansible YAML inventories', () => {
  test('groups, nested children, ranges, host:port, vars at every level', async () => {
    const file = await home.write('hosts.yml', DCOS_ANSIBLE_YAML);
    const inventory = await loadInventory(file, { sshConfig: null, home: home.dir });
    expect(inventory.nodes.map((n) => [n.name, n.address, n.port, n.user, n.jump, n.roles.join(',')])).toEqual([
      ['bootstrap1', '10.0.0.10', undefined, 'centos', undefined, 'bootstrap'],
      ['master1', 'master1', undefined, 'centos', 'admin@bastion.example.com', 'master'],
      ['master2', 'master2', undefined, 'centos', 'admin@bastion.example.com', 'master'],
      ['master3', 'master3', undefined, 'centos', 'admin@bastion.example.com', 'master'],
      ['agent01.dcos.internal', 'agent01.dcos.internal', undefined, 'centos', undefined, 'agent'],
      ['agent02.dcos.internal', 'agent02.dcos.internal', undefined, 'centos', undefined, 'agent'],
      ['gpu1.dcos.internal', 'gpu1.dcos.internal', 2222, 'centos', undefined, 'agent,gpu_nodes'],
      ['public1', '10.0.2.1', 2200, 'centos', undefined, 'public_agent'],
    ]);
    expect(inventory.nodes[6]!.vars).toEqual({ dcos_version: '1.11.2', cuda: '9.1' });
    expect(inventory.nodes[0]!.identityFile).toBe(`${home.dir}/.ssh/dcos.pem`);
    expect(nodesWithRole(inventory, 'gpu_nodes').map((n) => n.name)).toEqual(['gpu1.dcos.internal']);
  });

  test('top-level groups without all:, empty groups, lists and mappings in vars', async () => {
    const file = await home.write(
      'flat.yaml',
      'masters:\n  hosts:\n    m1:\n      ansible_host: 10.0.4.1\n      dns: [10.0.0.2, 10.0.0.3]\n      labels: { zone: a }\nunused:\n',
    );
    const inventory = await loadInventory(file, { sshConfig: null, home: home.dir });
    expect(inventory.nodes).toEqual([
      {
        name: 'm1',
        address: '10.0.4.1',
        ip: '10.0.4.1',
        roles: ['master'],
        vars: { dns: '["10.0.0.2","10.0.0.3"]', labels: '{"zone":"a"}' },
      },
    ]);
  });
});

const PROBLEMS: [string, string, string[]][] = [
  [
    'hosts given as a list, a misspelt key, a bad range, a bad port',
    'all:\n  children:\n    masters:\n      hosts: [m1, m2]\n    agents:\n      host:\n        a1:\n    slaves:\n      hosts:\n        agent[3:1]:\n        a2: { ansible_port: ssh }\n',
    [
      '~/bad.yml:4:14: error: hosts of group "masters" must be a mapping of host names to their variables (host: or host: {ansible_host: ...}), found a list (at all.children.masters.hosts)',
      '~/bad.yml:6:7: warning: unexpected key "host" in group "agents" is ignored; a group has hosts, children and vars: did you mean "hosts"? (at all.children.agents.host)',
      '~/bad.yml:10:9: error: the range [3:1] runs backwards (at all.children.slaves.hosts["agent[3:1]"])',
      '~/bad.yml:11:29: error: ansible_port must be a whole number from 1 to 65535, not "ssh" (at all.children.slaves.hosts.a2.ansible_port)',
    ],
  ],
  [
    'a group that is not a mapping, and groups that include each other',
    'all:\n  children:\n    a:\n      children:\n        b:\n          hosts: { h1: }\n    b:\n      children:\n        a:\n    c: [x]\n',
    [
      '~/bad.yml:9:9: error: groups include each other: a -> b -> a; a group cannot be its own child (at all.children.b.children.a)',
      '~/bad.yml:10:8: error: group "c" must be a mapping with hosts, children or vars, found a list (at all.children.c)',
    ],
  ],
];

describe('Ansible YAML: problems, exactly as printed', () => {
  test.each(PROBLEMS)('%s', async (_, text, expected) => {
    await home.write('bad.yml', text);
    const { problems } = await home.inspect('bad.yml');
    expect(home.show(problems)).toEqual(expected);
  });
});

describe('Ansible YAML inventories with Ansible tags', () => {
  test('a !vault value is dropped with a warning, never kept or shown; !unsafe is plain text', async () => {
    const file = await home.write(
      'vault.yml',
      `all:
  vars:
    db_credentials: !vault |
      $ANSIBLE_VAULT;1.1;AES256
      6231336464373765383533643634
    motd: !unsafe '{{ not jinja }}'
  hosts:
    m1: { ansible_host: 10.0.4.1 }
`,
    );
    const warnings: string[] = [];
    const inventory = await loadInventory(file, {
      sshConfig: null,
      home: home.dir,
      onWarning: (p) => warnings.push(`${p.line}:${p.column} ${p.message}`),
    });
    expect(inventory.nodes[0]?.vars).toEqual({ motd: '{{ not jinja }}' });
    expect(warnings).toEqual([
      expect.stringMatching(/^3:\d+ the variable "db_credentials" is encrypted with Ansible Vault and is not kept/),
    ]);
    expect(JSON.stringify(inventory)).not.toContain('6231336464');
  });

  test('a runbook may not use them', async () => {
    const { parseYaml } = await import('../../src/input/load-yaml.js');
    expect(() => parseYaml('id: x\nsecret: !vault |\n  abc\n', 'r.yaml')).toThrow(/r\.yaml:2:\d+.*!vault/);
  });
});
