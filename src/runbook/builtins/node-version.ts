import { formatVersion, parseVersion } from './dcos-releases.js';
import { argText, type BuiltinDef } from './types.js';

// /opt/mesosphere/etc/dcos-version.json is what dcos_node_upgrade.sh itself reads to decide
// whether the node runs the version the script was built for.
const FILE = '/opt/mesosphere/etc/dcos-version.json';

export const nodeVersion: BuiltinDef = {
  name: 'dcos/node-version',
  description: `Checks the DC/OS version a node runs, from the output of \`cat ${FILE}\`, against the version expected.`,
  args: {
    expected: { description: 'The DC/OS version the node should run, e.g. 1.11.4.', required: true },
    when: { description: 'What the expectation is about, for the message: before (the patch) or after.' },
  },
  evaluate(args, context) {
    const expectedText = argText(args, 'expected');
    const expected = parseVersion(expectedText);
    if (!expected) return { ok: false, message: `"${expectedText}" is not a DC/OS version (expected major.minor.patch, e.g. 1.11.4).` };
    const out = context.output;
    if (!out)
      return { ok: false, message: `dcos/node-version needs the output of \`cat ${FILE}\`: give the step that command as its run.` };
    if (out.exit !== 0) {
      const said = out.stderr.trim().split('\n').pop() ?? '';
      return {
        ok: false,
        message: `${FILE} could not be read (${out.exit === null ? 'the command did not finish' : `exit ${out.exit}`})${said ? `: ${said}` : ''}: is this a DC/OS node?`,
      };
    }
    let version: unknown;
    try {
      version = (JSON.parse(out.stdout) as { version?: unknown }).version;
    } catch {
      return { ok: false, message: `${FILE} is not JSON: ${out.stdout.trim().slice(0, 80)}` };
    }
    const found = typeof version === 'string' ? parseVersion(version) : undefined;
    if (!found) return { ok: false, message: `${FILE} has no version this check can read (found ${JSON.stringify(version)}).` };
    const shown = formatVersion(found);
    if (formatVersion(found) === formatVersion(expected)) return { ok: true, message: `DC/OS ${shown}, as expected.` };
    const after = argText(args, 'when') === 'after';
    return {
      ok: false,
      message: after
        ? `This node runs DC/OS ${shown}, not ${formatVersion(expected)}: the patch did not take effect here.`
        : `This node runs DC/OS ${shown}, but the patch is planned from ${formatVersion(expected)}: the node patch script would refuse it. Check installed_version, and the version on every node, before building the script.`,
    };
  },
};
