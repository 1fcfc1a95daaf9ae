/**
 * Attributes, version-neutral. Inside kmipd an attribute is a name and a value node:
 *  - a standard attribute is named by its 1.x display name ("Cryptographic Algorithm") and its
 *    value node carries the attribute's own tag (the 2.x element form);
 *  - a custom attribute keeps its full 1.x name ("x-ID"); its value node carries the Attribute
 *    Value tag. A 2.x Vendor Attribute (Vendor Identification "x", name "ID") is the same "x-ID".
 * Conversions to and from the 1.x Attribute structure and the 2.x Attributes element live here,
 * so operation handlers never branch on the version for attribute shapes.
 */
import { Tag, attributeByName, attributeByTag, tagByValue, tagType, type KmipVersion } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { ItemType, integer, struct, text, type TtlvNode } from "../ttlv/index.js";

export interface Attr {
  readonly name: string;
  readonly value: TtlvNode;
}

/** Custom attribute names: "x-" (client-defined) and "y-" (server-defined) in 1.x. */
export const isCustomName = (name: string): boolean =>
  /^[xy]-/.test(name) || (name.includes("-") && attributeByName(name) === undefined);

export function retag(node: TtlvNode, tag: number): TtlvNode {
  return { ...node, tag } as TtlvNode;
}

/** The tag a standard attribute's value carries; undefined for custom attributes. */
export function standardTag(name: string): number | undefined {
  return isCustomName(name) ? undefined : attributeByName(name)?.tag;
}

/** Reads a 1.x `Attribute` structure (Attribute Name, optional Attribute Index, Attribute Value). */
export function attrFromV1(node: TtlvNode): { attr: Attr; index?: number } {
  if (node.type !== ItemType.Structure) throw new KmipError("InvalidMessage", "Attribute must be a Structure");
  const name = node.children.find((c) => c.tag === Tag.AttributeName);
  const idx = node.children.find((c) => c.tag === Tag.AttributeIndex);
  const value = node.children.find((c) => c.tag === Tag.AttributeValue);
  if (name?.type !== ItemType.TextString) throw new KmipError("InvalidMessage", "Attribute Name is required");
  if (idx !== undefined && idx.type !== ItemType.Integer) throw new KmipError("InvalidMessage", "Attribute Index must be an Integer");
  if (value === undefined) throw new KmipError("InvalidMessage", `Attribute ${name.value} has no Attribute Value`);
  return { attr: fromNamedValue(name.value, value), index: idx?.value };
}

/** A 1.x name and Attribute Value node → Attr, checking the value's type against the registry. */
export function fromNamedValue(name: string, value: TtlvNode): Attr {
  if (isCustomName(name)) return { name, value: retag(value, Tag.AttributeValue) };
  const row = attributeByName(name);
  if (!row) throw new KmipError("InvalidField", `unknown attribute ${name}`);
  const expected = tagType(row.tag);
  if (expected !== undefined && value.type !== expected) throw new KmipError("InvalidField", `attribute ${name} has the wrong item type`);
  return { name: row.name, value: retag(value, row.tag) };
}

/** Reads one element of a 2.x `Attributes` structure (a standard attribute or a Vendor Attribute). */
export function attrFromV2(node: TtlvNode): Attr {
  if (node.tag === Tag.Attribute) {
    if (node.type !== ItemType.Structure) throw new KmipError("InvalidMessage", "Attribute must be a Structure");
    const vendor = node.children.find((c) => c.tag === Tag.VendorIdentification);
    const name = node.children.find((c) => c.tag === Tag.AttributeName);
    const value = node.children.find((c) => c.tag === Tag.AttributeValue);
    if (vendor?.type !== ItemType.TextString || name?.type !== ItemType.TextString || value === undefined) {
      throw new KmipError("InvalidMessage", "a Vendor Attribute needs Vendor Identification, Attribute Name and Attribute Value");
    }
    return { name: `${vendor.value}-${name.value}`, value: retag(value, Tag.AttributeValue) };
  }
  const row = attributeByTag(node.tag);
  if (!row) throw new KmipError("InvalidField", `${tagByValue(node.tag)?.xmlName ?? "an unknown tag"} is not an attribute`);
  const expected = tagType(row.tag);
  if (expected !== undefined && node.type !== expected) throw new KmipError("InvalidField", `attribute ${row.name} has the wrong item type`);
  return { name: row.name, value: node };
}

export function attrToV1(a: Attr, index: number): TtlvNode {
  const c: TtlvNode[] = [text(Tag.AttributeName, a.name)];
  if (index > 0) c.push(integer(Tag.AttributeIndex, index));
  c.push(retag(a.value, Tag.AttributeValue));
  return struct(Tag.Attribute, c);
}

export function attrToV2(a: Attr): TtlvNode {
  if (a.value.tag !== Tag.AttributeValue) return a.value;
  const dash = a.name.indexOf("-");
  const vendor = dash > 0 ? a.name.slice(0, dash) : "x";
  const name = dash > 0 ? a.name.slice(dash + 1) : a.name;
  return struct(Tag.Attribute, [text(Tag.VendorIdentification, vendor), text(Tag.AttributeName, name), a.value]);
}

/** Whether this version of the protocol has the attribute (custom attributes exist in all). */
export function attrInVersion(a: Attr, version: KmipVersion): boolean {
  return a.value.tag === Tag.AttributeValue || attributeByTag(a.value.tag, version) !== undefined;
}

/** Attributes of a request in either form: 1.x Template-Attribute / Attribute lists or 2.x Attributes. */
export function readAttributeList(nodes: readonly TtlvNode[]): Attr[] {
  const out: Attr[] = [];
  for (const n of nodes) {
    if (n.tag === Tag.Attribute && isV1Attribute(n)) out.push(attrFromV1(n).attr);
    else out.push(attrFromV2(n));
  }
  return out;
}

/** A 1.x Attribute has no Vendor Identification; a 2.x Vendor Attribute has one. */
export function isV1Attribute(n: TtlvNode): boolean {
  return n.type === ItemType.Structure && !n.children.some((c) => c.tag === Tag.VendorIdentification);
}
