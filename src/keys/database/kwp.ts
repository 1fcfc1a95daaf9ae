/**
 * AES key wrap with padding (RFC 5649) on node:crypto's `id-aes{128,192,256}-wrap-pad`: the
 * cipher is picked from the key's size, and the 4-byte IV is RFC 5649's alternative initial value
 * A65959A6 (Node takes only the 32-bit constant; the length half is computed by OpenSSL).
 * Node reports a failed integrity check as "Trying to add data in unsupported state" or
 * "Unsupported state or unable to authenticate data" — both become a KeyProviderError here.
 */
import { createCipheriv, createDecipheriv, type KeyObject } from "node:crypto";
import { KeyProviderError } from "../types.js";

const AIV = Buffer.from("A65959A6", "hex");
/** RFC 5649 takes plaintexts of 1 .. 2^32-1 bytes; KMIP key material is far below this. */
export const KWP_MAX_PLAINTEXT = 1 << 24;

function cipherName(key: KeyObject): string {
  const bits = (key.symmetricKeySize ?? 0) * 8;
  if (key.type !== "secret" || (bits !== 128 && bits !== 192 && bits !== 256)) {
    throw new KeyProviderError("key wrapping key must be a 128-, 192- or 256-bit secret key");
  }
  return `id-aes${bits}-wrap-pad`;
}

export function kwpWrap(key: KeyObject, plaintext: Uint8Array): Buffer {
  const name = cipherName(key);
  if (plaintext.length < 1 || plaintext.length > KWP_MAX_PLAINTEXT) {
    throw new KeyProviderError(`RFC 5649 wraps 1..${KWP_MAX_PLAINTEXT} bytes, got ${plaintext.length}`);
  }
  const c = createCipheriv(name, key, AIV);
  return Buffer.concat([c.update(plaintext), c.final()]);
}

export function kwpUnwrap(key: KeyObject, blob: Uint8Array): Buffer {
  const name = cipherName(key);
  // A wrapped blob is n+1 64-bit blocks, n >= 1.
  if (blob.length < 16 || blob.length % 8 !== 0 || blob.length > KWP_MAX_PLAINTEXT + 16) {
    throw new KeyProviderError(`not an RFC 5649 wrapped blob (${blob.length} bytes)`);
  }
  let out: Buffer | undefined;
  try {
    const d = createDecipheriv(name, key, AIV);
    out = d.update(blob);
    return Buffer.concat([out, d.final()]);
  } catch {
    out?.fill(0);
    throw new KeyProviderError("unwrap failed: integrity check failed (tampered blob or wrong key)");
  }
}
