/**
 * The audit port: an append-only trail with one record per KMIP batch item (later also per admin
 * action). Records never hold key bytes, PINs, passwords or request payloads — only who did what
 * to which object ids, and how it ended. See docs/AUDIT.md.
 */

import type { AuditAppend } from "../store/types.js";

export type AuditResult = "success" | "failure" | "pending" | "undone";

export interface AuditRecord {
  /** 1, 2, 3, … without gaps; assigned by the log at append time. */
  readonly seq: number;
  /** When the item was answered, Unix milliseconds. */
  readonly time: number;
  readonly principal: string;
  /** The principal's account; undefined until tenancy lands (shown as "-"). */
  readonly account?: string;
  /** Remote address and port of the connection. */
  readonly clientAddress: string;
  /** KMIP operation name ("Create", "Get", …) or "admin:<action>". */
  readonly operation: string;
  /** Unique Identifiers named by the request or returned by the response. */
  readonly objectIds: readonly string[];
  readonly result: AuditResult;
  /** KMIP Result Reason name, for failures. */
  readonly reason?: string;
  /** A short note (never a secret, never a payload). */
  readonly message?: string;
}

/** A record as handed to append(): the log assigns seq. */
export type NewAuditRecord = Omit<AuditRecord, "seq">;

export interface AuditFilter {
  /** Inclusive bounds on `time`, Unix milliseconds. */
  readonly since?: number;
  readonly until?: number;
  readonly principal?: string;
  /** Records whose objectIds include this id. */
  readonly objectId?: string;
  readonly operation?: string;
  /** At most this many records (after filtering). */
  readonly limit?: number;
  /** "asc" (oldest first, the default) or "desc". */
  readonly order?: "asc" | "desc";
}

export type AuditProblem = "altered" | "missing" | "reordered" | "truncated";

export interface VerifyResult {
  readonly ok: boolean;
  /** Records whose MAC was checked. */
  readonly checked: number;
  /** The head (last seq written, per the separately stored head), if any. */
  readonly headSeq?: number;
  readonly firstBad?: { readonly seq: number; readonly problem: AuditProblem; readonly detail: string };
}

export interface AuditLog {
  /** Appends the records in order, as one atomic write; resolves once durable. */
  append(records: readonly NewAuditRecord[]): Promise<readonly AuditRecord[]>;
  /**
   * The records as a step of a store write transaction (logs on the store's own environment):
   * `build` goes to ObjectStore.batch, `committed()` is called after the commit. Seqs are
   * assigned inside the transaction, from the stored head, like append's.
   */
  prepare?(records: readonly NewAuditRecord[]): { build: AuditAppend; committed(): Promise<readonly AuditRecord[]> };
  list(filter?: AuditFilter): AuditRecord[];
  /** Walks the whole chain from seq 1 and names the first problem. */
  verify(): VerifyResult;
  /** The seq of the last record written (0 when empty). */
  lastSeq(): number;
  close(): Promise<void>;
}
