/** Readable renderings of values and paths for the runner's difference messages. */
import { formatIsoDateTime, type PrimitiveValue } from "../src/encodings/index.js";
import { attributeByName, enumForTag, enumName, maskForTag, maskToNames, tagByValue, Tag } from "../src/kmip/index.js";
import { ItemType, type TtlvNode } from "../src/ttlv/index.js";
import { hex } from "./state.js";

export const tagName = (tag: number): string => tagByValue(tag)?.xmlName ?? `0x${tag.toString(16).padStart(6, "0")}`;

/** The tag whose enumeration or mask names a value: the attribute's own tag for a 1.x AttributeValue. */
function namingTag(tag: number, attrName: string | undefined): number | undefined {
  if (tag !== Tag.AttributeValue) return tag;
  return attrName === undefined ? undefined : attributeByName(attrName)?.tag;
}

const MAX_BYTES = 24;

/** A primitive value as a short human string; enumerations and masks by name where the registry knows them. */
export function formatValue(type: ItemType, value: PrimitiveValue, tag: number, attrName?: string): string {
  switch (type) {
    case ItemType.Enumeration: {
      const t = namingTag(tag, attrName);
      const e = t === undefined ? undefined : enumForTag(t);
      const name = e && typeof value === "number" ? enumName(e, value) : undefined;
      return name ?? `0x${Number(value).toString(16).padStart(8, "0")}`;
    }
    case ItemType.Integer: {
      const t = namingTag(tag, attrName);
      const m = t === undefined ? undefined : maskForTag(t);
      if (m && typeof value === "number" && value !== 0) {
        const { names, rest } = maskToNames(m, value);
        return `${[...names, ...(rest ? [`0x${rest.toString(16)}`] : [])].join("|")} (${value >>> 0})`;
      }
      return String(value);
    }
    case ItemType.DateTime:
      return typeof value === "bigint" ? `${formatIsoDateTime(value)}` : String(value);
    case ItemType.DateTimeExtended:
      return typeof value === "bigint" ? `${formatIsoDateTime(value / 1_000_000n)} (+µs)` : String(value);
    case ItemType.TextString:
      return JSON.stringify(value);
    case ItemType.ByteString: {
      if (!(value instanceof Uint8Array)) return String(value);
      if (value.length === 0) return "(empty)";
      return value.length > MAX_BYTES ? `${hex(value.subarray(0, MAX_BYTES))}… (${value.length} bytes)` : hex(value);
    }
    case ItemType.BigInteger:
      return typeof value === "bigint" ? `0x${value.toString(16).slice(0, MAX_BYTES * 2)}${value.toString(16).length > MAX_BYTES * 2 ? "…" : ""}` : String(value);
    default:
      return String(value);
  }
}

export const typeName = (t: ItemType): string => ItemType[t] ?? `type 0x${Number(t).toString(16)}`;

/** One line describing a node: `Tag (Type) value` or `Tag (Structure, n items)`. */
export function describe(node: TtlvNode, attrName?: string): string {
  if (node.type === ItemType.Structure) {
    const an = attributeNameOf(node);
    if (node.tag !== Tag.Attribute || an === undefined) return `${tagName(node.tag)} (${node.children.length} items)`;
    const v = node.children.find((c) => c.tag === Tag.AttributeValue);
    return `Attribute "${an}"${v && v.type !== ItemType.Structure ? ` = ${formatValue(v.type, v.value, v.tag, an)}` : ""}`;
  }
  return `${tagName(node.tag)} ${formatValue(node.type, node.value, node.tag, attrName)}`;
}

/** The text of a 1.x Attribute's AttributeName child, if any. */
export function attributeNameOf(node: TtlvNode): string | undefined {
  if (node.type !== ItemType.Structure) return undefined;
  const n = node.children.find((c) => c.tag === Tag.AttributeName);
  return n?.type === ItemType.TextString ? n.value : undefined;
}

/** Path segment for a child: `Attribute[State]`, `BatchItem[0]`, `Tag[i]` for repeated tags, else the tag name. */
export function segment(node: TtlvNode, index: number, repeated: boolean): string {
  const name = tagName(node.tag);
  if (node.tag === Tag.Attribute) {
    const an = attributeNameOf(node);
    if (an !== undefined) return `Attribute[${an}]`;
  }
  return repeated || node.tag === Tag.BatchItem ? `${name}[${index}]` : name;
}

export const join = (path: string, seg: string): string => (path === "" ? seg : `${path}/${seg}`);
