/**
 * The key-provider port: where KEKs live and how DEKs are wrapped under them. The database
 * provider (src/keys/database/) keeps KEKs in the store under a master key; the PKCS#11 provider
 * (issue 6) keeps them in an HSM. Operations never see a KEK, only references to one.
 */

export interface KekRef {
  readonly id: string;
  readonly version: number;
}

export interface KeyProvider {
  /** "database" or "pkcs11". */
  readonly kind: string;
  /** The KEK new objects are wrapped under: created on first use. */
  currentKek(): Promise<KekRef>;
  /** RFC 5649 wrap of `plaintext` (any length ≥ 1) under the KEK. */
  wrap(kek: KekRef, plaintext: Uint8Array): Promise<Uint8Array>;
  /** The inverse of wrap; rejects with KeyProviderError on any integrity failure. */
  unwrap(kek: KekRef, blob: Uint8Array): Promise<Uint8Array>;
  /** Re-wrap from one KEK (version) to another, without the caller seeing the plaintext. */
  rewrap(from: KekRef, to: KekRef, blob: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Failures of a key provider; the message is safe to log (no key bytes, no PINs). */
export class KeyProviderError extends Error {
  override readonly name = "KeyProviderError";
  constructor(
    message: string,
    /** True when retrying may help (HSM unreachable, session lost), false for integrity failures. */
    readonly transient = false,
  ) {
    super(message);
  }
}
