/**
 * The PKCS#11 key provider: KEKs are AES keys generated inside an HSM token (sensitive, never
 * extractable); DEKs are wrapped and unwrapped there with AES key wrap with padding, and
 * rewrap runs wholly inside the HSM. Slow HSM work goes through pkcs11js's *Async calls, so it
 * runs on libuv's thread pool and not on the event loop.
 */
import { KeyProviderError, type KekBits, type KekInfo, type KekRef, type KekSpec, type KeyProvider, type ProviderDescription } from "../types.js";
import { frameDek, parseBlob, storeBlob, unframeDek } from "./blob.js";
import { ckrKind } from "./ckr.js";
import { TokenConnection } from "./connection.js";
import { KekDirectory, kekObjectId } from "./keks.js";
import { P, type Handle, type Pkcs11Api } from "./module.js";
import { withRetry, type RetryPolicy } from "./resilience.js";
import { DEK_READABLE, DEK_TRANSIENT, dekToWrap } from "./templates.js";

/** RFC 5649 as SoftHSM names it (CKM_AES_KEY_WRAP_PAD); PKCS#11 v3 HSMs use 0x210B (P10). */
export const DEFAULT_WRAP_MECHANISM = 0x210a;

export interface Pkcs11ProviderOptions {
  /** Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so. */
  readonly library: string;
  /** Token label; the slot is looked up by it on every (re)connect. */
  readonly token: string;
  /** User PIN. Never logged, never in an error, "****" in describe(). */
  readonly pin: string;
  /** The KEK currentKek() uses, created on first use. Default "kmipd-kek". */
  readonly kekLabel?: string;
  /** Size of that KEK. Default 256. */
  readonly kekBits?: KekBits;
  /** Wrap mechanism number. Default 0x210A (CKM_AES_KEY_WRAP_PAD). */
  readonly mechanism?: number;
  /** Pad DEKs whose length is not a multiple of 8 ourselves (SoftHSM: P10). Default true. */
  readonly padOddLengths?: boolean;
  /** Sessions open at once. Default 4. */
  readonly maxSessions?: number;
  /** Retries after a transient failure. Default 3. */
  readonly retryCount?: number;
  /** First back-off delay, doubled per retry; also how often a down token is probed. Default 1000. */
  readonly retryDelayMs?: number;
  /** Bound on one operation, retries included. Default 30000. */
  readonly operationTimeoutMs?: number;
  /** Tests only: wrap the loaded module (a Proxy that records or breaks calls). */
  readonly wrapModule?: (api: Pkcs11Api) => Pkcs11Api;
}

export interface Pkcs11KeyProvider extends KeyProvider {
  readonly kind: "pkcs11";
}

export function createPkcs11KeyProvider(opts: Pkcs11ProviderOptions): Pkcs11KeyProvider {
  return new Provider(opts);
}

class Provider implements Pkcs11KeyProvider {
  readonly kind = "pkcs11";
  private readonly conn: TokenConnection;
  private readonly keks = new KekDirectory();
  private readonly policy: RetryPolicy;
  private readonly mech: { mechanism: number };
  private readonly kekLabel: string;
  private readonly kekBits: KekBits;
  private readonly padOdd: boolean;
  private current: KekRef | undefined;
  private readonly generating = new Map<string, Promise<unknown>>();
  private readonly library: string;
  private readonly token: string;

  // The options hold the PIN: keep only what is needed, so no inspect() or log of this object shows it.
  constructor(opts: Pkcs11ProviderOptions) {
    if (!opts.library || !opts.token) throw new KeyProviderError("a PKCS#11 provider needs a library path and a token label");
    this.policy = {
      retryCount: opts.retryCount ?? 3,
      retryDelayMs: opts.retryDelayMs ?? 1000,
      operationTimeoutMs: opts.operationTimeoutMs ?? 30_000,
    };
    this.mech = { mechanism: opts.mechanism ?? DEFAULT_WRAP_MECHANISM };
    this.kekLabel = opts.kekLabel ?? "kmipd-kek";
    this.kekBits = opts.kekBits ?? 256;
    this.padOdd = opts.padOddLengths ?? true;
    this.library = opts.library;
    this.token = opts.token;
    this.conn = new TokenConnection({
      library: opts.library,
      token: opts.token,
      pin: opts.pin,
      maxSessions: opts.maxSessions ?? 4,
      probeIntervalMs: this.policy.retryDelayMs,
      drainMs: this.policy.operationTimeoutMs,
      ...(opts.wrapModule ? { wrapModule: opts.wrapModule } : {}),
    });
  }

  async currentKek(): Promise<KekRef> {
    if (this.current) return this.current;
    const label = this.kekLabel;
    const latest = await this.run("find the current KEK", (api, s) => Promise.resolve(this.keks.latestVersion(api, s, label)));
    if (latest > 0) return (this.current ??= { id: label, version: latest });
    // generateKek serializes per label, and sets this.current for this label.
    return (await this.generateVersion({ label, bits: this.kekBits }, true)).ref;
  }

  /** The next version of `spec.label`, generated in the token. */
  generateKek(spec: KekSpec): Promise<KekInfo> {
    return this.generateVersion(spec, false);
  }

