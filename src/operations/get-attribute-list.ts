/**
 * Get Attribute List (1.4 §4.13, 2.1 §6.1.21): which attributes an object has — 1.x Attribute
 * Names, 2.x Attribute References (the attribute's tag, or {Vendor Identification, Attribute
 * Name} for a custom attribute) — each once, limited to what the client's version defines.
 */
import { Tag } from "../kmip/index.js";
import { isV2 } from "../messages/index.js";
import { attrInVersion, attrToV2, type Attr } from "../model/index.js";
import { ItemType, enumeration, struct, text, type TtlvNode } from "../ttlv/index.js";
import { loadOnline, targetUid, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const getAttributeList: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const obj = await loadOnline(uid, ctx);
  const first = new Map<string, Attr>();
  for (const a of obj.attrs) if (!first.has(a.name) && attrInVersion(a, ctx.version)) first.set(a.name, a);
  const v2 = isV2(ctx.version);
  return [uidNode(uid), ...[...first.values()].map((a) => (v2 ? reference(a) : text(Tag.AttributeName, a.name)))];
};

function reference(a: Attr): TtlvNode {
  if (a.value.tag !== Tag.AttributeValue) return enumeration(Tag.AttributeReference, a.value.tag);
  const vendor = attrToV2(a);
  const parts = vendor.type === ItemType.Structure ? vendor.children.filter((c) => c.tag === Tag.VendorIdentification || c.tag === Tag.AttributeName) : [];
  return struct(Tag.AttributeReference, parts);
}
