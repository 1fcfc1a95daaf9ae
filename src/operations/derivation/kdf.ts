/**
 * The key derivation functions Derive Key offers (1.4 §4.6, 2.1 §6.1.19), as pure functions over
 * bytes: no KMIP structures here, so each can be checked against its standard's test vectors
 * (RFC 6070 for PBKDF2, NIST CAVP KBKDF for SP 800-108). node:crypto only.
 */
import { createCipheriv, createHash, createHmac, pbkdf2 } from "node:crypto";
import { promisify } from "node:util";
import { KmipError } from "../../messages/index.js";

/** A pseudorandom function: key, data → one output block. */
export type Prf = (key: Uint8Array, data: Uint8Array) => Buffer;

export const hmacPrf =
  (hash: string): Prf =>
  (key, data) =>
    createHmac(hash, key).update(data).digest();

/** Output size in bytes of a node hash name. */
export const hashSize = (hash: string): number => createHash(hash).digest().length;

function tooLong(): never {
  throw new KmipError("InvalidField", "the requested length exceeds the output of the derivation method");
}

/** First `len` bytes of `out`, refusing a request the method cannot fill. */
function take(out: Buffer, len: number): Buffer {
  if (len > out.length) tooLong();
  return out.subarray(0, len);
}

/** HASH: a digest of the derivation key or data (one block; longer requests are refused). */
export const hashDerive = (hash: string, input: Uint8Array, len: number): Buffer => take(createHash(hash).update(input).digest(), len);

/** HMAC: HMAC(key, data), one block. */
export const hmacDerive = (hash: string, key: Uint8Array, data: Uint8Array, len: number): Buffer => take(hmacPrf(hash)(key, data), len);

const pbkdf2Async = promisify(pbkdf2);

/** Most PBKDF2 iterations one request may ask for (above OWASP's 2023 advice: 600,000 for SHA-256, 1,300,000 for SHA-1). */
export const MAX_PBKDF2_ITERATIONS = 2_000_000;

/**
 * PBKDF2 (RFC 8018): the password is the base object's bytes. Runs on libuv's thread pool, not the
 * event loop, and the Iteration Count is bounded: a client must not be able to stall the server.
 */
export async function pbkdf2Derive(hash: string, password: Uint8Array, salt: Uint8Array, iterations: number, len: number): Promise<Buffer> {
  if (!Number.isInteger(iterations) || iterations < 1) throw new KmipError("InvalidField", "Iteration Count must be at least 1");
  if (iterations > MAX_PBKDF2_ITERATIONS) throw new KmipError("InvalidField", `Iteration Count is limited to ${MAX_PBKDF2_ITERATIONS}`);
  // PBKDF2 can in principle produce (2^32 − 1) blocks; cap it at what a key or secret can use.
  if (len > 1024) tooLong();
  return pbkdf2Async(password, salt, iterations, len, hash);
}

/**
 * ENCRYPT: the derivation data encrypted under the base key with no padding (the data must be a
 * whole number of blocks for ECB/CBC). `cipher` is a node cipher name, e.g. "aes-128-cbc".
 */
export function encryptDerive(cipher: string, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array, len: number): Buffer {
  let out: Buffer;
  try {
    const c = createCipheriv(cipher, key, iv);
    c.setAutoPadding(false);
    out = Buffer.concat([c.update(data), c.final()]);
  } catch {
    throw new KmipError("CryptographicFailure", "the derivation data cannot be encrypted with these parameters");
  }
  return take(out, len);
}

const be32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** Enough blocks for `len` bytes, within SP 800-108's bound for a 32-bit counter. */
function blocks(prfSize: number, len: number): number {
  const n = Math.ceil(len / prfSize);
  if (len < 1 || n > 0xffffffff || len > 1024) tooLong();
  return n;
}

/** SP 800-108 counter mode, counter (32 bits) before the fixed input: K(i) = PRF(K, [i]₂ ‖ fixed). */
export function kbkdfCounter(prf: Prf, prfSize: number, key: Uint8Array, fixed: Uint8Array, len: number): Buffer {
  const out: Buffer[] = [];
  for (let i = 1; i <= blocks(prfSize, len); i++) out.push(prf(key, Buffer.concat([be32(i), fixed])));
  return Buffer.concat(out).subarray(0, len);
}

/** SP 800-108 feedback mode: K(i) = PRF(K, K(i−1) ‖ [i]₂ ‖ fixed), K(0) = IV (may be empty). */
export function kbkdfFeedback(prf: Prf, prfSize: number, key: Uint8Array, iv: Uint8Array, fixed: Uint8Array, len: number): Buffer {
  const out: Buffer[] = [];
  let prev: Uint8Array = iv;
  for (let i = 1; i <= blocks(prfSize, len); i++) {
    prev = prf(key, Buffer.concat([prev, be32(i), fixed]));
    out.push(prev as Buffer);
  }
  return Buffer.concat(out).subarray(0, len);
}

/** SP 800-108 double-pipeline mode: A(i) = PRF(K, A(i−1)), A(0) = fixed; K(i) = PRF(K, A(i) ‖ [i]₂ ‖ fixed). */
export function kbkdfDoublePipeline(prf: Prf, prfSize: number, key: Uint8Array, fixed: Uint8Array, len: number): Buffer {
  const out: Buffer[] = [];
  let a: Uint8Array = fixed;
  for (let i = 1; i <= blocks(prfSize, len); i++) {
    a = prf(key, a);
    out.push(prf(key, Buffer.concat([a, be32(i), fixed])));
  }
  return Buffer.concat(out).subarray(0, len);
}

/** KMIP's Derivation Data is Label ‖ 0x00 ‖ Context; SP 800-108's fixed input appends [L]₂ (bits, 32-bit). */
export const sp800108Fixed = (derivationData: Uint8Array, len: number): Buffer => Buffer.concat([derivationData, be32(len * 8)]);
