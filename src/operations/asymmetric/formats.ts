/**
 * Asymmetric keys as KMIP content: a node KeyObject → the Key Material of a Key Format Type
 * (PKCS#1, PKCS#8, X.509 SubjectPublicKeyInfo, SEC1 ECPrivateKey, Transparent RSA / EC), the
 * Private Key / Public Key structure around it, and what a key states about itself (algorithm,
 * length, curve).
 */
import { createPublicKey, type KeyObject } from "node:crypto";
import { Enums, Tag } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import { bigInteger, bytes, enumeration, integer, struct, type StructureNode, type TtlvNode } from "../../ttlv/index.js";
import { coordBytes, curveByNode, type Curve } from "./curves.js";

const F = Enums.KeyFormatType;
const A = Enums.CryptographicAlgorithm;

export interface KeyFacts {
  readonly kind: "rsa" | "ec";
  /** RSA: modulus bits; EC: the curve's size (the bit length of Q's order, 2.1 §6.1.9). */
  readonly bits: number;
  readonly curve?: Curve;
}

export function factsOf(k: KeyObject): KeyFacts {
  const d = k.asymmetricKeyDetails;
  if (k.asymmetricKeyType === "rsa" && d?.modulusLength) return { kind: "rsa", bits: d.modulusLength };
  if (k.asymmetricKeyType === "ec" && d?.namedCurve) {
    const curve = curveByNode(d.namedCurve);
    if (curve) return { kind: "ec", bits: curve.bits, curve };
  }
  throw new KmipError("InvalidField", "only RSA and EC keys on P-256, P-384, P-521 and secp256k1 are supported");
}

/** The Cryptographic Algorithm a key's kind implies when the client names none (EC is 1.2+; ECDSA before). */
export function algorithmOf(f: KeyFacts, version: string): number {
  if (f.kind === "rsa") return A.RSA;
  return version === "1.0" || version === "1.1" ? A.ECDSA : A.EC;
}

/** Where each kind of key is stored and returned when no format is asked for (what the test cases expect). */
export function defaultFormat(f: KeyFacts, isPrivate: boolean): number {
  if (f.kind === "rsa") return F.PKCS_1;
  return isPrivate ? F.ECPrivateKey : F.X_509;
}

const der = (k: KeyObject, type: "pkcs1" | "pkcs8" | "spki" | "sec1"): Uint8Array =>
  new Uint8Array(k.export({ format: "der", type } as never) as Buffer);

const big = (tag: number, b64u: string | undefined): TtlvNode => {
  if (!b64u) throw new Error("internal: JWK export lacks a component");
  return bigInteger(tag, BigInt("0x" + (Buffer.from(b64u, "base64url").toString("hex") || "0")));
};

function unsupported(): never {
  throw new KmipError("KeyFormatTypeNotSupported", "the key cannot be expressed in the requested Key Format Type");
}

/** The Key Material of `k` in format `fmt`; `isPrivate` says which half the object holds. */
export function materialOf(k: KeyObject, isPrivate: boolean, fmt: number): TtlvNode {
  const f = factsOf(k);
  const pub = isPrivate ? createPublicKey(k) : k;
  switch (fmt) {
    case F.PKCS_1:
      if (f.kind !== "rsa") unsupported();
      return bytes(Tag.KeyMaterial, der(k, "pkcs1"));
    case F.PKCS_8:
      if (!isPrivate) unsupported();
      return bytes(Tag.KeyMaterial, der(k, "pkcs8"));
    case F.X_509:
      if (isPrivate) unsupported();
      return bytes(Tag.KeyMaterial, der(k, "spki"));
    case F.ECPrivateKey:
      if (!isPrivate || f.kind !== "ec") unsupported();
      return bytes(Tag.KeyMaterial, der(k, "sec1"));
    case F.TransparentRSAPrivateKey: {
      if (!isPrivate || f.kind !== "rsa") unsupported();
      const j = k.export({ format: "jwk" });
      return struct(Tag.KeyMaterial, [
        big(Tag.Modulus, j.n), big(Tag.PrivateExponent, j.d), big(Tag.PublicExponent, j.e), big(Tag.P, j.p), big(Tag.Q, j.q),
        big(Tag.PrimeExponentP, j.dp), big(Tag.PrimeExponentQ, j.dq), big(Tag.CRTCoefficient, j.qi),
      ]);
    }
    case F.TransparentRSAPublicKey: {
      if (isPrivate || f.kind !== "rsa") unsupported();
      const j = pub.export({ format: "jwk" });
      return struct(Tag.KeyMaterial, [big(Tag.Modulus, j.n), big(Tag.PublicExponent, j.e)]);
    }
    case F.TransparentECPrivateKey: {
      if (!isPrivate || !f.curve) unsupported();
      const j = k.export({ format: "jwk" });
      return struct(Tag.KeyMaterial, [enumeration(Tag.RecommendedCurve, f.curve.kmip), big(Tag.D, j.d)]);
    }
    case F.TransparentECPublicKey: {
      if (isPrivate || !f.curve) unsupported();
      return struct(Tag.KeyMaterial, [enumeration(Tag.RecommendedCurve, f.curve.kmip), bytes(Tag.QString, ecPoint(pub, f.curve))]);
    }
    default:
      return unsupported();
  }
}

/** The uncompressed point 04‖x‖y of an EC public key. */
export function ecPoint(pub: KeyObject, c: Curve): Uint8Array {
  const j = pub.export({ format: "jwk" });
  const coord = (s: string | undefined) => {
    const b = Buffer.from(s ?? "", "base64url");
    return Buffer.concat([Buffer.alloc(coordBytes(c) - b.length), b]);
  };
  return new Uint8Array(Buffer.concat([Buffer.from([4]), coord(j.x), coord(j.y)]));
}

/** Private Key / Public Key { Key Block } around a Key Material. */
export function keyContent(isPrivate: boolean, fmt: number, material: TtlvNode, alg: number, bits: number): StructureNode {
  return struct(isPrivate ? Tag.PrivateKey : Tag.PublicKey, [
    struct(Tag.KeyBlock, [
      enumeration(Tag.KeyFormatType, fmt),
      struct(Tag.KeyValue, [material]),
      enumeration(Tag.CryptographicAlgorithm, alg),
      integer(Tag.CryptographicLength, bits),
    ]),
  ]);
}
