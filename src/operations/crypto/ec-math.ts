/**
 * Short-Weierstrass curve arithmetic over BigInt, for ECDSA over a digest the client computed
 * (node signs and verifies only messages it hashes itself). Only *public* values go through the
 * point arithmetic here (signature verification: u1·G + u2·Q); it is not constant-time and must
 * never see a private scalar or a nonce. Signing computes k·G with OpenSSL (ecdsa-digest.ts) and
 * uses this file only for the modular arithmetic mod n.
 *
 * Curve constants are the published domain parameters (SEC 2 v2 §2.4.1, §2.5.1, §2.6.1, §2.7.1;
 * FIPS 186-4 D.1.2); test/operations/ecdsa-digest.test.ts checks each generator and order
 * against OpenSSL.
 */

export interface CurveParams {
  /** OpenSSL's name (KeyObject.asymmetricKeyDetails.namedCurve, createECDH). */
  readonly name: string;
  readonly p: bigint;
  readonly a: bigint;
  readonly b: bigint;
  readonly gx: bigint;
  readonly gy: bigint;
  /** Order of the generator (prime). */
  readonly n: bigint;
  /** Bytes of one coordinate. */
  readonly size: number;
}

const h = (s: string): bigint => BigInt(`0x${s.replace(/\s+/g, "")}`);

function nist(name: string, p: bigint, b: string, gx: string, gy: string, n: string, size: number): CurveParams {
  return { name, p, a: p - 3n, b: h(b), gx: h(gx), gy: h(gy), n: h(n), size };
}

export const EC_CURVES: readonly CurveParams[] = [
  nist(
    "secp224r1",
    h("ffffffffffffffffffffffffffffffff000000000000000000000001"),
    "b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4",
    "b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21",
    "bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34",
    "ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d",
    28,
  ),
  nist(
    "prime256v1",
    h("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
    "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    32,
  ),
  nist(
    "secp384r1",
    h("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff"),
    "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
    "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
    "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    48,
  ),
  nist(
    "secp521r1",
    (1n << 521n) - 1n,
    "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
    "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
    "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
    "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    66,
  ),
  {
    name: "secp256k1",
    p: h("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"),
    a: 0n,
    b: 7n,
    gx: h("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"),
    gy: h("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"),
    n: h("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"),
    size: 32,
  },
];

export const ecCurve = (name: string | undefined): CurveParams | undefined => EC_CURVES.find((c) => c.name === name);

export const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m;
  return r < 0n ? r + m : r;
};

export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

/** Inverse modulo a prime (Fermat); 0 has none. */
export const modInv = (a: bigint, prime: bigint): bigint => modPow(a, prime - 2n, prime);

export const bitLength = (x: bigint): number => (x === 0n ? 0 : x.toString(2).length);

export const toBigInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString("hex")}`));

export function toBytes(x: bigint, len: number): Buffer {
  const hex = x.toString(16).padStart(len * 2, "0");
  if (hex.length > len * 2) throw new RangeError("integer too large");
  return Buffer.from(hex, "hex");
}

/** The affine point (x, y); `undefined` is the point at infinity. */
export type Affine = { readonly x: bigint; readonly y: bigint } | undefined;
type Jacobian = readonly [bigint, bigint, bigint]; // Z = 0: infinity

export function onCurve(c: CurveParams, pt: Affine): boolean {
  if (!pt) return false;
  const { x, y } = pt;
  if (x < 0n || x >= c.p || y < 0n || y >= c.p) return false;
  return mod(y * y - (x * x * x + c.a * x + c.b), c.p) === 0n;
}

function double(c: CurveParams, [X, Y, Z]: Jacobian): Jacobian {
  const p = c.p;
  if (Z === 0n || Y === 0n) return [1n, 1n, 0n];
  const YY = (Y * Y) % p;
  const S = (4n * X * YY) % p;
  const ZZ = (Z * Z) % p;
  const M = mod(3n * X * X + c.a * ZZ * ZZ, p);
  const X3 = mod(M * M - 2n * S, p);
  const Y3 = mod(M * (S - X3) - 8n * YY * YY, p);
  const Z3 = (2n * Y * Z) % p;
  return [X3, Y3, Z3];
}

function add(c: CurveParams, P: Jacobian, Q: Jacobian): Jacobian {
  const p = c.p;
  const [X1, Y1, Z1] = P;
  const [X2, Y2, Z2] = Q;
  if (Z1 === 0n) return Q;
  if (Z2 === 0n) return P;
  const Z1Z1 = (Z1 * Z1) % p;
  const Z2Z2 = (Z2 * Z2) % p;
  const U1 = (X1 * Z2Z2) % p;
  const U2 = (X2 * Z1Z1) % p;
  const S1 = (Y1 * Z2 * Z2Z2) % p;
  const S2 = (Y2 * Z1 * Z1Z1) % p;
  if (U1 === U2) return S1 === S2 ? double(c, P) : [1n, 1n, 0n];
  const H = mod(U2 - U1, p);
  const R = mod(S2 - S1, p);
  const HH = (H * H) % p;
  const HHH = (H * HH) % p;
  const V = (U1 * HH) % p;
  const X3 = mod(R * R - HHH - 2n * V, p);
  const Y3 = mod(R * (V - X3) - S1 * HHH, p);
  const Z3 = (H * Z1 * Z2) % p;
  return [X3, Y3, Z3];
}

function toAffine(c: CurveParams, [X, Y, Z]: Jacobian): Affine {
  if (Z === 0n) return undefined;
  const zi = modInv(Z, c.p);
  const zi2 = (zi * zi) % c.p;
  return { x: (X * zi2) % c.p, y: (Y * zi2 * zi) % c.p };
}

/**
 * u1·G + u2·Q by Shamir's trick, for PUBLIC scalars only (its running time depends on them).
 */
export function mulAddPublic(c: CurveParams, u1: bigint, u2: bigint, q: NonNullable<Affine>): Affine {
  const G: Jacobian = [c.gx, c.gy, 1n];
  const Q: Jacobian = [q.x, q.y, 1n];
  const GQ = add(c, G, Q);
  let acc: Jacobian = [1n, 1n, 0n];
  for (let i = Math.max(bitLength(u1), bitLength(u2)) - 1; i >= 0; i--) {
    acc = double(c, acc);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) acc = add(c, acc, GQ);
    else if (b1) acc = add(c, acc, G);
    else if (b2) acc = add(c, acc, Q);
  }
  return toAffine(c, acc);
}
