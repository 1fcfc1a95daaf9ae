/**
 * Get's Key Format Type conversion for Private and Public Keys: the stored key is imported into
 * node (key-objects.ts) and exported in the requested format. The Key Value carries the Key
 * Material only — attributes a client put inside it at Register are not echoed back (some
 * clients' decoders, e.g. Veeam's, reject a Key Value holding Attribute items).
 */
import { Tag } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import { ItemType, enumeration, struct, type StructureNode, type TtlvNode } from "../../ttlv/index.js";
import { keyBlockOf } from "../key-material.js";
import { keyObjectOf } from "../key-objects.js";
import { materialOf } from "./formats.js";

export const isAsymmetricContent = (c: StructureNode): boolean => c.tag === Tag.PrivateKey || c.tag === Tag.PublicKey;

export function asymmetricInFormat(content: StructureNode, wanted: number | undefined): StructureNode {
  const kb = keyBlockOf(content);
  if (!kb) return content;
  const stored = kb.optEnum(Tag.KeyFormatType);
  const rest = kb.children.filter((c) => c.tag !== Tag.KeyFormatType && c.tag !== Tag.KeyValue);
  const kv = kb.opt(Tag.KeyValue);
  if (wanted === undefined || wanted === stored) {
    if (kv?.type !== ItemType.Structure) return content; // wrapped: the Key Value is opaque bytes
    const material = kv.children.filter((c) => c.tag === Tag.KeyMaterial);
    return rebuild(content.tag, kb.opt(Tag.KeyFormatType), struct(Tag.KeyValue, material), rest);
  }
  if (kb.has(Tag.KeyWrappingData)) throw new KmipError("KeyFormatTypeNotSupported", "a key stored wrapped by a client key cannot be converted");
  const material = materialOf(keyObjectOf(content), content.tag === Tag.PrivateKey, wanted);
  return rebuild(content.tag, enumeration(Tag.KeyFormatType, wanted), struct(Tag.KeyValue, [material]), rest);
}

function rebuild(tag: number, fmt: TtlvNode | undefined, kv: StructureNode, rest: readonly TtlvNode[]): StructureNode {
  return struct(tag, [struct(Tag.KeyBlock, [...(fmt ? [fmt] : []), kv, ...rest])]);
}
