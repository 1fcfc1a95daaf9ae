/** The OASIS XML test cases in ../shared/kmip-testcases, for tests that sweep all of them. */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { nowPlaceholderOffset, type PlaceholderResolver } from "../../src/encodings/index.js";
import { SHARED_DIR } from "./shared.js";

export const CASES_DIR = join(SHARED_DIR, "kmip-testcases");
/** The versions kmipd speaks; 3.0 files are out of scope. */
export const CASE_VERSIONS = ["1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1"] as const;

export function xmlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) xmlFiles(p, out);
    else if (name.endsWith(".xml")) out.push(p);
  }
  return out;
}

export const allCaseFiles = (): string[] => CASE_VERSIONS.flatMap((v) => xmlFiles(join(CASES_DIR, v)));

/** Deterministic stand-ins: $NOW±s around a fixed instant, bytes and text derived from the name. */
export const deterministicPlaceholders: PlaceholderResolver = (name, type) => {
  const digest = createHash("sha256").update(name).digest();
  switch (type) {
    case "DateTime": return BigInt(1_700_000_000 + (nowPlaceholderOffset(name) ?? 0));
    case "DateTimeExtended": return BigInt(1_700_000_000 + (nowPlaceholderOffset(name) ?? 0)) * 1_000_000n;
    case "ByteString": return Uint8Array.from(digest.subarray(0, 16));
    case "TextString": return `ph-${name.slice(1)}`;
    case "Integer": case "Enumeration": case "Interval": return digest.readUInt16BE(0);
    case "LongInteger": case "BigInteger": return BigInt(digest.readUInt32BE(0));
    case "Boolean": return true;
    default: return undefined;
  }
};
