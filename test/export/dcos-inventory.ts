// A DC/OS inventory of any size, as our YAML: a bootstrap node, masters 10.0.4.x, private
// agents 10.0.1.x upwards and public agents 10.0.9.x. Shared by the export tests and bench/.

export function dcosInventoryYaml(masters: number, agents: number, publicAgents = 0): string {
  const lines = ['name: dcos-test', 'nodes:', '  - { name: bootstrap, address: 10.0.0.10, roles: [bootstrap] }'];
  for (let i = 1; i <= masters; i++) lines.push(`  - { name: master-${i}, address: 10.0.4.${i}, roles: [master] }`);
  for (let i = 1; i <= agents; i++)
    lines.push(`  - { name: agent-${i}, address: 10.0.${1 + Math.floor(i / 250)}.${i % 250}, roles: [agent] }`);
  for (let i = 1; i <= publicAgents; i++) lines.push(`  - { name: public-${i}, address: 10.0.9.${i}, roles: [public_agent] }`);
  return `${lines.join('\n')}\n`;
}
