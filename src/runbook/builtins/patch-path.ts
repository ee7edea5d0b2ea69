import { LAST_1_11_PATCH, formatVersion, parseVersion } from './dcos-releases.js';
import { argText, type BuiltinDef, type BuiltinResult } from './types.js';

// The patch matrix marks this one pair unsupported although both ends are 1.11.
const UNSUPPORTED: ReadonlyArray<readonly [string, string]> = [['1.11.0', '1.11.10']];

export const patchPath: BuiltinDef = {
  name: 'dcos/patch-path',
  description:
    'A patch goes to a later release of the same minor version (1.11.1 -> 1.11.2), or to the same version for a configuration change. Refuses downgrades, minor or major jumps, malformed versions and pairs the patch matrix excludes.',
  args: {
    from: { description: 'The DC/OS version the cluster runs now, e.g. 1.11.1.', required: true },
    to: { description: 'The DC/OS version to patch to, e.g. 1.11.2.', required: true },
  },
  evaluate(args): BuiltinResult {
    const fromText = argText(args, 'from');
    const toText = argText(args, 'to');
    const from = parseVersion(fromText);
    const to = parseVersion(toText);
    if (!from) return { ok: false, message: malformed('installed', fromText) };
    if (!to) return { ok: false, message: malformed('target', toText) };
    const a = formatVersion(from);
    const b = formatVersion(to);
    const pair = `${a} -> ${b}`;

    for (const v of [from, to]) {
      if (v.major === 1 && v.minor === 11 && v.patch > LAST_1_11_PATCH) {
        return {
          ok: false,
          message: `DC/OS ${formatVersion(v)} is not a release this runbook knows (1.11.0 to 1.11.${LAST_1_11_PATCH}); check the version.`,
        };
      }
    }
    const order = compare(from, to);
    if (from.major !== to.major || from.minor !== to.minor) {
      if (order > 0) return { ok: false, message: downgrade(pair, a) };
      const across = from.major !== to.major ? 'major' : 'minor';
      return { ok: false, message: `${pair} is an upgrade across ${across} versions, not a patch; use the upgrade procedure.` };
    }
    if (order > 0) return { ok: false, message: downgrade(pair, a) };
    if (order === 0) return { ok: true, message: `${pair}: the same version, so a configuration change only.` };
    if (UNSUPPORTED.some(([x, y]) => x === a && y === b)) {
      return {
        ok: false,
        message: `${pair} is not a supported patch path (the DC/OS ${from.major}.${from.minor} patch matrix excludes it); patch to an intermediate release first, e.g. ${a} -> ${from.major}.${from.minor}.${to.patch - 1} -> ${b}.`,
      };
    }
    return { ok: true, message: `${pair}: a patch within DC/OS ${from.major}.${from.minor}.` };
  },
};

function malformed(which: 'installed' | 'target', text: string): string {
  const shown = text === '' ? 'empty' : `"${text}"`;
  return `The ${which} version is ${shown}, which is not a DC/OS version; write it as major.minor.patch, e.g. 1.11.2.`;
}

const downgrade = (pair: string, a: string): string =>
  `${pair} is a downgrade, which DC/OS does not support; patch only to a later release, or stay on ${a}.`;

function compare(x: { major: number; minor: number; patch: number }, y: typeof x): number {
  return x.major - y.major || x.minor - y.minor || x.patch - y.patch;
}
