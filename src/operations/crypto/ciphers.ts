/**
 * Symmetric cipher selection for Encrypt/Decrypt: KMIP algorithm + Block Cipher Mode + Padding
 * Method → a node cipher, its IV/nonce, and a by-parts transform (streaming and single-part use
 * the same code). Defaults when neither the request nor the key names a mode: CBC with PKCS5
 * padding and a random IV for block ciphers; ChaCha20-Poly1305 is always AEAD.
 */
import { createCipheriv, createDecipheriv, getCiphers, randomBytes, type CipherGCM, type DecipherGCM, type KeyObject } from "node:crypto";
import { Enums } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import type { CryptoParams } from "./params.js";

const A = Enums.CryptographicAlgorithm;
const B = Enums.BlockCipherMode;

/** Block-cipher families whose node names follow `<family>-<bits>-<mode>`. */
const FAMILIES: ReadonlyMap<number, string> = new Map([
  [A.AES, "aes"],
  [A.Camellia, "camellia"],
  [A.ARIA, "aria"],
]);
const MODES: ReadonlyMap<number, string> = new Map([
  [B.ECB, "ecb"],
  [B.CBC, "cbc"],
  [B.CFB, "cfb"],
  [B.OFB, "ofb"],
  [B.CTR, "ctr"],
  [B.GCM, "gcm"],
]);

/** GCM tags node accepts (NIST SP 800-38D: 4, 8, 12–16 bytes). */
const GCM_TAGS: ReadonlySet<number> = new Set([4, 8, 12, 13, 14, 15, 16]);

export interface SymmetricCipher {
  readonly name: string;
  /** Bytes of IV/Counter/Nonce the cipher needs (0: none). */
  readonly ivLength: number;
  readonly padding: boolean;
  /** AEAD tag bytes (0: not AEAD). */
  readonly tagLength: number;
  /** node's IV from the KMIP IV/Counter/Nonce (ChaCha20 puts the block counter in front). */
  readonly nodeIv: (iv: Uint8Array) => Buffer;
}

let available: ReadonlySet<string> | undefined;
const unsupported = (what: string): never => {
  throw new KmipError("InvalidField", `${what} is not supported for this key`);
};

function checkedName(name: string): string {
  available ??= new Set(getCiphers());
  return available.has(name) ? name : unsupported("the Block Cipher Mode");
}

function tagLengthOf(p: CryptoParams): number {
  const t = p.tagLength ?? 16;
  // The CS-BC GCM and ChaCha20-Poly1305 cases answer an impossible Tag Length with General Failure.
  if (!GCM_TAGS.has(t)) throw new KmipError("GeneralFailure", "invalid tag length");
  return t;
}

/** The cipher for a symmetric key of `alg` with `keyBytes` bytes under the given parameters. */
export function symmetricCipher(alg: number, keyBytes: number, p: CryptoParams): SymmetricCipher {
  const padding = p.paddingMethod === Enums.PaddingMethod.PKCS5;
  if (p.paddingMethod !== undefined && !padding && p.paddingMethod !== Enums.PaddingMethod.None) unsupported("the Padding Method");
  const asGiven = (iv: Uint8Array) => Buffer.from(iv);
  if (alg === A.ChaCha20) {
    // RFC 7539 (12-byte nonce, 32-bit counter) or the original 8-byte nonce with a 64-bit counter.
    const counter = p.initialCounterValue ?? 0;
    return {
      name: checkedName("chacha20"), ivLength: 12, padding: false, tagLength: 0,
      nodeIv: (iv) => {
        if (iv.length !== 12 && iv.length !== 8) throw new KmipError("InvalidField", "ChaCha20 takes a 12- or 8-byte nonce");
        const c = Buffer.alloc(16 - iv.length);
        c.writeUInt32LE(counter >>> 0, 0);
        return Buffer.concat([c, iv]);
      },
    };
  }
  if (alg === A.ChaCha20Poly1305) {
    if (p.blockCipherMode !== undefined && p.blockCipherMode !== B.AEAD) unsupported("the Block Cipher Mode");
    return { name: checkedName("chacha20-poly1305"), ivLength: 12, padding: false, tagLength: tagLengthOf(p), nodeIv: asGiven };
  }
  const mode = p.blockCipherMode ?? B.CBC;
  const withDefaultPadding = p.blockCipherMode === undefined && p.paddingMethod === undefined ? true : padding;
  if (alg === A.DES3) {
    const m = mode === B.ECB ? "ecb" : mode === B.CBC ? "cbc" : unsupported("the Block Cipher Mode");
    const base = keyBytes === 16 ? "des-ede" : keyBytes === 24 ? "des-ede3" : unsupported("the Cryptographic Length");
    return { name: checkedName(`${base}-${m}`), ivLength: m === "ecb" ? 0 : 8, padding: withDefaultPadding, tagLength: 0, nodeIv: asGiven };
  }
  const family = FAMILIES.get(alg) ?? unsupported("the Cryptographic Algorithm");
  if (![16, 24, 32].includes(keyBytes)) unsupported("the Cryptographic Length");
  const m = MODES.get(mode) ?? unsupported("the Block Cipher Mode");
  const name = checkedName(`${family}-${keyBytes * 8}-${m}`);
  if (mode === B.GCM) return { name, ivLength: p.ivLength ? p.ivLength / 8 : 12, padding: false, tagLength: tagLengthOf(p), nodeIv: asGiven };
  const streamLike = mode === B.CTR || mode === B.CFB || mode === B.OFB;
  return { name, ivLength: mode === B.ECB ? 0 : 16, padding: streamLike ? false : withDefaultPadding, tagLength: 0, nodeIv: asGiven };
}

