/**
 * The store port: what the KMIP operations need from persistent storage. The LMDB adapter
 * (src/store/lmdb/) implements it; another database can later. Records are opaque bytes plus
 * the few fields the store must understand (owner, index terms, revision) — the store holds no
 * KMIP knowledge and never sees key material in the clear.
 */

/** Key material as stored: only ever wrapped by a KEK of a key provider. */
export interface WrappedMaterial {
  /** The KEK's id within its provider, and which version of it wrapped this blob. */
  readonly kekId: string;
  readonly kekVersion: number;
  /** "AES-KWP": AES key wrap with padding, RFC 5649. */
  readonly algorithm: "AES-KWP";
  readonly blob: Uint8Array;
}

export interface ObjectRecord {
  /** The object's Unique Identifier. */
  readonly uid: string;
  /** The principal (later: account) that owns it; lookups for anyone else find nothing. */
  readonly owner: string;
  /** Everything about the object except its key material, encoded by the operations layer. */
  readonly body: Uint8Array;
  /** Wrapped key material; absent for objects that have none (e.g. a 1.x Template). */
  readonly material?: WrappedMaterial;
  /**
   * Terms the object can be found by, computed by the operations layer (e.g. "name=Key1",
   * "type=2"). The store indexes them per owner; Locate intersects and then filters exactly.
   */
  readonly terms: readonly string[];
  /** Bumped by every update; an update naming a stale revision fails (lost-update protection). */
  readonly revision: number;
}

/** A KEK of the database key provider, itself wrapped by the master key. */
export interface KekRecord {
  readonly id: string;
  readonly version: number;
  /** The KEK, wrapped (RFC 5649) by the master key. */
  readonly wrapped: Uint8Array;
  readonly createdAt: number;
}

export class StaleRevisionError extends Error {
  override readonly name = "StaleRevisionError";
}

export interface ObjectStore {
  /** A fresh, never-reused Unique Identifier (time-ordered, so LMDB inserts stay sequential). */
  newUid(): string;
  /** Stores a new object; resolves once the write is durable on disk. */
  insert(rec: ObjectRecord): Promise<void>;
  /** The object, if it exists and `owner` owns it — otherwise undefined, whatever the reason. */
  get(uid: string, owner: string): ObjectRecord | undefined;
  /**
   * Replaces an object; `rec.revision` must be the stored revision + 1, else StaleRevisionError.
   * Resolves once durable.
   */
  update(rec: ObjectRecord): Promise<void>;
  /** Removes an object entirely (Destroy keeps a record; this is for objects that must vanish). */
  remove(uid: string, owner: string): Promise<boolean>;
  /** Uids of `owner`'s objects carrying `term`, in uid order, starting after `afterUid`. */
  findByTerm(owner: string, term: string, afterUid?: string): Iterable<string>;
  /** All uids `owner` owns, in uid order. */
  listByOwner(owner: string, afterUid?: string): Iterable<string>;
  /** Number of objects carrying `term` for `owner` (used to pick the most selective index). */
  countByTerm(owner: string, term: string): number;
  /**
   * Several writes committed atomically and durably: all or none. With `audit` (stores that
   * also implement AuditStorage), its entries and head are written in the same transaction.
   */
  batch(ops: readonly StoreWrite[], audit?: AuditAppend): Promise<void>;

  getKek(id: string, version: number): KekRecord | undefined;
  /** The highest version of a KEK, if any. */
  latestKek(id: string): KekRecord | undefined;
  putKek(rec: KekRecord): Promise<void>;
  /**
   * Deletes one KEK version's record (`kmipd key destroy-version`): the key material is gone for
   * good. Resolves true when it existed, false when there was none; durable once resolved.
   */
  deleteKek(id: string, version: number): Promise<boolean>;

  close(): Promise<void>;
}

export type StoreWrite =
  | { readonly kind: "insert"; readonly rec: ObjectRecord }
  /**
   * `keepStoredMaterial`: the write keeps whatever material is stored when it commits, not the
   * material in `rec` (an attribute change must not undo a rewrap that happened since the read).
   */
  | { readonly kind: "update"; readonly rec: ObjectRecord; readonly keepStoredMaterial?: boolean }
  /**
   * The rewrap daemon's write: only the material changes, and only if the object is still under
   * `from` — else it is skipped, not an error. The revision stays: the content is the same, so a
   * client's concurrent read-modify-write must not fail because of a rewrap.
   */
  | { readonly kind: "rematerial"; readonly uid: string; readonly owner: string; readonly from: { readonly kekId: string; readonly kekVersion: number }; readonly material: WrappedMaterial }
  | { readonly kind: "remove"; readonly uid: string; readonly owner: string };

