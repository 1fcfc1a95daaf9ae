/**
 * Object content (the Symmetric Key / Secret Data / … structure a client registers or gets):
 * building it for generated keys, reading the key bytes out of it, and the Raw ⇄ Transparent
 * Symmetric Key conversion Get offers.
 */
import { randomBytes } from "node:crypto";
import { Enums, Tag } from "../kmip/index.js";
import { KmipError, StructReader } from "../messages/index.js";
import { ItemType, bytes, encodeTtlv, enumeration, integer, struct, type StructureNode, type TtlvNode } from "../ttlv/index.js";

const A = Enums.CryptographicAlgorithm;

/** Symmetric algorithms Create generates, with the lengths (bits) each accepts. */
const SYMMETRIC: ReadonlyMap<number, (bits: number) => boolean> = new Map([
  [A.AES, (b: number) => b === 128 || b === 192 || b === 256],
  [A.DES3, (b: number) => b === 112 || b === 168 || b === 128 || b === 192],
  [A.Camellia, (b: number) => b === 128 || b === 192 || b === 256],
  [A.ARIA, (b: number) => b === 128 || b === 192 || b === 256],
  [A.SM4, (b: number) => b === 128],
  // SKIPJACK (withdrawn by NIST, still in every KMIP version's enumeration): making its 80-bit key
  // is only random bytes, for a legacy device to use; kmipd has no SKIPJACK cipher and refuses to
  // encrypt with it (optional SKFF-O-1/2/3 of 1.0–1.2).
  [A.SKIPJACK, (b: number) => b === 80],
  [A.ChaCha20, (b: number) => b === 256],
  [A.ChaCha20Poly1305, (b: number) => b === 256],
  [A.Poly1305, (b: number) => b === 256],
  [A.HMAC_SHA1, (b: number) => b >= 80 && b <= 4096 && b % 8 === 0],
  [A.HMAC_SHA224, (b: number) => b >= 112 && b <= 4096 && b % 8 === 0],
  [A.HMAC_SHA256, (b: number) => b >= 128 && b <= 4096 && b % 8 === 0],
  [A.HMAC_SHA384, (b: number) => b >= 192 && b <= 4096 && b % 8 === 0],
  [A.HMAC_SHA512, (b: number) => b >= 256 && b <= 4096 && b % 8 === 0],
  [A.HMAC_SHA3_224, (b: number) => b >= 112 && b <= 4096 && b % 8 === 0],
  [A.HMAC_SHA3_256, (b: number) => b >= 128 && b <= 4096 && b % 8 === 0],
  [A.HMAC_SHA3_384, (b: number) => b >= 192 && b <= 4096 && b % 8 === 0],
  [A.HMAC_SHA3_512, (b: number) => b >= 256 && b <= 4096 && b % 8 === 0],
]);

/** Bytes of key material for an algorithm and length in bits (3DES keying options use 8-bit bytes with parity). */
function keyBytes(alg: number, bits: number): number {
  if (alg === A.DES3) return bits === 112 || bits === 128 ? 16 : 24;
  return bits / 8;
}

export function generateSymmetric(alg: number, bits: number): Uint8Array {
  const ok = SYMMETRIC.get(alg);
  if (!ok) throw new KmipError("InvalidField", "cryptographic algorithm not supported for Create");
  if (!ok(bits)) throw new KmipError("InvalidField", "cryptographic length not supported for this algorithm");
  return randomBytes(keyBytes(alg, bits));
}

export function symmetricKeyContent(key: Uint8Array, alg: number, bits: number): StructureNode {
  return struct(Tag.SymmetricKey, [
    struct(Tag.KeyBlock, [
      enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw),
      struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Uint8Array.from(key))]), // own copy: callers wipe theirs
      enumeration(Tag.CryptographicAlgorithm, alg),
      integer(Tag.CryptographicLength, bits),
    ]),
  ]);
}

