/**
 * KMS keys (KEKs) over the catalog's `kmskeys` table, and the KekRouter that picks and uses them.
 * A KMS key version is a provider KEK labelled by the key's id: a KekRecord (id, version) for the
 * database provider, a token object (label id, CKA_ID from id and version) for PKCS#11. Objects
 * record (key id, version); how many objects each version wraps comes from the store's (KEK,
 * version) index. Objects from before issue 6 carry kekId "db-kek": the built-in database
 * provider still opens them.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Tenant } from "../auth/types.js";
import { KeyProviderError, type KeyProvider } from "../keys/types.js";
import { CatalogConflictError, type CatalogStorage, type KekIndex } from "../store/types.js";
import type { UnwrappedCache } from "./cache.js";
import { DATABASE_PROFILE, type HsmProfileService } from "./profiles.js";
import { KmsError, type KekChoice, type KekRouter, type KekVersionView, type KmsKeyView, type KmsKeys } from "./types.js";

/** The KEK id of objects wrapped before issue 6 (the database provider's one KEK). */
export const LEGACY_KEK_ID = "db-kek";

type Bits = 128 | 192 | 256;

interface KeyRecord {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly zone: string;
  readonly account: string;
  readonly hsmProfile: string;
  readonly bits: Bits;
  readonly state: "enabled" | "disabled";
  readonly alias?: string;
  readonly isDefault: boolean;
  readonly currentVersion: number;
  readonly versions: readonly { readonly version: number; readonly createdAt: number; readonly destroyedAt?: number }[];
  readonly createdAt: number;
}

export interface KmsKeyServiceOptions {
  readonly catalog: CatalogStorage;
  readonly profiles: HsmProfileService;
  /** Counts objects per KEK version (the store's (KEK, version) index). */
  readonly objects: Pick<KekIndex, "countUnderKek">;
  readonly cache?: UnwrappedCache;
  readonly now?: () => number;
}

/** Hashed, so the catalog key stays short whatever the lengths of account, zone and name. */
const nameKey = (account: string, zone: string, name: string): string => `kmskey-name:${createHash("sha256").update(JSON.stringify([account, zone, name])).digest("hex")}`;
const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v), "utf8");
const dec = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString("utf8")) as T;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@ -]{0,127}$/;

export class KmsKeyService implements KmsKeys, KekRouter {
  private readonly now: () => number;
  /** Default-key creations in flight, by account·zone·alias: concurrent first Creates make one key. */
  private readonly creatingDefault = new Map<string, Promise<KeyRecord>>();
  /** Why a version must not be destroyed yet, from outside this service (the rewrap daemon's jobs). */
  private readonly versionChecks: ((keyId: string, version: number) => string | undefined)[] = [];

  constructor(private readonly opts: KmsKeyServiceOptions) {
    this.now = opts.now ?? Date.now;
    opts.profiles.setUsage((p) => this.all().filter((k) => k.hsmProfile === p).length);
  }

  /** For Directory.addUsageCheck: an account holding KMS keys cannot be deleted. */
  accountUsage(account: string): string | undefined {
    const n = this.all().filter((k) => k.account === account).length;
    return n > 0 ? `account ${account} holds ${n} KMS key(s)` : undefined;
  }

  async create(k: { name: string; zone: string; account: string; hsmProfile: string; bits?: Bits; description?: string }): Promise<KmsKeyView> {
    // Reserved, so a user's key can never take the name a default key will need.
    if (typeof k.name === "string" && k.name.endsWith("/default")) throw new KmsError("invalid", "names ending in /default are reserved for default keys");
    return this.view(await this.make({ ...k, isDefault: false }));
  }

  async list(filter: { account?: string; zone?: string } = {}): Promise<KmsKeyView[]> {
    return this.all()
      .filter((k) => (filter.account === undefined || k.account === filter.account) && (filter.zone === undefined || k.zone === filter.zone))
      .map((k) => this.view(k));
  }

  async show(name: string, account?: string): Promise<KmsKeyView> {
    return this.view(this.find(name, account));
  }

  async setState(name: string, state: "enabled" | "disabled", account?: string): Promise<KmsKeyView> {
    const k = this.find(name, account);
    if (state !== "enabled" && state !== "disabled") throw new KmsError("invalid", "state must be enabled or disabled");
    if (k.isDefault && state === "disabled") throw new KmsError("forbidden", `${k.alias} is the default key of account ${k.account} in zone ${k.zone}: it cannot be disabled`);
    const next: KeyRecord = { ...k, state };
    await this.put(next);
    this.opts.cache?.dropKek(k.id);
    return this.view(next);
  }

