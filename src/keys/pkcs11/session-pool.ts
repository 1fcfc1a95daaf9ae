/**
 * A bounded pool of logged-in R/W sessions on one slot. One session serves one call at a time
 * (PKCS#11 sessions are not for concurrent use); callers beyond `max` wait in FIFO order.
 * A pool belongs to one module generation: after a re-initialization its sessions are dead, so
 * the provider closes it and builds a new one.
 */
import { KeyProviderError } from "../types.js";
import { ckrName } from "./ckr.js";
import { P, type Handle, type Pkcs11Api } from "./module.js";

interface Waiter {
  resolve(s: Handle): void;
  reject(e: Error): void;
}

export class SessionPool {
  private readonly idle: Handle[] = [];
  private readonly waiters: Waiter[] = [];
  private open = 0;
  private closed = false;
  /** A JS-private field: util.inspect and JSON.stringify never show it. */
  readonly #pin: string;

  constructor(
    private readonly api: Pkcs11Api,
    private readonly slot: Handle,
    pin: string,
    private readonly max: number,
    /** The module generation the sessions were opened in. */
    readonly generation: number,
  ) {
    this.#pin = pin;
  }

  /** A session for one call; give it back with release() or discard(). */
  async acquire(): Promise<Handle> {
    if (this.closed) throw new KeyProviderError("the HSM session pool was reset", true);
    const s = this.idle.pop();
    if (s) return s;
    if (this.open < this.max) {
      this.open++;
      try {
        return this.openSession();
      } catch (err) {
        this.open--;
        throw err;
      }
    }
    return new Promise<Handle>((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  release(s: Handle): void {
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w) w.resolve(s);
    else this.idle.push(s);
  }

  /** Drop a session that failed; a waiter gets a fresh one instead. */
  discard(s: Handle): void {
    this.open--;
    this.closeQuietly(s);
    if (this.closed) return;
    const w = this.waiters.shift();
    if (w) this.acquire().then(w.resolve, w.reject);
  }

  /** Stop handing out sessions; close the idle ones unless the module was finalized anyway. */
  close(closeSessions: boolean): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.reject(new KeyProviderError("the HSM session pool was reset", true));
    const idle = this.idle.splice(0);
    if (closeSessions) for (const s of idle) this.closeQuietly(s);
  }

  get size(): { open: number; idle: number; waiting: number } {
    return { open: this.open, idle: this.idle.length, waiting: this.waiters.length };
  }

  private openSession(): Handle {
    const s = this.api.C_OpenSession(this.slot, P.CKF_SERIAL_SESSION | P.CKF_RW_SESSION);
    try {
      // Login is per application, not per session (P8); it ends when the last session closes.
      this.api.C_Login(s, P.CKU_USER, this.#pin);
    } catch (err) {
      if (ckrName(err) !== "CKR_USER_ALREADY_LOGGED_IN") {
        this.closeQuietly(s);
        throw err;
      }
    }
    return s;
  }

  private closeQuietly(s: Handle): void {
    try {
      this.api.C_CloseSession(s);
    } catch {
      // the session is already gone with its token or module
    }
  }
}
