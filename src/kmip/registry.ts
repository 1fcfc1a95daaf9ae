/**
 * The KMIP registry: lookups over the generated tables. Code everywhere else names tags and
 * enumeration values through this module; no other file writes a tag number or enum value down.
 */
import { ItemType, itemTypeByName } from "../ttlv/types.js";
import { ATTRIBUTE_ROWS } from "./generated/attributes.js";
import { ENUM_ROWS, MASK_ROWS } from "./generated/enums.js";
import { TAG_ROWS } from "./generated/tags.js";
import type { AttributeRow, EnumRow, EnumValueRow, MaskRow, TagRow } from "./tables.js";
import { normalizeName } from "./names.js";
import { inVersion, versionBit, type KmipVersion } from "./versions.js";

const tagsByValue = new Map<number, TagRow>(TAG_ROWS.map((t) => [t.value, t]));
/** Current names first; a former name (formerNames) resolves only where no current name is the same. */
const tagsByXml = new Map<string, TagRow>([
  ...TAG_ROWS.flatMap((t) => (t.formerNames ?? []).map((n): [string, TagRow] => [normalizeName(n), t])),
  ...TAG_ROWS.map((t): [string, TagRow] => [t.xmlName, t]),
]);
const tagsByName = new Map<string, TagRow>([
  ...TAG_ROWS.flatMap((t) => (t.formerNames ?? []).map((n): [string, TagRow] => [n, t])),
  ...TAG_ROWS.map((t): [string, TagRow] => [t.name, t]),
]);

/**
 * The 2.x "Tag" enumeration (2.0 §11.54, 2.1 §11.56) — the values of an Attribute Reference
 * (`<AttributeReference type="Enumeration" value="State"/>`) — served from the tag table rather
 * than generated twice. Not part of allEnums().
 */
export const TAG_ENUM: EnumRow = Object.freeze({
  name: "Tag",
  xmlName: "Tag",
  section: "2.0 §11.54; 2.1 §11.56",
  versions: versionBit("2.0") | versionBit("2.1"),
  note: "built from the tag table by src/kmip/registry.ts",
  values: TAG_ROWS.map((t): EnumValueRow => ({ name: t.name, xmlName: t.xmlName, value: t.value, versions: t.versions })),
});

const enumsByXml = new Map<string, EnumRow>([...ENUM_ROWS.map((e): [string, EnumRow] => [e.xmlName, e]), [TAG_ENUM.xmlName, TAG_ENUM]]);
const masksByXml = new Map<string, MaskRow>(MASK_ROWS.map((m) => [m.xmlName, m]));
const attrsByName = new Map<string, AttributeRow>(ATTRIBUTE_ROWS.map((a) => [a.name, a]));

export const allTags = (): readonly TagRow[] => TAG_ROWS;
export const allEnums = (): readonly EnumRow[] => ENUM_ROWS;
export const allMasks = (): readonly MaskRow[] => MASK_ROWS;
export const allAttributes = (): readonly AttributeRow[] => ATTRIBUTE_ROWS;

export const tagByValue = (value: number): TagRow | undefined => tagsByValue.get(value);
export const tagByXmlName = (xmlName: string): TagRow | undefined => tagsByXml.get(xmlName);
export const tagByName = (display: string): TagRow | undefined => tagsByName.get(display);

/** The tag's value; throws on an unknown name so a typo in code fails loudly. */
export function tag(xmlName: string): number {
  const t = tagsByXml.get(xmlName);
  if (!t) throw new Error(`unknown KMIP tag ${xmlName}`);
  return t.value;
}

/** The item type the spec gives a tag, if it gives exactly one. */
export function tagType(value: number): ItemType | undefined {
  const t = tagsByValue.get(value)?.type;
  return t === undefined ? undefined : itemTypeByName(t);
}

/**
 * The item type the spec gives a tag in one version, if it gives exactly one there
 * (Asynchronous Indicator: Boolean in 1.x, Enumeration in 2.x).
 */
