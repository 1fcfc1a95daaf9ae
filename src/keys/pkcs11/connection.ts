/**
 * The provider's link to one token: module, slot, session pool, and what to do when they break.
 * A device error marks the link broken: the pool is dropped and the next call re-initializes the
 * module, finds the slot by label and logs in again. While that fails, calls within
 * `probeIntervalMs` of the last attempt fail at once (transient) instead of hammering the HSM.
 */
import { KeyProviderError } from "../types.js";
import { ckrKind, ckrName, toKeyProviderError } from "./ckr.js";
import { acquireModule, ensureInitialized, findSlot, reinitialize, releaseModule, slotNumber, type Handle, type LoadedModule, type Pkcs11Api } from "./module.js";
import { FAIL_FAST } from "./resilience.js";
import { SessionPool } from "./session-pool.js";


export interface ConnectionOptions {
  readonly library: string;
  readonly token: string;
  readonly pin: string;
  readonly maxSessions: number;
  readonly probeIntervalMs: number;
  /** How long a re-initialization waits for running calls to finish before going ahead anyway. */
  readonly drainMs: number;
  readonly wrapModule?: (api: Pkcs11Api) => Pkcs11Api;
}

export class TokenConnection {
  private readonly module: LoadedModule;
  private pool: SessionPool | undefined;
  private slot: Handle | undefined;
  /** The module generation our last pool was opened in. */
  private seen: number;
  private broken = false;
  private brokenSince = 0;
  private closed = false;
  private unavailableUntil = 0;
  private lastProblem: KeyProviderError | undefined;
  /** A refused PIN is not tried again: repeated attempts would lock the token's user PIN. */
  private pinRefused: KeyProviderError | undefined;
  /** Bumped with every new pool: object handles cached under an older epoch are not trusted. */
  epoch = 0;

  private readonly opts: Omit<ConnectionOptions, "pin">;
  /** A JS-private field: util.inspect and JSON.stringify never show it. */
  readonly #pin: string;

  constructor(options: ConnectionOptions) {
    const { pin, ...opts } = options;
    this.opts = opts;
    this.#pin = pin;
    try {
      this.module = acquireModule(opts.library, opts.wrapModule);
    } catch {
      throw new KeyProviderError(`cannot load the PKCS#11 library ${opts.library}`);
    }
    this.seen = this.module.generation;
  }

  get slotId(): string | undefined {
    return this.slot ? slotNumber(this.slot) : undefined;
  }

  /**
   * Run `fn` on a logged-in session of this token. PKCS#11 errors become KeyProviderErrors, and
   * session or device errors reset the link for the next call.
   */
  async withSession<T>(what: string, abandoned: () => boolean, fn: (api: Pkcs11Api, s: Handle) => Promise<T>): Promise<T> {
    const pool = this.ready(what);
    let s: Handle;
    try {
      s = await pool.acquire();
    } catch (err) {
      throw this.connectFailed(err, what);
    }
    if (abandoned()) {
      pool.release(s);
      throw new KeyProviderError(`${what}: the HSM did not answer in time`, true, "TIMEOUT");
    }
    this.module.busy++;
    try {
      const out = await fn(this.module.api, s);
      pool.release(s);
      return out;
    } catch (err) {
      const e = toKeyProviderError(err, what);
      const kind = ckrKind(e.code);
      if (kind === "device" || kind === "session") {
        this.drop(kind === "device");
        pool.discard(s);
      } else {
        pool.release(s);
      }
      throw e;
    } finally {
      this.module.busy--;
    }
  }

  /** Does the token still answer? Used when a KEK is missing, to tell "gone" from "never there". */
  probe(api: Pkcs11Api): void {
    try {
      if (!this.slot) throw new Error("no slot");
      api.C_GetTokenInfo(this.slot);
    } catch {
      throw new KeyProviderError(`HSM token "${this.opts.token}" stopped answering`, true, "CKR_TOKEN_NOT_PRESENT");
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool?.close(true);
    this.pool = undefined;
    releaseModule(this.module);
  }

  private ready(what: string): SessionPool {
    if (this.closed) throw new KeyProviderError(`${what}: the key provider is closed`);
    if (this.pinRefused) throw new KeyProviderError(`${what}: ${this.pinRefused.message}`, false, this.pinRefused.code);
    if (this.pool && !this.broken && this.pool.generation === this.module.generation) return this.pool;
    if (Date.now() < this.unavailableUntil) {
      const why = this.lastProblem?.code ? ` (${this.lastProblem.code})` : "";
      throw new KeyProviderError(`${what}: HSM token "${this.opts.token}" is unavailable${why}`, true, FAIL_FAST);
    }
    if (this.broken && this.module.generation === this.seen && this.module.busy > 0 && Date.now() - this.brokenSince < this.opts.drainMs) {
      throw new KeyProviderError(`${what}: reconnecting to HSM token "${this.opts.token}" once ${this.module.busy} running call(s) end`, true, "DRAINING");
    }
    // Sessions of an older generation died with C_Finalize; closing them would only fail.
    this.pool?.close(this.pool.generation === this.module.generation);
    this.pool = undefined;
    try {
      if (this.broken) reinitialize(this.module, this.seen);
      else ensureInitialized(this.module);
      const slot = findSlot(this.module.api, this.opts.token);
      if (!slot) throw new KeyProviderError(`HSM token "${this.opts.token}" is not present`, true, "CKR_TOKEN_NOT_PRESENT");
      this.slot = slot;
      this.seen = this.module.generation;
      this.pool = new SessionPool(this.module.api, slot, this.#pin, this.opts.maxSessions, this.seen);
      this.broken = false;
      this.epoch++;
      return this.pool;
    } catch (err) {
      throw this.connectFailed(err, what);
    }
  }

  /**
   * While connecting, anything but a refused login means "the token is not reachable now"
   * (SoftHSM answers a missing token directory with CKR_GENERAL_ERROR: stack-check P14).
   */
  private connectFailed(err: unknown, what: string): KeyProviderError {
    const name = ckrName(err) ?? (err instanceof KeyProviderError ? err.code : undefined);
    if (ckrKind(name) === "config") {
      const e = toKeyProviderError(err, what);
      if (name?.startsWith("CKR_PIN_")) this.pinRefused = new KeyProviderError(e.message.slice(what.length + 2), false, name);
      return e;
    }
    this.drop(true);
    const e = new KeyProviderError(`${what}: HSM token "${this.opts.token}" is unavailable${name ? ` (${name})` : ""}`, true, name);
    this.lastProblem = e;
    this.unavailableUntil = Date.now() + this.opts.probeIntervalMs;
    return e;
  }

  private drop(reinit: boolean): void {
    const pool = this.pool;
    this.pool = undefined;
    pool?.close(!reinit);
    if (reinit && !this.broken) {
      this.broken = true;
      this.brokenSince = Date.now();
    }
  }
}
