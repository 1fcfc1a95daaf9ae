/**
 * MAC algorithms for MAC / MAC Verify: HMAC with SHA-1, SHA-2, SHA3 (and MD5 for old clients),
 * chosen by the Cryptographic Algorithm of the request's (or key's) Cryptographic Parameters, else
 * the key's own Cryptographic Algorithm; and AES-CMAC (RFC 4493) for an AES key with Block Cipher
 * Mode CMAC. Both accept data in parts: CMAC keeps at most one block back.
 */
import { createCipheriv, createHmac, timingSafeEqual, type KeyObject } from "node:crypto";
import { Enums } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import { hashName, type CryptoParams } from "./params.js";

const A = Enums.CryptographicAlgorithm;
const H = Enums.HashingAlgorithm;

const HMAC_HASH: ReadonlyMap<number, number> = new Map([
  [A.HMAC_MD5, H.MD5],
  [A.HMAC_SHA1, H.SHA_1],
  [A.HMAC_SHA224, H.SHA_224],
  [A.HMAC_SHA256, H.SHA_256],
  [A.HMAC_SHA384, H.SHA_384],
  [A.HMAC_SHA512, H.SHA_512],
  [A.HMAC_SHA3_224, H.SHA3_224],
  [A.HMAC_SHA3_256, H.SHA3_256],
  [A.HMAC_SHA3_384, H.SHA3_384],
  [A.HMAC_SHA3_512, H.SHA3_512],
]);

export interface Mac {
  update(d: Uint8Array): void;
  digest(): Buffer;
}

export function macFor(key: KeyObject, keyAlg: number | undefined, p: CryptoParams): Mac {
  if (p.blockCipherMode === Enums.BlockCipherMode.CMAC) {
    if ((p.cryptographicAlgorithm ?? keyAlg) !== A.AES) throw new KmipError("InvalidField", "CMAC is supported with AES keys");
    return cmac(key);
  }
  const alg = p.cryptographicAlgorithm ?? keyAlg;
  const hash = alg !== undefined ? HMAC_HASH.get(alg) : undefined;
  if (hash === undefined) throw new KmipError("InvalidField", "the key's algorithm is not a supported MAC algorithm");
  const h = createHmac(hashName(hash), key);
  return { update: (d) => void h.update(d), digest: () => h.digest() };
}

export const sameMac = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && timingSafeEqual(a, b);

/** RFC 4493 subkey doubling in GF(2^128). */
function dbl(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

function cmac(key: KeyObject): Mac {
  const bits = (key.symmetricKeySize ?? 0) * 8;
  if (![128, 192, 256].includes(bits)) throw new KmipError("InvalidField", "CMAC needs an AES-128/192/256 key");
  const ecb = createCipheriv(`aes-${bits}-ecb`, key, null).setAutoPadding(false);
  const l = ecb.update(Buffer.alloc(16));
  const k1 = dbl(l);
  const k2 = dbl(k1);
  const cbc = createCipheriv(`aes-${bits}-cbc`, key, Buffer.alloc(16)).setAutoPadding(false);
  let pending = Buffer.alloc(0);
  return {
    update: (d) => {
      pending = Buffer.concat([pending, d]);
      // keep the final block (full or partial) back: it is masked with K1 or K2
      const whole = Math.floor((pending.length - 1) / 16) * 16;
      if (whole > 0) {
        cbc.update(pending.subarray(0, whole)); // CBC chaining state carries the result
        pending = pending.subarray(whole);
      }
    },
    digest: () => {
      let m: Buffer;
      if (pending.length === 16) m = Buffer.from(pending.map((x, i) => x ^ k1[i]!));
      else {
        const padded = Buffer.concat([pending, Buffer.from([0x80]), Buffer.alloc(15 - pending.length)]);
        m = Buffer.from(padded.map((x, i) => x ^ k2[i]!));
      }
      return cbc.update(m).subarray(0, 16);
    },
  };
}
