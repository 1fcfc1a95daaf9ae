/**
 * A managed object in memory: its attributes (version-neutral, see attributes.ts) and, once
 * unwrapped, its content (the object structure as the client registered or received it, e.g.
 * Symmetric Key { Key Block }). What the store keeps: the attributes, encoded as TTLV, and the
 * content, encoded as TTLV and wrapped by a KEK — never the content in the clear.
 */
import { Tag, attributeByTag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { ItemType, decodeTtlv, encodeTtlv, struct, text, toHex, type TtlvNode } from "../ttlv/index.js";
import { isCustomName, retag, standardTag, type Attr } from "./attributes.js";
import { ruleFor } from "./attribute-rules.js";

export interface ManagedObject {
  readonly uid: string;
  readonly owner: string;
  attrs: Attr[];
  /** Present when the object has key material (or certificate / opaque data) and it was loaded. */
  content?: TtlvNode;
  /** Store revision this object was read at (0 for a new object). */
  revision: number;
  /**
   * The header credential that created the object ("user:…" / "device:…"), when one did: what
   * the "default" operation policy calls the owner. Server-internal: stored beside the
   * attributes, never an attribute, so no Get Attributes, Get Attribute List or Locate shows it.
   */
  creator?: string;
}

export const attrsNamed = (o: ManagedObject, name: string): Attr[] => o.attrs.filter((a) => a.name === name);
export const firstAttr = (o: ManagedObject, name: string): Attr | undefined => o.attrs.find((a) => a.name === name);

function primitive<T>(o: ManagedObject, name: string, type: ItemType): T | undefined {
  const v = firstAttr(o, name)?.value;
  return v && v.type === type && v.type !== ItemType.Structure ? (v.value as T) : undefined;
}

export const objectTypeOf = (o: ManagedObject): number => primitive<number>(o, "Object Type", ItemType.Enumeration) ?? 0;
export const stateOf = (o: ManagedObject): number | undefined => primitive<number>(o, "State", ItemType.Enumeration);
export const enumAttr = (o: ManagedObject, name: string): number | undefined => primitive<number>(o, name, ItemType.Enumeration);
export const intAttr = (o: ManagedObject, name: string): number | undefined => primitive<number>(o, name, ItemType.Integer);
export const dateAttr = (o: ManagedObject, name: string): bigint | undefined => primitive<bigint>(o, name, ItemType.DateTime);

/** Replaces every instance of a standard single-valued attribute (server-side setter: no rule checks). */
export function setServerAttr(o: ManagedObject, name: string, value: TtlvNode): void {
  const tag = standardTag(name);
  if (tag === undefined) throw new Error(`internal: ${name} is not a standard attribute`);
  const attr = { name, value: retag(value, tag) };
  const i = o.attrs.findIndex((a) => a.name === name);
  if (i < 0) o.attrs.push(attr);
  else o.attrs = [...o.attrs.slice(0, i), attr, ...o.attrs.slice(i + 1).filter((a) => a.name !== name)];
}

export function removeAttr(o: ManagedObject, name: string): void {
  o.attrs = o.attrs.filter((a) => a.name !== name);
}

/** The only Operation Policy Name kmipd defines (operations/policy.ts). */
export const DEFAULT_POLICY = "default";

/** Refuses an Operation Policy Name other than "default": kmipd would not enforce it. */
export function requireKnownPolicy(a: Attr): void {
  if (a.name !== "Operation Policy Name") return;
  const v = a.value.type === ItemType.TextString ? a.value.value : undefined;
  if (v !== DEFAULT_POLICY) throw new KmipError("InvalidField", `operation policy ${JSON.stringify(v ?? "")} is not defined; kmipd has only "default"`);
}

/**
 * Adds client-supplied attributes (Create/Register template, Add Attribute), enforcing the rules:
 * server-owned attributes are refused, a single-valued attribute cannot appear twice.
 */
export function addClientAttrs(o: ManagedObject, attrs: readonly Attr[]): void {
  for (const a of attrs) {
    const rule = ruleFor(a.name, isCustomName(a.name));
    if (!rule.clientSet) throw new KmipError("PermissionDenied", `attribute ${a.name} is set by the server`);
    requireKnownPolicy(a);
    if (!rule.multi && o.attrs.some((x) => x.name === a.name)) {
      throw new KmipError("IndexOutOfBounds", `attribute ${a.name} allows a single instance`);
    }
    o.attrs.push(a);
  }
}

/** The store's encoding of the attributes: an Attributes structure, custom ones as Attribute {Name, Value}. */
export function encodeAttrs(attrs: readonly Attr[]): Uint8Array {
  return encodeTtlv(struct(Tag.Attributes, attrNodes(attrs)));
}

const attrNodes = (attrs: readonly Attr[]): TtlvNode[] =>
  attrs.map((a) => (a.value.tag === Tag.AttributeValue ? struct(Tag.Attribute, [text(Tag.AttributeName, a.name), a.value]) : a.value));

export function decodeAttrs(body: Uint8Array): Attr[] {
  return decodeBody(body).attrs;
}

/**
 * The store's body of an object: encodeAttrs plus, for an object a header credential created, one
 * trailing Credential structure holding the creator (not an attribute: decodeBody takes it out).
 */
export function encodeBody(attrs: readonly Attr[], creator: string | undefined): Uint8Array {
  const extra = creator === undefined ? [] : [struct(Tag.Credential, [text(Tag.CredentialValue, creator)])];
  return encodeTtlv(struct(Tag.Attributes, [...attrNodes(attrs), ...extra]));
}

export function decodeBody(body: Uint8Array): { attrs: Attr[]; creator?: string } {
  const root = decodeTtlv(body, { maxMessageSize: Math.max(body.length, 1), maxItems: 1 << 22 });
  if (root.type !== ItemType.Structure) throw new Error("internal: corrupt attribute record");
  let creator: string | undefined;
  const attrs = root.children.filter((n) => {
    if (n.tag !== Tag.Credential) return true;
    const v = n.type === ItemType.Structure ? n.children.find((c) => c.tag === Tag.CredentialValue) : undefined;
    if (v?.type !== ItemType.TextString) throw new Error("internal: corrupt creator record");
    creator = v.value;
    return false;
  }).map((n): Attr => {
    if (n.tag === Tag.Attribute && n.type === ItemType.Structure) {
      const name = n.children.find((c) => c.tag === Tag.AttributeName);
      const value = n.children.find((c) => c.tag === Tag.AttributeValue);
      if (name?.type !== ItemType.TextString || !value) throw new Error("internal: corrupt custom attribute");
      return { name: name.value, value };
    }
    const row = standardName(n.tag);
    return { name: row, value: n };
  });
  return creator === undefined ? { attrs } : { attrs, creator };
}

function standardName(tag: number): string {
  const row = attributeByTag(tag);
  if (!row) throw new Error(`internal: stored attribute with unknown tag 0x${tag.toString(16)}`);
  return row.name;
}

/** A stable string for an attribute value: equal values give equal keys (used for index terms and matching). */
export function valueKey(v: TtlvNode): string {
  switch (v.type) {
    case ItemType.Structure:
      return "s:" + toHex(encodeTtlv(retag(v, 0)));
    case ItemType.ByteString:
      return "b:" + toHex(v.value);
    default:
      return `${v.type}:${String(v.value)}`;
  }
}

/**
 * Attributes not worth an index entry: unique per object or dates (Locate matches dates by range,
 * by scanning the candidates another term gives). Each index entry costs a B-tree key and, for a
 * unique value, a counter of its own — most of an object's size on disk when these were indexed.
 */
const UNINDEXED: ReadonlySet<string> = new Set(["Unique Identifier", "Digest", "Short Unique Identifier"]);

/** Whether Locate may look this attribute value up in the index (else it filters candidates). */
export const isIndexed = (name: string, v: TtlvNode): boolean => !UNINDEXED.has(name) && v.type !== ItemType.DateTime;

/**
 * The index terms of an object: every indexed primitive attribute instance, as "name=valueKey",
 * and every direct field of a structured one, as "name.tag=valueKey" (Locate matches a structure
 * on the fields the client gives, e.g. a Name by its Name Value alone).
 */
export function indexTerms(o: ManagedObject): string[] {
  const terms = new Set<string>();
  for (const a of o.attrs) {
    if (!isIndexed(a.name, a.value)) continue;
    if (a.value.type !== ItemType.Structure) terms.add(termOf(a));
    else for (const f of a.value.children) if (isIndexed(a.name, f)) terms.add(fieldTermOf(a.name, f));
  }
  return [...terms];
}

export const termOf = (a: Attr): string => `${a.name}=${valueKey(a.value)}`;
export const fieldTermOf = (name: string, field: TtlvNode): string => `${name}.${field.tag.toString(16)}=${valueKey(field)}`;
