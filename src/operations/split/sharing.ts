/**
 * Secret sharing for split keys (1.4 §2.2.5, 2.1 §2.2.6): XOR (all parts needed) and Shamir's
 * polynomial sharing over GF(2^8), byte by byte, with x = the Key Part Identifier. The field is
 * the one the spec names, x^8 + x^4 + x^3 + x^2 + 1 (0x11D) — not AES's 0x11B; the OASIS TC-SJ-3
 * shares only join to their key under 0x11D.
 */
import { randomBytes } from "node:crypto";

const POLY = 0x11d;
const EXP = new Uint8Array(510);
const LOG = new Uint8Array(256);
{
  // 2 generates the multiplicative group of this field (0x11D is primitive).
  let v = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = v;
    LOG[v] = i;
    v <<= 1;
    if (v & 0x100) v ^= POLY;
  }
  for (let i = 255; i < 510; i++) EXP[i] = EXP[i - 255]!;
}

export const gfMul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);
const gfDiv = (a: number, b: number): number => (a === 0 ? 0 : EXP[LOG[a]! + 255 - LOG[b]!]!);

export interface Share {
  /** The Key Part Identifier: 1…parts. */
  readonly x: number;
  readonly y: Uint8Array;
}

/** XOR split: parts − 1 random shares and one that XORs with them to the secret. */
export function xorSplit(secret: Uint8Array, parts: number): Share[] {
  const shares: Share[] = [];
  const last = Uint8Array.from(secret);
  for (let x = 1; x < parts; x++) {
    const r = randomBytes(secret.length);
    for (let i = 0; i < last.length; i++) last[i]! ^= r[i]!;
    shares.push({ x, y: r });
  }
  shares.push({ x: parts, y: last });
  return shares;
}

export function xorJoin(shares: readonly Share[]): Uint8Array {
  const out = new Uint8Array(shares[0]!.y.length);
  for (const s of shares) for (let i = 0; i < out.length; i++) out[i]! ^= s.y[i]!;
  return out;
}

/** Shamir split: per byte, a random polynomial of degree threshold − 1 with the byte as constant term. */
export function gf256Split(secret: Uint8Array, parts: number, threshold: number): Share[] {
  const coeffs = randomBytes(secret.length * (threshold - 1));
  const shares: Share[] = [];
  for (let x = 1; x <= parts; x++) {
    const y = new Uint8Array(secret.length);
    for (let i = 0; i < secret.length; i++) {
      // Horner, highest coefficient first.
      let acc = 0;
      for (let k = threshold - 2; k >= 0; k--) acc = gfMul(acc, x) ^ coeffs[i * (threshold - 1) + k]!;
      y[i] = gfMul(acc, x) ^ secret[i]!;
    }
    shares.push({ x, y });
  }
  coeffs.fill(0);
  return shares;
}

/** Lagrange interpolation at x = 0 over the shares given (they must be distinct, threshold of them or more). */
export function gf256Join(shares: readonly Share[]): Uint8Array {
  const weights = shares.map((sj, j) => {
    let num = 1;
    let den = 1;
    shares.forEach((sm, m) => {
      if (m === j) return;
      num = gfMul(num, sm.x);
      den = gfMul(den, sm.x ^ sj.x);
    });
    return gfDiv(num, den);
  });
  const out = new Uint8Array(shares[0]!.y.length);
  shares.forEach((s, j) => {
    for (let i = 0; i < out.length; i++) out[i]! ^= gfMul(s.y[i]!, weights[j]!);
  });
  return out;
}
