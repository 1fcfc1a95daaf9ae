/**
 * The KMS side of envelope encryption (issue 6): HSM profiles, KMS keys (KEKs) with versions, and
 * the choice of KEK for a new object. Key providers (src/keys) do the cryptography; this layer
 * knows which provider and which KEK version serve which tenant. Contract shared by the engine,
 * the operations' repository and the admin plane; implementations live beside it.
 */
import type { Tenant } from "../auth/types.js";

export type ProfileScope = { readonly kind: "system" } | { readonly kind: "zone"; readonly zone: string } | { readonly kind: "account"; readonly account: string };

/**
 * An HSM profile as the admin plane shows it. Secrets in `details` (pin, password, …) are stored
 * encrypted under the master key and are always "****" in this view — in API responses, CLI
 * output and logs — from the moment the profile is created.
 */
export interface HsmProfileView {
  readonly name: string;
  readonly vendor?: string;
  readonly provider: "pkcs11" | "database";
  readonly scope: ProfileScope;
  /** e.g. library, token or slot, pin ("****"), mechanism (the AES-KWP mechanism number). */
  readonly details: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

export interface NewHsmProfile {
  readonly name: string;
  readonly vendor?: string;
  readonly provider: "pkcs11" | "database";
  readonly scope: ProfileScope;
  /** Clear values as the admin typed them; secrets are encrypted before anything is stored. */
  readonly details: Readonly<Record<string, string>>;
}

export interface KekVersionView {
  readonly version: number;
  readonly createdAt: number;
  /** active: wraps new objects; previous: still wraps some; retired: wraps none; destroyed: material gone. */
  readonly state: "active" | "previous" | "retired" | "destroyed";
  /** Objects wrapped under this version (exact, from the (KEK, version) index). */
  readonly objects: number;
  /** When its key material was destroyed (`kmipd key destroy-version`). */
  readonly destroyedAt?: number;
}

export interface KmsKeyView {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly zone: string;
  readonly account: string;
  readonly hsmProfile: string;
  readonly bits: 128 | 192 | 256;
  readonly state: "enabled" | "disabled";
  /** `<service>/default` for an account's default key in a zone (service: Object Group, else kmip). */
  readonly alias?: string;
  readonly isDefault: boolean;
  readonly currentVersion: number;
  readonly versions: readonly KekVersionView[];
  readonly createdAt: number;
}

export class KmsError extends Error {
  override readonly name = "KmsError";
  constructor(
    /** "destroyed": the KEK version's key material was destroyed (nothing can be unwrapped under it; it cannot be destroyed twice). */
    readonly code: "not-found" | "exists" | "forbidden" | "invalid" | "in-use" | "unavailable" | "destroyed",
    message: string,
  ) {
    super(message);
  }
}

export interface HsmProfiles {
  /** Root admins only (the caller checks the role). Opens a session and logs in before storing. */
  add(p: NewHsmProfile): Promise<HsmProfileView>;
  list(): Promise<HsmProfileView[]>;
  show(name: string): Promise<HsmProfileView>;
  /** Refused ("in-use") while a KMS key uses the profile. */
  delete(name: string): Promise<void>;
}

export interface KmsKeys {
  create(k: { name: string; zone: string; account: string; hsmProfile: string; bits?: 128 | 192 | 256; description?: string }): Promise<KmsKeyView>;
  list(filter?: { account?: string; zone?: string }): Promise<KmsKeyView[]>;
  show(name: string, account?: string): Promise<KmsKeyView>;
  setState(name: string, state: "enabled" | "disabled", account?: string): Promise<KmsKeyView>;
  /** Refused ("in-use", with the count) while objects are wrapped under it, unless `force`. Default keys: always refused. */
  delete(name: string, o?: { account?: string; force?: boolean }): Promise<void>;
  /** A new version becomes the active one; older versions keep unwrapping (the rewrap daemon, issue 7, moves objects). */
  rotate(name: string, account?: string): Promise<KmsKeyView>;
  /**
   * Destroys a retired version's key material in its provider (HSM token object or database KEK
   * record) and records `destroyedAt`. Refused ("in-use") for the current version, a version that
   * still wraps objects or that an unfinished rewrap job moves objects from; "destroyed" when it
   * already was.
   */
  destroyVersion(name: string, version: number, account?: string): Promise<KmsKeyView>;
}

/** Which KEK (and version) wraps a tenant's new object. */
export interface KekChoice {
  readonly keyId: string;
  readonly version: number;
}

export interface KekRouter {
  /**
   * The KEK for a new object: the one named by the request (`x-kms-key` in 1.x, the equivalent
   * Vendor Attribute in 2.x), which must be enabled, of the tenant's account and zone; else the
   * account's default key in the zone, created on first use under the most specific profile
   * available (account, zone, system) or the database provider.
   */
  kekForNew(tenant: Tenant, o: { requested?: string; service?: string }): Promise<KekChoice>;
  wrap(kek: KekChoice, plaintext: Uint8Array): Promise<Uint8Array>;
  unwrap(kek: KekChoice, blob: Uint8Array): Promise<Uint8Array>;
}
