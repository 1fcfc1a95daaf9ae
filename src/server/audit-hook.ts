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

export type AuditHook = (items: readonly RequestBatchItem[], results: readonly ResponseItem[], rctx: RequestContext) => Promise<ResponseItem[]>;

/** Tags whose Text String values name an object the item touched. */
const ID_TAGS: ReadonlySet<number> = new Set([Tag.UniqueIdentifier, Tag.PrivateKeyUniqueIdentifier, Tag.PublicKeyUniqueIdentifier, Tag.ReplacedUniqueIdentifier]);
/** Bounds a record: a Locate may return a thousand ids; the first ones are kept and the rest counted. */
const MAX_IDS = 256;
const OPERATION = enumByXmlName("Operation")!;

export const AUDIT_UNAVAILABLE = "audit trail unavailable";

export interface AuditHookLog {
  error(obj: object, msg: string): void;
}

export function createAuditHook(audit: AuditLog, log: AuditHookLog, clock: () => number = Date.now): AuditHook {
  return async (items, results, rctx) => {
    if (results.length === 0) return [...results];
    const time = clock();
    const records = results.map((r, i) => toRecord(items[i], r, rctx, time));
    try {
      await audit.append(records);
      return [...results];
    } catch (err) {
      log.error({ conn: rctx.connectionId, principal: rctx.principal, items: results.length, err }, AUDIT_UNAVAILABLE);
      return results.map((r) => ({
        operation: r.operation,
        uniqueBatchItemId: r.uniqueBatchItemId,
        status: Enums.ResultStatus.OperationFailed,
        reason: "GeneralFailure",
        message: AUDIT_UNAVAILABLE,
      }));
    }
  };
}

export function operationName(op: number | undefined): string {
  if (op === undefined) return "(none)";
  return enumName(OPERATION, op) ?? `Operation 0x${op.toString(16).padStart(8, "0")}`;
}

function toRecord(item: RequestBatchItem | undefined, r: ResponseItem, rctx: RequestContext, time: number): NewAuditRecord {
  const ids = new Set<string>();
  collectIds(item?.payload?.children ?? [], ids);
  collectIds(r.payload ?? [], ids);
  const all = [...ids];
  const kept = all.slice(0, MAX_IDS);
  // The server's error text is left out: it can echo request values (an object's Name); the
  // reason says what went wrong, and the server log has the text.
  const notes: string[] = [];
  if (all.length > kept.length) notes.push(`${all.length - kept.length} more object ids not recorded`);
  return {
    time,
    principal: rctx.principal,
    clientAddress: rctx.peer,
    operation: operationName(item?.operation ?? r.operation),
    objectIds: kept,
    result: resultName(r.status),
    ...(r.reason === undefined ? {} : { reason: r.reason }),
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
