/**
 * The database key provider: KEKs are random AES-256 keys kept in the object store as KekRecords,
 * each wrapped (RFC 5649) by the server's master key, which itself never enters the store.
 * Unwrapped KEKs are held in memory only as KeyObjects, one per (id, version), until close().
 * currentKek() is always "db-kek"; generateKek() adds versions of any named KEK (128/192/256).
 */
import { createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import type { KekRecord, ObjectStore } from "../../store/types.js";
import { KeyProviderError, type KekInfo, type KekRef, type KekSpec, type KeyProvider, type ProviderDescription } from "../types.js";
import { kwpUnwrap, kwpWrap } from "./kwp.js";

/** The id of the database provider's KEK. */
export const DB_KEK_ID = "db-kek";

export interface DatabaseKeyProviderOptions {
  readonly store: Pick<ObjectStore, "getKek" | "latestKek" | "putKek"> & Partial<Pick<ObjectStore, "deleteKek">>;
  /** The master key: 32 bytes, as loaded by loadMasterKey (a KeyObject, or raw bytes). */
  readonly masterKey: KeyObject | Uint8Array;
  /** Clock for KekRecord.createdAt (tests). */
  readonly now?: () => number;
}

export function createDatabaseKeyProvider(opts: DatabaseKeyProviderOptions): KeyProvider {
  return new DatabaseKeyProvider(opts);
}

class DatabaseKeyProvider implements KeyProvider {
  readonly kind = "database";
  private master: KeyObject | undefined;
  private readonly store: DatabaseKeyProviderOptions["store"];
  private readonly now: () => number;
  /** Unwrapped KEKs by "id\0version". */
  private readonly keks = new Map<string, KeyObject>();
  /** generateKek calls per label, chained so one process never races itself for a version. */
  private readonly generating = new Map<string, Promise<unknown>>();
  /** The in-flight creation of version 1, so concurrent first calls create one KEK. */
  private creating: Promise<KekRef> | undefined;

  constructor(opts: DatabaseKeyProviderOptions) {
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
    this.master = toKey(opts.masterKey);
    if (this.master.symmetricKeySize !== 32) throw new KeyProviderError("the master key must be 32 bytes (AES-256)");
  }

  async currentKek(): Promise<KekRef> {
    const latest = this.store.latestKek(DB_KEK_ID);
    if (latest) {
      this.kekFrom(latest);
      return { id: latest.id, version: latest.version };
    }
    this.creating ??= this.createFirst().finally(() => {
      this.creating = undefined;
    });
    return this.creating;
  }

  async generateKek(spec: KekSpec): Promise<KekInfo> {
    if (!spec.label) throw new KeyProviderError("a KEK needs a label");
    if (![128, 192, 256].includes(spec.bits)) throw new KeyProviderError("a KEK is 128, 192 or 256 bits");
    this.masterKey();
    const prev = this.generating.get(spec.label) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => this.generateNext(spec));
    this.generating.set(spec.label, next);
    try {
      return await next;
    } finally {
      if (this.generating.get(spec.label) === next) this.generating.delete(spec.label);
    }
  }

  describe(): ProviderDescription {
    return { kind: this.kind, mechanism: "RFC 5649 (node:crypto), KEKs wrapped by the master key" };
  }

  async wrap(kek: KekRef, plaintext: Uint8Array): Promise<Uint8Array> {
    return kwpWrap(this.kek(kek), plaintext);
  }

  async unwrap(kek: KekRef, blob: Uint8Array): Promise<Uint8Array> {
    return kwpUnwrap(this.kek(kek), blob);
  }

  async rewrap(from: KekRef, to: KekRef, blob: Uint8Array): Promise<Uint8Array> {
    const target = this.kek(to);
    const plain = kwpUnwrap(this.kek(from), blob);
    try {
      return kwpWrap(target, plain);
    } finally {
      plain.fill(0);
    }
  }

  /** Deletes the KEK version's wrapped record and forgets its unwrapped copy: nothing can unwrap under it again. */
  /** Its KEKs are in the store, which /healthz probes on its own. */
  async healthy(): Promise<boolean> {
    return true;
  }

  async destroyKek(ref: KekRef): Promise<void> {
    if (!this.store.deleteKek) throw new KeyProviderError("this store cannot delete KEKs");
    const latest = this.store.latestKek(ref.id);
    if (latest && latest.version === ref.version) throw new KeyProviderError(`KEK ${ref.id} version ${ref.version} is its newest version: it cannot be destroyed`);
    this.keks.delete(slot(ref.id, ref.version));
    await this.store.deleteKek(ref.id, ref.version);
  }

  async close(): Promise<void> {
    this.keks.clear();
    this.master = undefined;
  }

  private async generateNext(spec: KekSpec): Promise<KekInfo> {
    const master = this.masterKey();
    const version = (this.store.latestKek(spec.label)?.version ?? 0) + 1;
    const raw = randomBytes(spec.bits / 8);
    const rec: KekRecord = { id: spec.label, version, wrapped: kwpWrap(master, raw), createdAt: this.now() };
    const key = createSecretKey(raw);
    raw.fill(0);
    // The store refuses an existing (id, version): another process got there first; the caller may retry.
    await this.store.putKek(rec);
    this.keks.set(slot(spec.label, version), key);
    return { ref: { id: spec.label, version }, bits: spec.bits, label: spec.label };
  }

  private async createFirst(): Promise<KekRef> {
    const master = this.masterKey();
    const raw = randomBytes(32);
    const rec: KekRecord = { id: DB_KEK_ID, version: 1, wrapped: kwpWrap(master, raw), createdAt: this.now() };
    const key = createSecretKey(raw);
    raw.fill(0);
    try {
      await this.store.putKek(rec);
    } catch (err) {
      // Someone else (another provider on the same store) created it first: use theirs.
      const theirs = this.store.latestKek(DB_KEK_ID);
      if (!theirs) throw err;
      this.kekFrom(theirs);
      return { id: theirs.id, version: theirs.version };
    }
    this.keks.set(slot(DB_KEK_ID, 1), key);
    return { id: DB_KEK_ID, version: 1 };
  }

  /** The unwrapped KEK a reference names; KeyProviderError if there is no such KEK. */
  private kek(ref: KekRef): KeyObject {
    const cached = this.keks.get(slot(ref.id, ref.version));
    if (cached) return cached;
    const rec = this.store.getKek(ref.id, ref.version);
    if (!rec) throw new KeyProviderError(`KEK ${ref.id} version ${ref.version} does not exist`);
    return this.kekFrom(rec);
  }

  private kekFrom(rec: KekRecord): KeyObject {
    const cached = this.keks.get(slot(rec.id, rec.version));
    if (cached) return cached;
    const master = this.masterKey();
    let raw: Buffer;
    try {
      raw = kwpUnwrap(master, rec.wrapped);
    } catch (err) {
      if (err instanceof KeyProviderError) {
        throw new KeyProviderError(`cannot unwrap KEK ${rec.id} version ${rec.version}: wrong master key or damaged KEK record`);
      }
      throw err;
    }
    if (!KEK_BYTES.has(raw.length)) {
      raw.fill(0);
      throw new KeyProviderError(`KEK ${rec.id} version ${rec.version} is not an AES key`);
    }
    const key = createSecretKey(raw);
    raw.fill(0);
    this.keks.set(slot(rec.id, rec.version), key);
    return key;
  }

  private masterKey(): KeyObject {
    if (!this.master) throw new KeyProviderError("the key provider is closed");
    return this.master;
  }
}

const KEK_BYTES = new Set([16, 24, 32]);

function slot(id: string, version: number): string {
  return `${id}\0${version}`;
}

function toKey(k: KeyObject | Uint8Array): KeyObject {
  if (k instanceof Uint8Array) {
    const copy = Buffer.from(k);
    const key = createSecretKey(copy);
    copy.fill(0);
    return key;
  }
  if (k.type !== "secret") throw new KeyProviderError("the master key must be a secret key");
  return k;
}
