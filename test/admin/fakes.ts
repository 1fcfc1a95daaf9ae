/**
 * In-memory fakes of the tenancy and KMS contracts (src/auth/types.ts, src/kms/types.ts) and of
 * the admin plane's own ports, so the admin API and CLI can be tested before the real services
 * land. They follow the contracts' documented behaviour: masked profile secrets, "in-use"
 * refusals, default keys that cannot be disabled or deleted.
 */
import type { AuditFilter, AuditLog, AuditRecord, NewAuditRecord, VerifyResult } from "../../src/audit/index.js";
import { BOOTSTRAP_ADMIN, TenancyError, type Account, type Directory, type PrincipalMapping, type Tenant } from "../../src/auth/types.js";
import { KmsError, type HsmProfileView, type HsmProfiles, type KmsKeyView, type KmsKeys, type NewHsmProfile } from "../../src/kms/types.js";
import type { ObjectInspector, ObjectView } from "../../src/server/admin/types.js";

const SECRET = /pin|password|passphrase|secret/i;

export class FakeDirectory implements Directory {
  readonly accounts = new Map<string, Account>();
  readonly principals = new Map<string, PrincipalMapping>();

  constructor() {
    for (const [name, domain] of [["default", "default"], ["acme", "d1"], ["acme2", "d1"], ["globex", "d2"]] as const) this.accounts.set(name, { name, domain, createdAt: 1 });
    this.principals.set(BOOTSTRAP_ADMIN.principal, { ...BOOTSTRAP_ADMIN, source: "config" });
  }

  async resolve(principal: string): Promise<Tenant | undefined> {
    const m = this.principals.get(principal);
    if (!m) return undefined;
    return { principal, account: m.account, domain: this.accounts.get(m.account)?.domain ?? "default", zone: m.zone, role: m.role };
  }
  async listAccounts(f: { domain?: string } = {}): Promise<Account[]> {
    return [...this.accounts.values()].filter((a) => f.domain === undefined || a.domain === f.domain);
  }
  async createAccount(a: { name: string; domain: string }): Promise<Account> {
    if (this.accounts.has(a.name)) throw new TenancyError("exists", `account ${a.name} exists`);
    const acc = { ...a, createdAt: Date.now() };
    this.accounts.set(a.name, acc);
    return acc;
  }
  async deleteAccount(name: string): Promise<void> {
    if (!this.accounts.has(name)) throw new TenancyError("not-found", `no account ${name}`);
    if ([...this.principals.values()].some((p) => p.account === name)) throw new TenancyError("in-use", `account ${name} has principals`);
    this.accounts.delete(name);
  }
  async listPrincipals(f: { account?: string; domain?: string } = {}): Promise<PrincipalMapping[]> {
    return [...this.principals.values()].filter((p) => (f.account === undefined || p.account === f.account) && (f.domain === undefined || this.accounts.get(p.account)?.domain === f.domain));
  }
  async mapPrincipal(m: Omit<PrincipalMapping, "source">): Promise<PrincipalMapping> {
    if (!this.accounts.has(m.account)) throw new TenancyError("not-found", `no account ${m.account}`);
    const pm: PrincipalMapping = { ...m, source: "admin" };
    this.principals.set(m.principal, pm);
    return pm;
  }
  async unmapPrincipal(principal: string): Promise<void> {
    if (!this.principals.delete(principal)) throw new TenancyError("not-found", `no principal ${principal}`);
  }
}

export class FakeProfiles implements HsmProfiles {
  readonly stored = new Map<string, NewHsmProfile & { createdAt: number }>();
  /** A profile name that fails its login check, as an HSM refusing the PIN would. */
  failLogin = "";

  async add(p: NewHsmProfile): Promise<HsmProfileView> {
    if (this.stored.has(p.name)) throw new KmsError("exists", `HSM profile ${p.name} exists`);
    if (p.name === this.failLogin) throw new KmsError("unavailable", "cannot log in to the token (CKR_PIN_INCORRECT)");
    this.stored.set(p.name, { ...p, createdAt: Date.now() });
    return this.show(p.name);
  }
  async list(): Promise<HsmProfileView[]> {
    return Promise.all([...this.stored.keys()].map((n) => this.show(n)));
  }
  async show(name: string): Promise<HsmProfileView> {
    const p = this.stored.get(name);
    if (!p) throw new KmsError("not-found", `no HSM profile ${name}`);
    const details = Object.fromEntries(Object.entries(p.details).map(([k, v]) => [k, SECRET.test(k) ? "****" : v]));
    return { name: p.name, provider: p.provider, scope: p.scope, details, createdAt: p.createdAt, ...(p.vendor ? { vendor: p.vendor } : {}) };
  }
  async delete(name: string): Promise<void> {
    if (!this.stored.has(name)) throw new KmsError("not-found", `no HSM profile ${name}`);
    this.stored.delete(name);
  }
}

export class FakeKeys implements KmsKeys {
  readonly keys = new Map<string, KmsKeyView>();
  constructor(private readonly profiles: FakeProfiles) {}

