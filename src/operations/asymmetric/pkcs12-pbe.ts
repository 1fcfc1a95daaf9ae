/**
 * Password-based decryption for the insides of a PFX (RFC 7292): shrouded key bags
 * (EncryptedPrivateKeyInfo) and encrypted SafeContents. Two families:
 *
 * - PBES2 (RFC 8018 §6.2) with PBKDF2 (HMAC-SHA-1/224/256/384/512) and AES-128/192/256-CBC or
 *   DES-EDE3-CBC — what OpenSSL 3 writes by default; the password is used as its bytes (UTF-8);
 * - the PKCS#12 PBE schemes of RFC 7292 Appendix C with the Appendix B KDF over SHA-1 and the
 *   password as BMPString: 3-key and 2-key Triple-DES-CBC (OpenSSL 1.x and `-legacy`), and the
 *   RC2/RC4 ones where node's OpenSSL still has the cipher (OpenSSL 3 keeps them in the legacy
 *   provider, which node does not load: then Feature Not Supported).
 *
 * Iteration counts are capped so a hostile PFX cannot keep the server busy.
 */
import { createDecipheriv, getCiphers, pbkdf2 } from "node:crypto";
import { promisify } from "node:util";
import { AsnConvert, AsnProp, AsnPropTypes, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier } from "@peculiar/asn1-x509";
import { KmipError } from "../../messages/index.js";
import { KDF_ID, bmpPassword, pkcs12Kdf } from "./pkcs12-kdf.js";

const pbkdf2Async = promisify(pbkdf2);

/** PBKDF2 iterations accepted (OpenSSL writes 2048; 600,000 is today's strongest advice). */
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
/** PKCS#12 KDF iterations accepted (computed hash by hash in JavaScript). */
export const MAX_PKCS12_ITERATIONS = 200_000;

// --- the parameter structures (RFC 7292 Appendix C, RFC 8018 Appendix A.2 / A.4) ---

class Pkcs12PbeParams {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterations = 0;
}

class Pbes2Params {
  @AsnProp({ type: AlgorithmIdentifier }) keyDerivationFunc = new AlgorithmIdentifier();
  @AsnProp({ type: AlgorithmIdentifier }) encryptionScheme = new AlgorithmIdentifier();
}

class Pbkdf2Params {
  @AsnProp({ type: OctetString }) salt = new OctetString();
  @AsnProp({ type: AsnPropTypes.Integer }) iterationCount = 0;
  @AsnProp({ type: AsnPropTypes.Integer, optional: true }) keyLength?: number;
  @AsnProp({ type: AlgorithmIdentifier, optional: true }) prf?: AlgorithmIdentifier;
}

const PBES2 = "1.2.840.113549.1.5.13";
const PBKDF2 = "1.2.840.113549.1.5.12";

/** pkcs-12PbeIds (RFC 7292 Appendix C): OID → node cipher, key length. */
const PKCS12_PBE: ReadonlyMap<string, { cipher: string; keyLen: number; ivLen: number }> = new Map([
  ["1.2.840.113549.1.12.1.1", { cipher: "rc4", keyLen: 16, ivLen: 0 }],
  ["1.2.840.113549.1.12.1.2", { cipher: "rc4-40", keyLen: 5, ivLen: 0 }],
  ["1.2.840.113549.1.12.1.3", { cipher: "des-ede3-cbc", keyLen: 24, ivLen: 8 }],
  ["1.2.840.113549.1.12.1.4", { cipher: "des-ede-cbc", keyLen: 16, ivLen: 8 }],
  ["1.2.840.113549.1.12.1.5", { cipher: "rc2-cbc", keyLen: 16, ivLen: 8 }],
  ["1.2.840.113549.1.12.1.6", { cipher: "rc2-40-cbc", keyLen: 5, ivLen: 8 }],
]);

/** PBES2 encryption schemes: OID → node cipher, key length. */
const PBES2_CIPHERS: ReadonlyMap<string, { cipher: string; keyLen: number }> = new Map([
  ["2.16.840.1.101.3.4.1.2", { cipher: "aes-128-cbc", keyLen: 16 }],
  ["2.16.840.1.101.3.4.1.22", { cipher: "aes-192-cbc", keyLen: 24 }],
  ["2.16.840.1.101.3.4.1.42", { cipher: "aes-256-cbc", keyLen: 32 }],
  ["1.2.840.113549.3.7", { cipher: "des-ede3-cbc", keyLen: 24 }],
]);

