/**
 * The PKCS#11 library contexts clients open with C_Initialize through the KMIP PKCS#11 operation
 * (2.0/2.1 §6.1.37), each named by a random Correlation Value and bound to the principal that
 * opened it: another principal presenting the value gets nothing. Bounded and expiring, in memory
 * only — a client that never calls C_Finalize leaves nothing behind for long, and a restart ends
 * every context (the client then gets CKR_CRYPTOKI_NOT_INITIALIZED and initializes again).
 */
import { randomBytes } from "node:crypto";

export interface Pkcs11ContextLimits {
  /** Contexts kept at most; opening one more closes the least recently used. */
  readonly max: number;
  /** A context unused this long is closed. */
  readonly idleMs: number;
}

export const DEFAULT_PKCS11_CONTEXT_LIMITS: Pkcs11ContextLimits = { max: 1024, idleMs: 10 * 60_000 };

export class Pkcs11Contexts {
  /** Insertion order is use order: the first entry is the least recently used. */
  private readonly open_ = new Map<string, { readonly principal: string; lastUsed: number }>();

  constructor(
    private readonly limits: Pkcs11ContextLimits = DEFAULT_PKCS11_CONTEXT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new context for `principal`; its Correlation Value. */
  open(principal: string): Uint8Array {
    this.prune();
    while (this.open_.size >= this.limits.max) this.open_.delete(this.open_.keys().next().value!);
    const id = randomBytes(16);
    this.open_.set(id.toString("hex"), { principal, lastUsed: this.now() });
    return id;
  }

  /** Whether `id` names a live context of `principal` (and marks it used). */
  use(principal: string, id: Uint8Array | undefined): boolean {
    if (id === undefined) return false;
    this.prune();
    const key = Buffer.from(id).toString("hex");
    const c = this.open_.get(key);
    if (!c || c.principal !== principal) return false;
    c.lastUsed = this.now();
    this.open_.delete(key);
    this.open_.set(key, c);
    return true;
  }

  /** Ends a live context of `principal`; false when there was none. */
  close(principal: string, id: Uint8Array | undefined): boolean {
    if (!this.use(principal, id)) return false;
    return this.open_.delete(Buffer.from(id!).toString("hex"));
  }

  get size(): number {
    return this.open_.size;
  }

  private prune(): void {
    const cutoff = this.now() - this.limits.idleMs;
    for (const [k, c] of this.open_) {
      if (c.lastUsed >= cutoff) break; // use order: the rest are newer
      this.open_.delete(k);
    }
  }
}
