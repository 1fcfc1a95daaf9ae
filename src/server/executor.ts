/**
 * The batch executor: one request message in, one response message out. It decodes, parses the
 * header, runs each batch item through the route table with a per-request context, and is the
 * only place where errors become Result Status / Result Reason (architecture rule 7). Unexpected
 * errors are logged in full and answered with a generic message.
 */
import { Enums, Tag, enumByXmlName, inVersion, type KmipVersion } from "../kmip/index.js";
import {
  KmipError, buildResponse, fallbackVersion, kmipVersionOf, parseRequest, sniffProtocolVersion, StructReader,
  type ProtocolVersion, type RequestBatchItem, type RequestMessage, type ResponseItem,
} from "../messages/index.js";
import type { OperationContext, OperationSettings } from "../operations/context.js";
import { PendingOperations } from "../operations/pending.js";
import { Pkcs11Contexts } from "../operations/pkcs11/contexts.js";
import type { CredentialVerifier, Directory, Tenant } from "../auth/index.js";
import type { ObjectRepository } from "../operations/repository.js";
import { ROUTES } from "../operations/routes.js";
import { admissionFor, type ConstraintStore } from "../operations/constraints.js";
import { TtlvError, decodeTtlv, encodeTtlv, struct, type TtlvLimits } from "../ttlv/index.js";
import { operationName, resultName, type AuditHook } from "./audit-hook.js";
import type { MessageAudit } from "./write-audit.js";
import type { MessageHandler, RequestContext } from "./handler.js";
import { admitTicket } from "./ticket-gate.js";
import { admitCredentials } from "./credential-gate.js";
import { TicketRegistry } from "../operations/login/tickets.js";
import { ServerRng } from "../operations/crypto/hmac-drbg.js";

export interface ExecutorLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ExecutorDeps {
  readonly objects: ObjectRepository;
  readonly settings: OperationSettings;
  readonly limits: TtlvLimits & { readonly maxBatchItems: number };
  readonly log: ExecutorLog;
  /**
   * Resolves the connection's principal to its tenant. Without one (unit tests), every principal
   * is its own account in zone "default".
   */
  readonly directory?: Pick<Directory, "resolve">;
  /** Current time in POSIX seconds (a setting so tests can fix it). */
  readonly now?: () => bigint;
  /** Each account's constraints (Set/Get Constraints); without it those operations are not supported. */
  readonly constraints?: ConstraintStore;
  /** Login tickets (in memory); one per executor unless given. */
  readonly tickets?: TicketRegistry;
  /** Header credentials (`[[tenancy.credentials]]`); without it they are ignored. */
  readonly credentials?: CredentialVerifier;
  /** The HMAC_DRBG of RNG Retrieve and RNG Seed; one per executor unless given. */
  readonly rng?: ServerRng;
  /** Records the answered items (audit-hook.ts); may turn answers into failures if it cannot. */
  readonly audit?: AuditHook;
  /**
   * Records each write item in the transaction of its write (write-audit.ts); the audit hook
   * then skips those items. Without it, every item is recorded by the hook after the fact.
   */
  readonly auditWrites?: (rctx: RequestContext, account: string) => MessageAudit;
  /** Told of each answered item, with its final status and run time (metrics.ts). */
  readonly observe?: (operation: string, result: string, seconds: number) => void;
}

const OPERATIONS: readonly number[] = [...ROUTES.keys()];
/**
 * Operations kmipd may answer Operation Pending when the client allows it (Asynchronous Indicator):
 * those whose cost grows with the store — a search, a move to or from archival storage.
 */
const DEFERRABLE: ReadonlySet<number> = new Set([Enums.Operation.Locate, Enums.Operation.Archive, Enums.Operation.Recover]);
const OLDEST: ProtocolVersion = { major: 1, minor: 0 };
const nowSeconds = (): bigint => BigInt(Math.floor(Date.now() / 1000));

