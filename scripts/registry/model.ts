/**
 * The merged registry the generator writes: the rows of src/kmip/tables.ts, plus the diagnostics.
 */
import type { AttributeRow, EnumRow, EnumValueRow, ItemTypeName, TagRow } from "../../src/kmip/tables.js";
import { KMIP_VERSIONS, type KmipVersion } from "../../src/kmip/versions.js";
import { parseAttributes, type AttributeDef } from "./attributes.js";
import { parseEnumTables, type EnumDef } from "./enums.js";
import { readSectionRefErrata } from "./errata.js";
import { EXTERNAL_VALUES } from "./external.js";
import { resolveTags } from "./resolve.js";
import { loadSpecs } from "./sources.js";
import { parseTagTables } from "./tags.js";
import { collectAppendixClaims, collectProseClaims, collectTypeClaims } from "./types.js";
import { byCodeUnit, cite, maskOf } from "./util.js";

export interface Registry {
  readonly tags: TagRow[];
  readonly enums: EnumRow[];
  readonly masks: EnumRow[];
  readonly attributes: AttributeRow[];
  /** Row counts of each version's tag table, as the kmip-spec README counts them. */
  readonly tagTableCounts: Map<KmipVersion, { rows: number; reserved: number; last: number }>;
  readonly report: string[];
}

export function buildRegistry(dir: string): Registry {
  const specs = loadSpecs(dir);
  const tagTables = parseTagTables(specs);
  const enumTables = parseEnumTables(specs);
  const attrs = parseAttributes(specs, tagTables);
  const tableClaims = collectTypeClaims(specs, tagTables);
  for (const [k, v] of attrs.claims) tableClaims.set(k, [...(tableClaims.get(k) ?? []), ...v]);
  const resolved = resolveTags(
    tagTables,
    { tables: tableClaims, appendix: collectAppendixClaims(specs, tagTables), prose: collectProseClaims(specs, tagTables) },
    enumTables,
    readSectionRefErrata(dir),
  );
  const report = [...attrs.report, ...enumTables.renames, ...resolved.report];

  const tags: TagRow[] = resolved.tags.map((r) => {
    const row: { -readonly [K in keyof TagRow]: TagRow[K] } = {
      value: r.def.value,
      name: r.def.name,
      xmlName: r.xmlName,
      versions: maskOf(r.def.versions),
      section: cite(r.def.places),
    };
    if (r.type !== undefined) row.type = r.type;
    if (r.types) row.types = Object.fromEntries([...r.types].map(([t, vs]) => [t, maskOf(vs)]));
    if (r.enumeration !== undefined) row.enumeration = r.enumeration;
    if (r.mask !== undefined) row.mask = r.mask;
    if (r.def.deprecated.size > 0) row.deprecated = maskOf(r.def.deprecated);
    if (r.def.formerNames.size > 0) row.formerNames = [...r.def.formerNames].sort();
    return row;
  });

  const enumRow = (d: EnumDef): EnumRow => {
    const values: EnumValueRow[] = [...d.values.values()]
      .sort((a, b) => a.value - b.value)
      .map((v) => {
        const row: { -readonly [K in keyof EnumValueRow]: EnumValueRow[K] } = { name: v.name, xmlName: v.xmlName, value: v.value, versions: maskOf(v.versions) };
        if (v.deprecated.size > 0) row.deprecated = maskOf(v.deprecated);
        if (v.aliases.size > 0) row.aliases = [...v.aliases].sort();
        return row;
      });
    const row: { -readonly [K in keyof EnumRow]: EnumRow[K] } = { name: d.name, xmlName: d.xmlName, values, section: cite(d.places), versions: maskOf(d.places.map((p) => p.version)) };
    const note = enumNote(d);
    if (note) row.note = note;
    return row;
  };
  const byXml = (a: { xmlName: string }, b: { xmlName: string }): number => byCodeUnit(a.xmlName, b.xmlName);
  const enums = [...enumTables.enums.values()].map(enumRow).sort(byXml);
  const masks = [...enumTables.masks.values()].map(enumRow).sort(byXml);

  const tagTypes = new Map(tags.map((t) => [t.value, t.type]));
  const attributes = [...attrs.attributes.values()].map((a) => attributeRow(a, tagTypes.get(a.tag), report)).sort((a, b) => byCodeUnit(a.name, b.name));
  return { tags, enums, masks, attributes, tagTableCounts: tagTables.rowCounts, report };
}

/** Notes where the versions title an enumeration differently, or give no value table. */
function enumNote(d: EnumDef): string | undefined {
  const notes: string[] = [];
  const titles = new Map<string, KmipVersion[]>();
  for (const [v, t] of d.titles) titles.set(t, [...(titles.get(t) ?? []), v]);
  if (titles.size > 1) notes.push(`titled ${[...titles].map(([t, vs]) => `${vs.join("/")}: ${t}`).join("; ")}`);
  const ext = EXTERNAL_VALUES[d.xmlName];
  if (d.noTable.size > 0) notes.push(`no value table in ${[...d.noTable].join(", ")} (values defined outside KMIP${ext ? `: ${ext.source}, scripts/registry/external.ts` : ""})`);
  return notes.length > 0 ? notes.join(". ") : undefined;
}

/**
 * An attribute's type: the one its encoding tables give (else its tag's). Where they give several (2.x Unique
 * Identifier: "Text String, Enumeration or Integer") the stored value is the first, the others
 * being request-time references; the report lists each such case.
 */
function attributeRow(a: AttributeDef, tagType: ItemTypeName | undefined, report: string[]): AttributeRow {
  const all = new Set<ItemTypeName>();
  for (const ts of a.types.values()) for (const t of ts) all.add(t);
  const latest = [...a.types].sort((x, y) => KMIP_VERSIONS.indexOf(y[0]) - KMIP_VERSIONS.indexOf(x[0]))[0]?.[1];
  const firsts = new Set([...a.types.values()].map((ts) => ts[0]!));
  if (!latest) {
    // no encoding table types it (Random Number Generator: "RNG Parameters"): the tag's type
    if (!tagType) throw new Error(`attribute ${a.name}: no type in any version (add a TYPE_OVERRIDES entry)`);
    return { name: a.name, tag: a.tag, type: tagType, versions: maskOf(a.versions), section: cite(a.places) };
  }
  if (all.size > 1) report.push(`attribute types vary: ${a.name} — ${[...a.types].map(([v, ts]) => `${v} ${ts.join("/")}`).join("; ")}; using ${[...firsts].join("/")}`);
  if (firsts.size > 1) throw new Error(`attribute ${a.name}: versions disagree on its type`);
  return { name: a.name, tag: a.tag, type: latest[0]!, versions: maskOf(a.versions), section: cite(a.places) };
}
