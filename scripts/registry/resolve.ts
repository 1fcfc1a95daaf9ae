/**
 * Puts the pieces together per tag: its item type(s), the enumeration or mask it draws values
 * from, and the overrides. Everything the text leaves open is reported, never guessed.
 *
 * Item type, per version, from the first source that types the tag in that version:
 *   1. structure and attribute tables (types.ts, attributes.ts);
 *   2. the 1.x Tag Cross-Reference appendix (not normative; 1.0/1.1 tags only);
 *   3. the description cell of a payload table ("A Boolean. …").
 * A tag no source types, named like an enumeration (a mask), is an Enumeration (an Integer).
 * `type` is set when every version agrees; otherwise `types` lists each type with its versions.
 */
import { normalizeName } from "../../src/kmip/names.js";
import type { ItemTypeName } from "../../src/kmip/tables.js";
import type { KmipVersion } from "../../src/kmip/versions.js";
import type { EnumTables } from "./enums.js";
import type { SectionRefErratum } from "./errata.js";
import { ENUM_OVERRIDES, MASK_OVERRIDES, TYPE_OVERRIDES } from "./overrides.js";
import type { TagDef, TagTables } from "./tags.js";
import type { TypeClaim, TypeClaims } from "./types.js";
import { getOrAdd } from "./util.js";

/** The enumeration the registry builds from the tag rows (2.x §11.54/§11.56). */
export const TAG_ENUMERATION = "Tag";

export interface ResolvedTag {
  readonly def: TagDef;
  readonly xmlName: string;
  readonly type: ItemTypeName | undefined;
  /** Every type the spec gives, with the versions giving it, when it gives more than one. */
  readonly types: Map<ItemTypeName, Set<KmipVersion>> | undefined;
  readonly enumeration: string | undefined;
  readonly mask: string | undefined;
}

export interface Resolution {
  readonly tags: ResolvedTag[];
  /** Findings worth a look: types that vary, prose typing, errata applied, conflicts. */
  readonly report: string[];
}

/** Where types come from, strongest first. */
export interface ClaimSources {
  readonly tables: TypeClaims;
  readonly appendix: TypeClaims;
  readonly prose: TypeClaims;
}

type Candidates = Map<string, Set<KmipVersion>>;

export function resolveTags(tagTables: TagTables, sources: ClaimSources, enumTables: EnumTables, errata: readonly SectionRefErratum[]): Resolution {
  const report: string[] = [];
  const used = new Set<string>();
  const tags = [...tagTables.tags.values()]
    .sort((a, b) => a.value - b.value)
    .map((def): ResolvedTag => {
      const xmlName = normalizeName(def.name);
      const { type, types } = resolveType(def, xmlName, sources, enumTables, report, used);
      const isEnum = type === "Enumeration" || types?.has("Enumeration") === true;
      const refs = collectRefs(def, xmlName, [...(sources.tables.get(def.value) ?? []), ...(sources.appendix.get(def.value) ?? [])], enumTables, errata, report);
      const enumeration = resolveEnumeration(def, xmlName, isEnum, refs.enums, enumTables, report, used);
      const mask = resolveMask(def, xmlName, type, refs.masks, enumTables, report, used);
      return { def, xmlName, type, types, enumeration, mask };
    });
  for (const [list, name] of [[TYPE_OVERRIDES, "TYPE_OVERRIDES"], [ENUM_OVERRIDES, "ENUM_OVERRIDES"], [MASK_OVERRIDES, "MASK_OVERRIDES"]] as const) {
    for (const k of Object.keys(list)) if (!used.has(`${name}.${k}`)) throw new Error(`${name}: ${k} is not a tag`);
  }
  return { tags, report };
}

