/**
 * Stored object content → node:crypto KeyObject, for the operations that use a key (Encrypt,
 * Sign, MAC, …) and for Get's format conversion. One place knows how each Key Format Type maps
 * onto node's key import: PKCS#1, PKCS#8, X.509 SubjectPublicKeyInfo and SEC1 as DER, the
 * Transparent RSA formats as JWK, Raw/Transparent Symmetric as a secret key.
 */
import { ECDH, createECDH, createPrivateKey, createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import { Enums, Tag } from "../kmip/index.js";
import { KmipError, StructReader } from "../messages/index.js";
import { ItemType, type StructureNode, type TtlvNode } from "../ttlv/index.js";
import { coordBytes, curveByKmip, type Curve } from "./asymmetric/curves.js";
import { keyBlockOf, symmetricKeyBytes } from "./key-material.js";

const F = Enums.KeyFormatType;
/** Transparent EC formats share one shape (Recommended Curve, then D or Q String) in every version. */
const EC_PRIVATE: ReadonlySet<number> = new Set([F.TransparentECPrivateKey, F.TransparentECDSAPrivateKey, F.TransparentECDHPrivateKey, F.TransparentECMQVPrivateKey]);
const EC_PUBLIC: ReadonlySet<number> = new Set([F.TransparentECPublicKey, F.TransparentECDSAPublicKey, F.TransparentECDHPublicKey, F.TransparentECMQVPublicKey]);

/** The Key Material of a key block: bytes for DER/raw formats, a structure for Transparent ones. */
export function keyMaterialOf(kb: StructReader): TtlvNode | undefined {
  const kv = kb.opt(Tag.KeyValue);
  if (kv?.type !== ItemType.Structure) return undefined;
  return kv.children.find((c) => c.tag === Tag.KeyMaterial);
}

const b64u = (v: bigint): string => {
  let hex = v.toString(16);
  if (hex.length % 2) hex = "0" + hex;
  return Buffer.from(hex, "hex").toString("base64url");
};

function bigField(s: StructReader, tag: number): string {
  const n = s.opt(tag);
  if (n?.type !== ItemType.BigInteger) throw new KmipError("InvalidField", "transparent key is missing a component");
  return b64u(n.value);
}

function importFailed(): never {
  throw new KmipError("InvalidField", "the key material cannot be parsed in its Key Format Type");
}

/** The key of an object's content as a node KeyObject; refuses wrapped or unsupported key blocks. */
export function keyObjectOf(content: StructureNode): KeyObject {
  const kb = keyBlockOf(content);
  if (!kb) throw new KmipError("IncompatibleCryptographicUsageMask", "the object holds no key");
  if (kb.has(Tag.KeyWrappingData)) throw new KmipError("KeyFormatTypeNotSupported", "the key is stored wrapped by a client key; it cannot be used here");
  const fmt = kb.optEnum(Tag.KeyFormatType);
  const km = keyMaterialOf(kb);
  if (content.tag === Tag.SymmetricKey || content.tag === Tag.SecretData) {
    const raw = symmetricKeyBytes(kb) ?? (km?.type === ItemType.ByteString ? km.value : undefined);
    if (!raw) importFailed();
    return createSecretKey(Buffer.from(raw));
  }
  const isPrivate = content.tag === Tag.PrivateKey;
  try {
    if (km?.type === ItemType.ByteString) {
      const der = Buffer.from(km.value);
      switch (fmt) {
        case F.PKCS_1:
          return isPrivate ? createPrivateKey({ key: der, format: "der", type: "pkcs1" }) : createPublicKey({ key: der, format: "der", type: "pkcs1" });
        case F.PKCS_8:
          return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
        case F.X_509:
          return createPublicKey({ key: der, format: "der", type: "spki" });
        case F.ECPrivateKey:
          return createPrivateKey({ key: der, format: "der", type: "sec1" });
        default:
          throw new KmipError("KeyFormatTypeNotSupported", "this Key Format Type cannot be used for cryptographic operations");
      }
    }
    if (km?.type === ItemType.Structure) {
      const s = StructReader.of(km);
      if (fmt === F.TransparentRSAPublicKey) {
        return createPublicKey({ key: { kty: "RSA", n: bigField(s, Tag.Modulus), e: bigField(s, Tag.PublicExponent) }, format: "jwk" });
      }
      if (fmt === F.TransparentRSAPrivateKey) {
        const jwk = {
          kty: "RSA", n: bigField(s, Tag.Modulus), e: bigField(s, Tag.PublicExponent), d: bigField(s, Tag.PrivateExponent),
          p: bigField(s, Tag.P), q: bigField(s, Tag.Q), dp: bigField(s, Tag.PrimeExponentP), dq: bigField(s, Tag.PrimeExponentQ),
          qi: bigField(s, Tag.CRTCoefficient),
        };
        return createPrivateKey({ key: jwk, format: "jwk" });
      }
      if (fmt !== undefined && (EC_PRIVATE.has(fmt) || EC_PUBLIC.has(fmt))) return ecKeyOf(s, EC_PRIVATE.has(fmt));
    }
  } catch (e) {
    if (e instanceof KmipError) throw e;
    importFailed();
  }
  throw new KmipError("KeyFormatTypeNotSupported", "this Key Format Type cannot be used for cryptographic operations");
}

/** A Transparent EC key as JWK: the public point comes from Q String, or is derived from D. */
function ecKeyOf(s: StructReader, isPrivate: boolean): KeyObject {
  const curve = curveByKmip(s.enum(Tag.RecommendedCurve));
  if (!curve) throw new KmipError("InvalidField", "only the curves P-256, P-384, P-521 and secp256k1 are supported");
  const size = coordBytes(curve);
  let point: Buffer;
  let d: Buffer | undefined;
  if (isPrivate) {
    const dn = s.opt(Tag.D);
    if (dn?.type !== ItemType.BigInteger) throw new KmipError("InvalidField", "transparent key is missing a component");
    d = fixed(dn.value, size);
    const ecdh = createECDH(curve.node);
    ecdh.setPrivateKey(d);
    point = ecdh.getPublicKey();
  } else {
    point = uncompressed(Buffer.from(s.bytes(Tag.QString)), curve);
  }
  if (point.length !== 1 + 2 * size || point[0] !== 4) importFailed();
  const jwk: Record<string, string> = {
    kty: "EC", crv: curve.jwk, x: point.subarray(1, 1 + size).toString("base64url"), y: point.subarray(1 + size).toString("base64url"),
  };
  if (d) jwk["d"] = d.toString("base64url");
  return isPrivate ? createPrivateKey({ key: jwk, format: "jwk" }) : createPublicKey({ key: jwk, format: "jwk" });
}

function fixed(v: bigint, size: number): Buffer {
  const hex = v.toString(16).padStart(size * 2, "0");
  if (hex.length > size * 2) importFailed();
  return Buffer.from(hex, "hex");
}

/** Q String may be compressed (02/03‖x); JWK wants x and y. */
function uncompressed(q: Buffer, curve: Curve): Buffer {
  if (q[0] === 4) return q;
  try {
    return ECDH.convertKey(q, curve.node, undefined, undefined, "uncompressed") as Buffer;
  } catch {
    importFailed();
  }
}