  /** Serialized per label; with `onlyIfNone`, version 1 is made only if no version exists yet. */
  private async generateVersion(spec: KekSpec, onlyIfNone: boolean): Promise<KekInfo> {
    if (!spec.label || spec.label.includes("\0")) throw new KeyProviderError("a KEK needs a label");
    if (![128, 192, 256].includes(spec.bits)) throw new KeyProviderError("a KEK is 128, 192 or 256 bits");
    const prev = this.generating.get(spec.label) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() =>
      this.run("generate a KEK", async (api, s, epoch) => {
        const latest = this.keks.latestVersion(api, s, spec.label);
        const ref = { id: spec.label, version: latest + (onlyIfNone && latest > 0 ? 0 : 1) };
        if (ref.version > latest) await this.keks.generate(api, s, epoch, ref, spec.bits);
        return ref;
      }),
    );
    this.generating.set(spec.label, next);
    try {
      const ref = await next;
      if (spec.label === this.kekLabel && (!this.current || this.current.version < ref.version)) this.current = ref;
      return { ref, bits: spec.bits, label: spec.label, objectId: kekObjectId(ref).toString("hex") };
    } finally {
      if (this.generating.get(spec.label) === next) this.generating.delete(spec.label);
    }
  }

  /** C_CreateObject (a session object holding the DEK) + C_WrapKey; the object is always destroyed. */
  async wrap(kek: KekRef, plaintext: Uint8Array): Promise<Uint8Array> {
    const { framed, data } = frameDek(plaintext, this.padOdd);
    try {
      const wrapped = await this.run("wrap", async (api, s, epoch) => {
        const k = this.kek(api, s, epoch, kek);
        const h = api.C_CreateObject(s, dekToWrap(data));
        try {
          return Buffer.from(await api.C_WrapKeyAsync(s, this.mech, k, h, Buffer.alloc(data.length + 16)));
        } finally {
          destroyQuietly(api, s, h);
        }
      });
      return storeBlob(framed, wrapped);
    } finally {
      data.fill(0);
    }
  }

  /** C_UnwrapKey into a readable session object, read CKA_VALUE, destroy the object. */
  async unwrap(kek: KekRef, blob: Uint8Array): Promise<Uint8Array> {
    const { framed, wrapped } = parseBlob(blob);
    const value = await this.run("unwrap", async (api, s, epoch) => {
      const k = this.kek(api, s, epoch, kek);
      const h = await api.C_UnwrapKeyAsync(s, this.mech, k, wrapped, DEK_READABLE);
      try {
        const [attr] = api.C_GetAttributeValue(s, h, [{ type: P.CKA_VALUE }]);
        if (!(attr?.value instanceof Buffer)) throw new KeyProviderError("unwrap: the HSM returned no key value");
        return attr.value;
      } finally {
        destroyQuietly(api, s, h);
      }
    });
    return framed ? unframeDek(value) : value;
  }

  /**
   * In-HSM rewrap: C_UnwrapKey under `from` into a session object that is sensitive (its value
   * can never be read) but extractable (it can be wrapped), C_WrapKey under `to`, destroy it.
   * No call here returns key bytes to this process.
   */
  async rewrap(from: KekRef, to: KekRef, blob: Uint8Array): Promise<Uint8Array> {
    const { framed, wrapped } = parseBlob(blob);
    const out = await this.run("rewrap", async (api, s, epoch) => {
      const kFrom = this.kek(api, s, epoch, from);
      const kTo = this.kek(api, s, epoch, to);
      const t = await api.C_UnwrapKeyAsync(s, this.mech, kFrom, wrapped, DEK_TRANSIENT);
      try {
        return Buffer.from(await api.C_WrapKeyAsync(s, this.mech, kTo, t, Buffer.alloc(wrapped.length + 16)));
      } finally {
        destroyQuietly(api, s, t);
      }
    });
    return storeBlob(framed, out);
  }

  /**
   * Destroys a KEK version's token object (C_DestroyObject). Never the label's newest version
   * (new versions are numbered after it); a version already gone is not an error (a retry).
   */
  async destroyKek(ref: KekRef): Promise<void> {
    await this.run("destroy a KEK", async (api, s, epoch) => {
      if (this.keks.latestVersion(api, s, ref.id) === ref.version) throw new KeyProviderError(`KEK ${ref.id} version ${ref.version} is its newest version: it cannot be destroyed`);
      this.keks.destroy(api, s, epoch, ref);
    });
    if (this.current && this.current.id === ref.id && this.current.version === ref.version) this.current = undefined;
  }

  async healthy(): Promise<boolean> {
    try {
      await this.run("health check", async (api) => this.conn.probe(api));
      return true;
    } catch {
      return false;
    }
  }

  describe(): ProviderDescription {
    const slot = this.conn.slotId;
    return {
      kind: this.kind,
      library: this.library,
      token: this.token,
      ...(slot ? { slot } : {}),
      pin: "****",
      mechanism: `0x${this.mech.mechanism.toString(16)}${this.mech.mechanism === DEFAULT_WRAP_MECHANISM ? " (CKM_AES_KEY_WRAP_PAD)" : ""}`,
    };
  }

  async close(): Promise<void> {
    this.keks.clear();
    this.conn.close();
  }

  private kek(api: Pkcs11Api, s: Handle, epoch: number, ref: KekRef): Handle {
    return this.keks.find(api, s, epoch, ref, () => this.conn.probe(api));
  }

  /** One HSM operation under the retry policy; a stale handle empties the handle cache first. */
  private run<T>(what: string, fn: (api: Pkcs11Api, s: Handle, epoch: number) => Promise<T>): Promise<T> {
    return withRetry(this.policy, what, async (abandoned) => {
      try {
        return await this.conn.withSession(what, abandoned, (api, s) => fn(api, s, this.conn.epoch));
      } catch (err) {
        if (err instanceof KeyProviderError && ckrKind(err.code) === "stale") this.keks.clear();
        throw err;
      }
    });
  }
}

function destroyQuietly(api: Pkcs11Api, s: Handle, h: Handle): void {
  try {
    api.C_DestroyObject(s, h);
  } catch {
    // the session object dies with its session anyway
  }
}
