/**
 * The Directory over the store's catalog: accounts (name → domain) and principal mappings
 * (principal → account, zone, role). Records are JSON in the `accounts` and `principals` tables.
 * Resolution is one or two catalog reads, cheap enough per request; nothing is cached, so an
 * admin's change applies to the next request.
 */
import type { CatalogStorage, ObjectStore } from "../store/types.js";
import { CatalogConflictError } from "../store/types.js";
import { TenancyError, type Account, type Directory, type PrincipalMapping, type Role, type Tenant } from "./types.js";

export const DEFAULT_DOMAIN = "default";
export const DEFAULT_ZONE = "default";
export const ROLES: readonly Role[] = ["root-admin", "domain-admin", "user"];

/** A principal mapping as the settings file gives it (`[[tenancy.principals]]`). */
export interface ConfiguredPrincipal {
  readonly principal: string;
  readonly account: string;
  readonly domain?: string;
  readonly zone?: string;
  readonly role?: Role;
}

export interface DirectoryOptions {
  readonly catalog: CatalogStorage;
  /** Whether an account still owns objects (deleteAccount refuses then). */
  readonly objects?: Pick<ObjectStore, "listByOwner">;
  /** Unknown principals become account = principal, domain and zone "default", role user. */
  readonly autoRegister?: boolean;
  readonly now?: () => number;
}

const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v), "utf8");
const dec = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString("utf8")) as T;

/** Names of accounts, domains, zones and principals: printable, no control characters, ≤ 256. */
export function checkName(what: string, s: unknown): string {
  if (typeof s !== "string" || s.length === 0 || s.length > 256 || /[\u0000-\u001f\u007f]/.test(s)) {
    throw new TenancyError("invalid", `${what} must be 1 to 256 printable characters`);
  }
  return s;
}

export class CatalogDirectory implements Directory {
  private readonly catalog: CatalogStorage;
  private readonly now: () => number;
  /** Other owners of things in an account (the KMS: its keys); each answers "in use" or undefined. */
  private readonly usage: ((account: string) => string | undefined)[] = [];

  constructor(private readonly opts: DirectoryOptions) {
    this.catalog = opts.catalog;
    this.now = opts.now ?? Date.now;
  }

  get autoRegister(): boolean {
    return this.opts.autoRegister === true;
  }

  /** Lets another layer (the KMS keys) veto deleteAccount with a reason. */
  addUsageCheck(check: (account: string) => string | undefined): void {
    this.usage.push(check);
  }

  async resolve(principal: string): Promise<Tenant | undefined> {
    let m = this.mapping(principal);
    if (!m) {
      if (!this.autoRegister) return undefined;
      m = await this.register({ principal, account: principal, domain: DEFAULT_DOMAIN, zone: DEFAULT_ZONE, role: "user" }, "auto");
    }
    const a = this.account(m.account);
    if (!a) return undefined; // a mapping to a deleted account admits nothing
    return { principal, account: a.name, domain: a.domain, zone: m.zone, role: m.role };
  }

  async listAccounts(filter: { domain?: string } = {}): Promise<Account[]> {
    const out: Account[] = [];
    for (const { value } of this.catalog.catalogList("accounts")) {
      const a = dec<Account>(value);
      if (filter.domain === undefined || a.domain === filter.domain) out.push(a);
    }
    return out;
  }

  async createAccount(a: { name: string; domain: string }): Promise<Account> {
    const acc: Account = { name: checkName("account", a.name), domain: checkName("domain", a.domain), createdAt: this.now() };
    try {
      await this.catalog.catalogWrite([{ table: "accounts", key: acc.name, value: enc(acc), ifAbsent: true }]);
    } catch (e) {
      if (e instanceof CatalogConflictError) throw new TenancyError("exists", `account ${acc.name} exists`);
      throw e;
    }
    return acc;
  }

