/**
 * Tag tables: 1.x §9.1.3.1 "Tags", 2.0 §11.54 / 2.1 §11.56 "Tag Enumeration". One definition per
 * tag value, merged across versions.
 */
import type { KmipVersion } from "../../src/kmip/versions.js";
import { sectionByNum, tablesIn } from "./markdown.js";
import type { LoadedSpec } from "./sources.js";
import { getOrAdd, type SpecPlace } from "./util.js";

export interface TagDef {
  readonly value: number;
  /** The name in the latest version that names the value. */
  name: string;
  /** Versions whose table names the value (deprecated rows count, "(Reserved)" rows do not). */
  readonly versions: Set<KmipVersion>;
  /** Versions whose table marks the row deprecated. */
  readonly deprecated: Set<KmipVersion>;
  /** Earlier names of the same value, if the tables renamed it. */
  readonly formerNames: Set<string>;
  readonly places: SpecPlace[];
}

export interface TagTables {
  readonly tags: Map<number, TagDef>;
  /** Per version: display name → value, for the names that version's table lists. */
  readonly byVersion: Map<KmipVersion, Map<string, number>>;
  /** Per version: rows counted like the kmip-spec README (single 42xxxx values incl. reserved). */
  readonly rowCounts: Map<KmipVersion, { rows: number; reserved: number; last: number }>;
}

const TAG_VALUE = /^(?:0x)?(42[0-9A-F]{4})\b\s*(.*)$/i;
const RESERVED = /^\(?reserved\)?$/i;

export function parseTagTables(specs: readonly LoadedSpec[]): TagTables {
  const tags = new Map<number, TagDef>();
  const byVersion = new Map<KmipVersion, Map<string, number>>();
  const rowCounts = new Map<KmipVersion, { rows: number; reserved: number; last: number }>();
  for (const { source, doc } of specs) {
    const section = sectionByNum(doc, source.tagSection);
    if (!section || !/^Tags$|^Tag Enumeration$/.test(section.title)) {
      throw new Error(`${doc.file}: no tag table at §${source.tagSection}`);
    }
    const names = new Map<string, number>();
    const count = { rows: 0, reserved: 0, last: 0 };
    for (const table of tablesIn(doc, section)) {
      for (const row of table.rows) {
        const m = TAG_VALUE.exec(row[1] ?? "");
        if (!m) continue;
        const note = m[2]!.trim();
        if (/^[-–]/.test(note)) continue; // a range such as "420120 – 42FFFF"
        const value = Number.parseInt(m[1]!, 16);
        const name = row[0]!.replace(/\n/g, " ").replace(/\s+/g, " ").trim();
        count.rows++;
        count.last = Math.max(count.last, value);
        if (RESERVED.test(name)) {
          count.reserved++;
          continue;
        }
        if (names.has(name)) throw new Error(`${doc.file}: tag ${name} listed twice`);
        names.set(name, value);
        const def = getOrAdd(tags, value, () => ({ value, name, versions: new Set<KmipVersion>(), deprecated: new Set<KmipVersion>(), formerNames: new Set<string>(), places: [] }));
        if (def.name !== name) {
          // versions are read oldest first, so the later name wins
          def.formerNames.add(def.name);
          def.name = name;
        }
        def.versions.add(doc.version);
        if (/deprecated/i.test(note)) def.deprecated.add(doc.version);
        def.places.push({ version: doc.version, num: source.tagSection });
      }
    }
    byVersion.set(doc.version, names);
    rowCounts.set(doc.version, count);
  }
  for (const def of tags.values()) def.formerNames.delete(def.name);
  return { tags, byVersion, rowCounts };
}