/** The Key Block inside an object's content, if it has one. */
export function keyBlockOf(content: TtlvNode): StructReader | undefined {
  if (content.type !== ItemType.Structure) return undefined;
  const kb = content.children.find((c) => c.tag === Tag.KeyBlock);
  return kb ? StructReader.of(kb) : undefined;
}

/** Key bytes of a Raw or Transparent Symmetric Key block (undefined for other formats or wrapped keys). */
export function symmetricKeyBytes(kb: StructReader): Uint8Array | undefined {
  const fmt = kb.optEnum(Tag.KeyFormatType);
  const kv = kb.opt(Tag.KeyValue);
  if (kv?.type !== ItemType.Structure) return undefined;
  const km = kv.children.find((c) => c.tag === Tag.KeyMaterial);
  if (fmt === Enums.KeyFormatType.Raw && km?.type === ItemType.ByteString) return km.value;
  if (fmt === Enums.KeyFormatType.TransparentSymmetricKey && km?.type === ItemType.Structure) {
    const k = km.children.find((c) => c.tag === Tag.Key);
    return k?.type === ItemType.ByteString ? k.value : undefined;
  }
  return undefined;
}

/** The bytes a Digest is computed over: the key material, or the value of opaque / certificate objects. */
export function digestInput(content: TtlvNode): { value: Uint8Array; format?: number } | undefined {
  const kb = keyBlockOf(content);
  if (kb) {
    const sym = symmetricKeyBytes(kb);
    if (sym) return { value: sym, format: Enums.KeyFormatType.Raw };
    const kv = kb.opt(Tag.KeyValue);
    const km = kv?.type === ItemType.Structure ? kv.children.find((c) => c.tag === Tag.KeyMaterial) : undefined;
    const format = kb.optEnum(Tag.KeyFormatType);
    if (km?.type === ItemType.ByteString) return { value: km.value, format };
    // Transparent formats: over the TTLV encoding of the Key Material structure (TC_182).
    if (km?.type === ItemType.Structure && !kb.has(Tag.KeyWrappingData)) return { value: encodeTtlv(km), format };
    return undefined;
  }
  if (content.type !== ItemType.Structure) return undefined;
  const v = content.children.find((c) => c.tag === Tag.CertificateValue || c.tag === Tag.OpaqueDataValue);
  if (v?.type !== ItemType.ByteString) return undefined;
  // A certificate's digest is over its DER, stated as Key Format Type Raw (TC-CERTATTR-1-14/-20).
  return v.tag === Tag.CertificateValue ? { value: v.value, format: Enums.KeyFormatType.Raw } : { value: v.value };
}

/**
 * The content in the Key Format Type a Get asks for. Symmetric keys convert between Raw and
 * Transparent Symmetric Key; anything else is returned as registered or refused.
 */
export function inFormat(content: StructureNode, wanted: number | undefined): StructureNode {
  const kb = keyBlockOf(content);
  if (wanted === undefined || !kb || kb.optEnum(Tag.KeyFormatType) === wanted) return content;
  const key = symmetricKeyBytes(kb);
  if (content.tag !== Tag.SymmetricKey || !key) throw new KmipError("KeyFormatTypeNotSupported", "conversion to the requested key format is not supported");
  let material: TtlvNode;
  if (wanted === Enums.KeyFormatType.Raw) material = bytes(Tag.KeyMaterial, key);
  else if (wanted === Enums.KeyFormatType.TransparentSymmetricKey) material = struct(Tag.KeyMaterial, [bytes(Tag.Key, key)]);
  else throw new KmipError("KeyFormatTypeNotSupported", "a symmetric key can be returned as Raw or Transparent Symmetric Key");
  const rest = kb.children.filter((c) => c.tag !== Tag.KeyFormatType && c.tag !== Tag.KeyValue);
  const kv = kb.struct(Tag.KeyValue).children.filter((c) => c.tag !== Tag.KeyMaterial);
  return struct(Tag.SymmetricKey, [struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, wanted), struct(Tag.KeyValue, [material, ...kv]), ...rest])]);
}
