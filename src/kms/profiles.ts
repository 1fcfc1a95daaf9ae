/**
 * HSM profiles over the catalog's `profiles` table, and the one key provider per profile that
 * serves it (created on first use, closed on shutdown). Secret details are sealed (secrets.ts)
 * before anything is stored and are "****" in every view. The name "database" is the built-in
 * profile: the database key provider under the master key, always available.
 */
import type { KeyObject } from "node:crypto";
import { TokenConnection } from "../keys/pkcs11/connection.js";
import { createPkcs11KeyProvider, type Pkcs11ProviderOptions } from "../keys/pkcs11/index.js";
import { observedProvider, type ProviderCallObserver } from "./observed.js";
import { KeyProviderError, type KeyProvider } from "../keys/types.js";
import type { CatalogStorage } from "../store/types.js";
import { CatalogConflictError } from "../store/types.js";
import { MASK, deriveProfileSecretsKey, isSecretField, openSecret, sealSecret } from "./secrets.js";
import { KmsError, type HsmProfileView, type HsmProfiles, type NewHsmProfile, type ProfileScope } from "./types.js";

export const DATABASE_PROFILE = "database";

interface ProfileRecord {
  readonly name: string;
  readonly vendor?: string;
  readonly provider: "pkcs11" | "database";
  readonly scope: ProfileScope;
  /** Non-secret details in the clear, secret ones sealed ("v1:…"). */
  readonly details: Record<string, string>;
  readonly sealed: readonly string[];
  readonly createdAt: number;
}

export interface Pkcs11Settings {
  readonly retryCount: number;
  readonly retryDelayMs: number;
  readonly operationTimeoutMs: number;
  /** Tests: e.g. wrapModule, to break the HSM on purpose. */
  readonly overrides?: Partial<Pkcs11ProviderOptions>;
}

export interface HsmProfileServiceOptions {
  readonly catalog: CatalogStorage;
  readonly masterKey: KeyObject;
  /** The built-in database provider (shared with objects wrapped before issue 6). */
  readonly database: KeyProvider;
  readonly pkcs11: Pkcs11Settings;
  readonly now?: () => number;
  /** Told of every call into an HSM profile's provider (metrics). */
  readonly onProviderCall?: ProviderCallObserver;
}

const enc = (v: unknown): Uint8Array => Buffer.from(JSON.stringify(v), "utf8");
const dec = <T>(b: Uint8Array): T => JSON.parse(Buffer.from(b).toString("utf8")) as T;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

export class HsmProfileService implements HsmProfiles {
  private readonly secretsKey: KeyObject;
  private readonly providers = new Map<string, KeyProvider>();
  private readonly now: () => number;
  private inUse: (profile: string) => number = () => 0;

  constructor(private readonly opts: HsmProfileServiceOptions) {
    this.secretsKey = deriveProfileSecretsKey(opts.masterKey);
    this.now = opts.now ?? Date.now;
  }

  /** The KMS keys tell how many keys use a profile (delete refuses while any does). */
  setUsage(count: (profile: string) => number): void {
    this.inUse = count;
  }

  async add(p: NewHsmProfile): Promise<HsmProfileView> {
    if (!NAME.test(p.name) || p.name === DATABASE_PROFILE) throw new KmsError("invalid", `profile name must match ${NAME.source} and not be "${DATABASE_PROFILE}"`);
    if (p.provider !== "pkcs11" && p.provider !== "database") throw new KmsError("invalid", "provider must be pkcs11 or database");
    checkScope(p.scope);
    if (this.record(p.name)) throw new KmsError("exists", `HSM profile ${p.name} exists`);
    const details: Record<string, string> = {};
    const sealed: string[] = [];
    for (const [k, v] of Object.entries(p.details)) {
      if (typeof v !== "string") throw new KmsError("invalid", `detail ${k} must be a string`);
      if (isSecretField(k)) {
        details[k] = sealSecret(this.secretsKey, p.name, k, v);
        sealed.push(k);
      } else details[k] = v;
    }
    if (p.provider === "pkcs11") await this.checkLogin(p.name, p.details);
    const rec: ProfileRecord = { name: p.name, ...(p.vendor ? { vendor: p.vendor } : {}), provider: p.provider, scope: p.scope, details, sealed, createdAt: this.now() };
    try {
      await this.opts.catalog.catalogWrite([{ table: "profiles", key: rec.name, value: enc(rec), ifAbsent: true }]);
    } catch (e) {
      if (e instanceof CatalogConflictError) throw new KmsError("exists", `HSM profile ${p.name} exists`);
      throw e;
    }
    return view(rec);
  }

  async list(): Promise<HsmProfileView[]> {
    return [...this.opts.catalog.catalogList("profiles")].map(({ value }) => view(dec<ProfileRecord>(value)));
  }

  async show(name: string): Promise<HsmProfileView> {
    const r = this.record(name);
    if (!r) throw new KmsError("not-found", `no HSM profile ${name}`);
    return view(r);
  }

  async delete(name: string): Promise<void> {
    if (!this.record(name)) throw new KmsError("not-found", `no HSM profile ${name}`);
    const n = this.inUse(name);
    if (n > 0) throw new KmsError("in-use", `HSM profile ${name} is used by ${n} KMS key(s)`);
    await this.opts.catalog.catalogWrite([{ table: "profiles", key: name, value: undefined }]);
    const p = this.providers.get(name);
    this.providers.delete(name);
    await p?.close();
  }

