/**
 * The key-provider port: where KEKs live and how DEKs are wrapped under them. The database
 * provider (src/keys/database/) keeps KEKs in the store under a master key; the PKCS#11 provider
 * (src/keys/pkcs11/) keeps them in an HSM. Operations never see a KEK, only references to one.
 */

/** A KEK is a name (id) with numbered versions; a wrapped DEK records both. */
export interface KekRef {
  readonly id: string;
  readonly version: number;
}

export type KekBits = 128 | 192 | 256;

export interface KekSpec {
  /** The KEK's name; generating again under the same label makes the next version. */
  readonly label: string;
  readonly bits: KekBits;
}

/** A KEK version just generated: its reference and where the provider keeps it. */
export interface KekInfo {
  readonly ref: KekRef;
  readonly bits: KekBits;
  /** The provider's own name for it: the token object's CKA_LABEL, or the store record id. */
  readonly label: string;
  /** PKCS#11 only: the token object's CKA_ID, hex. */
  readonly objectId?: string;
}

/** What an operator may see about a provider: never a secret (a PIN shows as "****"). */
export interface ProviderDescription {
  readonly kind: string;
  readonly library?: string;
  readonly token?: string;
  readonly slot?: string;
  readonly pin?: "****";
  /** The wrap mechanism, e.g. "CKM_AES_KEY_WRAP_PAD (0x210a)" or "RFC 5649 (node:crypto)". */
  readonly mechanism?: string;
}

export interface KeyProvider {
  /** "database" or "pkcs11". */
  readonly kind: string;
  /** The KEK new objects are wrapped under: created on first use. */
  currentKek(): Promise<KekRef>;
  /** Generate a new KEK version under `spec.label` (version 1 if the label is new). */
  generateKek(spec: KekSpec): Promise<KekInfo>;
  /** RFC 5649 wrap of `plaintext` (any length ≥ 1) under the KEK. */
  wrap(kek: KekRef, plaintext: Uint8Array): Promise<Uint8Array>;
  /** The inverse of wrap; rejects with KeyProviderError on any integrity failure. */
  unwrap(kek: KekRef, blob: Uint8Array): Promise<Uint8Array>;
  /**
   * Re-wrap from one KEK (version) to another, without the caller seeing the plaintext. The
   * PKCS#11 provider does it inside the HSM, so the plaintext never enters this process.
   */
  rewrap(from: KekRef, to: KekRef, blob: Uint8Array): Promise<Uint8Array>;
  /**
   * Destroys one KEK version's key material for good (`kmipd key destroy-version`): the token
   * object (PKCS#11, C_DestroyObject) or the wrapped KEK record (database). The caller checks that
   * nothing is wrapped under it any more. Refused (KeyProviderError) for the label's newest
   * version, which new versions are numbered from; resolves when it is already gone (a retry).
   */
  destroyKek(ref: KekRef): Promise<void>;
  /**
   * Whether the provider can serve now (/healthz): for PKCS#11, a session on the token and a
   * token that answers, within the operation timeout. Never rejects; creates nothing.
   */
  healthy(): Promise<boolean>;
  /** Safe to log or show: no PIN, no key bytes. */
  describe(): ProviderDescription;
  close(): Promise<void>;
}

/** Failures of a key provider; the message is safe to log (no key bytes, no PINs). */
export class KeyProviderError extends Error {
  override readonly name = "KeyProviderError";
  constructor(
    message: string,
    /** True when retrying may help (HSM unreachable, session lost), false for integrity failures. */
    readonly transient = false,
    /** The PKCS#11 return value name when there was one (e.g. "CKR_DEVICE_REMOVED"). */
    readonly code?: string,
  ) {
    super(message);
  }
}
