/** The KMIP protocol versions kmipd speaks, and compact sets of them for the registry tables. */
export const KMIP_VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1"] as const;
export type KmipVersion = (typeof KMIP_VERSIONS)[number];

/** A set of versions as a bit mask: bit i ⇔ KMIP_VERSIONS[i]. */
export type VersionMask = number;
export const ALL_VERSIONS: VersionMask = (1 << KMIP_VERSIONS.length) - 1;

export function versionBit(v: KmipVersion): VersionMask {
  return 1 << KMIP_VERSIONS.indexOf(v);
}

export function inVersion(mask: VersionMask, v: KmipVersion): boolean {
  return (mask & versionBit(v)) !== 0;
}

export function versionsOf(mask: VersionMask): KmipVersion[] {
  return KMIP_VERSIONS.filter((v) => inVersion(mask, v));
}

export function versionFromNumbers(major: number, minor: number): KmipVersion | undefined {
  const s = `${major}.${minor}`;
  return (KMIP_VERSIONS as readonly string[]).includes(s) ? (s as KmipVersion) : undefined;
}

export function isKmipVersion(s: string): s is KmipVersion {
  return (KMIP_VERSIONS as readonly string[]).includes(s);
}
