/**
 * Every setting kmipd reads, in one table: its TOML key, default and check. The typed
 * `KmipdConfig` below is built from this table (TOML `snake_case` keys become `camelCase`
 * properties); config.example.toml documents the same keys and a test keeps the two in step.
 */
import { isIP } from "node:net";

export const TLS_VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Where a client's identity (the request context's principal) is read from its certificate. */
export const IDENTITY_SOURCES = ["cn", "san-dns", "san-email", "san-uri"] as const;
export type IdentitySource = (typeof IDENTITY_SOURCES)[number];

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly certsDir: string;
  /** Also accept KMIP over HTTPS (POST, TTLV/XML/JSON bodies) on the KMIP port. */
  readonly https: boolean;
  readonly httpsPath: string;
}

export interface TlsSettings {
  readonly minVersion: TlsVersion;
  /** Server certificate (PEM; leaf first, then any intermediates). Default `<certs_dir>/server.pem`. */
  readonly cert: string;
  /** Server private key (PEM). Default `<certs_dir>/server-key.pem`. */
  readonly key: string;
  /** CA certificate(s) client certificates must chain to (PEM). Default `<certs_dir>/ca.pem`. */
  readonly ca: string;
  readonly identity: IdentitySource;
  readonly requireClientAuthEku: boolean;
}

