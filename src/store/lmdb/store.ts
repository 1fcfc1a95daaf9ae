/**
 * The ObjectStore on one LMDB environment (lmdb-js). Sub-databases, all binary keys and values:
 *
 *   objects     uid                                  → object record (codec.ts)
 *   terms       C(owner) · C(term) · uid             → empty        (findByTerm: one range scan)
 *   termcounts  C(owner) · C(term)                   → u32 count    (countByTerm: one get)
 *   owners      C(owner) · uid                       → empty        (listByOwner: one range scan)
 *   keks        C(id) · u32 version                  → KEK record   (latestKek: one reverse seek; deleteKek: destroy-version)
 *   kekobjs     C(kekId) · u32 version · uid         → empty        (objectsUnder: one range scan)
 *   kekcounts   C(kekId) · u32 version               → u32 count    (countUnderKek: one get)
 *   meta        "format"                             → u8 store format
 *   audit, auditmeta                                 → the audit trail (audit.ts)
 *   accounts, principals, profiles, kmskeys, catalogmeta → the catalog (catalog.ts)
 *
 * C() is the bounded key component of keys.ts. Every write runs as one lmdb-js child transaction
 * (aborted as a whole if anything in it throws) that first validates everything against the
 * current state, then applies the record and all its index changes; the promise resolves only
 * after the commit is flushed to disk (`await db.flushed`).
 */
import { chmod } from "node:fs/promises";
import { join } from "node:path";
import type { Database, RootDatabase } from "lmdb";
import {
  LeaseLostError,
  StaleRevisionError,
  type AuditAppend,
  type CatalogWrite,
  type KekRecord,
  type Lease,
  type ObjectRecord,
  type ObjectStore,
  type RewrapStorage,
  type StoreWrite,
  type WrappedMaterial,
} from "../types.js";
import { decodeKek, decodeRecord, encodeKek, encodeRecord } from "./codec.js";
import {
  decodeCount,
  encodeCount,
  kekKey,
  kekPrefix,
  ownerPrefix,
  prefixRange,
  termPrefix,
  uidFromKey,
  uidKey,
  uidKeyOrUndefined,
  withUid,
} from "./keys.js";
import type { LmdbAuditStorage } from "./audit.js";
import type { LmdbCatalogStorage } from "./catalog.js";
import { UidGenerator } from "./uid.js";

type Db = Database<Buffer, Buffer>;

const EMPTY = Buffer.alloc(0);

/** Net change of each term counter within one transaction, keyed by the counter key. */
export type CountDeltas = Map<string, { readonly prefix: Buffer; delta: number }>;

/** Raised by insert (or a batch insert) when the uid is already taken. */
export class DuplicateUidError extends Error {
  override readonly name = "DuplicateUidError";
}

/** One validated change, ready to apply inside the write transaction. */
type Step =
  | { readonly kind: "put"; readonly key: Buffer; readonly value: Buffer; readonly rec: ObjectRecord; readonly old?: ObjectRecord }
  | { readonly kind: "delete"; readonly key: Buffer; readonly old: ObjectRecord };

export interface LmdbDatabases {
  readonly root: RootDatabase<Buffer, Buffer>;
  readonly objects: Db;
  readonly terms: Db;
  readonly termcounts: Db;
  readonly owners: Db;
  readonly keks: Db;
  readonly kekobjs: Db;
  readonly kekcounts: Db;
}

export class LmdbObjectStore implements ObjectStore, RewrapStorage {
  private readonly uids = new UidGenerator();
  private closed = false;

  constructor(
    /** The environment's directory. */
    readonly dir: string,
    private readonly db: LmdbDatabases,
    /** The audit trail's storage in the same environment. */
    readonly audit: LmdbAuditStorage,
    /** The catalog (directory and KMS records) in the same environment. */
    readonly catalog: LmdbCatalogStorage,
  ) {}

  newUid(): string {
    return this.uids.next();
  }

  async insert(rec: ObjectRecord): Promise<void> {
    await this.write([{ kind: "insert", rec }]);
  }

  async update(rec: ObjectRecord): Promise<void> {
    await this.write([{ kind: "update", rec }]);
  }

  async remove(uid: string, owner: string): Promise<boolean> {
    const steps = await this.write([{ kind: "remove", uid, owner }]);
    return steps.length > 0;
  }

