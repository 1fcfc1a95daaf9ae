/**
 * Item types and enumeration references of tags, read from the spec's structure and attribute
 * tables: every row whose first cell is a tag name and whose second cell is an encoding, e.g.
 *   1.x  | Cryptographic Algorithm | Enumeration, see 9.1.3.2.13 | Yes |
 *   2.x  | Cryptographic Algorithm | Enumeration | Yes |
 *   2.x  | Attribute Reference | Enumeration (Tag) | Yes |
 * (collectTypeClaims; the tag and enumeration tables are skipped). Weaker sources, used only
 * where these say nothing (resolve.ts): the 1.x Tag Cross-Reference appendix
 * (collectAppendixClaims) and payload Description cells (collectProseClaims).
 */
import type { ItemTypeName } from "../../src/kmip/tables.js";
import type { KmipVersion } from "../../src/kmip/versions.js";
import type { Table } from "./markdown.js";
import type { LoadedSpec } from "./sources.js";
import type { TagTables } from "./tags.js";
import { getOrAdd } from "./util.js";

/** What one table row says about a tag. */
export interface TypeClaim {
  readonly version: KmipVersion;
  /** 1-based line in the spec file, for diagnostics. */
  readonly line: number;
  /** Item types the encoding cell names; empty when it says the type varies; undefined when the row has no encoding. */
  readonly types: readonly ItemTypeName[] | undefined;
  /** Section numbers after "see" in either cell (enumeration or mask sections among others). */
  readonly refs: readonly string[];
  /** "Enumeration (Tag)" → "Tag". */
  readonly namedEnum: string | undefined;
}

/** Tag value → every claim about it, in spec order. */
export type TypeClaims = Map<number, TypeClaim[]>;

/**
 * Encoding words in the order they are tried (longest first). "Object Data Structure" (2.x §3) and
 * "Attribute Object" (1.x Template rows: an Attribute structure) are structures.
 */
const TYPE_WORDS: readonly [RegExp, ItemTypeName][] = [
  [/^date[ -]?time[ -]?extended\b/, "DateTimeExtended"],
  [/^date[ -]?time\b/, "DateTime"],
  [/^long[ -]?integer\b/, "LongInteger"],
  [/^big[ -]?integer\b/, "BigInteger"],
  [/^text[ -]?string\b/, "TextString"],
  [/^byte[ -]?string\b/, "ByteString"],
  [/^object data structure\b/, "Structure"],
  [/^attribute object\b/, "Structure"],
  [/^structure\b/, "Structure"],
  [/^integer\b/, "Integer"],
  [/^enumeration\b/, "Enumeration"],
  [/^boolean\b/, "Boolean"],
  [/^interval\b/, "Interval"],
];

/** Cells that say the type depends on context ("Varies, depending on attribute", "Any data type …"). */
const VARIES = /^(varies|any data type)\b/i;

const SKIP_SECTIONS = (num: string, tagSection: string): boolean => num.startsWith("App.") || num === tagSection;

/** The item types an encoding cell names, or undefined if the cell is not an encoding. */
export function parseEncoding(cell: string): { types: ItemTypeName[]; namedEnum: string | undefined } | undefined {
  const text = cell.replace(/\n/g, " ").replace(/\s+/g, " ").trim();
  if (VARIES.test(text)) return { types: [], namedEnum: undefined };
  if (!TYPE_WORDS.some(([re]) => re.test(text.toLowerCase()))) return undefined;
  const namedEnum = /^Enumeration\s*\(([^)]+)\)/i.exec(text)?.[1]?.trim();
  // Parentheticals hold notes ("Text String (with usage limited to …)"); "see …" holds references.
  const body = text.replace(/\([^)]*\)/g, " ").replace(/\bsee\b.*?(?=[;:]|$)/gi, " ").toLowerCase();
  const types = new Set<ItemTypeName>();
  const words = body.split(/[\s,;:/]+/).filter((w) => w.length > 0);
  for (let i = 0; i < words.length; i++) {
    const rest = words.slice(i).join(" ");
    const hit = TYPE_WORDS.find(([re]) => re.test(rest));
    if (!hit) continue;
    types.add(hit[1]);
    i += rest.match(hit[0])![0].split(/\s+/).length - 1; // "big integer" is one type, not two
  }
  return { types: [...types], namedEnum };
}

/** The column headed "Encoding" (2.1 §4.34 has it third), else the second. */
export function encodingColumn(table: Table): number {
  for (const row of table.rows.slice(0, 3)) {
    const i = row.findIndex((c) => /^encoding$/i.test(c));
    if (i > 0) return i;
  }
  return 1;
}

/** Tag lookup by display name: exact first, then case-insensitively ("Server name" in 2.x §7). */
export function tagNameIndex(names: ReadonlyMap<string, number>): (name: string) => number | undefined {
  const lower = new Map([...names].map(([n, v]) => [n.toLowerCase(), v]));
  return (name) => names.get(name) ?? lower.get(name.toLowerCase());
}

