/**
 * ECDSA over a digest the client computed (Sign / Signature Verify with Digested Data, SEC 1 v2
 * §4.1.3 / §4.1.4, FIPS 186-4 §6.4). node hashes every message it signs, so kmipd does the
 * ECDSA equations itself, but never curve arithmetic on a secret:
 *
 * - signing: k is uniform in [1, n-1] (randomBytes with rejection); R = k·G comes from OpenSSL
 *   (createECDH(curve).setPrivateKey(k), which takes the public key through its constant-time
 *   scalar multiplication); r = R.x mod n; s = k⁻¹(z + r·d) mod n is computed blinded — numerator
 *   and k both multiplied by a fresh random b, which cancels — so the BigInt timings depend on
 *   random values rather than on d or k alone;
 * - verifying uses only public values: BigInt point arithmetic for u1·G + u2·Q (ec-math.ts).
 *
 * z is the leftmost bits of the digest, as many as n has. Signatures are DER
 * SEQUENCE { r INTEGER, s INTEGER } (X9.62), as kmipd's other ECDSA signatures are.
 */
import { ECDH, createECDH, createPublicKey, randomBytes, type KeyObject } from "node:crypto";
import { KmipError } from "../../messages/index.js";
import { bitLength, ecCurve, mod, modInv, mulAddPublic, onCurve, toBigInt, toBytes, type Affine, type CurveParams } from "./ec-math.js";

function curveOf(key: KeyObject): CurveParams {
  const c = ecCurve(key.asymmetricKeyDetails?.namedCurve);
  if (!c) throw new KmipError("FeatureNotSupported", "Digested Data is not supported on this elliptic curve");
  return c;
}

/** z: the digest as an integer, cut to the bit length of n (SEC 1 §4.1.3 step 5). */
export function digestToZ(c: CurveParams, digest: Uint8Array): bigint {
  const nBits = bitLength(c.n);
  const z = toBigInt(digest);
  const extra = digest.length * 8 - nBits;
  return extra > 0 ? z >> BigInt(extra) : z;
}

/** A uniform integer in [1, n-1]. */
export function randomScalar(n: bigint): bigint {
  const bits = bitLength(n);
  const bytes = Math.ceil(bits / 8);
  const mask = (1n << BigInt(bits)) - 1n;
  for (;;) {
    const k = toBigInt(randomBytes(bytes)) & mask;
    if (k !== 0n && k < n) return k;
  }
}

// --- minimal DER (only what the signature and the key exports need) ---

interface Tlv {
  tag: number;
  body: Buffer;
  end: number;
}
function readTlv(b: Buffer, at: number): Tlv {
  if (at + 2 > b.length) throw new RangeError("truncated");
  const tag = b[at]!;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 2 || start + n > b.length) throw new RangeError("bad length");
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | b[start + i]!;
    if (len < 0x80 || (n === 2 && len < 0x100)) throw new RangeError("non-minimal length");
    start += n;
  }
  if (start + len > b.length) throw new RangeError("truncated");
  return { tag, body: b.subarray(start, start + len), end: start + len };
}
function derLen(n: number): Buffer {
  return n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
}
function derInt(x: bigint): Buffer {
  let hex = x.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let body = Buffer.from(hex, "hex");
  if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  return Buffer.concat([Buffer.from([0x02]), derLen(body.length), body]);
}

