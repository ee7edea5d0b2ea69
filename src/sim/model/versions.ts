// What each DC/OS 1.11 patch release ships (from the release notes and the 1.11 sources).
import { mesosVersionOf, parseVersion as releaseVersion } from '../../runbook/builtins/dcos-releases.js';

export type Version = [number, number, number];

export function parseVersion(text: string): Version | null {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
}

export function compareVersions(a: string, b: string): number {
  const va = parseVersion(a) ?? [0, 0, 0];
  const vb = parseVersion(b) ?? [0, 0, 0];
  for (let i = 0; i < 3; i++) if (va[i] !== vb[i]) return (va[i] as number) - (vb[i] as number);
  return 0;
}

/** The next patch release: 1.11.4 -> 1.11.5. */
export function nextPatch(version: string): string {
  const v = parseVersion(version);
  if (!v) throw new TypeError(`not a version: ${version}`);
  return `${v[0]}.${v[1]}.${v[2] + 1}`;
}

/** The Mesos release a DC/OS 1.11 release ships, as mesos-master --version prints it (one table with the guards). */
export function mesosVersion(dcos: string): string {
  const v = releaseVersion(dcos);
  return (v && mesosVersionOf(v)) ?? '1.5.4';
}

export function marathonVersion(dcos: string): string {
  const patch = parseVersion(dcos)?.[2] ?? 0;
  if (patch <= 2) return ['1.6.322', '1.6.352', '1.6.392'][patch] ?? '1.6.392';
  if (patch <= 7) return '1.6.496';
  if (patch <= 10) return '1.6.567';
  return '1.6.585';
}

/** ZooKeeper moved to 3.4.13 in 1.11.6. */
export function zookeeperVersion(dcos: string): string {
  return (parseVersion(dcos)?.[2] ?? 0) >= 6 ? '3.4.13' : '3.4.10';
}

export const COCKROACH_BUILD = 'v1.1.4';

/** A stable 40-hex package id for a version and a name (pkgpanda's "name--<sha1>"). */
export function packageId(name: string, version: string): string {
  let h = 0x811c9dc5;
  let out = '';
  const text = `${name}@${version}`;
  for (let round = 0; out.length < 40; round++) {
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x2c1b3c6d) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return `${name}--${out.slice(0, 40)}`;
}