export interface LimitSettings {
  readonly maxMessageSize: number;
  readonly maxDepth: number;
  readonly maxItems: number;
  readonly maxBatchItems: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
  readonly handshakeTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export interface LoggingSettings {
  readonly level: LogLevel;
  readonly format: LogFormat;
}

export interface CompatSettings {
  /**
   * Get Attributes with no names returns every attribute, as the spec and the profiles require
   * (default). Off, the informational attributes of KMIP 1.2+ (Original Creation Date, Always
   * Sensitive, …) are left out of that one reply — still returned when named, and in Get
   * Attribute List — for PyKMIP 0.10 clients, which fail to parse a reply that holds them.
   */
  readonly completeGetAttributes: boolean;
}

export interface KmsSettings {
  /** Lease Time of key objects and what Obtain Lease grants (1.4 §3.20, §4.17); 0 = no lease limit. */
  readonly leaseTimeSec: number;
  /**
   * A Locate for the fresh (or default) member of an object group that has none creates one: a
   * new AES key of `kms.dek.size.bits` in that group (1.1+ §4.9 leaves this to server policy).
   * Off by default: a search then never creates key material.
   */
  readonly locateCreatesFresh: boolean;
  /** Size of generated symmetric keys (DEKs) when the client names none (`kms.dek.size.bits`). */
  readonly dek: { readonly size: { readonly bits: number } };
  /** Retries after a transient HSM failure, with exponential back-off from `kms.retry.delay.ms`. */
  readonly retry: { readonly count: number; readonly delay: { readonly ms: number } };
  /** Bound on one HSM operation, retries included (`kms.operation.timeout.sec`). */
  readonly operation: { readonly timeout: { readonly sec: number } };
  /** The rewrap daemon (issue 7): objects per batch, the pause between passes, provider calls of a batch in flight at once. */
  readonly rewrap: { readonly batch: { readonly size: number }; readonly interval: { readonly ms: number }; readonly concurrency: number };
  /** The unwrapped-content cache: most entries and their longest age; 0 entries disables it. */
  readonly cache: { readonly maxEntries: number; readonly ttlSec: number };
  /**
   * RNG Seed: "accept" mixes up to `rngSeedMaxBytes` of the client's seed into the HMAC_DRBG behind
   * RNG Retrieve (as additional input of a reseed from the OS, never instead of it); "deny"
   * answers Permission Denied.
   */
  readonly rngSeed: RngSeedPolicy;
  /** The most seed bytes one RNG Seed uses; the rest are ignored and Data Length says how many were used (0: none). */
  readonly rngSeedMaxBytes: number;
}

/** What RNG Seed does with a client's seed (`kms.rng_seed`): mix it into the RNG Retrieve DRBG, or refuse. */
export const RNG_SEED_POLICIES = ["accept", "deny"] as const;
export type RngSeedPolicy = (typeof RNG_SEED_POLICIES)[number];

export const TENANCY_ROLES = ["root-admin", "domain-admin", "user"] as const;

/** One `[[tenancy.principals]]` table: a principal mapped at start (the account is created if missing). */
export interface ConfiguredPrincipalSetting {
  readonly principal: string;
  readonly account: string;
  readonly domain?: string;
  readonly zone?: string;
  readonly role?: (typeof TENANCY_ROLES)[number];
}

/**
 * One `[[tenancy.credentials]]` table: a user (type "password") or device (type "device") that
 * clients of `account` may name in the request header's Credential (docs/TENANCY.md). Fields are
 * given in snake_case in the file (password_hash, serial_number, device_identifier, …).
 */
export type ConfiguredCredentialSetting =
  | { readonly type: "password"; readonly account: string; readonly username: string; readonly passwordHash: string }
  | {
      readonly type: "device";
      readonly account: string;
      readonly id?: string;
      readonly passwordHash?: string;
      readonly serialNumber?: string;
      readonly deviceIdentifier?: string;
      readonly networkIdentifier?: string;
      readonly machineIdentifier?: string;
      readonly mediaIdentifier?: string;
    };

export interface TenancySettings {
  /** Unknown principals become their own account (domain and zone "default", role user). Development only. */
  readonly autoRegister: boolean;
  readonly principals: readonly ConfiguredPrincipalSetting[];
  readonly credentials: readonly ConfiguredCredentialSetting[];
}

export interface AuditSettings {
  /** Also append every audit record to this file as one JSON line (off when undefined). */
  readonly jsonlPath?: string;
}

/** The admin API (HTTPS, mutual TLS with the same CA): docs/ADMIN.md. */
export interface AdminSettings {
  readonly enabled: boolean;
  readonly host: string;
  readonly port: number;
}

export interface KmipdConfig {
  readonly server: ServerSettings;
  readonly admin: AdminSettings;
  readonly tls: TlsSettings;
  readonly limits: LimitSettings;
  readonly logging: LoggingSettings;
  readonly compat: CompatSettings;
  readonly kms: KmsSettings;
  readonly tenancy: TenancySettings;
  readonly audit: AuditSettings;
}

/** The files the TLS settings default to, inside `server.certs_dir`. */
export const DEFAULT_TLS_FILES = { cert: "server.pem", key: "server-key.pem", ca: "ca.pem" } as const;

/** A setting's check: returns the value to keep, or a phrase saying what was expected. */
type Check = (v: unknown) => { ok: true; value: unknown } | { ok: false; expected: string };

export interface SettingSpec {
  /** Dotted TOML path, e.g. `limits.max_message_size`. */
  readonly key: string;
  /** undefined: derived after loading (the TLS files default to names inside certs_dir). */
  readonly default: string | number | boolean | readonly unknown[] | undefined;
  readonly check: Check;
}

const MiB = 1024 * 1024;

function int(min: number, max: number): Check {
  return (v) =>
    typeof v === "number" && Number.isInteger(v) && v >= min && v <= max
      ? { ok: true, value: v }
      : { ok: false, expected: `an integer from ${min} to ${max}` };
}

function oneOf(values: readonly string[]): Check {
  return (v) => (typeof v === "string" && values.includes(v) ? { ok: true, value: v } : { ok: false, expected: `one of ${values.map((s) => JSON.stringify(s)).join(", ")}` });
}

const bool: Check = (v) => (typeof v === "boolean" ? { ok: true, value: v } : { ok: false, expected: "true or false" });

/** A file or directory path: a non-empty string without NUL. */
const urlPath: Check = (v) => (typeof v === "string" && /^\/[A-Za-z0-9._~\/-]*$/.test(v) ? { ok: true, value: v } : { ok: false, expected: "a URL path starting with /" });
const path: Check = (v) => (typeof v === "string" && v.length > 0 && !v.includes("\0") ? { ok: true, value: v } : { ok: false, expected: "a non-empty path" });

const PRINCIPAL_FIELDS = new Set(["principal", "account", "domain", "zone", "role"]);
const NAME_RE = /^[^\u0000-\u001f\u007f]{1,256}$/;
const principals: Check = (v) => {
  const expected = "an array of tables with principal, account and optional domain, zone, role ([[tenancy.principals]])";
  if (!Array.isArray(v)) return { ok: false, expected };
  for (const t of v) {
    if (typeof t !== "object" || t === null || Array.isArray(t)) return { ok: false, expected };
    const r = t as Record<string, unknown>;
    if (Object.keys(r).some((k) => !PRINCIPAL_FIELDS.has(k))) return { ok: false, expected };
    for (const k of PRINCIPAL_FIELDS) if (r[k] !== undefined && (typeof r[k] !== "string" || !NAME_RE.test(r[k] as string))) return { ok: false, expected };
    if (r["principal"] === undefined || r["account"] === undefined) return { ok: false, expected };
    if (r["role"] !== undefined && !(TENANCY_ROLES as readonly string[]).includes(r["role"] as string)) return { ok: false, expected: `roles ${TENANCY_ROLES.join(", ")}` };
  }
  return { ok: true, value: v.map((t) => ({ ...(t as object) })) };
};

const DEVICE_KEYS = ["serial_number", "device_identifier", "network_identifier", "machine_identifier", "media_identifier"];
const CREDENTIAL_KEYS: Readonly<Record<string, readonly string[]>> = {
  password: ["type", "account", "username", "password_hash"],
  device: ["type", "account", "id", "password_hash", ...DEVICE_KEYS],
};
/** `scrypt$N$r$p$salt$hash` as `kmipd credential hash` prints it (auth/credentials.ts checks the numbers). */
const PASSWORD_HASH_RE = /^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$/;

const credentials: Check = (v) => {
  const expected =
    'an array of tables with type "password" (account, username, password_hash) or "device" (account, optional id and password_hash, ' +
    "and at least one of serial_number, device_identifier, network_identifier, machine_identifier, media_identifier) ([[tenancy.credentials]])";
  if (!Array.isArray(v)) return { ok: false, expected };
  const out: Record<string, string>[] = [];
  const ids = new Set<string>();
  for (const t of v) {
    if (typeof t !== "object" || t === null || Array.isArray(t)) return { ok: false, expected };
    const r = t as Record<string, unknown>;
    const keys = CREDENTIAL_KEYS[r["type"] as string];
    if (!keys || Object.keys(r).some((k) => !keys.includes(k))) return { ok: false, expected };
    if (Object.values(r).some((x) => typeof x !== "string" || !NAME_RE.test(x))) return { ok: false, expected };
    if (r["account"] === undefined) return { ok: false, expected };
    if (r["password_hash"] !== undefined && !PASSWORD_HASH_RE.test(r["password_hash"] as string)) return { ok: false, expected: "password_hash as `kmipd credential hash` prints it (scrypt$N$r$p$salt$hash)" };
    if (r["type"] === "password" && (r["username"] === undefined || r["password_hash"] === undefined)) return { ok: false, expected };
    if (r["type"] === "device" && !DEVICE_KEYS.some((k) => r[k] !== undefined)) return { ok: false, expected };
    // one name per user or device of an account: it is what objects record as their creator
    const name = `${r["account"] as string}\u0000${r["type"] as string}\u0000${(r["username"] ?? r["id"] ?? DEVICE_KEYS.map((k) => r[k]).find((x) => x !== undefined)) as string}`;
    if (ids.has(name)) return { ok: false, expected: "each username, and each device id (default: its first identifier), once per account" };
    ids.add(name);
    out.push(Object.fromEntries(Object.entries(r).map(([k, x]) => [snakeToCamel(k), x as string])));
  }
  return { ok: true, value: out };
};

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const host: Check = (v) =>
  typeof v === "string" && (isIP(v) !== 0 || HOSTNAME.test(v)) ? { ok: true, value: v } : { ok: false, expected: "an IP address or a host name" };

export const SETTINGS: readonly SettingSpec[] = [
  { key: "server.host", default: "0.0.0.0", check: host },
  { key: "server.port", default: 5696, check: int(0, 65535) },
  { key: "server.data_dir", default: "./data", check: path },
  { key: "server.certs_dir", default: "./certs", check: path },
  { key: "server.https", default: false, check: bool },
  { key: "server.https_path", default: "/kmip", check: urlPath },
  { key: "admin.enabled", default: true, check: bool },
  { key: "admin.host", default: "127.0.0.1", check: host },
  { key: "admin.port", default: 5697, check: int(0, 65535) },
  { key: "tls.min_version", default: "TLSv1.2", check: oneOf(TLS_VERSIONS) },
  { key: "tls.cert", default: undefined, check: path },
  { key: "tls.key", default: undefined, check: path },
  { key: "tls.ca", default: undefined, check: path },
  { key: "tls.identity", default: "cn", check: oneOf(IDENTITY_SOURCES) },
  { key: "tls.require_client_auth_eku", default: true, check: bool },
  { key: "limits.max_message_size", default: MiB, check: int(1024, 256 * MiB) },
  { key: "limits.max_depth", default: 64, check: int(4, 1024) },
  { key: "limits.max_items", default: 65536, check: int(16, 16 * MiB) },
  { key: "limits.max_batch_items", default: 64, check: int(1, 65536) },
  { key: "limits.max_connections", default: 1000, check: int(1, 1_000_000) },
  { key: "limits.max_connections_per_client", default: 100, check: int(1, 1_000_000) },
  { key: "limits.handshake_timeout_ms", default: 10_000, check: int(10, 600_000) },
  { key: "limits.idle_timeout_ms", default: 300_000, check: int(10, 86_400_000) },
  { key: "limits.request_timeout_ms", default: 60_000, check: int(10, 3_600_000) },
  { key: "logging.level", default: "info", check: oneOf(LOG_LEVELS) },
  { key: "logging.format", default: "json", check: oneOf(LOG_FORMATS) },
  { key: "compat.complete_get_attributes", default: true, check: bool },
  { key: "kms.lease_time_sec", default: 3600, check: int(0, 0xffffffff) },
  { key: "kms.locate_creates_fresh", default: false, check: bool },
  { key: "kms.dek.size.bits", default: 256, check: (v) => (v === 128 || v === 192 || v === 256 ? { ok: true, value: v } : { ok: false, expected: "128, 192 or 256" }) },
  { key: "kms.retry.count", default: 3, check: int(0, 100) },
  { key: "kms.retry.delay.ms", default: 1000, check: int(1, 600_000) },
  { key: "kms.operation.timeout.sec", default: 30, check: int(1, 3600) },
  { key: "kms.rewrap.batch.size", default: 50, check: int(1, 100_000) },
  { key: "kms.rewrap.interval.ms", default: 300_000, check: int(1000, 86_400_000) },
  { key: "kms.rewrap.concurrency", default: 4, check: int(1, 64) },
  { key: "kms.cache.max_entries", default: 10_000, check: int(0, 10_000_000) },
  { key: "kms.cache.ttl_sec", default: 300, check: int(0, 86_400) },
  { key: "kms.rng_seed", default: "accept", check: oneOf(RNG_SEED_POLICIES) },
  { key: "kms.rng_seed_max_bytes", default: 64, check: int(0, 65_536) },
  { key: "tenancy.auto_register", default: false, check: bool },
  { key: "tenancy.principals", default: [], check: principals },
  { key: "tenancy.credentials", default: [], check: credentials },
  { key: "audit.jsonl_path", default: undefined, check: path },
];

export function snakeToCamel(s: string): string {
  return s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
