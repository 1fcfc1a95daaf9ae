/**
 * The rewrap daemon (issue 7), run inside `kmipd serve`. Each pass takes up to `batchSize` objects
 * still under an old version of a key with an unfinished job, re-wraps each by the key's provider
 * (in the HSM for PKCS#11), and commits all the batch's object updates together with the job's
 * counters and cursor in ONE store transaction, under a lease only one process holds. A crash
 * before the commit leaves the batch wholly old; after it, wholly new, counters included.
 * Up to `concurrency` provider calls of a batch run at once; their outcomes are applied in uid order.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { KmsError } from "../kms/types.js";
import { LeaseLostError, StaleRevisionError, type CatalogStorage, type ObjectRecord, type RewrapStorage, type StoreWrite } from "../store/types.js";
import { settleBounded } from "./bounded.js";
import { encodeJob, inScope, jobId, listJobs, remainingOf, statusOf, type FailedDek, type JobRecord, type JobStatus } from "./jobs.js";

/** What the daemon needs from the KMS (KmsKeyService implements it). */
export interface RewrapKeys {
  keyById(keyId: string): { id: string; name: string; account: string; zone?: string; currentVersion: number; versions: number[] } | undefined;
  rewrapBlob(keyId: string, from: number, to: number, blob: Uint8Array): Promise<Uint8Array>;
  rotate(name: string, account?: string): Promise<{ id: string; currentVersion: number }>;
  show(name: string, account?: string): Promise<{ id: string; currentVersion: number }>;
  migrateBlob(fromKekId: string, fromVersion: number, toKeyId: string, toVersion: number, blob: Uint8Array): Promise<Uint8Array>;
}

/** The KEK of objects wrapped before KMS keys existed (kms LEGACY_KEK_ID). */
const LEGACY = "db-kek";

export interface RewrapSettings {
  readonly batchSize: number;
  readonly intervalMs: number;
  /** Provider rewrap calls of one batch in flight at once (kms.rewrap.concurrency, 1..64). Default 4. */
  readonly concurrency?: number;
  /** First retry delay of a failing DEK; doubles per attempt up to `maxRetryMs`. */
  readonly retryBaseMs?: number;
  readonly maxRetryMs?: number;
  /** Lease lifetime; renewed every pass. Default max(30 s, 3 × interval). */
  readonly leaseMs?: number;
}

export interface PassResult {
  readonly moved: number;
  readonly failed: number;
  /** The provider was unavailable (transient): the pass stopped and the daemon pauses. */
  readonly paused: boolean;
  /** Another process holds the lease. */
  readonly locked: boolean;
}

const LEASE = "rewrap";

/** An object picked for a batch, with the from-version it was found under (for the cursor). */
interface Picked {
  readonly rec: ObjectRecord;
  readonly version: number;
}

export class RewrapDaemon {
  /** host:pid:random — so a restarted process on the same host can tell its killed predecessor's lease is dead. */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private pausedUntil = 0;
  private stopped = true;
  private draining: Promise<unknown> | undefined;
  private lastDrain: boolean | undefined;