  async delete(name: string, o: { account?: string; force?: boolean } = {}): Promise<void> {
    const k = this.find(name, o.account);
    if (k.isDefault) throw new KmsError("forbidden", `${k.alias} is the default key of account ${k.account} in zone ${k.zone}: it cannot be deleted`);
    const n = k.versions.reduce((s, v) => s + this.count(k, v.version), 0);
    if (n > 0 && !o.force) throw new KmsError("in-use", `KMS key ${k.name} still wraps ${n} object(s); delete with force to orphan them`);
    await this.opts.catalog.catalogWrite([
      { table: "kmskeys", key: k.id, value: undefined },
      { table: "catalogmeta", key: nameKey(k.account, k.zone, k.name), value: undefined },
    ]);
    this.opts.cache?.dropKek(k.id);
  }

  /** A new version becomes current; objects under older versions keep opening (issue 7 rewraps them). */
  async rotate(name: string, account?: string): Promise<KmsKeyView> {
    const k = this.find(name, account);
    const info = await this.guard(k.hsmProfile, () => this.opts.profiles.provider(k.hsmProfile).generateKek({ label: k.id, bits: k.bits }));
    const next: KeyRecord = { ...k, currentVersion: info.ref.version, versions: [...k.versions, { version: info.ref.version, createdAt: this.now() }] };
    await this.put(next);
    this.opts.cache?.dropKek(k.id);
    return this.view(next);
  }

  /** For the rewrap daemon: a version an unfinished job still moves objects from is not destroyed. */
  addVersionCheck(check: (keyId: string, version: number) => string | undefined): void {
    this.versionChecks.push(check);
  }

  /**
   * Destroys a retired version's key material in its provider, then records `destroyedAt`. The
   * provider goes first: a crash in between leaves the version "retired" with its material gone,
   * and a retry destroys nothing more (the providers take an absent version as done) and records it.
   */
  async destroyVersion(name: string, version: number, account?: string): Promise<KmsKeyView> {
    const k = this.find(name, account);
    const v = k.versions.find((x) => x.version === version);
    if (!v) throw new KmsError("not-found", `KMS key ${k.name} has no version ${version}`);
    if (v.destroyedAt !== undefined) throw new KmsError("destroyed", `version ${version} of KMS key ${k.name} was already destroyed`);
    if (version === k.currentVersion) throw new KmsError("in-use", `version ${version} is the current version of KMS key ${k.name}: rotate first`);
    const n = this.count(k, version);
    if (n > 0) throw new KmsError("in-use", `version ${version} of KMS key ${k.name} still wraps ${n} object(s): let the rewrap finish (kmipd rewrap run)`);
    for (const check of this.versionChecks) {
      const why = check(k.id, version);
      if (why) throw new KmsError("in-use", why);
    }
    await this.guard(k.hsmProfile, () => this.opts.profiles.provider(k.hsmProfile).destroyKek({ id: k.id, version }));
    // Re-read: a rotation may have added a version meanwhile.
    const now = this.byId(k.id) ?? k;
    const next: KeyRecord = { ...now, versions: now.versions.map((x) => (x.version === version ? { ...x, destroyedAt: this.now() } : x)) };
    await this.put(next);
    this.opts.cache?.dropKek(k.id);
    return this.view(next);
  }

  async kekForNew(tenant: Tenant, o: { requested?: string; service?: string }): Promise<KekChoice> {
    if (o.requested !== undefined) {
      const byId = this.byId(o.requested);
      const k = byId && byId.account === tenant.account && byId.zone === tenant.zone ? byId : this.byName(tenant.account, tenant.zone, o.requested);
      // One answer for "someone else's", "another zone's" and "no such key": nothing leaks.
      if (!k) throw new KmsError("invalid", `KMS key ${o.requested} is not usable in zone ${tenant.zone}`);
      if (k.state !== "enabled") throw new KmsError("invalid", `KMS key ${o.requested} is disabled`);
      return { keyId: k.id, version: k.currentVersion };
    }
    const alias = `${o.service || "kmip"}/default`;
    const k = this.defaultKey(tenant.account, tenant.zone, alias) ?? (await this.createDefault(tenant, alias));
    return { keyId: k.id, version: k.currentVersion };
  }

  async wrap(kek: KekChoice, plaintext: Uint8Array): Promise<Uint8Array> {
    const { provider, profile } = this.usable(kek);
    return this.guard(profile, () => provider.wrap({ id: kek.keyId, version: kek.version }, plaintext));
  }

