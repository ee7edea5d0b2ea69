import { mesosVersionOf, parseVersion } from './dcos-releases.js';
import { argText, type BuiltinDef } from './types.js';

export const mesosVersion: BuiltinDef = {
  name: 'dcos/mesos-version',
  description:
    'Checks the output of `mesos-master --version` against the Mesos version the given DC/OS release ships (1.11.0-1.11.2: 1.5.0, 1.11.3-1.11.7: 1.5.1, 1.11.8-1.11.10: 1.5.2, 1.11.11: 1.5.3, 1.11.12-1.11.13: 1.5.4).',
  args: {
    dcos: { description: 'The DC/OS release the node should now run, e.g. 1.11.5.', required: true },
  },
  evaluate(args, context) {
    const dcosText = argText(args, 'dcos');
    const dcos = parseVersion(dcosText);
    const expected = dcos && mesosVersionOf(dcos);
    if (!expected) {
      return {
        ok: false,
        message: `DC/OS "${dcosText}" is not a DC/OS 1.11 release this check knows, so the Mesos version it ships is unknown.`,
      };
    }
    const out = context.output;
    if (!out) {
      return {
        ok: false,
        message: 'dcos/mesos-version needs the output of `mesos-master --version`: give the step that command as its run.',
      };
    }
    const text = `${out.stdout}\n${out.stderr}`;
    const found = /\bmesos\s+(\d+\.\d+\.\d+)\b/i.exec(text)?.[1];
    if (out.exit !== 0 || !found) {
      const first = text.trim().split('\n')[0] ?? '';
      const status = out.exit === null ? 'did not finish' : `exited with ${out.exit}`;
      return {
        ok: false,
        message: found
          ? `mesos-master --version ${status}.`
          : `mesos-master --version ${out.exit === 0 ? 'printed no version' : status}${first ? `: ${first}` : ''}.`,
      };
    }
    if (found !== expected) {
      return {
        ok: false,
        message: `This master runs Mesos ${found}, but DC/OS ${dcosText} ships Mesos ${expected}: the patch did not take effect on this node.`,
      };
    }
    return { ok: true, message: `Mesos ${found}, as DC/OS ${dcosText} ships.` };
  },
};
