// What each DC/OS 1.11 release ships, from the release notes and the 1.11 sources (tags 1.11.0
// to 1.11.13). The guards compare against this table instead of a literal, because the page's
// own example (Mesos 1.4.0) is wrong for 1.11.

/** A version as major.minor.patch. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(text: string): Version | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

export const formatVersion = (v: Version): string => `${v.major}.${v.minor}.${v.patch}`;

/** The last 1.11 release; a later 1.11.x is unknown to this table. */
export const LAST_1_11_PATCH = 13;

/** The Mesos version `mesos-master --version` prints on each DC/OS 1.11 release. */
export function mesosVersionOf(dcos: Version): string | undefined {
  if (dcos.major !== 1 || dcos.minor !== 11 || dcos.patch > LAST_1_11_PATCH) return undefined;
  const p = dcos.patch;
  if (p <= 2) return '1.5.0';
  if (p <= 7) return '1.5.1';
  if (p <= 10) return '1.5.2';
  if (p === 11) return '1.5.3';
  return '1.5.4';
}
