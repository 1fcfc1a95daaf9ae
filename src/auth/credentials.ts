/**
 * KMIP header Credentials (Username and Password; Device): users and devices working through one
 * TLS client. They never change who the client is — the certificate's principal and its account
 * stay the identity for tenancy — they only name *which* user or device of that account asks, so
 * the "default" operation policy can keep an object to the credential that created it
 * (docs/TENANCY.md, "Header credentials").
 *
 * Passwords are kept as salted scrypt hashes (`hashPassword`, `kmipd credential hash`) and
 * compared in constant time. Nothing here logs, and no error message carries a password.
 */
import { createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** One configured credential (`[[tenancy.credentials]]`), bound to the account whose clients may present it. */
export type CredentialSetting = PasswordCredentialSetting | DeviceCredentialSetting;

export interface PasswordCredentialSetting {
  readonly type: "password";
  readonly account: string;
  readonly username: string;
  /** `scrypt$N$r$p$<salt base64>$<hash base64>` (hashPassword). */
  readonly passwordHash: string;
}

/** The device fields KMIP defines; the ones configured must all match what the device presents. */
export const DEVICE_FIELDS = ["serialNumber", "deviceIdentifier", "networkIdentifier", "machineIdentifier", "mediaIdentifier"] as const;
export type DeviceField = (typeof DEVICE_FIELDS)[number];

export interface DeviceCredentialSetting extends Partial<Record<DeviceField, string>> {
  readonly type: "device";
  readonly account: string;
  /** The device's stable name on objects; default: the first configured field in DEVICE_FIELDS order. */
  readonly id?: string;
  /** When set, the device must also present this password. */
  readonly passwordHash?: string;
}

/** A credential as a request presents it (messages/request.ts reads it from the header). */
export type PresentedCredential =
  | { readonly type: "password"; readonly username: string; readonly password?: string }
  | ({ readonly type: "device"; readonly password?: string } & Partial<Record<DeviceField, string>>);

/** The outcome: the identity recorded on objects ("user:…" or "device:…"), or why it was refused (no secret in it). */
export type Verified = { readonly identity: string } | { readonly refused: string };

const N = 16384;
const R = 8;
const P = 1;
const KEY_LEN = 32;

function scrypt(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  const opts: ScryptOptions = { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 };
  return new Promise((resolve, reject) => scryptCb(password.normalize("NFC"), salt, KEY_LEN, opts, (e, k) => (e ? reject(e) : resolve(k))));
}

/** A salted scrypt hash of a password, in the form `tenancy.credentials` password_hash takes. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

interface ParsedHash {
  readonly n: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const HASH_RE = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** Whether a string is a password hash this module can check (the settings file is validated with it). */
export function parsePasswordHash(s: string): ParsedHash | undefined {
  const m = HASH_RE.exec(s);
  if (!m) return undefined;
  const [n, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const salt = Buffer.from(m[4]!, "base64");
  const key = Buffer.from(m[5]!, "base64");
  // N a power of two from 2^10 to 2^20; the work stays bounded whatever the file says
  if (n < 1024 || n > 1 << 20 || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16 || salt.length < 8 || key.length < 16) return undefined;
  return { n, r, p, salt, key };
}

/** Checks a password against a hash in constant time (for equal-length keys, which hashes of one form are). */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const h = parsePasswordHash(hash);
  if (!h) return false;
  const got = await scrypt(password, h.salt, h.n, h.r, h.p);
  return got.length === h.key.length && timingSafeEqual(got, h.key);
}

/** The name a device credential setting records on objects. */
export function deviceId(d: DeviceCredentialSetting): string | undefined {
  return d.id ?? DEVICE_FIELDS.map((f) => d[f]).find((v) => v !== undefined);
}

/**
 * The configured credentials, by account. An account with none configured ignores header
 * credentials, as kmipd always did (clients such as FortiGate send a username nobody checks);
 * an account with some refuses any credential it does not know.
 */
export class CredentialVerifier {
  private readonly byAccount = new Map<string, CredentialSetting[]>();
  /** Successful verifications, keyed by an HMAC of what was presented (never the password itself). */
  private readonly recent = new Map<string, { identity: string; until: number }>();
  private readonly cacheKey = randomBytes(32);
  private readonly dummy: Promise<string>;

  constructor(
    settings: readonly CredentialSetting[],
    private readonly opts: { readonly cacheTtlMs?: number; readonly cacheMax?: number; readonly now?: () => number } = {},
  ) {
    for (const s of settings) this.byAccount.set(s.account, [...(this.byAccount.get(s.account) ?? []), s]);
    // An unknown user costs one scrypt too, so response times do not tell which usernames exist.
    this.dummy = settings.length > 0 ? hashPassword(randomBytes(12).toString("hex")) : Promise.resolve("");
  }

  /** Whether requests of this account have their header credentials checked. */
  enforces(account: string): boolean {
    return this.byAccount.has(account);
  }

  async verify(account: string, c: PresentedCredential): Promise<Verified> {
    const now = (this.opts.now ?? Date.now)();
    const key = this.cacheKeyOf(account, c);
    const hit = this.recent.get(key);
    if (hit && hit.until > now) return { identity: hit.identity };
    const out = c.type === "password" ? await this.verifyUser(account, c) : await this.verifyDevice(account, c);
    if ("identity" in out) this.remember(key, out.identity, now);
    return out;
  }

  private async verifyUser(account: string, c: Extract<PresentedCredential, { type: "password" }>): Promise<Verified> {
    const entry = this.byAccount.get(account)?.find((s): s is PasswordCredentialSetting => s.type === "password" && s.username === c.username);
    if (!entry) {
      await verifyPassword(c.password ?? "", await this.dummy);
      return { refused: "unknown user" };
    }
    if (c.password === undefined) return { refused: "no password" };
    return (await verifyPassword(c.password, entry.passwordHash)) ? { identity: `user:${entry.username}` } : { refused: "wrong password" };
  }

  private async verifyDevice(account: string, c: Extract<PresentedCredential, { type: "device" }>): Promise<Verified> {
    const matches = (s: DeviceCredentialSetting) => DEVICE_FIELDS.every((f) => s[f] === undefined || s[f] === c[f]);
    const entry = this.byAccount.get(account)?.find((s): s is DeviceCredentialSetting => s.type === "device" && matches(s));
    if (!entry) return { refused: "unknown device" };
    if (entry.passwordHash !== undefined) {
      if (c.password === undefined) return { refused: "no password" };
      if (!(await verifyPassword(c.password, entry.passwordHash))) return { refused: "wrong password" };
    }
    return { identity: `device:${deviceId(entry)}` };
  }

  private cacheKeyOf(account: string, c: PresentedCredential): string {
    return createHmac("sha256", this.cacheKey).update(JSON.stringify([account, c])).digest("base64");
  }

  private remember(key: string, identity: string, now: number): void {
    const ttl = this.opts.cacheTtlMs ?? 300_000;
    if (ttl <= 0) return;
    const max = this.opts.cacheMax ?? 1000;
    if (this.recent.size >= max) this.recent.delete(this.recent.keys().next().value!);
    this.recent.set(key, { identity, until: now + ttl });
  }
}