function resolveType(def: TagDef, xmlName: string, sources: ClaimSources, enumTables: EnumTables, report: string[], used: Set<string>): { type: ItemTypeName | undefined; types: Map<ItemTypeName, Set<KmipVersion>> | undefined } {
  const effective: TypeClaim[] = [];
  for (const v of def.versions) {
    for (const source of [sources.tables, sources.appendix, sources.prose]) {
      const typed = (source.get(def.value) ?? []).filter((c) => c.version === v && c.types !== undefined);
      if (typed.length === 0) continue;
      effective.push(...typed);
      if (source === sources.prose) report.push(`typed from prose: ${def.name} (${v}, line ${typed[0]!.line}) ${typed[0]!.types!.join("+")}`);
      break;
    }
  }
  const byType = new Map<ItemTypeName, Set<KmipVersion>>();
  for (const c of effective) for (const t of c.types ?? []) getOrAdd(byType, t, () => new Set<KmipVersion>()).add(c.version);
  const varies = effective.some((c) => c.types?.length === 0);
  if (byType.size === 0 && !varies) {
    const named = enumTables.enums.has(xmlName) ? "Enumeration" : enumTables.masks.has(xmlName) ? "Integer" : undefined;
    if (named) {
      byType.set(named, new Set(def.versions));
      report.push(`typed by name: ${def.name} ${named}`);
    }
  }
  const override = TYPE_OVERRIDES[xmlName];
  if (override) {
    used.add(`TYPE_OVERRIDES.${xmlName}`);
    return { type: override.type, types: undefined };
  }
  if (byType.size > 1) report.push(`type varies: ${def.name} — ${[...byType].map(([t, vs]) => `${t} (${[...vs].join(", ")})`).join("; ")}`);
  return { type: byType.size === 1 && !varies ? [...byType.keys()][0] : undefined, types: byType.size > 1 ? byType : undefined };
}

/** The enumeration and mask sections a tag's rows point at ("see 9.1.3.2.13", "Enumeration (Item Type)"). */
function collectRefs(def: TagDef, xmlName: string, claims: readonly TypeClaim[], enumTables: EnumTables, errata: readonly SectionRefErratum[], report: string[]): { enums: Candidates; masks: Candidates } {
  const enums: Candidates = new Map();
  const masks: Candidates = new Map();
  for (const c of claims) {
    for (let ref of c.refs) {
      const e = errata.find((x) => x.version === c.version && x.from === ref);
      if (e && enumTables.bySection.get(`${c.version} ${e.to}`)?.xmlName === xmlName && enumTables.bySection.get(`${c.version} ${e.from}`)?.xmlName !== xmlName) {
        report.push(`erratum applied: ${e.source}: ${def.name} (${c.version}, line ${c.line}) see ${e.from} → ${e.to}`);
        ref = e.to;
      }
      const target = enumTables.bySection.get(`${c.version} ${ref}`);
      if (target) getOrAdd(target.kind === "enum" ? enums : masks, target.xmlName, () => new Set<KmipVersion>()).add(c.version);
    }
    if (c.namedEnum) getOrAdd(enums, normalizeName(c.namedEnum), () => new Set<KmipVersion>()).add(c.version);
  }
  return { enums, masks };
}

function resolveEnumeration(def: TagDef, xmlName: string, isEnum: boolean, cands: Candidates, enumTables: EnumTables, report: string[], used: Set<string>): string | undefined {
  let enumeration: string | undefined;
  if (ENUM_OVERRIDES[xmlName]) {
    used.add(`ENUM_OVERRIDES.${xmlName}`);
    enumeration = ENUM_OVERRIDES[xmlName]!.enumeration;
  } else if (isEnum) {
    // no reference (the 2.x tables give none): the enumeration of the tag's own name
    if (cands.size === 0 && enumTables.enums.has(xmlName)) cands.set(xmlName, new Set(def.versions));
    if (cands.size === 1) enumeration = [...cands.keys()][0];
    else if (cands.size > 1) report.push(`enumeration conflict: ${def.name} — ${[...cands].map(([e, vs]) => `${e} (${[...vs].join(", ")})`).join("; ")}`);
    else report.push(`enumeration unresolved: ${def.name}`);
  }
  if (enumeration !== undefined && enumeration !== TAG_ENUMERATION && !enumTables.enums.has(enumeration)) {
    throw new Error(`tag ${def.name}: enumeration ${enumeration} is not in the tables`);
  }
  return enumeration;
}

function resolveMask(def: TagDef, xmlName: string, type: ItemTypeName | undefined, cands: Candidates, enumTables: EnumTables, report: string[], used: Set<string>): string | undefined {
  if (MASK_OVERRIDES[xmlName]) {
    used.add(`MASK_OVERRIDES.${xmlName}`);
    return MASK_OVERRIDES[xmlName]!.mask;
  }
  if (enumTables.masks.has(xmlName)) getOrAdd(cands, xmlName, () => new Set<KmipVersion>());
  if (cands.size > 1) report.push(`mask conflict: ${def.name} — ${[...cands.keys()].join(", ")}`);
  const mask = cands.size === 1 ? [...cands.keys()][0] : undefined;
  if (mask !== undefined && (type ?? "Integer") !== "Integer") report.push(`mask on a non-Integer tag: ${def.name} (${type})`);
  return mask;
}