  async batch(ops: readonly StoreWrite[], audit?: AuditAppend): Promise<void> {
    if (ops.length > 0 || audit) await this.write(ops, audit);
  }

  get(uid: string, owner: string): ObjectRecord | undefined {
    this.assertOpen();
    const key = uidKeyOrUndefined(uid);
    const rec = key && this.read(key);
    return rec && rec.owner === owner ? rec : undefined;
  }

  findByTerm(owner: string, term: string, afterUid?: string): Iterable<string> {
    this.assertOpen();
    const prefix = orUndefined(() => termPrefix(owner, term));
    if (!prefix) return [];
    return this.db.terms.getKeys(prefixRange(prefix, afterUid)).map((k) => uidFromKey(k, prefix.length));
  }

  listByOwner(owner: string, afterUid?: string): Iterable<string> {
    this.assertOpen();
    const prefix = orUndefined(() => ownerPrefix(owner));
    if (!prefix) return [];
    return this.db.owners.getKeys(prefixRange(prefix, afterUid)).map((k) => uidFromKey(k, prefix.length));
  }

  countByTerm(owner: string, term: string): number {
    this.assertOpen();
    const prefix = orUndefined(() => termPrefix(owner, term));
    return prefix ? decodeCount(this.db.termcounts.get(prefix)) : 0;
  }

  countUnderKek(kekId: string, version: number): number {
    this.assertOpen();
    const key = orUndefined(() => kekKey(kekId, version));
    return key ? decodeCount(this.db.kekcounts.get(key)) : 0;
  }

  kekVersionsInUse(kekId: string): number[] {
    this.assertOpen();
    const prefix = orUndefined(() => kekPrefix(kekId));
    if (!prefix) return [];
    return [...this.db.kekcounts.getKeys(prefixRange(prefix))].map((k) => k.readUInt32BE(prefix.length));
  }

  objectsUnder(kekId: string, version: number, afterUid?: string, limit = 1000): ObjectRecord[] {
    this.assertOpen();
    const prefix = orUndefined(() => kekKey(kekId, version));
    if (!prefix) return [];
    const out: ObjectRecord[] = [];
    for (const k of this.db.kekobjs.getKeys({ ...prefixRange(prefix, afterUid), limit })) {
      const rec = this.read(Buffer.from(k.subarray(prefix.length)));
      if (rec) out.push(rec);
    }
    return out;
  }

  async acquireLease(lease: Lease, ttlMs: number, now: number, replace?: string): Promise<boolean> {
    this.assertOpen();
    const got = await this.db.objects.childTransaction(() => {
      const cur = this.leaseHolder(lease.name, now);
      if (cur && cur.owner !== lease.owner && cur.owner !== replace) return false;
      this.catalog.writeSync([{ table: "leases", key: lease.name, value: Buffer.from(JSON.stringify({ owner: lease.owner, expiresAt: now + ttlMs })) }]);
      return true;
    });
    await this.db.root.flushed;
    return got;
  }

  async releaseLease(lease: Lease): Promise<void> {
    this.assertOpen();
    await this.db.objects.childTransaction(() => {
      if (this.leaseHolder(lease.name, 0)?.owner === lease.owner) this.catalog.writeSync([{ table: "leases", key: lease.name, value: undefined }]);
    });
    await this.db.root.flushed;
  }

  leaseHolder(name: string, now: number): { owner: string; expiresAt: number } | undefined {
    const b = this.catalog.catalogGet("leases", name);
    if (!b) return undefined;
    const l = JSON.parse(Buffer.from(b).toString("utf8")) as { owner: string; expiresAt: number };
    return l.expiresAt > now ? l : undefined;
  }

  async commitWithLease(ops: readonly StoreWrite[], catalog: (applied: readonly string[]) => readonly CatalogWrite[], lease: Lease): Promise<string[]> {
    // Checked inside the transaction (expiry ignored): a process that lost its lease to another writes nothing.
    const steps = await this.write(ops, undefined, (planned) => {
      if (this.leaseHolder(lease.name, 0)?.owner !== lease.owner) throw new LeaseLostError(`lease ${lease.name} is no longer held by this process`);
      this.catalog.writeSync(catalog(planned.map((st) => (st.kind === "put" ? st.rec.uid : st.old.uid))));
    });
    return steps.map((st) => (st.kind === "put" ? st.rec.uid : st.old.uid));
  }

