/**
 * RSASSA-PSS over a digest the client computed (Digested Data): node signs only messages it
 * hashes itself, so EMSA-PSS (RFC 8017 §9.1) is encoded here and the RSA private operation is
 * OpenSSL's raw one (blinded). MGF1 uses the same hash as the digest.
 */
import { constants, createHash, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { KmipError } from "../../messages/index.js";
import { cryptoFailure } from "./ciphers.js";
import { mgf1, modulusBytes, xor } from "./rsa.js";

const modBits = (k: KeyObject): number => k.asymmetricKeyDetails?.modulusLength ?? 0;

function mPrimeHash(hash: string, digest: Uint8Array, salt: Uint8Array): Buffer {
  return createHash(hash).update(Buffer.alloc(8)).update(digest).update(salt).digest();
}

export function pssSignDigest(key: KeyObject, hash: string, digest: Uint8Array, saltLength?: number): Buffer {
  const hLen = createHash(hash).digest().length;
  if (digest.length !== hLen) throw new KmipError("InvalidField", "Digested Data must be as long as the hash");
  const emBits = modBits(key) - 1;
  const emLen = Math.ceil(emBits / 8);
  const sLen = saltLength ?? hLen;
  if (emLen < hLen + sLen + 2) throw new KmipError("InvalidField", "the salt is too long for this key");
  const salt = randomBytes(sLen);
  const h = mPrimeHash(hash, digest, salt);
  const db = Buffer.concat([Buffer.alloc(emLen - sLen - hLen - 2), Buffer.from([1]), salt]);
  const maskedDb = xor(db, mgf1(h, emLen - hLen - 1, hash));
  maskedDb[0]! &= 0xff >> (8 * emLen - emBits);
  const em = Buffer.concat([maskedDb, h, Buffer.from([0xbc])]);
  const k = modulusBytes(key);
  try {
    return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, Buffer.concat([Buffer.alloc(k - em.length), em]));
  } catch (e) {
    return cryptoFailure(e);
  }
}

/** EMSA-PSS-VERIFY; the salt length is recovered from the encoding unless one is required. */
export function pssVerifyDigest(key: KeyObject, hash: string, digest: Uint8Array, sig: Uint8Array, saltLength?: number): boolean {
  const hLen = createHash(hash).digest().length;
  const emBits = modBits(key) - 1;
  const emLen = Math.ceil(emBits / 8);
  const k = modulusBytes(key);
  if (digest.length !== hLen || sig.length !== k || emLen < hLen + 2) return false;
  let raw: Buffer;
  try {
    raw = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, sig);
  } catch {
    return false;
  }
  const em = raw.subarray(raw.length - emLen);
  if (raw.subarray(0, raw.length - emLen).some((b) => b !== 0) || em[emLen - 1] !== 0xbc) return false;
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if ((maskedDb[0]! & ~(0xff >> (8 * emLen - emBits)) & 0xff) !== 0) return false;
  const db = xor(maskedDb, mgf1(h, emLen - hLen - 1, hash));
  db[0]! &= 0xff >> (8 * emLen - emBits);
  const one = db.indexOf(1);
  if (one < 0 || db.subarray(0, one).some((b) => b !== 0)) return false;
  const salt = db.subarray(one + 1);
  if (saltLength !== undefined && salt.length !== saltLength) return false;
  return timingSafeEqual(mPrimeHash(hash, digest, salt), h);
}
