/**
 * Rewrap jobs (issue 7): "move every object of KMS key K from version(s) F to version T", kept in
 * the catalog's `rewrapjobs` table. A job's counters and cursor are only ever written in the same
 * store transaction as the object updates they count (daemon.ts), so after a crash they match the
 * objects exactly. What remains is never stored: it is read from the (KEK, version) index.
 */
import type { CatalogStorage, KekIndex } from "../store/types.js";

/** A DEK the daemon could not move: retried after `nextAt`, never dropped. Reasons name no secret. */
export interface FailedDek {
  readonly reason: string;
  readonly attempts: number;
  readonly nextAt: number;
}

export interface JobRecord {
  readonly id: string;
  readonly keyId: string;
  readonly keyName: string;
  readonly account: string;
  readonly from: readonly number[];
  readonly to: number;
  /** Migration: the KEK the objects are under now ("db-kek"), when not `keyId` itself. */
  readonly sourceKekId?: string;
  /** Migration: only objects of these owners (accounts), or only these uids. */
  readonly owners?: readonly string[];
  readonly ids?: readonly string[];
  /** Migration by zone (`migrate --zone`): the zone whose accounts `owners` are; shown by status. */
  readonly zone?: string;
  readonly createdAt: number;
  /** "done": no object left under any `from` version (they are then retired); "superseded": a later rotation's job took over. */
  readonly state: "pending" | "running" | "done" | "superseded";
  /** Objects under the `from` versions when the job was recorded. */
  readonly total: number;
  readonly succeeded: number;
  /** Failed attempts, counting retries. */
  readonly failedAttempts: number;
  readonly failed: Readonly<Record<string, FailedDek>>;
  /** Where the next batch starts: a `from` version and the last uid taken under it. */
  readonly cursor?: { readonly version: number; readonly afterUid: string };
  readonly startedAt?: number;
  readonly lastAt?: number;
  readonly finishedAt?: number;
}

export interface JobStatus {
  readonly id: string;
  readonly key: string;
  readonly keyId: string;
  readonly account: string;
  readonly from: readonly number[];
  readonly to: number;
  /** Migration: the KEK the objects come from. */
  readonly source?: string;
  /** Migration by zone: the zone it was asked for. */
  readonly zone?: string;
  readonly state: JobRecord["state"];
  readonly total: number;
  /** succeeded + DEKs currently failing. */
  readonly processed: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly failures: readonly { readonly id: string; readonly reason: string; readonly attempts: number; readonly nextRetryAt: number }[];
  /** Exact, from the index. */
  readonly remaining: number;
  /** DEKs per second since the job started. */
  readonly rate: number;
  /** Seconds left at that rate; null when unknown. */
  readonly etaSec: number | null;
  readonly createdAt: number;
  readonly finishedAt?: number;
}

export const encodeJob = (j: JobRecord): Uint8Array => Buffer.from(JSON.stringify(j), "utf8");
export const decodeJob = (b: Uint8Array): JobRecord => JSON.parse(Buffer.from(b).toString("utf8")) as JobRecord;

/** Job ids sort by creation: the key id and the target version, zero-padded. */
export const jobId = (keyId: string, to: number): string => `${keyId}@${String(to).padStart(10, "0")}`;

export function listJobs(catalog: CatalogStorage): JobRecord[] {
  return [...catalog.catalogList("rewrapjobs")].map(({ value }) => decodeJob(value)).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** Whether an object is the job's to move (a migration may be limited to accounts or uids). */
export function inScope(j: JobRecord, rec: { uid: string; owner: string }): boolean {
  return (!j.owners || j.owners.includes(rec.owner)) && (!j.ids || j.ids.includes(rec.uid));
}

/** Exact: one read per version for a rotation; a scan of the source KEK's objects for a limited migration. */
export function remainingOf(j: JobRecord, index: KekIndex): number {
  const src = j.sourceKekId ?? j.keyId;
  if (!j.owners && !j.ids) return j.from.reduce((s, v) => s + index.countUnderKek(src, v), 0);
  let n = 0;
  for (const v of j.from) {
    let after: string | undefined;
    for (;;) {
      const page = index.objectsUnder(src, v, after, 1000);
      if (page.length === 0) break;
      for (const r of page) if (inScope(j, r)) n++;
      after = page[page.length - 1]!.uid;
    }
  }
  return n;
}

export function statusOf(j: JobRecord, index: KekIndex, now: number): JobStatus {
  const remaining = j.state === "superseded" ? 0 : remainingOf(j, index);
  const failures = Object.entries(j.failed).map(([id, f]) => ({ id, reason: f.reason, attempts: f.attempts, nextRetryAt: f.nextAt }));
  const elapsed = j.startedAt === undefined ? 0 : ((j.finishedAt ?? j.lastAt ?? now) - j.startedAt) / 1000;
  const rate = elapsed > 0 ? j.succeeded / elapsed : 0;
  return {
    id: j.id,
    key: j.keyName,
    keyId: j.keyId,
    account: j.account,
    from: j.from,
    to: j.to,
    ...(j.sourceKekId ? { source: j.sourceKekId } : {}),
    ...(j.zone !== undefined ? { zone: j.zone } : {}),
    state: j.state,
    total: j.total,
    processed: j.succeeded + failures.length,
    succeeded: j.succeeded,
    failed: failures.length,
    failures,
    remaining,
    rate: Math.round(rate * 10) / 10,
    etaSec: remaining === 0 ? 0 : rate > 0 ? Math.ceil(remaining / rate) : null,
    createdAt: j.createdAt,
    ...(j.finishedAt === undefined ? {} : { finishedAt: j.finishedAt }),
  };
}
