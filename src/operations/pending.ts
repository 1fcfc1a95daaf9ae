/**
 * Operations answered Operation Pending (asynchronous, 1.4 §6.7 / 2.1 §9.7): each waits here under
 * its Asynchronous Correlation Value until the client Polls (it runs then) or Cancels it. Kept in
 * memory per server process: a restart forgets them, and a Poll then finds nothing.
 */
import { randomBytes } from "node:crypto";
import type { TtlvNode } from "../ttlv/index.js";

export interface PendingOperation {
  readonly principal: string;
  readonly operation: number;
  readonly run: () => Promise<TtlvNode[]>;
  readonly at: number;
}

/** At most this many wait at once; the oldest is dropped beyond it. */
const MAX_PENDING = 1024;
/** A pending operation not polled within this long is forgotten. */
const TTL_MS = 10 * 60_000;

export class PendingOperations {
  private readonly byValue = new Map<string, PendingOperation>();

  /** Stores an operation; returns its Asynchronous Correlation Value. */
  defer(principal: string, operation: number, run: () => Promise<TtlvNode[]>, nowMs = Date.now()): Uint8Array {
    for (const [k, p] of this.byValue) if (nowMs - p.at > TTL_MS || this.byValue.size >= MAX_PENDING) this.byValue.delete(k);
    const value = randomBytes(16);
    this.byValue.set(value.toString("hex"), { principal, operation, run, at: nowMs });
    return value;
  }

  /** Removes and returns the caller's pending operation (another principal's is not found). */
  take(principal: string, value: Uint8Array): PendingOperation | undefined {
    const key = Buffer.from(value).toString("hex");
    const p = this.byValue.get(key);
    if (!p || p.principal !== principal) return undefined;
    this.byValue.delete(key);
    return p;
  }
}
