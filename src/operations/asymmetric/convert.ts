/**
 * Get's Key Format Type conversion for Private and Public Keys: the stored key is imported into
 * node (key-objects.ts) and exported in the requested format. The Key Value carries the Key
 * Material only — attributes a client put inside it at Register are not echoed back (some
 * clients' decoders, e.g. Veeam's, reject a Key Value holding Attribute items).
 */
import { Enums, Tag } from "../../kmip/index.js";
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

/**
 * An RSA key registered in another format also gets a Digest in its default format, PKCS#1
 * (2.0 §4.21: a mandatory SHA-256 instance in the default Key Format Type, plus one for the
 * format the client chose; TC-IMPEXP-4-20). Other key types: undefined (EC and DSA default to
 * their Transparent formats, which kmipd stores as registered).
 */
export function defaultFormatDigestInput(content: StructureNode, algorithm: number | undefined): { value: Uint8Array; format: number } | undefined {
  const kb = keyBlockOf(content);
  if (content.tag !== Tag.PrivateKey && content.tag !== Tag.PublicKey) return undefined;
  if (!kb || !kb.has(Tag.KeyValue) || kb.has(Tag.KeyWrappingData) || algorithm !== Enums.CryptographicAlgorithm.RSA) return undefined;
  const pkcs1 = Enums.KeyFormatType.PKCS_1;
  if (kb.optEnum(Tag.KeyFormatType) === pkcs1) return undefined;
  try {
    const der = keyBlockOf(asymmetricInFormat(content, pkcs1))?.opt(Tag.KeyValue);
    const km = der?.type === ItemType.Structure ? der.children.find((c) => c.tag === Tag.KeyMaterial) : undefined;
    return km?.type === ItemType.ByteString ? { value: km.value, format: pkcs1 } : undefined;
  } catch {
    return undefined; // material kmipd cannot convert keeps only its registered-format digest
  }
}
