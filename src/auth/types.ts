/**
 * Tenancy (issue 6): who a certificate's principal is inside kmipd. A principal belongs to one
 * account, accounts belong to domains, and each principal works in one zone. Objects are owned by
 * accounts; KEKs are scoped to zones. This file is the contract between the KMIP side (operations
 * see a Tenant), the KMS side (KEK choice needs account and zone) and the admin plane (which
 * manages the directory); implementations live beside it.
 */

/** root-admin: everything; domain-admin: the accounts of one domain; user: KMIP only, own account. */
export type Role = "root-admin" | "domain-admin" | "user";

/** The resolved identity of one request: fixed for the connection, never taken from request fields. */
export interface Tenant {
  /** From the client certificate (CN or a SAN, per tls.identity). */
  readonly principal: string;
  readonly account: string;
  readonly domain: string;
  readonly zone: string;
  readonly role: Role;
}

export interface Account {
  readonly name: string;
  readonly domain: string;
  readonly createdAt: number;
}

export interface PrincipalMapping {
  readonly principal: string;
  readonly account: string;
  readonly zone: string;
  readonly role: Role;
  /** "config" (from the settings file, re-applied at start), "admin" (API/CLI) or "auto" (auto-registration). */
  readonly source: "config" | "admin" | "auto";
}

/** Failures the admin plane shows as they are (no secrets in them): unknown names, conflicts, refusals. */
export class TenancyError extends Error {
  override readonly name = "TenancyError";
  constructor(
    readonly code: "not-found" | "exists" | "forbidden" | "invalid" | "in-use",
    message: string,
  ) {
    super(message);
  }
}

/**
 * The development PKI's admin certificate (admin.pem, CN kmipd-admin) is what `kmipd` admin
 * commands present. A Directory maps this principal to root-admin at start (source "config")
 * unless the settings map it otherwise, so a fresh `kmipd init` + `kmipd serve` can be
 * administered at once. Production deployments map their own admin principals.
 */
export const BOOTSTRAP_ADMIN: Omit<PrincipalMapping, "source"> = { principal: "kmipd-admin", account: "default", zone: "default", role: "root-admin" };

/** The directory of accounts, domains, zones and principal mappings. */
export interface Directory {
  /**
   * The tenant of a principal, or undefined when it is not registered (and auto-registration is
   * off): the KMIP side then answers every operation Permission Denied.
   */
  resolve(principal: string): Promise<Tenant | undefined>;
  listAccounts(filter?: { domain?: string }): Promise<Account[]>;
  createAccount(a: { name: string; domain: string }): Promise<Account>;
  /** Refused ("in-use") while the account owns objects or KEKs or has principals mapped. */
  deleteAccount(name: string): Promise<void>;
  listPrincipals(filter?: { account?: string; domain?: string }): Promise<PrincipalMapping[]>;
  mapPrincipal(m: Omit<PrincipalMapping, "source">): Promise<PrincipalMapping>;
  unmapPrincipal(principal: string): Promise<void>;
}
