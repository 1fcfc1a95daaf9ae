/**
 * The LMDB adapter of the store port. `openLmdbStore(dir)` opens (creating if needed, mode 0700)
 * one LMDB environment in `dir`. See docs/STORAGE.md for the formats and the durability rules.
 */
import { mkdir, stat } from "node:fs/promises";
import { open, type Database } from "lmdb";
import { LmdbAuditStorage } from "./audit.js";
import { CATALOG_TABLES, LmdbCatalogStorage } from "./catalog.js";
import { ensureKekIndex } from "./kek-index.js";
import { LmdbObjectStore, restrictFiles } from "./store.js";

export { LmdbAuditStorage } from "./audit.js";
export { LmdbCatalogStorage } from "./catalog.js";
export { DuplicateUidError, LmdbObjectStore } from "./store.js";
export { CorruptRecordError } from "./codec.js";
export { UidGenerator, uidTimestamp } from "./uid.js";

/** On-disk layout version, kept in the `meta` sub-database; bumped on incompatible changes. */
export const STORE_FORMAT = 1;

export interface LmdbStoreOptions {
  /**
   * Initial size of the memory map, in bytes (default 256 MiB). It is address space, not disk:
   * on Linux the data file grows with the data. lmdb-js grows the map by itself (to about twice
   * the used size) whenever a write transaction needs more, so this only saves early remaps.
   */
  readonly mapSize?: number;
}

const DEFAULT_MAP_SIZE = 256 * 1024 * 1024;

export async function openLmdbStore(dir: string, opts: LmdbStoreOptions = {}): Promise<LmdbObjectStore> {
  const existed = await stat(dir).then(
    (s) => {
      if (!s.isDirectory()) throw new Error(`store path ${dir} exists and is not a directory`);
      return true;
    },
    () => false,
  );
  if (!existed) await mkdir(dir, { recursive: true, mode: 0o700 });

  const root = open<Buffer, Buffer>({
    path: dir,
    noSubdir: false, // a directory, even if its name has a dot
    // Named sub-databases: 6 for objects and KEKs, 2 for the audit trail, 7 for the catalog, 2 for the KEK index. maxDbs is
    // a per-open limit, not stored, so raising it keeps old data dirs readable.
    maxDbs: 24,
    mapSize: opts.mapSize ?? DEFAULT_MAP_SIZE,
    encoding: "binary",
    keyEncoding: "binary",
  });
  const sub = (name: string): Database<Buffer, Buffer> => root.openDB<Buffer, Buffer>({ name, encoding: "binary", keyEncoding: "binary" });
  const dbs = {
    root,
    objects: sub("objects"),
    terms: sub("terms"),
    termcounts: sub("termcounts"),
    owners: sub("owners"),
    keks: sub("keks"),
    // The (KEK, version) index of issue 7: built at open for older data dirs (kek-index.ts).
    kekobjs: sub("kekobjs"),
    kekcounts: sub("kekcounts"),
  };
  // Opened (created on first use) beside the others: a data dir from before the audit trail has
  // no such sub-databases and opens unchanged, with an empty trail. Format stays 1.
  const audit = new LmdbAuditStorage(root, sub("audit"), sub("auditmeta"));
  // The catalog (accounts, principals, HSM profiles, KMS keys): also new sub-databases, format 1.
  const catalog = new LmdbCatalogStorage(root, new Map(CATALOG_TABLES.map((t) => [t, sub(t)])));
  try {
    const meta = sub("meta");
    const formatKey = Buffer.from("format");
    const stored = meta.get(formatKey);
    if (stored === undefined) {
      await meta.put(formatKey, Buffer.of(STORE_FORMAT));
      await root.flushed;
    } else if (stored.length !== 1 || stored[0] !== STORE_FORMAT) {
      throw new Error(`store in ${dir} has format ${stored.toString("hex")}, this kmipd reads format ${STORE_FORMAT}`);
    }
    await ensureKekIndex(root, meta, dbs.objects, dbs.kekobjs, dbs.kekcounts);
    await restrictFiles(dir);
  } catch (err) {
    await root.close();
    throw err;
  }
  return new LmdbObjectStore(dir, dbs, audit, catalog);
}
