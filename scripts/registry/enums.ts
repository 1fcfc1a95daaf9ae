/**
 * Enumerations (1.x §9.1.3.2.x, 2.x §11.x) and bit masks (1.x §9.1.3.3.x, 2.x §12.x): every
 * value row of every version, merged by the enumeration's name.
 */
import { EXTERNAL_VALUES } from "./external.js";
import { normalizeName } from "../../src/kmip/names.js";
import type { KmipVersion } from "../../src/kmip/versions.js";
import { childSections, sectionByNum, tablesIn, type Section, type Table } from "./markdown.js";
import { ENUM_TEXT_FIXES, NOT_ENUMERATIONS } from "./overrides.js";
import type { LoadedSpec } from "./sources.js";
import { getOrAdd, type SpecPlace } from "./util.js";

export interface ValueDef {
  /** The latest version's name. */
  name: string;
  xmlName: string;
  readonly value: number;
  readonly versions: Set<KmipVersion>;
  readonly deprecated: Set<KmipVersion>;
  /** xmlNames of the value in older versions' tables, or as the text spelled it before a fix. */
  readonly aliases: Set<string>;
}

export interface EnumDef {
  readonly kind: "enum" | "mask";
  name: string;
  readonly xmlName: string;
  /** Keyed by value: a value renamed between versions is one row (latest name, older names as aliases). */
  readonly values: Map<number, ValueDef>;
  readonly places: SpecPlace[];
  /** Headings and table titles as each version writes them (for the notes). */
  readonly titles: Map<KmipVersion, string>;
  /** Versions whose section has no value table (e.g. PKCS#11 Function: values defined by PKCS#11). */
  readonly noTable: Set<KmipVersion>;
}

export interface EnumTables {
  readonly enums: Map<string, EnumDef>;
  readonly masks: Map<string, EnumDef>;
  /** `${version} ${section}` → the enumeration or mask that section defines. */
  readonly bySection: Map<string, EnumDef>;
  /** Values whose name changed between versions (reported). */
  readonly renames: string[];
}

const VALUE = /^([0-9A-F]{8})\b\s*(.*)$/i;
const RESERVED = /^\(?reserved\)?$/i;

/** "Recommended Curve Enumeration for ECDSA, ECDH, and ECMQV" → "Recommended Curve". */
export function enumNameFromHeading(title: string): string {
  return title.replace(/\s+Enumerations?\b.*$/, "").trim();
}

export function parseEnumTables(specs: readonly LoadedSpec[]): EnumTables {
  const enums = new Map<string, EnumDef>();
  const masks = new Map<string, EnumDef>();
  const bySection = new Map<string, EnumDef>();
  const renames: string[] = [];
  for (const { source, doc } of specs) {
    for (const [kind, parentNum, target] of [["enum", source.enumParent, enums], ["mask", source.maskParent, masks]] as const) {
      const parent = sectionByNum(doc, parentNum);
      if (!parent) throw new Error(`${doc.file}: no section ${parentNum}`);
      for (const s of childSections(doc, parent)) {
        const name = kind === "enum" ? enumNameFromHeading(s.title) : s.title;
        if (NOT_ENUMERATIONS.has(name)) continue;
        const xmlName = normalizeName(name);
        const def = getOrAdd(target, xmlName, () => ({ kind, name, xmlName, values: new Map(), places: [], titles: new Map(), noTable: new Set<KmipVersion>() }));
        def.name = name;
        def.places.push({ version: doc.version, num: s.num });
        bySection.set(`${doc.version} ${s.num}`, def);
        const table = valueTable(tablesIn(doc, s));
        def.titles.set(doc.version, table ? `${s.title} / table "${table.rows[0]?.[0] ?? ""}"` : s.title);
        if (!table) {
          def.noTable.add(doc.version);
          addExternal(def, doc.version);
          continue;
        }
        readValues(def, table, doc.version, s, doc.file, renames);
      }
    }
  }
  for (const { source, doc } of specs) {
    // 1.x §9.1.1.2 "Allowed Item Type Values" (`| Data Type | Coded Value in Hex |`, two hex digits):
    // the same values as the 2.x Item Type Enumeration, so they join it.
    const s = source.itemTypeSection === undefined ? undefined : sectionByNum(doc, source.itemTypeSection);
    if (!s) continue;
    const def = getOrAdd(enums, "ItemType", () => ({ kind: "enum" as const, name: "Item Type", xmlName: "ItemType", values: new Map(), places: [], titles: new Map(), noTable: new Set<KmipVersion>() }));
    const table = tablesIn(doc, s).find((t) => t.rows.some((r) => /^Data Type$/i.test(r[0] ?? "")));
    if (!table) throw new Error(`${doc.file} §${s.num}: no item type table`);
    def.places.push({ version: doc.version, num: s.num });
    def.titles.set(doc.version, `${s.title} (allowed item type values, not an enumeration)`);
    readValues(def, { ...table, rows: table.rows.map((r) => (/^[0-9A-F]{2}$/i.test(r[1] ?? "") ? [r[0]!, `000000${r[1]!}`] : r)) }, doc.version, s, doc.file, renames);
  }
  for (const def of [...enums.values(), ...masks.values()]) for (const v of def.values.values()) v.aliases.delete(v.xmlName);
  return { enums, masks, bySection, renames };
}

