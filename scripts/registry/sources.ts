/** Which spec documents the generator reads, and where each version keeps its tables. */
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { KmipVersion } from "../../src/kmip/versions.js";
import { parseSpec, type SpecDoc } from "./markdown.js";

export interface SpecSource {
  readonly version: KmipVersion;
  readonly file: string;
  /** The tag table section. */
  readonly tagSection: string;
  /** Parent sections of the enumeration and bit-mask sections. */
  readonly enumParent: string;
  readonly maskParent: string;
  /** Parent section of the attribute sections. */
  readonly attributeParent: string;
  /** 1.x: the "Allowed Item Type Values" table (2.x has the Item Type Enumeration instead). */
  readonly itemTypeSection?: string;
}

export const SOURCES: readonly SpecSource[] = [
  { version: "1.0", file: "kmip-spec-v1.0.md", tagSection: "9.1.3.1", enumParent: "9.1.3.2", maskParent: "9.1.3.3", attributeParent: "3", itemTypeSection: "9.1.1.2" },
  { version: "1.1", file: "kmip-spec-v1.1.md", tagSection: "9.1.3.1", enumParent: "9.1.3.2", maskParent: "9.1.3.3", attributeParent: "3", itemTypeSection: "9.1.1.2" },
  { version: "1.2", file: "kmip-spec-v1.2.md", tagSection: "9.1.3.1", enumParent: "9.1.3.2", maskParent: "9.1.3.3", attributeParent: "3", itemTypeSection: "9.1.1.2" },
  { version: "1.3", file: "kmip-spec-v1.3.md", tagSection: "9.1.3.1", enumParent: "9.1.3.2", maskParent: "9.1.3.3", attributeParent: "3", itemTypeSection: "9.1.1.2" },
  { version: "1.4", file: "kmip-spec-v1.4.md", tagSection: "9.1.3.1", enumParent: "9.1.3.2", maskParent: "9.1.3.3", attributeParent: "3", itemTypeSection: "9.1.1.2" },
  { version: "2.0", file: "kmip-spec-v2.0.md", tagSection: "11.54", enumParent: "11", maskParent: "12", attributeParent: "4" },
  { version: "2.1", file: "kmip-spec-v2.1.md", tagSection: "11.56", enumParent: "11", maskParent: "12", attributeParent: "4" },
];

/** Errata documents read for changes to tables (see errata.ts). */
export const ERRATA_FILES: readonly { version: KmipVersion; file: string }[] = [
  { version: "1.1", file: "kmip-spec-v1.1-errata01.md" },
  { version: "1.4", file: "kmip-spec-v1.4-errata01.md" },
];

/** The repo root (two levels above this file), independent of the working directory. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** `${KMIP_SPEC_DIR:-../shared/kmip-spec}`, relative paths taken from the repo root. */
export function specDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(REPO_ROOT, env.KMIP_SPEC_DIR ?? "../shared/kmip-spec");
}

export interface LoadedSpec {
  readonly source: SpecSource;
  readonly doc: SpecDoc;
}

export function loadSpecs(dir: string): LoadedSpec[] {
  return SOURCES.map((source) => ({ source, doc: parseSpec(source.version, dir, source.file) }));
}
