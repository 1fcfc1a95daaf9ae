/**
 * Cryptographic Parameters (1.4 §3.6, 2.1 §4.14) as the crypto operations read them: from the
 * request when it carries them, else from the key's Cryptographic Parameters attribute with the
 * lowest index (1.4 §4.29: "If omitted then the Cryptographic Parameters associated with the
 * Managed Cryptographic Object with the lowest Attribute Index SHALL be used"). Also the mapping of
 * KMIP Hashing Algorithms onto node's digest names.
 */
import { getHashes } from "node:crypto";
import { Enums, Tag } from "../../kmip/index.js";
import { KmipError, StructReader } from "../../messages/index.js";
import { firstAttr, type ManagedObject } from "../../model/index.js";

export interface CryptoParams {
  readonly blockCipherMode?: number;
  readonly paddingMethod?: number;
  readonly hashingAlgorithm?: number;
  readonly digitalSignatureAlgorithm?: number;
  readonly cryptographicAlgorithm?: number;
  readonly randomIV?: boolean;
  readonly ivLength?: number;
  readonly tagLength?: number;
  readonly initialCounterValue?: number;
  readonly saltLength?: number;
  readonly maskGenerator?: number;
  readonly maskGeneratorHashingAlgorithm?: number;
  /** OAEP label (P Source). */
  readonly pSource?: Uint8Array;
}

export function readParams(s: StructReader): CryptoParams {
  return {
    blockCipherMode: s.optEnum(Tag.BlockCipherMode),
    paddingMethod: s.optEnum(Tag.PaddingMethod),
    hashingAlgorithm: s.optEnum(Tag.HashingAlgorithm),
    digitalSignatureAlgorithm: s.optEnum(Tag.DigitalSignatureAlgorithm),
    cryptographicAlgorithm: s.optEnum(Tag.CryptographicAlgorithm),
    randomIV: s.optBool(Tag.RandomIV),
    ivLength: s.optInt(Tag.IVLength),
    tagLength: s.optInt(Tag.TagLength),
    initialCounterValue: s.optInt(Tag.InitialCounterValue),
    saltLength: s.optInt(Tag.SaltLength),
    maskGenerator: s.optEnum(Tag.MaskGenerator),
    maskGeneratorHashingAlgorithm: s.optEnum(Tag.MaskGeneratorHashingAlgorithm),
    pSource: s.optBytes(Tag.PSource),
  };
}

/** The request's Cryptographic Parameters, else the key's attribute, else none (defaults apply later). */
export function effectiveParams(payload: StructReader, key: ManagedObject | undefined): CryptoParams {
  const req = payload.optStruct(Tag.CryptographicParameters);
  if (req) return readParams(req);
  const attr = key ? firstAttr(key, "Cryptographic Parameters")?.value : undefined;
  return attr ? readParams(StructReader.of(attr)) : {};
}

const H = Enums.HashingAlgorithm;
const HASH_NAMES: ReadonlyMap<number, string> = new Map([
  [H.MD5, "md5"],
  [H.SHA_1, "sha1"],
  [H.SHA_224, "sha224"],
  [H.SHA_256, "sha256"],
  [H.SHA_384, "sha384"],
  [H.SHA_512, "sha512"],
  [H.RIPEMD_160, "ripemd160"],
  [H.SHA_512_224, "sha512-224"],
  [H.SHA_512_256, "sha512-256"],
  [H.SHA3_224, "sha3-224"],
  [H.SHA3_256, "sha3-256"],
  [H.SHA3_384, "sha3-384"],
  [H.SHA3_512, "sha3-512"],
]);

let available: ReadonlySet<string> | undefined;

/** node's digest name for a KMIP Hashing Algorithm; Invalid Field when node (OpenSSL) lacks it. */
export function hashName(alg: number): string {
  available ??= new Set(getHashes());
  const name = HASH_NAMES.get(alg);
  if (!name || !available.has(name)) throw new KmipError("InvalidField", "the Hashing Algorithm is not supported");
  return name;
}