  async unwrap(kek: KekChoice, blob: Uint8Array): Promise<Uint8Array> {
    const { provider, profile } = this.usable(kek);
    return this.guard(profile, () => provider.unwrap({ id: kek.keyId, version: kek.version }, blob));
  }

  /**
   * Re-wraps one blob from a version of a KMS key to another version of the same key, by the key's
   * provider (inside the HSM for PKCS#11): the plaintext never reaches this layer.
   */
  async rewrapBlob(keyId: string, from: number, to: number, blob: Uint8Array): Promise<Uint8Array> {
    this.usable({ keyId, version: from });
    const { provider, profile } = this.usable({ keyId, version: to });
    return this.guard(profile, () => provider.rewrap({ id: keyId, version: from }, { id: keyId, version: to }, blob));
  }

  /**
   * Moves one blob from a KEK of one provider to a KMS key of another (migration of legacy
   * "db-kek" objects): unwrap by the source provider, wrap by the target's, plaintext zeroed.
   * The source is the database provider, whose unwrap already runs in this process.
   */
  async migrateBlob(fromKekId: string, fromVersion: number, toKeyId: string, toVersion: number, blob: Uint8Array): Promise<Uint8Array> {
    const plain = await this.unwrap({ keyId: fromKekId, version: fromVersion }, blob);
    try {
      return await this.wrap({ keyId: toKeyId, version: toVersion }, plain);
    } finally {
      plain.fill(0);
    }
  }

  /** A key's id, name, account, zone and versions, by id (the rewrap daemon's view); undefined once deleted. */
  keyById(keyId: string): { id: string; name: string; account: string; zone: string; currentVersion: number; versions: number[] } | undefined {
    const k = this.byId(keyId);
    return k && { id: k.id, name: k.name, account: k.account, zone: k.zone, currentVersion: k.currentVersion, versions: k.versions.map((v) => v.version) };
  }

  /** The profile name a KEK reference lives under (for messages and the admin plane). */
  profileOf(keyId: string): string | undefined {
    return keyId === LEGACY_KEK_ID ? DATABASE_PROFILE : this.byId(keyId)?.hsmProfile;
  }

  private usable(kek: KekChoice): { provider: KeyProvider; profile: string } {
    if (kek.keyId === LEGACY_KEK_ID) return { provider: this.opts.profiles.provider(DATABASE_PROFILE), profile: DATABASE_PROFILE };
    const k = this.byId(kek.keyId);
    if (!k) throw new KmsError("not-found", "the KMS key that wrapped this object was deleted");
    if (k.state !== "enabled") throw new KmsError("forbidden", `KMS key ${k.name} is disabled`);
    if (k.versions.find((v) => v.version === kek.version)?.destroyedAt !== undefined) throw new KmsError("destroyed", `version ${kek.version} of KMS key ${k.name} was destroyed`);
    return { provider: this.opts.profiles.provider(k.hsmProfile), profile: k.hsmProfile };
  }