  /** Whether a profile exists ("database" always does). */
  has(name: string): boolean {
    return name === DATABASE_PROFILE || this.record(name) !== undefined;
  }

  /** The most specific profile for an account in a zone: account scope, then zone, then system. */
  mostSpecific(account: string, zone: string): string | undefined {
    const all = [...this.opts.catalog.catalogList("profiles")].map(({ value }) => dec<ProfileRecord>(value));
    const pick = (f: (s: ProfileScope) => boolean) => all.filter((r) => f(r.scope)).sort((a, b) => a.createdAt - b.createdAt)[0]?.name;
    return (
      pick((s) => s.kind === "account" && s.account === account) ?? pick((s) => s.kind === "zone" && s.zone === zone) ?? pick((s) => s.kind === "system")
    );
  }

  /** The names of the registered profiles (not the built-in database one), in catalog order. */
  names(): string[] {
    return [...this.opts.catalog.catalogList("profiles")].map(({ value }) => dec<ProfileRecord>(value).name);
  }

  /** /healthz: whether the profile's provider can serve now; never throws (a broken profile is "unavailable"). */
  async health(name: string): Promise<"ok" | "unavailable"> {
    try {
      return (await this.provider(name).healthy()) ? "ok" : "unavailable";
    } catch {
      return "unavailable";
    }
  }

  /** The key provider of a profile, created on first use. */
  provider(name: string): KeyProvider {
    if (name === DATABASE_PROFILE) return this.opts.database;
    const have = this.providers.get(name);
    if (have) return have;
    const r = this.record(name);
    if (!r) throw new KmsError("not-found", `no HSM profile ${name}`);
    let p = r.provider === "database" ? this.opts.database : createPkcs11KeyProvider(this.pkcs11Options(r.name, this.clearDetails(r)));
    if (p !== this.opts.database && this.opts.onProviderCall) p = observedProvider(p, r.name, this.opts.onProviderCall);
    this.providers.set(name, p);
    return p;
  }

  async close(): Promise<void> {
    const ps = [...this.providers.values()].filter((p) => p !== this.opts.database);
    this.providers.clear();
    await Promise.all(ps.map((p) => p.close().catch(() => undefined)));
  }

  private clearDetails(r: ProfileRecord): Record<string, string> {
    const out: Record<string, string> = { ...r.details };
    for (const k of r.sealed) out[k] = openSecret(this.secretsKey, r.name, k, r.details[k]!);
    return out;
  }

  private pkcs11Options(name: string, d: Readonly<Record<string, string>>): Pkcs11ProviderOptions {
    const library = d["library"];
    const token = d["token"];
    const pin = d["pin"];
    if (!library || !token || pin === undefined) throw new KmsError("invalid", `HSM profile ${name} needs library, token and pin`);
    const mech = d["mechanism"];
    const mechanism = mech === undefined ? undefined : Number(mech);
    if (mechanism !== undefined && (!Number.isInteger(mechanism) || mechanism < 0)) throw new KmsError("invalid", "mechanism must be a number (e.g. 0x210a)");
    const s = this.opts.pkcs11;
    return {
      library,
      token,
      pin,
      ...(mechanism !== undefined ? { mechanism } : {}),
      retryCount: s.retryCount,
      retryDelayMs: s.retryDelayMs,
      operationTimeoutMs: s.operationTimeoutMs,
      ...s.overrides,
    };
  }

  /** Opens a session on the token and logs in; any failure is "invalid" with a message naming no secret. */
  private async checkLogin(name: string, d: Readonly<Record<string, string>>): Promise<void> {
    const o = this.pkcs11Options(name, d);
    let conn: TokenConnection | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      conn = new TokenConnection({ library: o.library, token: o.token, pin: o.pin, maxSessions: 1, probeIntervalMs: 0, drainMs: 0, ...(o.wrapModule ? { wrapModule: o.wrapModule } : {}) });
      const c = conn;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new KeyProviderError("the HSM did not answer in time", true, "TIMEOUT")), this.opts.pkcs11.operationTimeoutMs);
      });
      await Promise.race([c.withSession("log in", () => false, async () => undefined), timeout]);
    } catch (e) {
      const why = e instanceof KeyProviderError ? `${e.message}${e.code ? ` (${e.code})` : ""}` : "unexpected error";
      throw new KmsError("invalid", `cannot open a session and log in to token "${o.token}" with ${o.library}: ${why}`);
    } finally {
      clearTimeout(timer);
      conn?.close();
    }
  }

  private record(name: string): ProfileRecord | undefined {
    const b = this.opts.catalog.catalogGet("profiles", name);
    return b && dec<ProfileRecord>(b);
  }
}

function checkScope(s: ProfileScope): void {
  const ok = s && (s.kind === "system" || (s.kind === "zone" && !!s.zone) || (s.kind === "account" && !!s.account));
  if (!ok) throw new KmsError("invalid", "scope must be system, a zone or an account");
}

function view(r: ProfileRecord): HsmProfileView {
  const details: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.details)) details[k] = r.sealed.includes(k) || isSecretField(k) ? MASK : v;
  return { name: r.name, ...(r.vendor ? { vendor: r.vendor } : {}), provider: r.provider, scope: r.scope, details, createdAt: r.createdAt };
}
