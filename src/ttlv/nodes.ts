/** Small constructors so callers build trees without spelling out discriminants. */
import { ItemType, type TtlvNode, type StructureNode, type NumberNode, type BigIntNode, type BooleanNode, type TextNode, type BytesNode } from "./types.js";

export const struct = (tag: number, children: TtlvNode[]): StructureNode => ({ tag, type: ItemType.Structure, children });
export const integer = (tag: number, value: number): NumberNode => ({ tag, type: ItemType.Integer, value });
export const enumeration = (tag: number, value: number): NumberNode => ({ tag, type: ItemType.Enumeration, value });
export const interval = (tag: number, value: number): NumberNode => ({ tag, type: ItemType.Interval, value });
export const longInteger = (tag: number, value: bigint): BigIntNode => ({ tag, type: ItemType.LongInteger, value });
export const bigInteger = (tag: number, value: bigint): BigIntNode => ({ tag, type: ItemType.BigInteger, value });
export const dateTime = (tag: number, value: bigint): BigIntNode => ({ tag, type: ItemType.DateTime, value });
export const dateTimeExtended = (tag: number, value: bigint): BigIntNode => ({ tag, type: ItemType.DateTimeExtended, value });
export const boolean = (tag: number, value: boolean): BooleanNode => ({ tag, type: ItemType.Boolean, value });
export const text = (tag: number, value: string): TextNode => ({ tag, type: ItemType.TextString, value });
export const bytes = (tag: number, value: Uint8Array): BytesNode => ({ tag, type: ItemType.ByteString, value });

/** Deep structural equality of two trees (byte strings by content, bigints by value). */
export function nodesEqual(a: TtlvNode, b: TtlvNode): boolean {
  if (a.tag !== b.tag || a.type !== b.type) return false;
  if (a.type === ItemType.Structure) {
    const bc = (b as StructureNode).children;
    return a.children.length === bc.length && a.children.every((c, i) => nodesEqual(c, bc[i]!));
  }
  if (a.type === ItemType.ByteString) return Buffer.from(a.value).equals(Buffer.from((b as BytesNode).value));
  return a.value === (b as Exclude<TtlvNode, StructureNode | BytesNode>).value;
}
