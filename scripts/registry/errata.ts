/**
 * Errata that change a table. Of the two errata documents only 1.1 Errata 01 §2.3 touches one:
 * "At [KMIP-Spec] line 425, change section reference from 9.1.3.2.7 to 9.1.3.2.8" — the Split
 * Key Method row of the Split Key object (1.1 §2.2.5), which points at Digital Signature Algorithm
 * (9.1.3.2.7) instead of Split Key Method (9.1.3.2.8). The line number is the PDF's, so the
 * generator applies a "from → to" section change to the rows of that version whose tag name
 * matches the target enumeration's name and not the source's (resolve.ts), and reports each use.
 * The 1.4 errata change prose only (Opaque Object wording, State attribute rules).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { KmipVersion } from "../../src/kmip/versions.js";
import { ERRATA_FILES } from "./sources.js";

export interface SectionRefErratum {
  readonly version: KmipVersion;
  readonly from: string;
  readonly to: string;
  /** e.g. "kmip-spec-v1.1-errata01.md §2.3". */
  readonly source: string;
}

export function readSectionRefErrata(dir: string): SectionRefErratum[] {
  const out: SectionRefErratum[] = [];
  for (const { version, file } of ERRATA_FILES) {
    let heading = "";
    for (const line of readFileSync(join(dir, file), "utf8").split(/\r?\n/)) {
      const h = /^#+\s+(\d+(?:\.\d+)*)\s/.exec(line);
      if (h) heading = h[1]!;
      const m = /change section reference from (\d+(?:\.\d+)+) to (\d+(?:\.\d+)+)/i.exec(line);
      if (m) out.push({ version, from: m[1]!, to: m[2]!, source: `${file} §${heading}` });
    }
  }
  return out;
}
