/** Protocol versions: which ones kmipd speaks, and how a requested version is answered. */
import { KMIP_VERSIONS, versionFromNumbers, type KmipVersion } from "../kmip/index.js";

export interface ProtocolVersion {
  readonly major: number;
  readonly minor: number;
}

/** Every version kmipd speaks, most preferred first (the order Discover Versions answers in). */
export const SUPPORTED_VERSIONS: readonly ProtocolVersion[] = [...KMIP_VERSIONS]
  .reverse()
  .map((v) => ({ major: Number(v.split(".")[0]), minor: Number(v.split(".")[1]) }));

export const kmipVersionOf = (pv: ProtocolVersion): KmipVersion | undefined => versionFromNumbers(pv.major, pv.minor);

export const compareVersions = (a: ProtocolVersion, b: ProtocolVersion): number => a.major - b.major || a.minor - b.minor;

/**
 * The version to answer an unsupported request version in: the highest supported version not
 * above it (a 1.5 or 3.0 client gets 1.4 or 2.1), else the lowest we have.
 */
export function fallbackVersion(pv: ProtocolVersion): ProtocolVersion {
  return SUPPORTED_VERSIONS.find((s) => compareVersions(s, pv) <= 0) ?? SUPPORTED_VERSIONS[SUPPORTED_VERSIONS.length - 1]!;
}

export const isV2 = (v: KmipVersion): boolean => v.startsWith("2.");