  private id(name: string, account: string): string {
    return `${account}/${name}`;
  }
  private find(name: string, account?: string): KmsKeyView {
    const k = account === undefined ? [...this.keys.values()].find((x) => x.name === name) : this.keys.get(this.id(name, account));
    if (!k) throw new KmsError("not-found", `no KMS key ${name}`);
    return k;
  }
  async create(k: { name: string; zone: string; account: string; hsmProfile: string; bits?: 128 | 192 | 256; description?: string }): Promise<KmsKeyView> {
    if (this.keys.has(this.id(k.name, k.account))) throw new KmsError("exists", `KMS key ${k.name} exists`);
    if (!this.profiles.stored.has(k.hsmProfile)) throw new KmsError("not-found", `no HSM profile ${k.hsmProfile}`);
    const v: KmsKeyView = {
      id: this.id(k.name, k.account), name: k.name, zone: k.zone, account: k.account, hsmProfile: k.hsmProfile, bits: k.bits ?? 256, state: "enabled",
      isDefault: k.name === "kmip/default", currentVersion: 1, versions: [{ version: 1, createdAt: 1, state: "active", objects: 0 }], createdAt: Date.now(),
      ...(k.description ? { description: k.description } : {}), ...(k.name === "kmip/default" ? { alias: "kmip/default" } : {}),
    };
    this.keys.set(v.id, v);
    return v;
  }
  async list(f: { account?: string; zone?: string } = {}): Promise<KmsKeyView[]> {
    return [...this.keys.values()].filter((k) => (f.account === undefined || k.account === f.account) && (f.zone === undefined || k.zone === f.zone));
  }
  async show(name: string, account?: string): Promise<KmsKeyView> {
    return this.find(name, account);
  }
  async setState(name: string, state: "enabled" | "disabled", account?: string): Promise<KmsKeyView> {
    const k = this.find(name, account);
    if (k.isDefault && state === "disabled") throw new KmsError("invalid", "a default key cannot be disabled");
    const v = { ...k, state };
    this.keys.set(k.id, v);
    return v;
  }
  async rotate(name: string, account?: string): Promise<KmsKeyView> {
    const k = this.find(name, account);
    const version = k.currentVersion + 1;
    const v: KmsKeyView = { ...k, currentVersion: version, versions: [...k.versions.map((x) => ({ ...x, state: "previous" as const })), { version, createdAt: Date.now(), state: "active", objects: 0 }] };
    this.keys.set(k.id, v);
    return v;
  }
  async delete(name: string, o: { account?: string; force?: boolean } = {}): Promise<void> {
    const k = this.find(name, o.account);
    if (k.isDefault) throw new KmsError("invalid", "a default key cannot be deleted");
    const n = k.versions.reduce((s, v) => s + v.objects, 0);
    if (n > 0 && !o.force) throw new KmsError("in-use", `KMS key ${name} still wraps ${n} objects`);
    this.keys.delete(k.id);
  }
  async destroyVersion(name: string, version: number, account?: string): Promise<KmsKeyView> {
    const k = this.find(name, account);
    const v = k.versions.find((x) => x.version === version);
    if (!v) throw new KmsError("not-found", `KMS key ${name} has no version ${version}`);
    if (v.state === "destroyed") throw new KmsError("destroyed", `version ${version} of KMS key ${name} was already destroyed`);
    if (version === k.currentVersion || v.objects > 0) throw new KmsError("in-use", `version ${version} of KMS key ${name} is in use`);
    const next: KmsKeyView = { ...k, versions: k.versions.map((x) => (x.version === version ? { ...x, state: "destroyed" as const, destroyedAt: Date.now() } : x)) };
    this.keys.set(k.id, next);
    return next;
  }
  /** Test helper: pretend objects are wrapped under the key. */
  wrap(name: string, objects: number): void {
    const k = this.find(name);
    this.keys.set(k.id, { ...k, versions: k.versions.map((v) => ({ ...v, objects })) });
  }
}

export class FakeInspector implements ObjectInspector {
  readonly objects = new Map<string, ObjectView>();
  async inspect(id: string): Promise<ObjectView | undefined> {
    return this.objects.get(id);
  }
}

export class MemoryAudit implements AuditLog {
  readonly records: AuditRecord[] = [];
  failing = false;
  async append(rs: readonly NewAuditRecord[]): Promise<readonly AuditRecord[]> {
    if (this.failing) throw new Error("disk full");
    const out = rs.map((r) => ({ ...r, seq: this.records.length + 1 }));
    this.records.push(...out);
    return out;
  }
  list(f: AuditFilter = {}): AuditRecord[] {
    return this.records
      .filter((r) => (f.principal === undefined || r.principal === f.principal) && (f.operation === undefined || r.operation === f.operation))
      .filter((r) => (f.since === undefined || r.time >= f.since) && (f.until === undefined || r.time <= f.until))
      .filter((r) => f.objectId === undefined || r.objectIds.includes(f.objectId))
      .slice(0, f.limit);
  }
  verify(): VerifyResult {
    return { ok: true, checked: this.records.length, headSeq: this.records.length };
  }
  lastSeq(): number {
    return this.records.length;
  }
  async close(): Promise<void> {}
}

export function fakeServices() {
  const directory = new FakeDirectory();
  const profiles = new FakeProfiles();
  const keys = new FakeKeys(profiles);
  const objects = new FakeInspector();
  const audit = new MemoryAudit();
  return { directory, profiles, keys, objects, audit };
}
