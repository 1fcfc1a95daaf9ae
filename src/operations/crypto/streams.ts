/**
 * By-parts ("streaming") crypto operations (1.3+: Init Indicator, Correlation Value, Final
 * Indicator). The state of an open stream — a node cipher, hash, HMAC or signer — lives only in
 * this process's memory, in a bounded table: at most MAX_OPEN_STREAMS entries (and
 * MAX_STREAMS_PER_PRINCIPAL per client), each dropped after STREAM_IDLE_MS without a call. Nothing is written to disk, so a restart ends every stream. A
 * Correlation Value is usable only by the principal that opened it, for the same operation and
 * key; anyone else gets the same Item Not Found as for a value that never existed.
 */
import { randomBytes } from "node:crypto";
import { Tag } from "../../kmip/index.js";
import { KmipError, itemNotFound, type StructReader } from "../../messages/index.js";
import { bytes, type TtlvNode } from "../../ttlv/index.js";
import { uidNode } from "../common.js";

/** Open streams across all clients; a new stream beyond this is refused until some finish or expire. */
export const MAX_OPEN_STREAMS = 1024;
/** Open streams one principal may hold, so one client cannot take the whole table. */
export const MAX_STREAMS_PER_PRINCIPAL = 64;
/** A stream unused for this long is forgotten (its next part answers Item Not Found). */
export const STREAM_IDLE_MS = 5 * 60 * 1000;

/** One operation's work, fed in parts. */
export interface Job {
  /** Output ready after this part (a block cipher's whole blocks; empty for digests). */
  update(data: Uint8Array): Buffer;
  /** The rest of the output, and the items that close the reply (tag, Validity Indicator). */
  finish(): { out?: Buffer; extra?: TtlvNode[] };
  /** Reads inputs a later part may carry besides Data (the Signature Data or MAC Data to check). */
  accept?(p: StructReader): void;
}

interface Entry {
  readonly owner: string;
  readonly op: number;
  readonly uid: string | undefined;
  readonly job: Job;
  lastUsed: number;
}

export class StreamTable {
  private readonly entries = new Map<string, Entry>();
  constructor(
    private readonly max = MAX_OPEN_STREAMS,
    private readonly idleMs = STREAM_IDLE_MS,
    private readonly clock: () => number = Date.now,
    private readonly perPrincipal = MAX_STREAMS_PER_PRINCIPAL,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  open(owner: string, op: number, uid: string | undefined, job: Job): Uint8Array {
    this.expire();
    if (this.entries.size >= this.max) throw new KmipError("GeneralFailure", "too many open streams; finish or abandon some first");
    let mine = 0;
    for (const e of this.entries.values()) if (e.owner === owner) mine++;
    if (mine >= this.perPrincipal) throw new KmipError("GeneralFailure", "too many open streams for this client; finish some first");
    const cv = randomBytes(16);
    this.entries.set(cv.toString("hex"), { owner, op, uid, job, lastUsed: this.clock() });
    return cv;
  }

  /** The job of an open stream; `final` removes it. */
  resume(cv: Uint8Array, owner: string, op: number, uid: string | undefined, final: boolean): Job {
    this.expire();
    const k = Buffer.from(cv).toString("hex");
    const e = this.entries.get(k);
    if (!e || e.owner !== owner || e.op !== op || (uid !== undefined && e.uid !== uid)) throw itemNotFound();
    if (final) this.entries.delete(k);
    else {
      // re-insert: Map order is then least-recently-used first, which expire() relies on
      e.lastUsed = this.clock();
      this.entries.delete(k);
      this.entries.set(k, e);
    }
    return e.job;
  }

  private expire(): void {
    const limit = this.clock() - this.idleMs;
    for (const [k, e] of this.entries) {
      if (e.lastUsed > limit) break;
      this.entries.delete(k);
    }
  }
}

/** The table the server's handlers share. */
export const STREAMS = new StreamTable();

export interface Parts {
  readonly data: Uint8Array;
  readonly init: boolean;
  readonly final: boolean;
  readonly cv?: Uint8Array;
}

export function readParts(p: StructReader): Parts {
  return {
    data: p.optBytes(Tag.Data) ?? new Uint8Array(0),
    init: p.optBool(Tag.InitIndicator) ?? false,
    final: p.optBool(Tag.FinalIndicator) ?? false,
    cv: p.optBytes(Tag.CorrelationValue),
  };
}

/** Whether a request is a single-part call (no stream opened or continued). */
export const isSinglePart = (parts: Parts): boolean => parts.cv === undefined && (!parts.init || parts.final);

export interface Reply {
  readonly uid?: string;
  /** Tag of the operation's output (Data, Signature Data, MAC Data); undefined: none. */
  readonly outTag?: number;
  /** Items after the output in the first reply (a generated IV/Counter/Nonce). */
  readonly lead?: TtlvNode[];
}

/**
 * Runs one request against a job: single-part (update + finish in one reply), stream start
 * (opens a Correlation Value), continuation, or final part. Empty intermediate output is left
 * out of the reply, as the TC-STREAM cases show.
 */
export function drive(job: Job | undefined, parts: Parts, op: number, owner: string, r: Reply, fresh?: Job): TtlvNode[] {
  const head: TtlvNode[] = r.uid !== undefined ? [uidNode(r.uid)] : [];
  const out = (b: Buffer | undefined, always: boolean): TtlvNode[] =>
    r.outTag !== undefined && b !== undefined && (always || b.length > 0) ? [bytes(r.outTag, b)] : [];
  if (isSinglePart(parts)) {
    const j = fresh!;
    const first = j.update(parts.data);
    const { out: rest, extra } = j.finish();
    const all = rest ? Buffer.concat([first, rest]) : first;
    return [...head, ...out(r.outTag === undefined ? undefined : all, true), ...(r.lead ?? []), ...(extra ?? [])];
  }
  if (parts.cv === undefined) {
    const j = fresh!;
    const chunk = j.update(parts.data);
    const cv = STREAMS.open(owner, op, r.uid, j);
    return [...head, ...out(chunk, false), ...(r.lead ?? []), bytes(Tag.CorrelationValue, cv)];
  }
  const j = job!;
  const chunk = j.update(parts.data);
  if (!parts.final) return [...head, ...out(chunk, false), bytes(Tag.CorrelationValue, parts.cv)];
  const { out: rest, extra } = j.finish();
  const all = rest ? Buffer.concat([chunk, rest]) : chunk;
  return [...head, ...out(all, false), ...(extra ?? [])];
}