/** Values KMIP defines by reference (external.ts), for a version whose section has no table. */
function addExternal(def: EnumDef, version: KmipVersion): void {
  const ext = EXTERNAL_VALUES[def.xmlName];
  if (!ext) return;
  for (const { name, value } of ext.values) {
    const v = getOrAdd(def.values, value, () => ({ name, xmlName: name, value, versions: new Set<KmipVersion>(), deprecated: new Set<KmipVersion>(), aliases: new Set<string>() }));
    v.versions.add(version);
  }
}

/** The table whose header row is Name | Value. */
function valueTable(tables: readonly Table[]): Table | undefined {
  return tables.find((t) => t.rows.some((r) => r[0] === "Name" && r[1] === "Value"));
}

function readValues(def: EnumDef, table: Table, version: KmipVersion, s: Section, file: string, renames: string[]): void {
  const seen = new Set<string>();
  for (const row of table.rows) {
    const m = VALUE.exec(row[1] ?? "");
    if (!m) continue; // header, "Extensions | 8XXXXXXX", masks' "XXX00000"
    const rest = m[2]!.trim();
    if (/^[-–]/.test(rest)) continue; // a reserved range "00000001-00000103"
    // A cell may hold the name and, after a line break, a parenthetical alias:
    // "Content Commitment<br>(Non Repudiation)"; the name is the first line (2.x drops the alias).
    const lines = (row[0] ?? "").split("\n");
    let name = lines[0]!.trim();
    const aliases: string[] = lines.length > 1 ? [normalizeName(lines.join(" "))] : [];
    const fix = ENUM_TEXT_FIXES.find((f) => f.version === version && f.section === s.num && f.from === name);
    if (fix) {
      aliases.push(normalizeName(name));
      name = fix.to;
    }
    if (RESERVED.test(name) || name === "") continue;
    const value = Number.parseInt(m[1]!, 16);
    const xmlName = normalizeName(name);
    if (seen.has(xmlName) || seen.has(m[1]!)) throw new Error(`${file} §${s.num}: value ${name} (${m[1]!}) listed twice`);
    seen.add(xmlName).add(m[1]!);
    const v = getOrAdd(def.values, value, () => ({ name, xmlName, value, versions: new Set<KmipVersion>(), deprecated: new Set<KmipVersion>(), aliases: new Set<string>() }));
    if (v.xmlName !== xmlName) {
      // renamed since an older version (read first): the newer name leads, the older one stays an alias
      v.aliases.add(v.xmlName);
      renames.push(`value renamed: ${def.name} ${m[1]!}: ${v.name} → ${name} (${version} §${s.num})`);
      v.xmlName = xmlName;
    }
    v.name = name;
    for (const a of aliases) if (a !== xmlName) v.aliases.add(a);
    v.versions.add(version);
    if (/deprecated/i.test(rest)) v.deprecated.add(version);
  }
}
