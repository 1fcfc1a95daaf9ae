/**
 * The catalog's storage in the LMDB environment (the CatalogStorage port of ../types.ts): one
 * sub-database per table (accounts, principals, profiles, kmskeys, catalogmeta), UTF-8 keys,
 * opaque values. A write is one child transaction over all tables, flushed before it resolves.
 */
import type { Database, RootDatabase } from "lmdb";
import { CatalogConflictError, type CatalogStorage, type CatalogTable, type CatalogWrite } from "../types.js";

type Db = Database<Buffer, Buffer>;

export const CATALOG_TABLES: readonly CatalogTable[] = ["accounts", "principals", "profiles", "kmskeys", "catalogmeta", "rewrapjobs", "leases"];

const MAX_KEY_BYTES = 511;

function keyOf(key: string): Buffer {
  const b = Buffer.from(key, "utf8");
  if (b.length === 0 || b.length > MAX_KEY_BYTES) throw new RangeError(`a catalog key is 1..${MAX_KEY_BYTES} UTF-8 bytes`);
  return b;
}

export class LmdbCatalogStorage implements CatalogStorage {
  constructor(
    private readonly root: RootDatabase<Buffer, Buffer>,
    private readonly tables: ReadonlyMap<CatalogTable, Db>,
  ) {}

  private db(t: CatalogTable): Db {
    const d = this.tables.get(t);
    if (!d) throw new Error(`internal: no catalog table ${t}`);
    return d;
  }

  catalogGet(table: CatalogTable, key: string): Uint8Array | undefined {
    const b = Buffer.from(key, "utf8");
    if (b.length === 0 || b.length > MAX_KEY_BYTES) return undefined;
    const v = this.db(table).get(b);
    return v === undefined ? undefined : Buffer.from(v);
  }

  catalogList(table: CatalogTable): Iterable<{ key: string; value: Uint8Array }> {
    // Copies: lmdb-js reuses its read buffer between iterations.
    return this.db(table).getRange({}).map(({ key, value }) => ({ key: Buffer.from(key).toString("utf8"), value: Buffer.from(value) }));
  }

  async catalogWrite(writes: readonly CatalogWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await this.db("accounts").childTransaction(() => this.writeSync(writes));
    await this.root.flushed;
  }

  /** The writes, inside a write transaction the caller runs (the rewrap commit shares one with object updates). */
  writeSync(writes: readonly CatalogWrite[]): void {
    const planned = writes.map((w) => ({ w, k: keyOf(w.key), db: this.db(w.table) }));
    for (const { w, k, db } of planned) if (w.ifAbsent && db.doesExist(k)) throw new CatalogConflictError(w.table, w.key);
    for (const { w, k, db } of planned) {
      if (w.value === undefined) db.removeSync(k);
      else db.putSync(k, Buffer.from(w.value));
    }
  }
}
