/**
 * Signature schemes for Sign / Signature Verify: RSA PKCS#1 v1.5, RSASSA-PSS and ECDSA (any curve
 * node knows: P-256/384/521, secp256k1), chosen by Digital Signature Algorithm, or by
 * Cryptographic Algorithm + Padding Method + Hashing Algorithm, else by the key type. Defaults:
 * SHA-256; RSA uses PKCS#1 v1.5 unless PSS is asked for; PSS salt = the hash length unless Salt
 * Length says otherwise. ECDSA signatures are DER (X9.62), as KMIP's test cases carry them.
 */
import { constants, createSign, createVerify, privateEncrypt, publicDecrypt, timingSafeEqual, type KeyObject } from "node:crypto";
import { Enums } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import { cryptoFailure } from "./ciphers.js";
import { signDigestEcdsa, verifyDigestEcdsa } from "./ecdsa-digest.js";
import { hashName, type CryptoParams } from "./params.js";
import { pssSignDigest, pssVerifyDigest } from "./pss.js";
import { isRsa } from "./rsa.js";

const D = Enums.DigitalSignatureAlgorithm;
const H = Enums.HashingAlgorithm;
const A = Enums.CryptographicAlgorithm;

export type SchemeKind = "pkcs1" | "pss" | "ecdsa";
export interface Scheme {
  readonly kind: SchemeKind;
  readonly hash: string;
  readonly saltLength?: number;
}

const BY_DSA: ReadonlyMap<number, [SchemeKind, number | undefined]> = new Map<number, [SchemeKind, number | undefined]>([
  [D.MD5WithRSAEncryption, ["pkcs1", H.MD5]],
  [D.SHA_1WithRSAEncryption, ["pkcs1", H.SHA_1]],
  [D.SHA_224WithRSAEncryption, ["pkcs1", H.SHA_224]],
  [D.SHA_256WithRSAEncryption, ["pkcs1", H.SHA_256]],
  [D.SHA_384WithRSAEncryption, ["pkcs1", H.SHA_384]],
  [D.SHA_512WithRSAEncryption, ["pkcs1", H.SHA_512]],
  [D.SHA3_256WithRSAEncryption, ["pkcs1", H.SHA3_256]],
  [D.SHA3_384WithRSAEncryption, ["pkcs1", H.SHA3_384]],
  [D.SHA3_512WithRSAEncryption, ["pkcs1", H.SHA3_512]],
  [D.RSASSA_PSS, ["pss", undefined]],
  [D.ECDSAWithSHA_1, ["ecdsa", H.SHA_1]],
  [D.ECDSAWithSHA224, ["ecdsa", H.SHA_224]],
  [D.ECDSAWithSHA256, ["ecdsa", H.SHA_256]],
  [D.ECDSAWithSHA384, ["ecdsa", H.SHA_384]],
  [D.ECDSAWithSHA512, ["ecdsa", H.SHA_512]],
]);

/** A scheme that does not fit the key (an RSA scheme on an EC key): Verify answers Invalid. */
export class SchemeMismatch extends KmipError {
  constructor() {
    super("InvalidField", "the signature parameters do not fit the key");
  }
}

/**
 * The scheme for a key. With `keyDecides` (Verify), an algorithm that contradicts the key (RSA
 * padding on an EC key, as CS-AC-M-3-ECC and TC-ECDSA-SIGN-DIGESTEDDATA send) gives way to the
 * key's own scheme, keeping the requested hash: the answer is then Valid only for a genuine
 * signature by that key under that hash.
 */
