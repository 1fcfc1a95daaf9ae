/**
 * RSA encryption for Encrypt/Decrypt. OAEP (default hash SHA-1 and MGF1 with the same hash, as
 * RFC 8017 defaults) goes through node when both hashes agree; node cannot choose the MGF1 hash
 * separately, so a different Mask Generator Hashing Algorithm is handled by encoding EME-OAEP here
 * around raw RSA. PKCS#1 v1.5 encryption is offered; PKCS#1 v1.5 decryption is refused: node 20
 * disabled it (CVE-2023-46809, Marvin) and a padding oracle on a shared server is worse than the
 * missing feature.
 */
import { constants, createHash, privateDecrypt, publicEncrypt, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";
import { Enums } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import { cryptoFailure } from "./ciphers.js";
import { hashName, type CryptoParams } from "./params.js";

const P = Enums.PaddingMethod;

export const isRsa = (k: KeyObject): boolean => k.asymmetricKeyType === "rsa" || k.asymmetricKeyType === "rsa-pss";

/** MGF1 (RFC 8017 B.2.1), shared by OAEP here and PSS over a client digest (pss.ts). */
export function mgf1(seed: Buffer, len: number, hash: string): Buffer {
  const out: Buffer[] = [];
  let have = 0;
  for (let i = 0; have < len; i++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(i);
    const h = createHash(hash).update(seed).update(c).digest();
    out.push(h);
    have += h.length;
  }
  return Buffer.concat(out).subarray(0, len);
}

export const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((x, i) => x ^ b[i]!));

function oaepEncode(m: Uint8Array, k: number, hash: string, mgfHash: string, label: Uint8Array): Buffer {
  const lHash = createHash(hash).update(label).digest();
  const hLen = lHash.length;
  if (m.length > k - 2 * hLen - 2) throw new KmipError("CryptographicFailure", "the data is too long for this key and padding");
  const db = Buffer.concat([lHash, Buffer.alloc(k - m.length - 2 * hLen - 2), Buffer.from([1]), m]);
  const seed = randomBytes(hLen);
  const maskedDb = xor(db, mgf1(seed, k - hLen - 1, mgfHash));
  const maskedSeed = xor(seed, mgf1(maskedDb, hLen, mgfHash));
  return Buffer.concat([Buffer.from([0]), maskedSeed, maskedDb]);
}

function oaepDecode(em: Buffer, hash: string, mgfHash: string, label: Uint8Array): Buffer {
  const lHash = createHash(hash).update(label).digest();
  const hLen = lHash.length;
  const k = em.length;
  const maskedSeed = em.subarray(1, 1 + hLen);
  const maskedDb = em.subarray(1 + hLen);
  const seed = xor(maskedSeed, mgf1(maskedDb, hLen, mgfHash));
  const db = xor(maskedDb, mgf1(seed, k - hLen - 1, mgfHash));
  // one failure for every malformation, so the answer is no oracle
  let bad = em[0] !== 0 || !timingSafeEqual(db.subarray(0, hLen), lHash);
  const one = db.indexOf(1, hLen);
  if (one < 0 || db.subarray(hLen, one).some((b) => b !== 0)) bad = true;
  if (bad) throw new KmipError("CryptographicFailure", "the cryptographic operation failed");
  return db.subarray(one + 1);
}

function oaepHashes(p: CryptoParams): { hash: string; mgfHash: string; label: Buffer } {
  if (p.maskGenerator !== undefined && p.maskGenerator !== Enums.MaskGenerator.MGF1) throw new KmipError("InvalidField", "only MGF1 is supported");
  const hash = hashName(p.hashingAlgorithm ?? Enums.HashingAlgorithm.SHA_1);
  const mgfHash = p.maskGeneratorHashingAlgorithm !== undefined ? hashName(p.maskGeneratorHashingAlgorithm) : hash;
  return { hash, mgfHash, label: Buffer.from(p.pSource ?? []) };
}

export const modulusBytes = (k: KeyObject): number => Math.ceil((k.asymmetricKeyDetails?.modulusLength ?? 0) / 8);

export function rsaEncrypt(key: KeyObject, p: CryptoParams, data: Uint8Array): Buffer {
  const padding = p.paddingMethod ?? P.OAEP;
  try {
    if (padding === P.PKCS1V1_5) return publicEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, data);
    if (padding !== P.OAEP) throw new KmipError("InvalidField", "RSA encryption takes OAEP or PKCS1 v1.5 padding");
    const { hash, mgfHash, label } = oaepHashes(p);
    if (hash === mgfHash) return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, oaepLabel: label }, data);
    return publicEncrypt({ key, padding: constants.RSA_NO_PADDING }, oaepEncode(data, modulusBytes(key), hash, mgfHash, label));
  } catch (e) {
    return cryptoFailure(e);
  }
}

export function rsaDecrypt(key: KeyObject, p: CryptoParams, data: Uint8Array): Buffer {
  const padding = p.paddingMethod ?? P.OAEP;
  if (padding === P.PKCS1V1_5) throw new KmipError("FeatureNotSupported", "PKCS#1 v1.5 decryption is not offered (padding-oracle risk); use OAEP");
  if (padding !== P.OAEP) throw new KmipError("InvalidField", "RSA decryption takes OAEP padding");
  const { hash, mgfHash, label } = oaepHashes(p);
  try {
    if (hash === mgfHash) return privateDecrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash, oaepLabel: label }, data);
    const k = modulusBytes(key);
    if (data.length !== k) throw new KmipError("CryptographicFailure", "the cryptographic operation failed");
    return oaepDecode(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, data), hash, mgfHash, label);
  } catch (e) {
    return cryptoFailure(e);
  }
}
