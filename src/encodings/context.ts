/**
 * Which names a value is written with: the registry lookups of the XML/JSON encodings, including
 * the two context rules (1.x AttributeValue typed by the sibling AttributeName; 2.x
 * AttributeReference holding a tag). One place, used by every reader and writer here.
 */
import {
  attributeByName,
  enumForTag,
  enumName,
  enumValue,
  maskForTag,
  maskFromNames,
  maskToNames,
  tagByValue,
  tagByXmlName,
  versionFromNumbers,
  Tag,
  type EnumRow,
  type KmipVersion,
  type MaskRow,
} from "../kmip/index.js";
import { ItemType, type TtlvNode } from "../ttlv/index.js";
import { ValueError } from "./errors.js";
import { hexFixed, parseUint32 } from "./values.js";

/** How the value of one Enumeration or Integer item is named. */
export interface ValueNaming {
  readonly enumeration?: EnumRow;
  readonly mask?: MaskRow;
  /** The Enumeration's value is a tag number, written as the tag's name (2.x AttributeReference). */
  readonly tagValued?: boolean;
}

const NONE: ValueNaming = {};

/** The attribute a 1.x AttributeName text names, preferring the message's version. */
function attributeTag(attrName: string, version: KmipVersion | undefined): number | undefined {
  return (attributeByName(attrName, version) ?? attributeByName(attrName))?.tag;
}

/**
 * Naming of an item's value. `attrName` is the text of the nearest preceding sibling AttributeName,
 * if any (only consulted for AttributeValue).
 */
export function namingFor(tag: number, type: ItemType, attrName: string | undefined, version: KmipVersion | undefined): ValueNaming {
  if (type !== ItemType.Enumeration && type !== ItemType.Integer) return NONE;
  let source = tag;
  if (tag === Tag.AttributeValue) {
    const t = attrName === undefined ? undefined : attributeTag(attrName, version);
    if (t === undefined) return NONE;
    source = t;
  } else if (type === ItemType.Enumeration && tag === Tag.AttributeReference) {
    return { tagValued: true };
  }
  if (type === ItemType.Enumeration) {
    const e = enumForTag(source);
    return e ? { enumeration: e } : NONE;
  }
  const m = maskForTag(source);
  return m ? { mask: m } : NONE;
}

/** Reads an Enumeration value: a name of the item's enumeration (or a tag name), or 0x-hex. */
export function enumFromText(text: string, n: ValueNaming, version: KmipVersion | undefined): number {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseUint32(t, "Enumeration");
  if (n.tagValued) {
    const row = tagByXmlName(t);
    if (!row) throw new ValueError(`"${t}" is not a known tag name (AttributeReference holds a tag)`);
    return row.value;
  }
  if (!n.enumeration) throw new ValueError(`"${t}" cannot be looked up: no enumeration is known for this item (write it as 0x + 8 hex digits)`);
  const v = enumValue(n.enumeration, t, version);
  if (v === undefined) throw new ValueError(`"${t}" is not a value of the enumeration ${n.enumeration.xmlName}`);
  return v;
}

/** Writes an Enumeration value: its name when the registry has one that reads back the same, else 0x%08X. */
export function enumToText(value: number, n: ValueNaming, version: KmipVersion | undefined): string {
  if (n.tagValued) {
    const row = tagByValue(value);
    if (row && tagByXmlName(row.xmlName)?.value === value) return row.xmlName;
  } else if (n.enumeration) {
    const name = enumName(n.enumeration, value, version);
    if (name !== undefined && enumValue(n.enumeration, name, version) === value) return name;
  }
  return hexFixed(value, 8);
}

/** Reads mask components (names or 0x-hex), separated by whitespace (XML) or `|` (JSON); unsigned result. */
export function maskFromText(text: string, m: MaskRow, separator: RegExp): number {
  const parts = text.split(separator).map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.length === 0) throw new ValueError(`an empty mask`);
  for (const p of parts) {
    if (/^0x/i.test(p)) parseUint32(p, `mask component`);
    else if (maskFromNames(m, [p]) === undefined) throw new ValueError(`"${p}" is not a bit of the mask ${m.xmlName}`);
  }
  const v = maskFromNames(m, parts);
  if (v === undefined) throw new ValueError(`"${text}" is not a ${m.xmlName} value`);
  return v;
}

/** Mask names (and a 0x%08X component for bits without a name), or undefined to write a plain number. */
export function maskToParts(value: number, m: MaskRow, version: KmipVersion | undefined): string[] | undefined {
  const u = value >>> 0;
  if (u === 0) return undefined;
  const { names, rest } = maskToNames(m, u, version);
  const parts = rest === 0 ? names : [...names, hexFixed(rest, 8)];
  return maskFromNames(m, parts) === u ? parts : undefined;
}

/** The version named by a message's header ProtocolVersion (first structure child of the message). */
export function messageVersion(message: TtlvNode): KmipVersion | undefined {
  if (message.type !== ItemType.Structure) return undefined;
  const header = message.children[0];
  if (header?.type !== ItemType.Structure) return undefined;
  const pv = header.children.find((c) => c.tag === Tag.ProtocolVersion);
  if (pv?.type !== ItemType.Structure) return undefined;
  const num = (tag: number | undefined): number | undefined => {
    const c = pv.children.find((x) => x.tag === tag);
    return c?.type === ItemType.Integer ? c.value : undefined;
  };
  const major = num(Tag.ProtocolVersionMajor), minor = num(Tag.ProtocolVersionMinor);
  return major === undefined || minor === undefined ? undefined : versionFromNumbers(major, minor);
}
