/** The elliptic curves kmipd generates and imports: KMIP Recommended Curve ⇄ node/OpenSSL names. */
import { Enums } from "../../kmip/index.js";

export interface Curve {
  readonly kmip: number;
  /** OpenSSL's name (node's namedCurve). */
  readonly node: string;
  /** JWK "crv". */
  readonly jwk: string;
  readonly bits: number;
}

const C = Enums.RecommendedCurve;
export const CURVES: readonly Curve[] = [
  { kmip: C.P_256, node: "prime256v1", jwk: "P-256", bits: 256 },
  { kmip: C.P_384, node: "secp384r1", jwk: "P-384", bits: 384 },
  { kmip: C.P_521, node: "secp521r1", jwk: "P-521", bits: 521 },
  // Last, so a length of 256 alone means P-256; imported (certificates, Register), never chosen by default.
  { kmip: C.SECP256K1, node: "secp256k1", jwk: "secp256k1", bits: 256 },
];

export const curveByKmip = (v: number): Curve | undefined => CURVES.find((c) => c.kmip === v);
export const curveByNode = (name: string): Curve | undefined => CURVES.find((c) => c.node === name);
/** A Cryptographic Length names the curve when no Recommended Curve is given (256 → P-256 …). */
export const curveByBits = (bits: number): Curve | undefined => CURVES.find((c) => c.bits === bits);

/** Size in bytes of one coordinate (and of the private scalar) on the curve. */
export const coordBytes = (c: Curve): number => Math.ceil(c.bits / 8);
