/**
 * Helpers for the attribute, Locate and Re-key tests: attributes written once as version-neutral
 * `Attr`s and sent in the form each protocol version uses (1.x Attribute / Template-Attribute,
 * 2.x Attributes / New Attribute / Attribute Reference), and replies read back the same way.
 */
import { expect } from "chai";
import { Enums, Tag, attributeByName, type KmipVersion } from "../../src/kmip/index.js";
import { attrToV1, attrToV2, readAttributeList, retag, type Attr } from "../../src/model/index.js";
import { ItemType, dateTime, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { OK, engine, val, type BatchResult } from "./harness.js";

export const Op = Enums.Operation;
export const R = Enums.ResultReason;
export type Engine = ReturnType<typeof engine>;
export const v2 = (v: KmipVersion): boolean => v.startsWith("2.");

/** A standard attribute (value retagged with the attribute's own tag). */
export function std(name: string, value: TtlvNode): Attr {
  const row = attributeByName(name);
  if (!row) throw new Error(`test: no attribute ${name}`);
  return { name, value: retag(value, row.tag) };
}
/** A custom attribute: "x-ID" in 1.x, Vendor Identification "x" + Attribute Name "ID" in 2.x. */
export const custom = (name: string, value: TtlvNode): Attr => ({ name, value: retag(value, Tag.AttributeValue) });
export const nameAttr = (v: string): Attr =>
  std("Name", struct(0, [text(Tag.NameValue, v), enumeration(Tag.NameType, Enums.NameType.UninterpretedTextString)]));

/** The form an attribute travels in: a 1.x Attribute structure or a 2.x element. */
export const wire = (version: KmipVersion, a: Attr): TtlvNode => (v2(version) ? attrToV2(a) : attrToV1(a, 0));

/** A Create/Register/Re-key attribute list: 1.x Template-Attribute, 2.x Attributes. */
export const template = (version: KmipVersion, attrs: readonly Attr[]): TtlvNode =>
  struct(v2(version) ? Tag.Attributes : Tag.TemplateAttribute, attrs.map((a) => wire(version, a)));

/** Locate's attribute list: direct Attribute children in 1.x, one Attributes structure in 2.x. */
export const query = (version: KmipVersion, attrs: readonly Attr[]): TtlvNode[] =>
  v2(version) ? [struct(Tag.Attributes, attrs.map(attrToV2))] : attrs.map((a) => attrToV1(a, 0));

/** A 2.x Attribute Reference (tag enumeration, or the vendor structure for a custom attribute). */
export function reference(name: string): TtlvNode {
  const row = attributeByName(name);
  if (row && !name.startsWith("x-")) return enumeration(Tag.AttributeReference, row.tag);
  const dash = name.indexOf("-");
  return struct(Tag.AttributeReference, [text(Tag.VendorIdentification, name.slice(0, dash)), text(Tag.AttributeName, name.slice(dash + 1))]);
}

export const aesAttrs = (mask = 12): Attr[] => [
  std("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.AES)),
  std("Cryptographic Length", integer(0, 256)),
  std("Cryptographic Usage Mask", integer(0, mask)),
];

export async function createKey(e: Engine, version: KmipVersion, extra: readonly Attr[] = [], who?: string): Promise<string> {
  const r = await e.op(Op.Create, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), template(version, [...aesAttrs(), ...extra])], version, who);
  expect(r.status, r.message).to.equal(OK);
  return val(r.payload, Tag.UniqueIdentifier) as string;
}

export const uidOf = (r: BatchResult): string => val(r.payload, Tag.UniqueIdentifier) as string;

/** Get Attributes (all, or the names given) read back as Attrs with their 1.x Attribute Index. */
export async function getAttrs(e: Engine, version: KmipVersion, uid: string, names: readonly string[] = []): Promise<(Attr & { index: number })[]> {
  const sel = v2(version) ? names.map(reference) : names.map((n) => text(Tag.AttributeName, n));
  const r = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid), ...sel], version);
  expect(r.status, r.message).to.equal(OK);
  expect(val(r.payload, Tag.UniqueIdentifier)).to.equal(uid);
  const rest = r.payload!.children.slice(1);
  if (v2(version)) {
    expect(rest).to.have.length(1);
    return readAttributeList((rest[0] as StructureNode).children).map((a) => ({ ...a, index: -1 }));
  }
  return rest.map((n) => {
    const [a] = readAttributeList([n]);
    return { ...a!, index: (val(n as StructureNode, Tag.AttributeIndex) as number | undefined) ?? 0 };
  });
}

/** The text of a Text String attribute value, or of a Name's Name Value. */
export function textOf(a: Attr | undefined): string | undefined {
  const v = a?.value;
  if (v?.type === ItemType.TextString) return v.value;
  if (v?.type === ItemType.Structure) return val(v, Tag.NameValue) as string | undefined;
  return undefined;
}

export const enumOf = (a: Attr | undefined): number | undefined => (a?.value.type === ItemType.Enumeration ? a.value.value : undefined);
export const dateOf = (a: Attr | undefined): bigint | undefined => (a?.value.type === ItemType.DateTime ? a.value.value : undefined);
export const nowSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));
export const date = (name: string, t: bigint): Attr => std(name, dateTime(0, t));

/** Reason expected for a version: the 2.x name, or the 1.x reason it maps to. */
export const reasonIn = (version: KmipVersion, v2Reason: number, v1Reason: number): number => (v2(version) ? v2Reason : v1Reason);
/** A key-lifecycle refusal: Wrong Key Lifecycle State in 2.1; Permission Denied in 1.x and 2.0 (as the 2.0 OASIS cases expect). */
export const lifecycleReason = (version: KmipVersion): number => (version === "2.1" ? R.WrongKeyLifecycleState : R.PermissionDenied);
