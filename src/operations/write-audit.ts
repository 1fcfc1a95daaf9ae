/**
 * The port through which a write carries its audit record into the same store transaction
 * (docs/AUDIT.md §2). The repository asks for a record step before each durable write and
 * hands `build` to ObjectStore.batch; the server implements it (src/server/write-audit.ts) from
 * the batch item being run, the principal, account and client address. Operations never see it.
 */
import type { AuditAppend } from "../store/types.js";

/** One write's audit step: `build` runs inside the store's write transaction, `committed` after the commit. */
export interface WriteRecord {
  readonly build: AuditAppend;
  /** Called once the transaction is durable; never throws (a mirror failure is logged). */
  committed(): Promise<void>;
}

export interface WriteAudit {
  /**
   * The record step for one durable write of the current batch item, which writes `uids`;
   * undefined when no item is being run (the write then goes unrecorded here, as before).
   */
  forWrite(uids: readonly string[]): WriteRecord | undefined;
}