export function createExecutor(deps: ExecutorDeps): MessageHandler {
  const now = deps.now ?? nowSeconds;
  const pending = new PendingOperations();
  const tickets = deps.tickets ?? new TicketRegistry();
  const rng = deps.rng ?? new ServerRng();
  const pkcs11 = new Pkcs11Contexts();
  return async (bytes: Buffer, rctx: RequestContext): Promise<Buffer> => {
    let root;
    try {
      root = decodeTtlv(bytes, deps.limits);
    } catch (e) {
      if (!(e instanceof TtlvError)) throw e;
      deps.log.warn({ conn: rctx.connectionId, code: e.code }, "undecodable request");
      return failWhole(OLDEST, now(), "InvalidMessage", `malformed TTLV (${e.code})`);
    }
    const sniffed = sniffProtocolVersion(root) ?? OLDEST;
    let req: RequestMessage;
    try {
      req = parseRequest(root, deps.limits);
    } catch (e) {
      if (!(e instanceof KmipError)) throw e;
      return failWhole(kmipVersionOf(sniffed) ? sniffed : fallbackVersion(sniffed), now(), e.reason, e.message);
    }
    const requested = req.header.protocolVersion;
    let version = kmipVersionOf(requested);
    let answerIn = requested;
    if (!version) {
      // Discover Versions must work whatever version the client opened with; nothing else may.
      answerIn = fallbackVersion(requested);
      version = kmipVersionOf(answerIn)!;
      if (!req.items.every((i) => i.operation === Enums.Operation.DiscoverVersions)) {
        return failWhole(answerIn, now(), "UnsupportedProtocolVersion", `protocol version ${requested.major}.${requested.minor} is not supported`);
      }
    }
    // every item is refused, each echoing its Operation ("Yes, if specified in Request Batch Item")
    const refuseAll = async (e: KmipError): Promise<Buffer> => {
      let refused = req.items.map((i) => failure(i, e.reason, e.message));
      if (deps.audit) refused = await deps.audit(req.items, refused, rctx);
      return encodeTtlv(buildResponse(answerIn, version!, now(), refused, { clientCorrelationValue: req.header.clientCorrelationValue }));
    };
    const gate = admitTicket(tickets, req, rctx.principal, now(), OPERATIONS);
    if (gate instanceof KmipError) return refuseAll(gate);
    const option = req.header.batchErrorContinuationOption;
    // Undo: the batch's writes are staged and committed together; a failure discards them all.
    const staged = option === Enums.BatchErrorContinuationOption.Undo ? deps.objects.staged() : undefined;
    const tenant = deps.directory ? await resolveTenant(deps.directory, rctx, deps.log) : selfTenant(rctx.principal);
    if (!tenant) {
      deps.log.warn({ conn: rctx.connectionId, principal: rctx.principal }, "principal not registered: request refused (map it, or set tenancy.auto_register)");
      return refuseAll(new KmipError("PermissionDenied", "principal not registered"));
    }
    const admitted = await admitCredentials(deps.credentials, req, tenant, deps.log, rctx.connectionId);
    if (admitted instanceof KmipError) return refuseAll(admitted);
    const writes = deps.auditWrites?.(rctx, tenant.account);
    const objects = (staged ?? deps.objects).forTenant(tenant, {
      credential: admitted.credential, admit: admissionFor(deps.constraints, tenant.account),
      // An Undo batch's writes are staged: their records go with the commit, below.
      ...(writes && !staged ? { audit: writes } : {}),
    });
    const ctx: OperationContext = {
      principal: rctx.principal, tenant, version, now, objects, settings: deps.settings, operations: gate.operations ?? OPERATIONS, pending, tickets, rng, pkcs11,
      ...(deps.constraints ? { constraints: deps.constraints } : {}),
    };
    // 1.x Boolean true, 2.x Mandatory or Optional: the client accepts Operation Pending (not within an Undo batch)
    const ai = req.header.asynchronousIndicator;
    const mayDefer = !staged && (ai === true || ai === Enums.AsynchronousIndicator.Mandatory || ai === Enums.AsynchronousIndicator.Optional);
    let results: ResponseItem[] = [];
    const took: number[] = [];
    for (const [i, item] of req.items.entries()) {
      const t0 = performance.now();
      writes?.begin(i, item);
      const r = mayDefer && DEFERRABLE.has(item.operation) ? defer(item, ctx, deps.log, rctx) : await runItem(item, ctx, deps.log, rctx);
      writes?.end();
      results.push(r);
      took.push((performance.now() - t0) / 1000);
      if (r.status !== Enums.ResultStatus.Success && option !== Enums.BatchErrorContinuationOption.Continue) break;
    }
    if (staged) {
      const failed = results.some((r) => r.status !== Enums.ResultStatus.Success);
      if (failed) results = results.map((r) => (r.status === Enums.ResultStatus.Success ? { ...r, status: Enums.ResultStatus.OperationUndone } : r));
      else {
        try {
          await staged.commit(writes?.forBatch(req.items, results));
        } catch (e) {
          const reason = e instanceof KmipError ? e.reason : "GeneralFailure";
          if (!(e instanceof KmipError)) deps.log.error({ conn: rctx.connectionId, err: e }, "committing an Undo batch failed");
          results = results.map((r) => failure(r, reason, "the batch could not be committed; nothing was changed"));
        }
      }
    }
    if (deps.audit) results = await deps.audit(req.items, results, rctx, { account: tenant.account, ...(writes ? { recorded: writes.recorded } : {}) });
    // after Undo and audit, so the metrics count what the client was answered
    results.forEach((r, i) => deps.observe?.(operationName(req.items[i]?.operation ?? r.operation), resultName(r.status), took[i] ?? 0));
    const extras = { clientCorrelationValue: req.header.clientCorrelationValue };
    const ts = now();
    const out = encodeTtlv(buildResponse(answerIn, version, ts, results, extras));
    const max = req.header.maximumResponseSize;
    if (max !== undefined && out.length > max) {
      const tooLarge = results.map((r) => failure(r, "ResponseTooLarge", `the response is ${out.length} bytes; the limit given is ${max}`));
      return encodeTtlv(buildResponse(answerIn, version, ts, tooLarge, extras));
    }
    return out;
  };
}