  getKek(id: string, version: number): KekRecord | undefined {
    this.assertOpen();
    if (!Number.isInteger(version) || version < 0 || version > 0xffffffff) return undefined;
    const key = orUndefined(() => kekKey(id, version));
    const buf = key && this.db.keks.get(key);
    return buf ? decodeKek(buf) : undefined;
  }

  latestKek(id: string): KekRecord | undefined {
    this.assertOpen();
    const prefix = orUndefined(() => kekPrefix(id));
    if (!prefix) return undefined;
    const start = Buffer.concat([prefix, Buffer.alloc(5, 0xff)]);
    for (const { value } of this.db.keks.getRange({ start, end: prefix, reverse: true, limit: 1 })) return decodeKek(value);
    return undefined;
  }

  /** Whether any KEK record exists (the master-key loader refuses to invent a key then). */
  hasKeks(): boolean {
    this.assertOpen();
    for (const _ of this.db.keks.getKeys({ limit: 1 })) return true;
    return false;
  }

  /** KEK records are write-once: a second put of the same (id, version) is refused. */
  async putKek(rec: KekRecord): Promise<void> {
    this.assertOpen();
    if (!Number.isInteger(rec.version) || rec.version < 1 || rec.version > 0xffffffff) throw new RangeError(`KEK version must be 1..2^32-1`);
    const key = kekKey(rec.id, rec.version);
    const value = encodeKek(rec);
    await this.db.keks.childTransaction(() => {
      if (this.db.keks.doesExist(key)) throw new Error(`KEK ${rec.id} version ${rec.version} already exists`);
      this.db.keks.putSync(key, value);
    });
    await this.db.root.flushed;
  }

  async deleteKek(id: string, version: number): Promise<boolean> {
    const key = this.getKek(id, version) && kekKey(id, version); // getKek checks the store is open and the arguments
    const existed = key ? await this.db.keks.childTransaction(() => this.db.keks.removeSync(key)) : false;
    await this.db.root.flushed;
    return existed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.root.flushed;
    await this.db.root.close();
  }

  /** Validates and applies `ops` in one transaction; resolves after the flush with the steps applied. */
  private async write(ops: readonly StoreWrite[], audit?: AuditAppend, extra?: (planned: readonly Step[]) => void): Promise<Step[]> {
    this.assertOpen();
    const steps = await this.db.objects.childTransaction(() => {
      const planned = this.plan(ops);
      extra?.(planned);
      const counts: CountDeltas = new Map();
      const kekCounts: CountDeltas = new Map();
      for (const step of planned) this.apply(step, counts, kekCounts);
      applyCounts(this.db.termcounts, counts);
      applyCounts(this.db.kekcounts, kekCounts);
      // Last, so that a refused object write never consumes a seq.
      if (audit) this.audit.appendSync(audit);
      return planned;
    });
    await this.db.root.flushed;
    return steps;
  }

  /** Checks every op against the stored state as earlier ops of the batch leave it. Writes nothing. */
  private plan(ops: readonly StoreWrite[]): Step[] {
    const overlay = new Map<string, ObjectRecord | null>();
    const current = (uid: string, key: Buffer): ObjectRecord | undefined => {
      const o = overlay.get(uid);
      return o === undefined ? this.read(key) : (o ?? undefined);
    };
    const steps: Step[] = [];
    for (const op of ops) {
      if (op.kind === "remove") {
        const key = uidKeyOrUndefined(op.uid);
        const old = key && current(op.uid, key);
        if (!key || !old || old.owner !== op.owner) continue;
        overlay.set(op.uid, null);
        steps.push({ kind: "delete", key, old });
        continue;
      }
      if (op.kind === "rematerial") {
        const key = uidKeyOrUndefined(op.uid);
        const old = key && current(op.uid, key);
        const m = old ? old.material : undefined;
        // Moved, re-keyed or removed since the daemon read it: nothing to do.
        if (!key || !old || old.owner !== op.owner || !m || m.kekId !== op.from.kekId || m.kekVersion !== op.from.kekVersion) continue;
        const rec: ObjectRecord = { ...old, material: op.material };
        overlay.set(op.uid, rec);
        steps.push({ kind: "put", key, value: encodeRecord(rec), rec, old });
        continue;
      }
      const key = uidKey(op.rec.uid);
      const old = current(op.rec.uid, key);
      const rec: ObjectRecord = op.kind === "update" && op.keepStoredMaterial && old ? { ...op.rec, material: old.material } : op.rec;
      if (op.kind === "insert") {
        if (old) throw new DuplicateUidError(`uid ${rec.uid} already exists`);
      } else if (!old || old.owner !== rec.owner) {
        throw new StaleRevisionError(`object ${rec.uid} does not exist for this owner`);
      } else if (rec.revision !== old.revision + 1) {
        throw new StaleRevisionError(`object ${rec.uid}: update names revision ${rec.revision}, stored revision is ${old.revision}`);
      }
      const value = encodeRecord(rec);
      for (const t of rec.terms) termPrefix(rec.owner, t); // rejects ill-formed terms before any write
      overlay.set(rec.uid, rec);
      steps.push(old ? { kind: "put", key, value, rec, old } : { kind: "put", key, value, rec });
    }
    return steps;
  }

