/**
 * Audit records committed with the writes they describe (docs/AUDIT.md §2): the executor makes
 * one MessageAudit per request message, tells it which batch item runs (begin/end), and passes it
 * to forTenant as the repository's WriteAudit port. Each durable write of an item then carries
 * the item's record — operation, the ids the request named and the uids written, `success` — in
 * the same LMDB transaction, so a change and its record are stored together or not at all, and a
 * refused write consumes no seq. The audit hook later skips the items recorded here.
 *
 * One item, one write, one record: operations write all their objects in one call (writeAll).
 * Should an item still write twice, its later writes carry records of their own, noted as such,
 * so every stored change has its record in its own transaction.
 */
import type { AuditLog } from "../audit/index.js";
import type { RequestBatchItem, ResponseItem } from "../messages/index.js";
import type { WriteAudit, WriteRecord } from "../operations/write-audit.js";
import type { AuditHookLog } from "./audit-hook.js";
import { itemRecord, toRecord } from "./audit-hook.js";
import type { RequestContext } from "./handler.js";

/** The part of the audit log that builds records as a step of a store transaction (ChainedAuditLog). */
export type PreparingAuditLog = Required<Pick<AuditLog, "prepare">>;

export const FURTHER_WRITE = "a further write of the same batch item";

export class MessageAudit implements WriteAudit {
  /** Indexes of the items with a record committed here: the audit hook skips them when they succeed. */
  readonly recorded = new Set<number>();
  private current: { readonly index: number; readonly item: RequestBatchItem } | undefined;

  constructor(
    private readonly log: PreparingAuditLog,
    private readonly errors: AuditHookLog,
    private readonly rctx: RequestContext,
    private readonly account: string | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Item `index` of the message runs now; its writes carry its record. */
  begin(index: number, item: RequestBatchItem): void {
    this.current = { index, item };
  }

  /** No item runs: writes (there should be none) carry no record. */
  end(): void {
    this.current = undefined;
  }

  forWrite(uids: readonly string[]): WriteRecord | undefined {
    const cur = this.current;
    if (!cur) return undefined;
    const further = this.recorded.has(cur.index);
    const rec = itemRecord(cur.item, cur.item.operation, uids, "success", this.rctx, this.clock(), this.account, undefined, further ? FURTHER_WRITE : undefined);
    return this.step([rec], () => this.recorded.add(cur.index));
  }

  /**
   * The records of an Undo batch whose items all succeeded, for StagedRepository.commit: the
   * batch's writes and their records commit together (and with no writes, the records alone).
   */
  forBatch(items: readonly RequestBatchItem[], results: readonly ResponseItem[]): WriteRecord {
    const time = this.clock();
    const records = results.map((r, i) => toRecord(items[i], r, this.rctx, time, this.account));
    return this.step(records, () => results.forEach((_, i) => this.recorded.add(i)));
  }

  private step(records: Parameters<PreparingAuditLog["prepare"]>[0], onCommit: () => void): WriteRecord {
    const p = this.log.prepare(records);
    return {
      build: p.build,
      committed: async () => {
        onCommit();
        // The records are durable in LMDB (the record of truth) with the change: a mirror that
        // fails now must not turn a made change into a failure answer. Logged, not thrown.
        await p.committed().catch((err: unknown) => this.errors.error({ conn: this.rctx.connectionId, principal: this.rctx.principal, err }, "audit mirror write failed"));
      },
    };
  }
}
