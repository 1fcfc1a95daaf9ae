/**
 * Attributes: 1.x §3.x and 2.x §4.x, one section per attribute, each with an encoding table
 * (`| Object | Encoding |` / `| Item | Encoding |`) whose first row is the attribute itself.
 */
import type { ItemTypeName } from "../../src/kmip/tables.js";
import type { KmipVersion } from "../../src/kmip/versions.js";
import { childSections, sectionByNum, tablesIn, type Table } from "./markdown.js";
import type { LoadedSpec } from "./sources.js";
import type { TagTables } from "./tags.js";
import { encodingColumn, parseEncoding, tagNameIndex, type TypeClaim, type TypeClaims } from "./types.js";
import { getOrAdd, type SpecPlace } from "./util.js";

export interface AttributeDef {
  /** The display name, which is what a 1.x Attribute Name carries. */
  readonly name: string;
  readonly tag: number;
  /** Types per version, from the attribute's encoding table. */
  readonly types: Map<KmipVersion, ItemTypeName[]>;
  readonly versions: Set<KmipVersion>;
  readonly places: SpecPlace[];
}

export interface AttributeTables {
  readonly attributes: Map<string, AttributeDef>;
  /** Claims for tags typed only by their attribute section (the table names another tag). */
  readonly claims: TypeClaims;
  readonly report: string[];
}

function encodingTable(tables: readonly Table[]): { table: Table; header: number; col: number } | undefined {
  for (const table of tables) {
    // `| Item | Encoding |`, not the `| Encoding | Description |` tables some 2.x sections open with
    const header = table.rows.findIndex((r) => r.slice(1).some((c) => /^encoding$/i.test(c)));
    if (header >= 0) return { table, header, col: encodingColumn(table) };
  }
  return undefined;
}

export function parseAttributes(specs: readonly LoadedSpec[], tags: TagTables): AttributeTables {
  const attributes = new Map<string, AttributeDef>();
  const claims: TypeClaims = new Map();
  const report: string[] = [];
  for (const { source, doc } of specs) {
    const lookupTag = tagNameIndex(tags.byVersion.get(doc.version)!);
    const add = (name: string, tag: number, types: ItemTypeName[] | undefined, num: string): void => {
      const def = getOrAdd(attributes, name, () => ({ name, tag, types: new Map(), versions: new Set<KmipVersion>(), places: [] }));
      if (def.tag !== tag) throw new Error(`attribute ${name}: tag ${tag} in ${doc.version}, ${def.tag} before`);
      def.versions.add(doc.version);
      def.places.push({ version: doc.version, num });
      if (types && types.length > 0) def.types.set(doc.version, types);
    };
    for (const s of childSections(doc, sectionByNum(doc, source.attributeParent)!)) {
      const enc = encodingTable(tablesIn(doc, s));
      const first = enc?.table.rows[enc.header + 1];
      const firstEnc = first && enc ? parseEncoding(first[enc.col] ?? "") : undefined;
      const tag = lookupTag(s.title);
      if (tag === undefined) {
        // A section that groups several attributes (2.x §4.6 Certificate Attributes: one row each),
        // or the Vendor Attribute structure (2.x §4.53/§4.60), which is not an attribute of its own.
        if (!enc || firstEnc?.types.includes("Structure")) {
          report.push(`attribute section skipped: ${doc.version} §${s.num} ${s.title}`);
          continue;
        }
        enc.table.rows.slice(enc.header + 1).forEach((row) => {
          const t = lookupTag(row[0] ?? "");
          if (t !== undefined) add(row[0]!, t, parseEncoding(row[enc.col] ?? "")?.types, s.num);
        });
        continue;
      }
      if (firstEnc && firstEnc.types.length === 0) {
        // 1.x §3.33/3.39 Custom Attribute: any type; its instances are named "x-…"/"y-…", not "Custom Attribute".
        report.push(`attribute section skipped (type varies): ${doc.version} §${s.num} ${s.title}`);
        continue;
      }
      add(s.title, tag, firstEnc?.types, s.num);
      if (first && first[0] !== s.title && firstEnc) {
        report.push(`attribute table names "${first[0]}" in ${doc.version} §${s.num} ${s.title}; typed from it`);
        const claim: TypeClaim = { version: doc.version, line: enc!.table.rowLines[enc!.header + 1]!, types: firstEnc.types, refs: [], namedEnum: firstEnc.namedEnum };
        getOrAdd(claims, tag, () => []).push(claim);
      }
    }
  }
  return { attributes, claims, report };
}