/** A by-parts cipher: update() returns what is ready, final() the rest (and the AEAD tag). */
export interface CipherStream {
  update(data: Uint8Array): Buffer;
  /** Decrypt of an AEAD cipher by parts: the tag, when a later part brings it. */
  setTag(tag: Uint8Array): void;
  final(): { data: Buffer; tag?: Buffer };
}

export interface CipherInput {
  readonly key: KeyObject;
  readonly iv?: Uint8Array;
  readonly aad?: Uint8Array;
  /** Decrypt of an AEAD cipher: the tag to check at final(). */
  readonly tag?: Uint8Array;
}

/** The IV to use: the client's, or a fresh random one when Random IV is set or none was given. */
export function chooseIv(c: SymmetricCipher, p: CryptoParams, given: Uint8Array | undefined, decrypt: boolean): { iv?: Uint8Array; generated: boolean } {
  if (c.ivLength === 0) return { generated: false };
  if (decrypt) {
    if (!given) throw new KmipError("InvalidMessage", "missing-iv: this mode needs the IV/Counter/Nonce used to encrypt");
    return { iv: given, generated: false };
  }
  // Random IV true: the server SHALL generate the IV (1.4 §3.6), whatever the request holds.
  if (given && !p.randomIV) return { iv: given, generated: false };
  return { iv: randomBytes(c.ivLength), generated: true };
}

/** Failures inside OpenSSL (bad padding, bad tag, wrong length) are Cryptographic Failure. */
export function cryptoFailure(e: unknown): never {
  if (e instanceof KmipError) throw e;
  throw new KmipError("CryptographicFailure", "the cryptographic operation failed");
}

export function openCipher(c: SymmetricCipher, input: CipherInput, decrypt: boolean): CipherStream {
  try {
    const iv = c.ivLength === 0 ? null : c.nodeIv(input.iv!);
    const opts = c.tagLength ? { authTagLength: decrypt && input.tag ? input.tag.length : c.tagLength } : undefined;
    const cipher = decrypt
      ? createDecipheriv(c.name, input.key, iv, opts as never)
      : createCipheriv(c.name, input.key, iv, opts as never);
    cipher.setAutoPadding(c.padding);
    if (c.tagLength && input.aad) (cipher as CipherGCM).setAAD(input.aad);
    // by parts, the tag may arrive with the final part: it is set just before final()
    let tag = input.tag;
    return {
      setTag: (t) => {
        tag = t;
      },
      update: (d) => {
        try {
          return cipher.update(d);
        } catch (e) {
          return cryptoFailure(e);
        }
      },
      final: () => {
        if (decrypt && c.tagLength) {
          if (!tag) throw new KmipError("InvalidMessage", "Authenticated Encryption Tag is required to decrypt");
          if (tag.length !== (opts?.authTagLength ?? 16)) throw new KmipError("CryptographicFailure", "the cryptographic operation failed");
          (cipher as DecipherGCM).setAuthTag(tag);
        }
        try {
          const data = cipher.final();
          return { data, tag: !decrypt && c.tagLength ? (cipher as CipherGCM).getAuthTag() : undefined };
        } catch (e) {
          return cryptoFailure(e);
        }
      },
    };
  } catch (e) {
    return cryptoFailure(e);
  }
}
