/**
 * KMIP enumerations → node:crypto names for derivation, and the bytes a base object offers
 * (a symmetric key, or the value of a Secret Data object such as a password).
 */
import { Enums, Tag } from "../../kmip/index.js";
import { KmipError, type StructReader } from "../../messages/index.js";
import { ItemType, type TtlvNode } from "../../ttlv/index.js";
import { keyMaterialOf } from "../key-objects.js";
import { keyBlockOf, symmetricKeyBytes } from "../key-material.js";

const H = Enums.HashingAlgorithm;
const A = Enums.CryptographicAlgorithm;
const M = Enums.BlockCipherMode;

const HASHES: ReadonlyMap<number, string> = new Map([
  [H.MD5, "md5"], [H.SHA_1, "sha1"], [H.SHA_224, "sha224"], [H.SHA_256, "sha256"], [H.SHA_384, "sha384"], [H.SHA_512, "sha512"],
  [H.SHA_512_224, "sha512-224"], [H.SHA_512_256, "sha512-256"],
  [H.SHA3_224, "sha3-224"], [H.SHA3_256, "sha3-256"], [H.SHA3_384, "sha3-384"], [H.SHA3_512, "sha3-512"],
]);

/** An HMAC key's algorithm names its hash (the PRF when the request gives none). */
const HMAC_KEYS: ReadonlyMap<number, string> = new Map([
  [A.HMAC_SHA1, "sha1"], [A.HMAC_SHA224, "sha224"], [A.HMAC_SHA256, "sha256"], [A.HMAC_SHA384, "sha384"], [A.HMAC_SHA512, "sha512"],
  [A.HMAC_MD5, "md5"], [A.HMAC_SHA3_224, "sha3-224"], [A.HMAC_SHA3_256, "sha3-256"], [A.HMAC_SHA3_384, "sha3-384"], [A.HMAC_SHA3_512, "sha3-512"],
]);

export function hashName(alg: number): string {
  const h = HASHES.get(alg);
  if (!h) throw new KmipError("InvalidField", "this Hashing Algorithm is not supported for derivation");
  return h;
}

export const hmacKeyHash = (keyAlgorithm: number | undefined): string | undefined =>
  keyAlgorithm === undefined ? undefined : HMAC_KEYS.get(keyAlgorithm);

const MODES: ReadonlyMap<number, string> = new Map([[M.ECB, "ecb"], [M.CBC, "cbc"], [M.CTR, "ctr"], [M.OFB, "ofb"], [M.CFB, "cfb"]]);

/** The node cipher for ENCRYPT derivation: AES or 3DES in a mode (CBC when none is named). */
export function cipherName(alg: number | undefined, mode: number | undefined, keyLen: number): string {
  const m = MODES.get(mode ?? M.CBC);
  if (!m) throw new KmipError("InvalidField", "this Block Cipher Mode is not supported for derivation");
  if (alg === A.AES && [16, 24, 32].includes(keyLen)) return `aes-${keyLen * 8}-${m}`;
  if (alg === A.DES3 && keyLen === 24 && m !== "ctr") return m === "ecb" ? "des-ede3" : `des-ede3-${m}`;
  throw new KmipError("InvalidField", "ENCRYPT derivation needs an AES or 3DES (168-bit) base key");
}

/** The bytes a base object derives from: symmetric key material, or a Secret Data value. */
export function baseBytes(content: TtlvNode): Uint8Array {
  const kb = keyBlockOf(content);
  if (!kb || kb.has(Tag.KeyWrappingData)) throw new KmipError("InvalidObjectType", "the base object holds no usable key material");
  const sym = symmetricKeyBytes(kb);
  if (sym) return sym;
  const km = keyMaterialOf(kb);
  if (km?.type === ItemType.ByteString) return km.value;
  throw new KmipError("InvalidObjectType", "the base object's key material cannot be used for derivation");
}

/** The hashing algorithm and mode the request (or else the base object) names. */
export interface CryptoParams {
  hash?: number;
  algorithm?: number;
  mode?: number;
}

export function readCryptoParams(s: StructReader | undefined): CryptoParams | undefined {
  if (!s) return undefined;
  return { hash: s.optEnum(Tag.HashingAlgorithm), algorithm: s.optEnum(Tag.CryptographicAlgorithm), mode: s.optEnum(Tag.BlockCipherMode) };
}