export function encodeSignature(r: bigint, s: bigint): Buffer {
  const body = Buffer.concat([derInt(r), derInt(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLen(body.length), body]);
}

/** (r, s) from a DER signature; undefined unless it is exactly two minimal positive INTEGERs. */
export function decodeSignature(sig: Uint8Array): { r: bigint; s: bigint } | undefined {
  try {
    const b = Buffer.from(sig);
    const seq = readTlv(b, 0);
    if (seq.tag !== 0x30 || seq.end !== b.length) return undefined;
    const ints: bigint[] = [];
    let at = 0;
    while (at < seq.body.length) {
      const t = readTlv(seq.body, at);
      const v = t.body;
      if (t.tag !== 0x02 || v.length === 0 || v[0]! & 0x80 || (v.length > 1 && v[0] === 0 && !(v[1]! & 0x80))) return undefined;
      ints.push(toBigInt(v));
      at = t.end;
    }
    return ints.length === 2 ? { r: ints[0]!, s: ints[1]! } : undefined;
  } catch {
    return undefined;
  }
}

/** The private scalar d from the key's SEC 1 ECPrivateKey (RFC 5915): SEQUENCE { 1, OCTET STRING d, … }. */
function privateScalar(key: KeyObject): bigint {
  const der = key.export({ format: "der", type: "sec1" });
  const seq = readTlv(der, 0);
  const version = readTlv(seq.body, 0);
  const d = readTlv(seq.body, version.end);
  if (seq.tag !== 0x30 || version.tag !== 0x02 || d.tag !== 0x04) throw new KmipError("CryptographicFailure", "the cryptographic operation failed");
  return toBigInt(d.body);
}

/** The public point from the key's SubjectPublicKeyInfo (a compressed point is expanded by OpenSSL). */
function publicPoint(key: KeyObject, c: CurveParams): Affine {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  const der = pub.export({ format: "der", type: "spki" });
  const seq = readTlv(der, 0);
  const alg = readTlv(seq.body, 0);
  const bits = readTlv(seq.body, alg.end);
  let pt = bits.body.subarray(1);
  if (pt[0] === 0x02 || pt[0] === 0x03) pt = ECDH.convertKey(pt, c.name, undefined, undefined, "uncompressed") as Buffer;
  if (pt[0] !== 0x04 || pt.length !== 1 + 2 * c.size) return undefined;
  return { x: toBigInt(pt.subarray(1, 1 + c.size)), y: toBigInt(pt.subarray(1 + c.size)) };
}

/**
 * r and s for nonce k (already chosen), blinded by b. Separate from signDigestEcdsa so that a
 * published test vector (with its k) can check the equations.
 */
export function ecdsaEquations(c: CurveParams, d: bigint, z: bigint, k: bigint, b: bigint): { r: bigint; s: bigint } | undefined {
  const ecdh = createECDH(c.name);
  ecdh.setPrivateKey(toBytes(k, c.size));
  const R = ecdh.getPublicKey(null, "uncompressed");
  const r = mod(toBigInt(R.subarray(1, 1 + c.size)), c.n);
  if (r === 0n) return undefined;
  // s = (k·b)⁻¹ · (b·z + b·r·d) mod n = k⁻¹ (z + r·d)
  const kb = (k * b) % c.n;
  const num = mod(b * z + ((b * r) % c.n) * d, c.n);
  const s = (modInv(kb, c.n) * num) % c.n;
  return s === 0n ? undefined : { r, s };
}

export function signDigestEcdsa(key: KeyObject, digest: Uint8Array): Buffer {
  const c = curveOf(key);
  const d = privateScalar(key);
  if (d <= 0n || d >= c.n) throw new KmipError("CryptographicFailure", "the cryptographic operation failed");
  const z = digestToZ(c, digest);
  for (;;) {
    const sig = ecdsaEquations(c, d, z, randomScalar(c.n), randomScalar(c.n));
    if (sig) return encodeSignature(sig.r, sig.s);
  }
}

export function verifyDigestEcdsa(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const c = curveOf(key);
  const rs = decodeSignature(signature);
  if (!rs) return false;
  const { r, s } = rs;
  if (r <= 0n || r >= c.n || s <= 0n || s >= c.n) return false;
  let q: Affine;
  try {
    q = publicPoint(key, c);
  } catch {
    return false;
  }
  if (!q || !onCurve(c, q)) return false;
  const w = modInv(s, c.n);
  const z = digestToZ(c, digest);
  const X = mulAddPublic(c, mod(z * w, c.n), (r * w) % c.n, q);
  return X !== undefined && mod(X.x, c.n) === r;
}