  private apply(step: Step, counts: CountDeltas, kekCounts: CountDeltas): void {
    const { objects, owners, terms } = this.db;
    const kek = (m: WrappedMaterial | undefined, uid: Buffer, delta: 1 | -1): void => {
      if (!m) return;
      const prefix = kekKey(m.kekId, m.kekVersion);
      if (delta > 0) this.db.kekobjs.putSync(withUid(prefix, uid), EMPTY);
      else this.db.kekobjs.removeSync(withUid(prefix, uid));
      bump(kekCounts, prefix, delta);
    };
    const index = (owner: string, term: string, uid: Buffer, delta: 1 | -1): void => {
      const prefix = termPrefix(owner, term);
      if (delta > 0) terms.putSync(withUid(prefix, uid), EMPTY);
      else terms.removeSync(withUid(prefix, uid));
      bump(counts, prefix, delta);
    };
    if (step.kind === "delete") {
      objects.removeSync(step.key);
      owners.removeSync(withUid(ownerPrefix(step.old.owner), step.key));
      for (const t of new Set(step.old.terms)) index(step.old.owner, t, step.key, -1);
      kek(step.old.material, step.key, -1);
      return;
    }
    const { rec, old, key } = step;
    objects.putSync(key, step.value);
    if (!sameKek(old?.material, rec.material)) {
      kek(old?.material, key, -1);
      kek(rec.material, key, 1);
    }
    const before = new Set(old?.terms ?? []);
    const after = new Set(rec.terms);
    for (const t of before) if (!after.has(t)) index(rec.owner, t, key, -1);
    for (const t of after) if (!before.has(t)) index(rec.owner, t, key, 1);
    if (!old) owners.putSync(withUid(ownerPrefix(rec.owner), key), EMPTY);
  }

  private read(key: Buffer): ObjectRecord | undefined {
    const buf = this.db.objects.get(key);
    return buf && decodeRecord(key.toString("utf8"), buf);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("the object store is closed");
  }
}

function bump(counts: CountDeltas, prefix: Buffer, delta: number): void {
  const id = prefix.toString("latin1");
  const c = counts.get(id);
  if (c) c.delta += delta;
  else counts.set(id, { prefix, delta });
}

/** Writes the net change of each counter (a counter at 0 is removed). Inside a write transaction. */
export function applyCounts(db: Db, counts: CountDeltas): void {
  for (const { prefix, delta } of counts.values()) {
    if (delta === 0) continue;
    const n = decodeCount(db.get(prefix)) + delta;
    if (n > 0) db.putSync(prefix, encodeCount(n));
    else db.removeSync(prefix);
  }
}

function sameKek(a: WrappedMaterial | undefined, b: WrappedMaterial | undefined): boolean {
  return a?.kekId === b?.kekId && a?.kekVersion === b?.kekVersion;
}

/** Reads treat keys that cannot exist (ill-formed strings) as "not found". */
function orUndefined<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

/** Owner-only permissions on the files LMDB created (best effort: the directory is 0700 anyway). */
export async function restrictFiles(dir: string): Promise<void> {
  for (const f of ["data.mdb", "lock.mdb"]) await chmod(join(dir, f), 0o600).catch(() => undefined);
}