/** Operation Pending now; the item runs when Polled, in a context of its own (no batch ID Placeholder). */
function defer(item: RequestBatchItem, ctx: OperationContext, log: ExecutorLog, rctx: RequestContext): ResponseItem {
  const later: OperationContext = { ...ctx, objects: ctx.objects.fork(), idPlaceholder: undefined, placeholderCleared: undefined };
  const run = async () => {
    const r = await runItem(item, later, log, rctx);
    if (r.status !== Enums.ResultStatus.Success) throw new KmipError(r.reason ?? "GeneralFailure", r.message ?? "the operation failed", r.aboutLinked ? "linked" : "object");
    return [...(r.payload ?? [])];
  };
  const value = ctx.pending.defer(ctx.principal, item.operation, run);
  return { operation: item.operation, uniqueBatchItemId: item.uniqueBatchItemId, status: Enums.ResultStatus.OperationPending, asyncCorrelationValue: value };
}

async function runItem(item: RequestBatchItem, ctx: OperationContext, log: ExecutorLog, rctx: RequestContext): Promise<ResponseItem> {
  const base = { operation: item.operation, uniqueBatchItemId: item.uniqueBatchItemId };
  const handler = ROUTES.get(item.operation);
  if (!handler) return failure(base, "OperationNotSupported", "operation not supported");
  // an operation a later version defines is not one of this version's (its reply's fields would not be either)
  if (!operationInVersion(item.operation, ctx.version)) return failure(base, "OperationNotSupported", `operation not defined in KMIP ${ctx.version}`);
  ctx.replyAs = undefined;
  ctx.objects.operation = item.operation; // what the operation policy decides on
  try {
    if (item.extensions.some((x) => StructReader.of(x).optBool(Tag.CriticalityIndicator) === true)) {
      throw new KmipError("UnknownMessageExtension", "a critical message extension is not supported");
    }
    const payload = item.payload ?? new StructReader(struct(Tag.RequestPayload, []));
    const children = await handler(payload, ctx);
    return { ...base, operation: ctx.replyAs ?? item.operation, status: Enums.ResultStatus.Success, payload: children };
  } catch (e) {
    if (e instanceof KmipError) return failure({ ...base, operation: ctx.replyAs ?? item.operation }, e.reason, e.message, e.about === "linked");
    log.error({ conn: rctx.connectionId, principal: rctx.principal, operation: item.operation, err: e }, "operation failed unexpectedly");
    return failure(base, "GeneralFailure", "internal error");
  }
}

/** Each operation's version mask, looked up once per batch item. */
const OPERATION_VERSIONS: ReadonlyMap<number, number> = new Map(enumByXmlName("Operation")!.values.map((v) => [v.value, v.versions]));
function operationInVersion(operation: number, version: KmipVersion): boolean {
  const versions = OPERATION_VERSIONS.get(operation);
  return versions !== undefined && inVersion(versions, version);
}

function failure(base: { operation?: number; uniqueBatchItemId?: Uint8Array }, reason: KmipError["reason"], message: string, aboutLinked = false): ResponseItem {
  return { operation: base.operation, uniqueBatchItemId: base.uniqueBatchItemId, status: Enums.ResultStatus.OperationFailed, reason, message, ...(aboutLinked ? { aboutLinked } : {}) };
}

/** A directory failure (e.g. a principal auto-registration refuses as a name) refuses the request; it never drops the connection. */
async function resolveTenant(d: Pick<Directory, "resolve">, rctx: RequestContext, log: ExecutorLog): Promise<Tenant | undefined> {
  try {
    return await d.resolve(rctx.principal);
  } catch (e) {
    log.error({ conn: rctx.connectionId, err: e }, "resolving the principal failed");
    return undefined;
  }
}

function selfTenant(principal: string): Tenant {
  return { principal, account: principal, domain: "default", zone: "default", role: "user" };
}

/** A whole-request failure: one failed batch item, no operation echoed. */
function failWhole(pv: ProtocolVersion, ts: bigint, reason: KmipError["reason"], message: string): Buffer {
  const version: KmipVersion = kmipVersionOf(pv) ?? "1.0";
  return encodeTtlv(buildResponse(pv, version, ts, [failure({}, reason, message)]));
}