function seeRefs(cell: string): string[] {
  const out: string[] = [];
  for (const m of cell.matchAll(/\bsee\s+(?:sections?\s+)?((?:\d+(?:\.\d+)+)(?:\s*(?:,|and)\s*\d+(?:\.\d+)+)*)/gi)) {
    for (const n of m[1]!.matchAll(/\d+(?:\.\d+)+/g)) out.push(n[0]);
  }
  return out;
}

export function collectTypeClaims(specs: readonly LoadedSpec[], tags: TagTables): TypeClaims {
  const claims: TypeClaims = new Map();
  for (const { source, doc } of specs) {
    const lookupTag = tagNameIndex(tags.byVersion.get(doc.version)!);
    for (const table of doc.tables) {
      if (!table.section || SKIP_SECTIONS(table.section.num, source.tagSection)) continue;
      if (table.rows.some((r) => r[0] === "Name" && r[1] === "Value")) continue; // enumeration tables
      const col = encodingColumn(table);
      const rowNames = table.rows.map((r) => (r[0] ?? "").replace(/\s+/g, " ").trim());
      table.rows.forEach((row, i) => {
        if (row.length <= col) return;
        // 2.x §7.26–7.30 (PKCS#11 Function, …): the structure row names the same tag as the one
        // field under it; the wire (and the PKCS11-M test files) carry only the field.
        if (/^structure\b/i.test(row[col]!) && rowNames.indexOf(rowNames[i]!, i + 1) > i) return;
        const first = row[0]!.replace(/\n/g, " ").replace(/\s+/g, " ");
        const name = first.replace(/,?\s*\bsee\b.*$/i, "").trim();
        const value = lookupTag(name);
        if (value === undefined) return;
        const enc = parseEncoding(row[col]!);
        const refs = [...seeRefs(first), ...seeRefs(row[col]!)];
        if (!enc && refs.length === 0) return;
        getOrAdd(claims, value, () => []).push({
          version: doc.version,
          line: table.rowLines[i]!,
          types: enc?.types,
          refs,
          namedEnum: enc?.namedEnum,
        });
      });
    }
  }
  return claims;
}

/**
 * The 1.x appendix "Tag Cross-Reference" (1.0 App. B, 1.1–1.4 App. C; "This table is not
 * normative"; it lists the 1.1 tags only): `| Object | Defined | Type | Notes |`. Used only for
 * tags that no structure table of the same version types (see resolve.ts).
 */
export function collectAppendixClaims(specs: readonly LoadedSpec[], tags: TagTables): TypeClaims {
  const claims: TypeClaims = new Map();
  for (const { doc } of specs) {
    const app = doc.sections.find((s) => s.num.startsWith("App.") && /^Tag Cross-Reference$/i.test(s.title));
    if (!app) continue;
    const names = tags.byVersion.get(doc.version)!;
    for (const table of doc.tables.filter((t) => t.line > app.start && t.line < app.end)) {
      table.rows.forEach((row, i) => {
        const value = names.get((row[0] ?? "").replace(/\n/g, " ").trim());
        if (value === undefined || row.length < 3) return;
        const typeCell = row[2]!.trim();
        const enc = typeCell === "*" ? { types: [], namedEnum: undefined } : parseEncoding(typeCell);
        const refs = [...(row[1] ?? "").matchAll(/\d+(?:\.\d+)+/g)].map((m) => m[0]);
        getOrAdd(claims, value, () => []).push({ version: doc.version, line: table.rowLines[i]!, types: enc?.types, refs, namedEnum: undefined });
      });
    }
  }
  return claims;
}

/**
 * Types stated in a payload table's Description cell, for tags no encoding column types:
 *   "An Integer object that indicates …" (Offset Items), "… (as a Byte String)." (Digested Data),
 *   "A Boolean. If specified …" (Replace Existing), "… to the client. Boolean." (Ephemeral).
 */
const PROSE: readonly RegExp[] = [
  /^An?\s+([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\b/,
  /\(as an?\s+([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\)/,
  /(?:^|\.\s+)([A-Z][a-z]+(?:[ -][A-Z][a-z]+)?)\.\s*$/,
];

export function collectProseClaims(specs: readonly LoadedSpec[], tags: TagTables): TypeClaims {
  const claims: TypeClaims = new Map();
  for (const { source, doc } of specs) {
    const lookupTag = tagNameIndex(tags.byVersion.get(doc.version)!);
    for (const table of doc.tables) {
      if (!table.section || SKIP_SECTIONS(table.section.num, source.tagSection)) continue;
      if (table.rows.slice(0, 3).some((r) => r.some((c) => /^encoding$/i.test(c)))) continue;
      table.rows.forEach((row, i) => {
        if (row.length < 3) return;
        const value = lookupTag(row[0]!.replace(/,?\s*\bsee\b.*$/i, "").trim());
        if (value === undefined) return;
        const desc = row[row.length - 1]!.replace(/\n/g, " ").trim();
        for (const re of PROSE) {
          const word = re.exec(desc)?.[1];
          const enc = word === undefined ? undefined : parseEncoding(word);
          if (enc && enc.types.length === 1) {
            getOrAdd(claims, value, () => []).push({ version: doc.version, line: table.rowLines[i]!, types: enc.types, refs: [], namedEnum: undefined });
            return;
          }
        }
      });
    }
  }
  return claims;
}
