/**
 * From answered batch items to audit records: the executor calls this once per request message,
 * after every item has its final status (Undo included), and one record per item is appended in
 * a single durable write. If that write fails, every item of the message is answered Operation
 * Failed / General Failure ("audit trail unavailable") — nothing goes unaudited silently.
 *
 * Records carry names and ids only: the operation, the Unique Identifiers the request named and
 * the response returned, the result and reason. Never a payload, never key bytes, never the
 * error text (which may quote request values).
 */
import type { AuditLog, AuditResult, NewAuditRecord } from "../audit/index.js";
import { Enums, Tag, enumByXmlName, enumName } from "../kmip/index.js";
import type { RequestBatchItem, ResponseItem } from "../messages/index.js";
import { ItemType, type TtlvNode } from "../ttlv/index.js";
import type { RequestContext } from "./handler.js";

/** What the executor tells the hook beyond the items: the account, and the items whose record is already stored. */
export interface AuditHookExtras {
  /** The principal's account, once the directory has resolved it. */
  readonly account?: string;
  /** Indexes of items whose record was committed with their writes (write-audit.ts). */
  readonly recorded?: ReadonlySet<number>;
}

export type AuditHook = (items: readonly RequestBatchItem[], results: readonly ResponseItem[], rctx: RequestContext, extras?: AuditHookExtras) => Promise<ResponseItem[]>;

/** Tags whose Text String values name an object the item touched. */
const ID_TAGS: ReadonlySet<number> = new Set([Tag.UniqueIdentifier, Tag.PrivateKeyUniqueIdentifier, Tag.PublicKeyUniqueIdentifier, Tag.ReplacedUniqueIdentifier]);
/** Bounds a record: a Locate may return a thousand ids; the first ones are kept and the rest counted. */
const MAX_IDS = 256;
const OPERATION = enumByXmlName("Operation")!;

export const AUDIT_UNAVAILABLE = "audit trail unavailable";

export interface AuditHookLog {
  error(obj: object, msg: string): void;
}

/**
 * The hook appends the records of the items not yet recorded: reads, failures, pending and
 * undone items, and writes made where no record could go with them. An item recorded with its
 * write and answered Success is skipped; one that wrote and then failed gets its failure record
 * too. If the append fails, only the items it would have recorded become General Failure.
 */
export function createAuditHook(audit: AuditLog, log: AuditHookLog, clock: () => number = Date.now): AuditHook {
  return async (items, results, rctx, extras = {}) => {
    const done = (i: number): boolean => extras.recorded?.has(i) === true && results[i]!.status === Enums.ResultStatus.Success;
    const time = clock();
    const records = results.flatMap((r, i) => (done(i) ? [] : [toRecord(items[i], r, rctx, time, extras.account)]));
    if (records.length === 0) return [...results];
    try {
      await audit.append(records);
      return [...results];
    } catch (err) {
      log.error({ conn: rctx.connectionId, principal: rctx.principal, items: records.length, err }, AUDIT_UNAVAILABLE);
      return results.map((r, i) =>
        done(i) ? r : { operation: r.operation, uniqueBatchItemId: r.uniqueBatchItemId, status: Enums.ResultStatus.OperationFailed, reason: "GeneralFailure", message: AUDIT_UNAVAILABLE },
      );
    }
  };
}

export function operationName(op: number | undefined): string {
  if (op === undefined) return "(none)";
  return enumName(OPERATION, op) ?? `Operation 0x${op.toString(16).padStart(8, "0")}`;
}

/** The record of an answered item: the ids the request named and the response returned. */
export function toRecord(item: RequestBatchItem | undefined, r: ResponseItem, rctx: RequestContext, time: number, account?: string): NewAuditRecord {
  const ids = new Set<string>();
  collectIds(r.payload ?? [], ids);
  return itemRecord(item, item?.operation ?? r.operation, ids, resultName(r.status), rctx, time, account, r.reason);
}

/**
 * One batch item's record: `operation`, the ids its request named (first) and `more` (the
 * response's ids, or the uids a write stores), bounded; `result` and `reason`; a note.
 */
export function itemRecord(
  item: RequestBatchItem | undefined, operation: number | undefined, more: Iterable<string>, result: AuditResult,
  rctx: RequestContext, time: number, account?: string, reason?: string, note?: string,
): NewAuditRecord {
  const ids = new Set<string>();
  collectIds(item?.payload?.children ?? [], ids);
  for (const id of more) ids.add(id);
  const all = [...ids];
  const kept = all.slice(0, MAX_IDS);
  // The server's error text is left out: it can echo request values (an object's Name); the
  // reason says what went wrong, and the server log has the text.
  const notes: string[] = note === undefined ? [] : [note];
  if (all.length > kept.length) notes.push(`${all.length - kept.length} more object ids not recorded`);
  return {
    time,
    principal: rctx.principal,
    ...(account === undefined ? {} : { account }),
    clientAddress: rctx.peer,
    operation: operationName(operation),
    objectIds: kept,
    result,
    ...(reason === undefined ? {} : { reason }),
    ...(notes.length === 0 ? {} : { message: notes.join("; ") }),
  };
}

function collectIds(nodes: readonly TtlvNode[], out: Set<string>): void {
  for (const n of nodes) if (ID_TAGS.has(n.tag) && n.type === ItemType.TextString) out.add(n.value);
}

export function resultName(status: number): AuditResult {
  switch (status) {
    case Enums.ResultStatus.Success:
      return "success";
    case Enums.ResultStatus.OperationPending:
      return "pending";
    case Enums.ResultStatus.OperationUndone:
      return "undone";
    default:
      return "failure";
  }
}