  /** HSM trouble that may pass becomes "unavailable" with a message naming the profile, nothing else. */
  private async guard<T>(profile: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof KeyProviderError && e.transient) throw new KmsError("unavailable", `HSM for profile ${profile} unavailable; retry later`);
      throw e;
    }
  }

  private defaultKey(account: string, zone: string, alias: string): KeyRecord | undefined {
    const k = this.byName(account, zone, alias);
    return k?.isDefault ? k : undefined;
  }

  private async createDefault(t: Tenant, alias: string): Promise<KeyRecord> {
    const slot = `${t.account}\0${t.zone}\0${alias}`;
    let p = this.creatingDefault.get(slot);
    if (!p) {
      const hsmProfile = this.opts.profiles.mostSpecific(t.account, t.zone) ?? DATABASE_PROFILE;
      p = this.make({ name: alias, alias, zone: t.zone, account: t.account, hsmProfile, isDefault: true, description: `default key of ${t.account} in zone ${t.zone}` }).finally(
        () => this.creatingDefault.delete(slot),
      );
      this.creatingDefault.set(slot, p);
    }
    return p;
  }

  private async make(k: { name: string; zone: string; account: string; hsmProfile: string; bits?: Bits; description?: string; alias?: string; isDefault: boolean }): Promise<KeyRecord> {
    if (typeof k.name !== "string" || !NAME.test(k.name)) throw new KmsError("invalid", `key name must match ${NAME.source}`);
    if (!k.zone || !k.account) throw new KmsError("invalid", "a KMS key needs a zone and an account");
    const bits = k.bits ?? 256;
    if (![128, 192, 256].includes(bits)) throw new KmsError("invalid", "bits must be 128, 192 or 256");
    if (!this.opts.profiles.has(k.hsmProfile)) throw new KmsError("not-found", `no HSM profile ${k.hsmProfile}`);
    if (k.hsmProfile !== DATABASE_PROFILE) {
      const s = (await this.opts.profiles.show(k.hsmProfile)).scope;
      if ((s.kind === "zone" && s.zone !== k.zone) || (s.kind === "account" && s.account !== k.account)) {
        throw new KmsError("forbidden", `HSM profile ${k.hsmProfile} is not available to account ${k.account} in zone ${k.zone}`);
      }
    }
    const exists = () => new KmsError("exists", `account ${k.account} has a KMS key ${k.name} in zone ${k.zone}`);
    if (this.byName(k.account, k.zone, k.name)) throw exists();
    const id = `kek-${randomUUID()}`;
    const info = await this.guard(k.hsmProfile, () => this.opts.profiles.provider(k.hsmProfile).generateKek({ label: id, bits }));
    const now = this.now();
    const rec: KeyRecord = {
      id,
      name: k.name,
      ...(k.description ? { description: k.description } : {}),
      zone: k.zone,
      account: k.account,
      hsmProfile: k.hsmProfile,
      bits,
      state: "enabled",
      ...(k.alias ? { alias: k.alias } : {}),
      isDefault: k.isDefault,
      currentVersion: info.ref.version,
      versions: [{ version: info.ref.version, createdAt: now }],
      createdAt: now,
    };
    try {
      // The name entry is written with the record and only if absent: two creations racing for one name cannot both win.
      await this.opts.catalog.catalogWrite([
        { table: "kmskeys", key: id, value: enc(rec), ifAbsent: true },
        { table: "catalogmeta", key: nameKey(rec.account, rec.zone, rec.name), value: Buffer.from(id, "utf8"), ifAbsent: true },
      ]);
    } catch (e) {
      if (e instanceof CatalogConflictError) throw exists();
      throw e;
    }
    return rec;
  }

  /** By id, or by name within the account (or across accounts when none is given); ambiguity is an error. */
  private find(name: string, account?: string): KeyRecord {
    const byId = this.byId(name);
    if (byId && (account === undefined || byId.account === account)) return byId;
    const hits = this.all().filter((k) => k.name === name && (account === undefined || k.account === account));
    if (hits.length === 0) throw new KmsError("not-found", `no KMS key ${name}${account ? ` in account ${account}` : ""}`);
    if (hits.length > 1) throw new KmsError("invalid", `${hits.length} KMS keys are named ${name} (${hits.map((h) => `${h.account}/${h.zone}`).join(", ")}); name one by its id`);
    return hits[0]!;
  }

  /** One point read per lookup: the name index (account, zone, name → id) in catalogmeta. */
  private byName(account: string, zone: string, name: string): KeyRecord | undefined {
    const id = this.opts.catalog.catalogGet("catalogmeta", nameKey(account, zone, name));
    return id && this.byId(Buffer.from(id).toString("utf8"));
  }

  private byId(id: string): KeyRecord | undefined {
    const b = this.opts.catalog.catalogGet("kmskeys", id);
    return b && dec<KeyRecord>(b);
  }

  private all(): KeyRecord[] {
    return [...this.opts.catalog.catalogList("kmskeys")].map(({ value }) => dec<KeyRecord>(value));
  }

  private async put(k: KeyRecord): Promise<void> {
    await this.opts.catalog.catalogWrite([{ table: "kmskeys", key: k.id, value: enc(k) }]);
  }

  private count(k: KeyRecord, version: number): number {
    return this.opts.objects.countUnderKek(k.id, version);
  }

  private view(k: KeyRecord): KmsKeyView {
    const versions: KekVersionView[] = k.versions.map((v) => {
      const objects = this.count(k, v.version);
      const state = v.destroyedAt !== undefined ? "destroyed" : v.version === k.currentVersion ? "active" : objects > 0 ? "previous" : "retired";
      return { version: v.version, createdAt: v.createdAt, state, objects, ...(v.destroyedAt === undefined ? {} : { destroyedAt: v.destroyedAt }) };
    });
    return {
      id: k.id,
      name: k.name,
      ...(k.description ? { description: k.description } : {}),
      zone: k.zone,
      account: k.account,
      hsmProfile: k.hsmProfile,
      bits: k.bits,
      state: k.state,
      ...(k.alias ? { alias: k.alias } : {}),
      isDefault: k.isDefault,
      currentVersion: k.currentVersion,
      versions,
      createdAt: k.createdAt,
    };
  }
}
