/**
 * The PKCS#12 key derivation (RFC 7292 Appendix B.2) for the PFX MAC key and the
 * pbeWithSHAAnd…-CBC schemes, over any of node's hashes: u = the hash's output size, v = its
 * block size (64 bytes for SHA-1/SHA-224/SHA-256, 128 for SHA-384/SHA-512).
 */
import { createHash } from "node:crypto";

/** Purpose byte ("ID") of Appendix B.3. */
export const KDF_ID = { key: 1, iv: 2, mac: 3 } as const;

const BLOCK: Readonly<Record<string, number>> = { sha1: 64, sha224: 64, sha256: 64, sha384: 128, sha512: 128 };

/** The password as B.1 wants it: BMPString (UTF-16BE) with two zero bytes at the end. */
export function bmpPassword(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, "utf16le").swap16(), Buffer.alloc(2)]);
}

/** n bytes of key material for purpose `id` from a BMP password (bmpPassword) and a salt. */
export function pkcs12Kdf(hash: string, bmpPass: Uint8Array, salt: Uint8Array, id: number, iterations: number, n: number): Buffer {
  const v = BLOCK[hash];
  if (v === undefined) throw new RangeError(`no PKCS#12 KDF for ${hash}`);
  const u = createHash(hash).digest().length;
  const fill = (src: Uint8Array) => {
    if (src.length === 0) return Buffer.alloc(0);
    const out = Buffer.alloc(v * Math.ceil(src.length / v));
    for (let i = 0; i < out.length; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(bmpPass)]);
  const out: Buffer[] = [];
  for (let done = 0; done < n; done += u) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let r = 1; r < iterations; r++) A = createHash(hash).update(A).digest();
    out.push(A);
    const B = fill(A).subarray(0, v);
    // I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = I[j + k]! + B[k]! + carry;
        I[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(out).subarray(0, n);
}