export function tagTypeIn(value: number, version: KmipVersion): ItemType | undefined {
  const t = tagsByValue.get(value);
  if (!t || !inVersion(t.versions, version)) return undefined;
  if (t.type !== undefined) return itemTypeByName(t.type);
  const here = Object.entries(t.types ?? {}).filter(([, m]) => m !== undefined && inVersion(m, version));
  return here.length === 1 ? itemTypeByName(here[0]![0]) : undefined;
}

export const enumByXmlName = (xmlName: string): EnumRow | undefined => enumsByXml.get(xmlName);
export const maskByXmlName = (xmlName: string): MaskRow | undefined => masksByXml.get(xmlName);

export function enumForTag(tagValue: number): EnumRow | undefined {
  const e = tagsByValue.get(tagValue)?.enumeration;
  return e === undefined ? undefined : enumsByXml.get(e);
}

export function maskForTag(tagValue: number): MaskRow | undefined {
  const m = tagsByValue.get(tagValue)?.mask;
  return m === undefined ? undefined : masksByXml.get(m);
}

/** Prefers a value defined in `version`; falls back to any version (names are stable across versions). */
function findValue(rows: readonly EnumValueRow[], pred: (r: EnumValueRow) => boolean, version?: KmipVersion): EnumValueRow | undefined {
  let fallback: EnumValueRow | undefined;
  for (const r of rows) {
    if (!pred(r)) continue;
    if (version === undefined || inVersion(r.versions, version)) return r;
    fallback ??= r;
  }
  return fallback;
}

/** The value of `xmlName` (or of a former name, see EnumValueRow.aliases). */
export function enumValue(e: EnumRow, xmlName: string, version?: KmipVersion): number | undefined {
  return (findValue(e.values, (r) => r.xmlName === xmlName, version) ?? findValue(e.values, (r) => r.aliases?.includes(xmlName) === true, version))?.value;
}

export function enumName(e: EnumRow, value: number, version?: KmipVersion): string | undefined {
  return findValue(e.values, (r) => r.value === value, version)?.xmlName;
}

/** Typed shortcut for code: the value of `Enum.Name`, throwing on a typo. */
export function enumConst(enumXmlName: string, valueXmlName: string): number {
  const e = enumsByXml.get(enumXmlName);
  const v = e && enumValue(e, valueXmlName);
  if (v === undefined) throw new Error(`unknown KMIP enumeration value ${enumXmlName}.${valueXmlName}`);
  return v;
}

/** ORs mask names (or 0x-hex components) together; undefined if a name is unknown. */
export function maskFromNames(m: MaskRow, names: readonly string[]): number | undefined {
  let v = 0;
  for (const n of names) {
    const bit = /^0x[0-9a-f]+$/i.test(n) ? Number.parseInt(n, 16) : m.values.find((r) => r.xmlName === n || r.aliases?.includes(n) === true)?.value;
    if (bit === undefined || !Number.isFinite(bit)) return undefined;
    v = (v | bit) >>> 0;
  }
  return v;
}

/** Splits a mask value into its bit names, with any bits the table does not name left in `rest`. */
export function maskToNames(m: MaskRow, value: number, version?: KmipVersion): { names: string[]; rest: number } {
  const names: string[] = [];
  let rest = value >>> 0;
  for (const r of m.values) {
    if (r.value !== 0 && (rest & r.value) === r.value && (version === undefined || inVersion(r.versions, version))) {
      names.push(r.xmlName);
      rest = (rest & ~r.value) >>> 0;
    }
  }
  return { names, rest };
}

/** The attribute a 1.x Attribute Name names; `version` restricts to attributes that version defines. */
export function attributeByName(name: string, version?: KmipVersion): AttributeRow | undefined {
  const a = attrsByName.get(name);
  return a && (version === undefined || inVersion(a.versions, version)) ? a : undefined;
}

const attrsByTag = new Map<number, AttributeRow>(ATTRIBUTE_ROWS.map((a) => [a.tag, a]));

/** The attribute whose tag this is (the element name of a 2.x attribute). */
export function attributeByTag(tagValue: number, version?: KmipVersion): AttributeRow | undefined {
  const a = attrsByTag.get(tagValue);
  return a && (version === undefined || inVersion(a.versions, version)) ? a : undefined;
}