export function schemeFor(key: KeyObject, p: CryptoParams, keyDecides = false): Scheme {
  let kind: SchemeKind;
  let hash = p.hashingAlgorithm;
  if (p.digitalSignatureAlgorithm !== undefined) {
    const d = BY_DSA.get(p.digitalSignatureAlgorithm);
    if (!d) throw new KmipError("InvalidField", "the Digital Signature Algorithm is not supported");
    [kind] = d;
    hash = d[1] ?? hash;
  } else if (p.cryptographicAlgorithm === A.RSA) {
    kind = p.paddingMethod === Enums.PaddingMethod.PSS ? "pss" : "pkcs1";
  } else if (p.cryptographicAlgorithm === A.ECDSA || p.cryptographicAlgorithm === A.EC) {
    kind = "ecdsa";
  } else if (p.cryptographicAlgorithm !== undefined) {
    throw new KmipError("InvalidField", "the Cryptographic Algorithm cannot sign");
  } else if (isRsa(key)) {
    kind = p.paddingMethod === Enums.PaddingMethod.PSS ? "pss" : "pkcs1";
  } else {
    kind = "ecdsa";
  }
  const keyIsRsa = isRsa(key);
  if (!keyIsRsa && key.asymmetricKeyType !== "ec") throw new KmipError("PermissionDenied", "this key type cannot be used for signatures");
  if (keyIsRsa !== (kind !== "ecdsa")) {
    if (!keyDecides) throw new SchemeMismatch();
    kind = keyIsRsa ? "pkcs1" : "ecdsa";
  }
  return { kind, hash: hashName(hash ?? H.SHA_256), saltLength: p.saltLength };
}

/** PSS salt: as asked, else the hash length when signing and whatever the signature holds when verifying. */
const keyOptions = (key: KeyObject, s: Scheme, verify = false) =>
  s.kind === "pss"
    ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: s.saltLength ?? (verify ? constants.RSA_PSS_SALTLEN_AUTO : constants.RSA_PSS_SALTLEN_DIGEST) }
    : s.kind === "pkcs1"
      ? { key, padding: constants.RSA_PKCS1_PADDING }
      : { key, dsaEncoding: "der" as const };

/** A signer fed in parts; sign() at the end. */
export function signer(key: KeyObject, s: Scheme): { update(d: Uint8Array): void; sign(): Buffer } {
  const h = createSign(s.hash);
  return {
    update: (d) => void h.update(d),
    sign: () => {
      try {
        return h.sign(keyOptions(key, s));
      } catch (e) {
        return cryptoFailure(e);
      }
    },
  };
}

export function verifier(key: KeyObject, s: Scheme): { update(d: Uint8Array): void; verify(sig: Uint8Array): boolean } {
  const h = createVerify(s.hash);
  return {
    update: (d) => void h.update(d),
    verify: (sig) => {
      try {
        return h.verify(keyOptions(key, s, true), sig);
      } catch {
        return false; // a malformed signature is an invalid one
      }
    },
  };
}

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1) for PKCS#1 v1.5 over a digest the client made. */
const DIGEST_INFO: ReadonlyMap<string, string> = new Map([
  ["sha1", "3021300906052b0e03021a05000414"],
  ["sha224", "302d300d06096086480165030402040500041c"],
  ["sha256", "3031300d060960864801650304020105000420"],
  ["sha384", "3041300d060960864801650304020205000430"],
  ["sha512", "3051300d060960864801650304020305000440"],
]);

/**
 * The PKCS#1 v1.5 block for Digested Data: DigestInfo + digest when the length fits the hash;
 * otherwise the bytes as given (a client-built DigestInfo, or raw data as the TC cases send).
 */
function digestBlock(s: Scheme, digest: Uint8Array): Buffer {
  const prefix = DIGEST_INFO.get(s.hash);
  const hashLen = prefix ? parseInt(prefix.slice(-2), 16) : -1;
  return digest.length === hashLen ? Buffer.concat([Buffer.from(prefix!, "hex"), digest]) : Buffer.from(digest);
}

/** Digested Data: ECDSA is computed in kmipd around OpenSSL's k·G (ecdsa-digest.ts). */
export function signDigest(key: KeyObject, s: Scheme, digest: Uint8Array): Buffer {
  if (s.kind === "ecdsa") return signDigestEcdsa(key, digest);
  if (s.kind === "pss") return pssSignDigest(key, s.hash, digest, s.saltLength);
  try {
    return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, digestBlock(s, digest));
  } catch (e) {
    return cryptoFailure(e);
  }
}

export function verifyDigest(key: KeyObject, s: Scheme, digest: Uint8Array, sig: Uint8Array): boolean {
  if (s.kind === "ecdsa") return verifyDigestEcdsa(key, digest, sig);
  if (s.kind === "pss") return pssVerifyDigest(key, s.hash, digest, sig, s.saltLength);
  try {
    const got = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig);
    const want = digestBlock(s, digest);
    return got.length === want.length && timingSafeEqual(got, want);
  } catch {
    return false;
  }
}