/** PBKDF2 PRFs: OID → node hash. */
const PRFS: ReadonlyMap<string, string> = new Map([
  ["1.2.840.113549.2.7", "sha1"],
  ["1.2.840.113549.2.8", "sha224"],
  ["1.2.840.113549.2.9", "sha256"],
  ["1.2.840.113549.2.10", "sha384"],
  ["1.2.840.113549.2.11", "sha512"],
]);

const unsupported = (what: string) => new KmipError("FeatureNotSupported", `the PKCS#12 ${what} is not supported`);
const malformed = () => new KmipError("InvalidField", "the PKCS#12 Key Value is not a well-formed PFX");
/** Wrong password or damaged ciphertext: no detail about which. */
export const pkcs12Failure = (): KmipError => new KmipError("CryptographicFailure", "the PKCS#12 data cannot be decrypted or verified with the linked password");

function parse<T>(der: ArrayBuffer | undefined, type: new () => T): T {
  if (!der) throw malformed();
  try {
    return AsnConvert.parse(der, type);
  } catch {
    throw malformed();
  }
}

function decipher(cipher: string, key: Uint8Array, iv: Uint8Array | null, data: Uint8Array): Buffer {
  if (!getCiphers().includes(cipher)) throw unsupported(`encryption scheme (${cipher})`);
  try {
    const d = createDecipheriv(cipher, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw pkcs12Failure();
  }
}

function iterations(n: number, max: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw malformed();
  if (n > max) throw new KmipError("InvalidField", `the PKCS#12 iteration count is above ${max}`);
  return n;
}

/** Decrypts `data` encrypted under `alg` (a PBES2 or PKCS#12 PBE AlgorithmIdentifier) with the password bytes. */
export async function pbeDecrypt(alg: AlgorithmIdentifier, data: Uint8Array, password: Uint8Array): Promise<Buffer> {
  const legacy = PKCS12_PBE.get(alg.algorithm);
  if (legacy) {
    const p = parse(alg.parameters ?? undefined, Pkcs12PbeParams);
    const n = iterations(p.iterations, MAX_PKCS12_ITERATIONS);
    const pw = bmpPassword(Buffer.from(password).toString("utf8"));
    const salt = new Uint8Array(p.salt.buffer);
    const key = pkcs12Kdf("sha1", pw, salt, KDF_ID.key, n, legacy.keyLen);
    const iv = legacy.ivLen ? pkcs12Kdf("sha1", pw, salt, KDF_ID.iv, n, legacy.ivLen) : null;
    return decipher(legacy.cipher, key, iv, data);
  }
  if (alg.algorithm !== PBES2) throw unsupported(`encryption algorithm ${alg.algorithm}`);
  const p = parse(alg.parameters ?? undefined, Pbes2Params);
  if (p.keyDerivationFunc.algorithm !== PBKDF2) throw unsupported(`key derivation ${p.keyDerivationFunc.algorithm}`);
  const kdf = parse(p.keyDerivationFunc.parameters ?? undefined, Pbkdf2Params);
  const enc = PBES2_CIPHERS.get(p.encryptionScheme.algorithm);
  if (!enc) throw unsupported(`cipher ${p.encryptionScheme.algorithm}`);
  const hash = kdf.prf ? PRFS.get(kdf.prf.algorithm) : "sha1";
  if (!hash) throw unsupported(`PBKDF2 PRF ${kdf.prf?.algorithm}`);
  if (kdf.keyLength !== undefined && kdf.keyLength !== enc.keyLen) throw malformed();
  const iv = new Uint8Array(parse(p.encryptionScheme.parameters ?? undefined, OctetString).buffer);
  const key = await pbkdf2Async(password, new Uint8Array(kdf.salt.buffer), iterations(kdf.iterationCount, MAX_PBKDF2_ITERATIONS), enc.keyLen, hash);
  return decipher(enc.cipher, key, iv, data);
}