  async deleteAccount(name: string): Promise<void> {
    if (!this.account(name)) throw new TenancyError("not-found", `no account ${name}`);
    const mapped = (await this.listPrincipals({ account: name })).length;
    if (mapped > 0) throw new TenancyError("in-use", `account ${name} has ${mapped} principal(s) mapped`);
    if (this.opts.objects) for (const _ of this.opts.objects.listByOwner(name)) throw new TenancyError("in-use", `account ${name} owns objects`);
    for (const check of this.usage) {
      const why = check(name);
      if (why) throw new TenancyError("in-use", why);
    }
    await this.catalog.catalogWrite([{ table: "accounts", key: name, value: undefined }]);
  }

  async listPrincipals(filter: { account?: string; domain?: string } = {}): Promise<PrincipalMapping[]> {
    const out: PrincipalMapping[] = [];
    for (const { value } of this.catalog.catalogList("principals")) {
      const m = dec<PrincipalMapping>(value);
      if (filter.account !== undefined && m.account !== filter.account) continue;
      if (filter.domain !== undefined && this.account(m.account)?.domain !== filter.domain) continue;
      out.push(m);
    }
    return out;
  }

  /** Maps (or re-maps) a principal; the account must exist. */
  async mapPrincipal(m: Omit<PrincipalMapping, "source">, source: PrincipalMapping["source"] = "admin"): Promise<PrincipalMapping> {
    if (!this.account(m.account)) throw new TenancyError("not-found", `no account ${m.account}`);
    return this.put(m, source);
  }

  async unmapPrincipal(principal: string): Promise<void> {
    if (!this.mapping(principal)) throw new TenancyError("not-found", `principal ${principal} is not mapped`);
    await this.catalog.catalogWrite([{ table: "principals", key: principal, value: undefined }]);
  }

  /**
   * The `[[tenancy.principals]]` of the settings, applied at start: each account is created if
   * missing (in the given domain), each mapping written with source "config".
   */
  async applyConfig(list: readonly ConfiguredPrincipal[]): Promise<void> {
    for (const p of list) {
      await this.register({ principal: p.principal, account: p.account, domain: p.domain ?? DEFAULT_DOMAIN, zone: p.zone ?? DEFAULT_ZONE, role: p.role ?? "user" }, "config");
    }
  }

  /** Maps `principal` unless it already is (an admin's later change is kept). Returns whether it mapped. */
  async ensureMapped(p: Required<ConfiguredPrincipal>, source: PrincipalMapping["source"]): Promise<boolean> {
    if (this.mapping(p.principal)) return false;
    await this.register(p, source);
    return true;
  }

  private async register(p: Required<ConfiguredPrincipal>, source: PrincipalMapping["source"]): Promise<PrincipalMapping> {
    if (!ROLES.includes(p.role)) throw new TenancyError("invalid", `role must be one of ${ROLES.join(", ")}`);
    const existing = this.account(p.account);
    if (existing && existing.domain !== p.domain) throw new TenancyError("invalid", `account ${p.account} is in domain ${existing.domain}, not ${p.domain}`);
    if (!existing) await this.createAccount({ name: p.account, domain: p.domain }).catch((e) => (e instanceof TenancyError && e.code === "exists" ? undefined : Promise.reject(e)));
    return this.put({ principal: p.principal, account: p.account, zone: p.zone, role: p.role }, source);
  }

  private async put(m: Omit<PrincipalMapping, "source">, source: PrincipalMapping["source"]): Promise<PrincipalMapping> {
    const rec: PrincipalMapping = { principal: checkName("principal", m.principal), account: m.account, zone: checkName("zone", m.zone), role: m.role, source };
    if (!ROLES.includes(rec.role)) throw new TenancyError("invalid", `role must be one of ${ROLES.join(", ")}`);
    await this.catalog.catalogWrite([{ table: "principals", key: rec.principal, value: enc(rec) }]);
    return rec;
  }

  private mapping(principal: string): PrincipalMapping | undefined {
    const b = this.catalog.catalogGet("principals", principal);
    return b && dec<PrincipalMapping>(b);
  }

  private account(name: string): Account | undefined {
    const b = this.catalog.catalogGet("accounts", name);
    return b && dec<Account>(b);
  }
}