  constructor(
    private readonly store: RewrapStorage & { readonly catalog: CatalogStorage },
    private readonly keys: RewrapKeys,
    private readonly settings: RewrapSettings,
    private readonly hooks: { onMoved?: (uids: readonly string[]) => void; log?: (msg: string, fields: Record<string, unknown>) => void } = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Rotates a KMS key and records the job that moves its objects to the new version. */
  async rotate(name: string, account?: string): Promise<JobStatus> {
    const k = await this.keys.rotate(name, account);
    const info = this.keys.keyById(k.id)!;
    const from = info.versions.filter((v) => v !== info.currentVersion && this.store.countUnderKek(k.id, v) > 0);
    const now = this.now();
    const older = listJobs(this.store.catalog).filter((j) => j.keyId === k.id && (j.state === "pending" || j.state === "running"));
    const job: JobRecord = {
      id: jobId(k.id, info.currentVersion), keyId: k.id, keyName: info.name, account: info.account, from, to: info.currentVersion, createdAt: now,
      state: from.length === 0 ? "done" : "pending", total: from.reduce((s, v) => s + this.store.countUnderKek(k.id, v), 0),
      succeeded: 0, failedAttempts: 0, failed: {}, ...(from.length === 0 ? { finishedAt: now } : {}),
    };
    // The new job covers every older version: an unfinished earlier job of the key is superseded.
    await this.store.catalog.catalogWrite([
      ...older.map((j) => ({ table: "rewrapjobs" as const, key: j.id, value: encodeJob({ ...j, state: "superseded", finishedAt: now }) })),
      { table: "rewrapjobs", key: job.id, value: encodeJob(job) },
    ]);
    return statusOf(job, this.store, now);
  }

  /**
   * Records a job moving legacy ("db-kek") objects of some accounts, or some uids, under KMS key
   * `toKey` (its current version) — the same daemon, guarantees and progress as a rotation.
   * With `zone` (the owners are that zone's accounts, zones.ts) the key must be of that zone: a
   * KEK of zone A never wraps a DEK for zone B.
   */
  async migrate(o: { toKey: string; account?: string; owners?: readonly string[]; ids?: readonly string[]; zone?: string }): Promise<JobStatus> {
    const k = await this.keys.show(o.toKey, o.account);
    const info = this.keys.keyById(k.id)!;
    if (o.zone !== undefined && info.zone !== o.zone) {
      throw new KmsError("invalid", `KMS key ${info.name} is in zone ${info.zone ?? "?"}, not ${o.zone}: a KEK of zone A never wraps a DEK for zone B`);
    }
    const now = this.now();
    const from = this.store.kekVersionsInUse(LEGACY);
    const base: JobRecord = {
      id: `migrate:${k.id}@${now}`, keyId: k.id, keyName: info.name, account: info.account, from, to: info.currentVersion, sourceKekId: LEGACY,
      ...(o.owners ? { owners: [...o.owners] } : {}), ...(o.ids ? { ids: [...o.ids] } : {}), ...(o.zone !== undefined ? { zone: o.zone } : {}),
      createdAt: now, state: "pending", total: 0, succeeded: 0, failedAttempts: 0, failed: {},
    };
    const total = remainingOf(base, this.store);
    const job: JobRecord = { ...base, total, ...(total === 0 ? { state: "done", finishedAt: now } : {}) };
    await this.store.catalog.catalogWrite([{ table: "rewrapjobs", key: job.id, value: encodeJob(job) }]);
    return statusOf(job, this.store, now);
  }

  /** Why `version` of key `keyId` must not be destroyed yet: an unfinished job still moves objects from it. */
  versionBusy(keyId: string, version: number): string | undefined {
    const j = listJobs(this.store.catalog).find((x) => x.keyId === keyId && !x.sourceKekId && (x.state === "pending" || x.state === "running") && x.from.includes(version));
    return j && `rewrap job ${j.id} still moves objects from version ${version} (state ${j.state}): let it finish (kmipd rewrap run)`;
  }

  status(): JobStatus[] {
    const now = this.now();
    return listJobs(this.store.catalog).map((j) => statusOf(j, this.store, now));
  }

  /** Runs a pass every intervalMs until stop(). */
  start(): void {
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      void this.serialized(() => this.pass())
        .catch((e) => this.hooks.log?.("rewrap pass failed", { err: e instanceof Error ? e.message : String(e) }))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(loop, this.settings.intervalMs).unref();
        });
    };
    // unref: the daemon alone never keeps a process alive (close() stops it anyway).
    this.timer = setTimeout(loop, this.settings.intervalMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
    await this.running;
    await this.store.releaseLease({ name: LEASE, owner: this.owner }).catch(() => undefined);
  }

  /**
   * Passes back to back until every job is done, or a pass moves nothing (only DEKs waiting for
   * their retry time, or the provider down, or the lease elsewhere). Each failing DEK is retried
   * once, now, whatever its back-off. True when every job is done.
   */
  async drain(onProgress?: (s: JobStatus[]) => void): Promise<boolean> {
    const tried = new Set<string>();
    for (;;) {
      const r = await this.serialized(() => this.pass({ retryNowExcept: tried }));
      onProgress?.(this.status());
      if (r.locked || r.paused || (r.moved === 0 && r.failed === 0)) break;
    }
    return this.status().every((s) => s.state === "done" || s.state === "superseded");
  }

  /** Starts drain() in the background unless one is running (the admin API must answer at once). */
  startDrain(): void {
    if (this.draining) return;
    this.draining = this.drain()
      .then((complete) => (this.lastDrain = complete))
      .catch((e) => {
        this.lastDrain = false;
        this.hooks.log?.("rewrap drain failed", { err: e instanceof Error ? e.message : String(e) });
      })
      .finally(() => (this.draining = undefined));
  }

  /** Whether a background drain runs, and whether the last one ended with every job done. */
  drainState(): { running: boolean; complete?: boolean } {
    return { running: this.draining !== undefined, ...(this.lastDrain === undefined ? {} : { complete: this.lastDrain }) };
  }

  /** One pass: one batch of the oldest unfinished job. */
  async pass(o: { retryNowExcept?: Set<string> } = {}): Promise<PassResult> {
    const now = this.now();
    const idle = { moved: 0, failed: 0, paused: false, locked: false };
    if (now < this.pausedUntil) return { ...idle, paused: true };
    const lease = { name: LEASE, owner: this.owner };
    const leaseMs = this.settings.leaseMs ?? Math.max(30_000, 3 * this.settings.intervalMs);
    if (!(await this.store.acquireLease(lease, leaseMs, now))) {
      const holder = this.store.leaseHolder(LEASE, now)?.owner;
      if (!holder || !deadLocal(holder) || !(await this.store.acquireLease(lease, leaseMs, now, holder))) return { ...idle, locked: true };
    }
    for (const job of listJobs(this.store.catalog)) {
      if (job.state === "done" || job.state === "superseded") continue;
      if (!this.keys.keyById(job.keyId)) continue; // key deleted (forced): nothing can move
      let { picked, cursor } = this.pick(job, now, o.retryNowExcept);
      // Nothing after the cursor: wrap around to the start (DEKs skipped earlier, or written late under an old version).
      if (picked.length === 0 && job.cursor) ({ picked, cursor } = this.pick({ ...job, cursor: undefined }, now, o.retryNowExcept));
      if (picked.length === 0) {
        if (remainingOf(job, this.store) === 0) await this.finish(job, now, lease);
        continue;
      }
      for (const p of picked) o.retryNowExcept?.add(p.rec.uid);
      return this.batch(job, picked, cursor, lease);
    }
    return idle;
  }

  /** Up to batchSize objects after the cursor, skipping DEKs whose retry time has not come (unless `retryNowExcept` is given and lacks them). */
  private pick(job: JobRecord, now: number, retryNowExcept: Set<string> | undefined): { picked: Picked[]; cursor: JobRecord["cursor"] } {
    const n = this.settings.batchSize;
    const picked: Picked[] = [];
    const start = job.cursor ? Math.max(0, job.from.indexOf(job.cursor.version)) : 0;
    for (let i = start; i < job.from.length; i++) {
      const v = job.from[i]!;
      let after = job.cursor && i === start ? job.cursor.afterUid : undefined;
      for (;;) {
        const page = this.store.objectsUnder(job.sourceKekId ?? job.keyId, v, after, n);
        if (page.length === 0) break;
        for (const rec of page) {
          after = rec.uid;
          const f = job.failed[rec.uid];
          const waits = f !== undefined && f.nextAt > now && (!retryNowExcept || retryNowExcept.has(rec.uid));
          if (waits || !inScope(job, rec)) continue;
          picked.push({ rec, version: v });
          if (picked.length === n) return { picked, cursor: { version: v, afterUid: rec.uid } };
        }
      }
    }
    return { picked, cursor: undefined };
  }

  /**
   * Re-wraps the batch, up to `concurrency` calls in flight, then applies the outcomes in uid order
   * and commits. A transient provider error (HSM down) starts no further call; what moved (before or
   * after it) is committed and the cursor goes only past the batch's leading run of DEKs that moved
   * or were recorded as failing — everything from the first DEK not settled stays for a later pass.
   */
  private async batch(job: JobRecord, picked: readonly Picked[], cursor: JobRecord["cursor"], lease: { name: string; owner: string }): Promise<PassResult> {
    const src = job.sourceKekId ?? job.keyId;
    const outcomes = await settleBounded(
      picked,
      this.settings.concurrency ?? 4,
      async ({ rec }): Promise<StoreWrite | undefined> => {
        const m = rec.material!;
        // Idempotent: an object already on the target version (or no longer under the source) is left as it is.
        if (m.kekId !== src || (m.kekId === job.keyId && m.kekVersion === job.to)) return undefined;
        const blob = src === job.keyId ? await this.keys.rewrapBlob(job.keyId, m.kekVersion, job.to, m.blob) : await this.keys.migrateBlob(src, m.kekVersion, job.keyId, job.to, m.blob);
        return { kind: "rematerial", uid: rec.uid, owner: rec.owner, from: { kekId: m.kekId, kekVersion: m.kekVersion }, material: { ...m, kekId: job.keyId, kekVersion: job.to, blob } };
      },
      unavailable,
    );
    const now = this.now();
    const ops: StoreWrite[] = [];
    const failed: Record<string, FailedDek> = { ...job.failed };
    let failures = 0;
    let paused = false;
    let settled = -1; // the last index of the leading run of DEKs moved, left alone or recorded as failing
    for (const [i, o] of outcomes.entries()) {
      const uid = picked[i]!.rec.uid;
      if (o === undefined || (!o.ok && unavailable(o.error))) {
        paused = true; // not started, or not this DEK's fault: it stays for a later pass
        continue;
      }
      if (o.ok) {
        if (o.value) ops.push(o.value);
        delete failed[uid];
      } else {
        const prev = failed[uid];
        const attempts = (prev?.attempts ?? 0) + 1;
        const delay = Math.min((this.settings.retryBaseMs ?? 60_000) * 2 ** (attempts - 1), this.settings.maxRetryMs ?? 6 * 3600_000);
        failed[uid] = { reason: reasonOf(o.error), attempts, nextAt: now + delay };
        failures++;
        this.hooks.log?.("rewrap of an object failed; will retry", { job: job.id, uid, attempts, reason: failed[uid]!.reason });
      }
      if (!paused) settled = i;
    }
    if (!paused) return this.commitBatch(job, ops, failed, failures, cursor, lease);
    // The HSM is down: commit what moved, then pause.
    this.pausedUntil = now + this.settings.intervalMs;
    this.hooks.log?.("rewrap paused: key provider unavailable", { job: job.id });
    const last = picked[settled];
    const r = await this.commitBatch(job, ops, failed, failures, last ? { version: last.version, afterUid: last.rec.uid } : job.cursor, lease);
    return { ...r, paused: true };
  }

  private async commitBatch(job: JobRecord, ops: StoreWrite[], failed: Record<string, FailedDek>, failures: number, cursor: JobRecord["cursor"], lease: { name: string; owner: string }): Promise<PassResult> {
    const now = this.now();
    // Counted inside the commit from the writes that applied: an object a client re-keyed or
    // destroyed meanwhile is skipped by the store and not counted.
    const next = (applied: readonly string[]): JobRecord => ({
      ...job, state: "running", succeeded: job.succeeded + applied.length, failedAttempts: job.failedAttempts + failures, failed, lastAt: now,
      startedAt: job.startedAt ?? now, ...(cursor ? { cursor } : { cursor: undefined }),
    });
    let applied: string[];
    try {
      applied = await this.store.commitWithLease(ops, (a) => [{ table: "rewrapjobs", key: job.id, value: encodeJob(next(a)) }], lease);
    } catch (e) {
      if (e instanceof StaleRevisionError) return { moved: 0, failed: 0, paused: false, locked: false };
      if (e instanceof LeaseLostError) return { moved: 0, failed: 0, paused: false, locked: true };
      throw e;
    }
    this.hooks.onMoved?.(applied);
    const done = next(applied);
    if (remainingOf(done, this.store) === 0) await this.finish(done, now, lease);
    return { moved: applied.length, failed: failures, paused: false, locked: false };
  }

  /** Done when no object is left under any `from` version: those versions are then retired (their count is 0). */
  private async finish(job: JobRecord, now: number, lease: { name: string; owner: string }): Promise<void> {
    await this.commit([], { ...job, state: "done", failed: {}, cursor: undefined, finishedAt: now, startedAt: job.startedAt ?? now }, lease);
    this.hooks.log?.("rewrap job done", { job: job.id, succeeded: job.succeeded });
  }

  private async commit(ops: readonly StoreWrite[], job: JobRecord, lease: { name: string; owner: string }): Promise<void> {
    await this.store.commitWithLease(ops, () => [{ table: "rewrapjobs", key: job.id, value: encodeJob(job) }], lease);
  }

  /** drain() and the timer's passes never overlap. */
  private async serialized<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.running;
    const p = prev.then(fn, fn);
    this.running = p.catch(() => undefined);
    return p;
  }
}

/** Whether a lease owner names a process of this host that no longer runs (a kill -9 leaves its lease behind). */
function deadLocal(owner: string): boolean {
  const [host, pid] = owner.split(":");
  if (host !== hostname() || !pid || !/^\d+$/.test(pid) || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** A transient provider error (the HSM down): not the DEK's fault, and no reason to go on with the batch. */
function unavailable(e: unknown): boolean {
  return e instanceof KmsError && e.code === "unavailable";
}

/** A reason safe to show: the error's class and message (providers' messages carry no key bytes or PINs). */
function reasonOf(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 300);
  return "unknown error";
}