/**
 * The (KEK id, version) index (issue 7): every object with wrapped material is indexed by the KEK
 * version that wrapped it, in the same transaction as the object write, with an exact count per
 * version. The rewrap daemon walks it; `kmipd key show` counts with it.
 */
export interface KekIndex {
  /** Objects wrapped under (kekId, version), across owners: one read. */
  countUnderKek(kekId: string, version: number): number;
  /** The versions of `kekId` that wrap at least one object, ascending. */
  kekVersionsInUse(kekId: string): number[];
  /** Up to `limit` records wrapped under (kekId, version), in uid order, after `afterUid`. */
  objectsUnder(kekId: string, version: number, afterUid?: string, limit?: number): ObjectRecord[];
}

/** A time-limited lock record: only its owner may run what it guards, until it expires. */
export interface Lease {
  readonly name: string;
  readonly owner: string;
}

export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

/**
 * What the rewrap daemon needs beyond the index: a lease, and a commit that writes object updates
 * and a catalog record (the job with its cursor and counters) in one transaction — and only while
 * the caller still holds the lease — so a crash leaves every object wholly old or wholly new and
 * the job's counters matching the objects.
 */
export interface RewrapStorage extends KekIndex {
  /**
   * Takes or renews the lease when it is free, expired or already ours — or held by `replace`
   * (a holder the caller knows is dead); false otherwise.
   */
  acquireLease(lease: Lease, ttlMs: number, now: number, replace?: string): Promise<boolean>;
  releaseLease(lease: Lease): Promise<void>;
  /** The lease's current holder, if unexpired at `now`. */
  leaseHolder(name: string, now: number): { owner: string; expiresAt: number } | undefined;
  /**
   * Updates + catalog writes atomically and durably; LeaseLostError (nothing written) if `lease`
   * is not held. `catalog` is built inside the transaction from the uids the writes applied to.
   */
  commitWithLease(ops: readonly StoreWrite[], catalog: (applied: readonly string[]) => readonly CatalogWrite[], lease: Lease): Promise<string[]>;
}

/** One entry of the audit sub-database: the store keeps bytes in seq order, the audit layer gives them meaning. */
export interface AuditEntry {
  readonly seq: number;
  readonly value: Uint8Array;
}

/** Builds audit entries from the current head, inside a write transaction (see AuditStorage). */
export type AuditAppend = (head: Uint8Array | undefined) => AuditWrite;

/** What appendAudit's callback returns: the entries to add and the new head, written together. */
export interface AuditWrite {
  readonly entries: readonly AuditEntry[];
  readonly head: Uint8Array;
}

/**
 * Storage for the hash-chained audit trail (src/audit/): append-only entries keyed by seq plus a
 * separately stored head. The chain logic lives above; the store only guarantees that `build`
 * sees the head as of its own write transaction and that entries and head commit together.
 */
export interface AuditStorage {
  /**
   * Runs `build` inside one write transaction with the current head (undefined when empty), then
   * writes its entries and head atomically; resolves once durable. Appends are serialized.
   */
  appendAudit(build: AuditAppend): Promise<void>;
  auditHead(): Uint8Array | undefined;
  /** Entries in seq order (reverse: newest first), from `start` (inclusive) on. */
  auditEntries(opts?: { readonly start?: number; readonly reverse?: boolean }): Iterable<AuditEntry>;
}

/**
 * Tables of the catalog (issue 6): the directory (accounts, principal mappings) and the KMS side
 * (HSM profiles, KMS keys); issue 7 adds rewrap jobs and leases. Small records, encoded by their owners (src/auth, src/kms); the store
 * keeps bytes by table and key.
 */
export type CatalogTable = "accounts" | "principals" | "profiles" | "kmskeys" | "catalogmeta" | "rewrapjobs" | "leases";

export interface CatalogWrite {
  readonly table: CatalogTable;
  readonly key: string;
  /** undefined: delete the entry. */
  readonly value: Uint8Array | undefined;
  /** Refuse (CatalogConflictError) when the entry already exists: "create", never "replace". */
  readonly ifAbsent?: boolean;
}

export class CatalogConflictError extends Error {
  override readonly name = "CatalogConflictError";
  constructor(
    readonly table: CatalogTable,
    readonly key: string,
  ) {
    super(`${table} entry ${key} already exists`);
  }
}

export interface CatalogStorage {
  catalogGet(table: CatalogTable, key: string): Uint8Array | undefined;
  /** Every entry of a table, in key order. */
  catalogList(table: CatalogTable): Iterable<{ readonly key: string; readonly value: Uint8Array }>;
  /** Writes atomically and durably (all or none); resolves once on disk. */
  catalogWrite(writes: readonly CatalogWrite[]): Promise<void>;
}
