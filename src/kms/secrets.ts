/**
 * Secrets in HSM profile details (PINs, passwords) at rest: AES-256-GCM under a key derived from
 * the master key (HKDF-SHA256, info "kmipd profile secrets v1"), bound by the additional data to
 * the profile and the field, so a ciphertext copied to another field or profile does not open.
 */
import { createCipheriv, createDecipheriv, createSecretKey, hkdfSync, randomBytes, type KeyObject } from "node:crypto";
import { KmsError } from "./types.js";

export const PROFILE_SECRETS_INFO = "kmipd profile secrets v1";
export const MASK = "****";

/** Detail names whose values are secrets: masked in every view, encrypted at rest. */
export function isSecretField(name: string): boolean {
  return /pin|password|passphrase|secret|credential/i.test(name);
}

export function deriveProfileSecretsKey(master: KeyObject): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), PROFILE_SECRETS_INFO, 32)));
}

const aad = (profile: string, field: string): Buffer => Buffer.from(`${profile}\0${field}`, "utf8");

/** "v1:" · base64(iv 12 · tag 16 · ciphertext). */
export function sealSecret(key: KeyObject, profile: string, field: string, clear: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, iv);
  c.setAAD(aad(profile, field));
  const ct = Buffer.concat([c.update(clear, "utf8"), c.final()]);
  return `v1:${Buffer.concat([iv, c.getAuthTag(), ct]).toString("base64")}`;
}

export function openSecret(key: KeyObject, profile: string, field: string, sealed: string): string {
  try {
    if (!sealed.startsWith("v1:")) throw new Error("format");
    const b = Buffer.from(sealed.slice(3), "base64");
    const d = createDecipheriv("aes-256-gcm", key, b.subarray(0, 12));
    d.setAAD(aad(profile, field));
    d.setAuthTag(b.subarray(12, 28));
    return Buffer.concat([d.update(b.subarray(28)), d.final()]).toString("utf8");
  } catch {
    // Never echo the stored value: it names no secret, but the message stays generic anyway.
    throw new KmsError("invalid", `the ${field} of HSM profile ${profile} cannot be decrypted (wrong master key?)`);
  }
}
