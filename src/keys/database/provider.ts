/**
 * The database key provider: KEKs are random AES-256 keys kept in the object store as KekRecords,
 * each wrapped (RFC 5649) by the server's master key, which itself never enters the store.
 * Unwrapped KEKs are held in memory only as KeyObjects, one per version, until close().
 */
import { createSecretKey, randomBytes, type KeyObject } from "node:crypto";
import type { KekRecord, ObjectStore } from "../../store/types.js";
import { KeyProviderError, type KekRef, type KeyProvider } from "../types.js";
import { kwpUnwrap, kwpWrap } from "./kwp.js";

/** The id of the database provider's KEK. */
export const DB_KEK_ID = "db-kek";

export interface DatabaseKeyProviderOptions {
  readonly store: Pick<ObjectStore, "getKek" | "latestKek" | "putKek">;
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
  /** Unwrapped KEKs by version. */
  private readonly keks = new Map<number, KeyObject>();
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

  async close(): Promise<void> {
    this.keks.clear();
    this.master = undefined;
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
    this.keks.set(1, key);
    return { id: DB_KEK_ID, version: 1 };
  }

  /** The unwrapped KEK a reference names; KeyProviderError if there is no such KEK. */
  private kek(ref: KekRef): KeyObject {
    if (ref.id !== DB_KEK_ID) throw new KeyProviderError(`the database key provider has no KEK "${ref.id}"`);
    const cached = this.keks.get(ref.version);
    if (cached) return cached;
    const rec = this.store.getKek(ref.id, ref.version);
    if (!rec) throw new KeyProviderError(`KEK ${ref.id} version ${ref.version} does not exist`);
    return this.kekFrom(rec);
  }

  private kekFrom(rec: KekRecord): KeyObject {
    const cached = this.keks.get(rec.version);
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
    if (raw.length !== 32) {
      raw.fill(0);
      throw new KeyProviderError(`KEK ${rec.id} version ${rec.version} is not an AES-256 key`);
    }
    const key = createSecretKey(raw);
    raw.fill(0);
    this.keks.set(rec.version, key);
    return key;
  }

  private masterKey(): KeyObject {
    if (!this.master) throw new KeyProviderError("the key provider is closed");
    return this.master;
  }
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
