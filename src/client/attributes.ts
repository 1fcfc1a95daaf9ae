/** Client-side attribute shapes: one (name, value) list, written the way the session's version wants. */
import { Tag, attributeByName, attributeByTag, type KmipVersion } from "../kmip/index.js";
import { ItemType, integer, struct, text, type StructureNode, type TtlvNode } from "../ttlv/index.js";

/** An attribute by its 1.x name ("Cryptographic Length", "x-Vendor"); the value's tag is ignored. */
export interface ClientAttr {
  readonly name: string;
  readonly value: TtlvNode;
}

const isV2 = (v: KmipVersion): boolean => v.startsWith("2.");
const retag = (n: TtlvNode, tag: number): TtlvNode => ({ ...n, tag }) as TtlvNode;
const custom = (name: string): boolean => attributeByName(name) === undefined;

/** Template-Attribute (1.x) or Attributes (2.x) holding `attrs`. */
export function attributesNode(attrs: readonly ClientAttr[], version: KmipVersion): TtlvNode {
  if (isV2(version)) return struct(Tag.Attributes, attrs.map(v2Element));
  return struct(Tag.TemplateAttribute, attrs.map((a) => v1Attribute(a)));
}

export function v1Attribute(a: ClientAttr, index?: number): StructureNode {
  const c: TtlvNode[] = [text(Tag.AttributeName, a.name)];
  if (index !== undefined) c.push(integer(Tag.AttributeIndex, index));
  c.push(retag(a.value, Tag.AttributeValue));
  return struct(Tag.Attribute, c);
}

export function v2Element(a: ClientAttr): TtlvNode {
  if (custom(a.name)) {
    const dash = a.name.indexOf("-");
    return struct(Tag.Attribute, [
      text(Tag.VendorIdentification, dash > 0 ? a.name.slice(0, dash) : "x"),
      text(Tag.AttributeName, dash > 0 ? a.name.slice(dash + 1) : a.name),
      retag(a.value, Tag.AttributeValue),
    ]);
  }
  return retag(a.value, attributeByName(a.name)!.tag);
}

/** Reads attributes from a response payload in either form. */
export function readAttrs(payload: StructureNode): ClientAttr[] {
  const out: ClientAttr[] = [];
  for (const c of payload.children) {
    if (c.tag === Tag.Attribute && c.type === ItemType.Structure) {
      const name = c.children.find((x) => x.tag === Tag.AttributeName);
      const vendor = c.children.find((x) => x.tag === Tag.VendorIdentification);
      const value = c.children.find((x) => x.tag === Tag.AttributeValue);
      if (name?.type === ItemType.TextString && value) {
        out.push({ name: vendor?.type === ItemType.TextString ? `${vendor.value}-${name.value}` : name.value, value });
      }
    } else if (c.tag === Tag.Attributes && c.type === ItemType.Structure) {
      out.push(...readAttrs(struct(Tag.ResponsePayload, c.children.filter((x) => x.tag === Tag.Attribute))));
      for (const e of c.children) {
        const row = attributeByTag(e.tag);
        if (row) out.push({ name: row.name, value: e });
      }
    }
  }
  return out;
}
