/**
 * The (KEK id, version) index for data dirs written before it existed (issue 7): built once, at
 * open, in one transaction from the objects themselves, then marked done in `meta` so later opens
 * skip it. From then on every object write maintains it (store.ts). Store format stays 1: an
 * older kmipd opening the dir ignores the extra sub-databases — but objects it writes would not be
 * indexed, so downgrading is unsupported (docs/REWRAP.md); deleting the mark forces a rebuild.
 */
import type { Database, RootDatabase } from "lmdb";
import { decodeRecord } from "./codec.js";
import { kekKey, withUid } from "./keys.js";
import { applyCounts, type CountDeltas } from "./store.js";

type Db = Database<Buffer, Buffer>;

const MARK = Buffer.from("kekindex");

/** Builds the index unless `meta` says it is there; returns how many objects were indexed (0 when skipped). */
export async function ensureKekIndex(root: RootDatabase<Buffer, Buffer>, meta: Db, objects: Db, kekobjs: Db, kekcounts: Db): Promise<number> {
  if (meta.get(MARK) !== undefined) return 0;
  const n = await objects.childTransaction(() => {
    // Rebuilt from scratch: whatever a partial index holds is dropped first.
    for (const k of kekobjs.getKeys({})) kekobjs.removeSync(Buffer.from(k));
    for (const k of kekcounts.getKeys({})) kekcounts.removeSync(Buffer.from(k));
    const counts: CountDeltas = new Map();
    let indexed = 0;
    for (const { key, value } of objects.getRange({})) {
      const rec = decodeRecord(Buffer.from(key).toString("utf8"), value);
      if (!rec.material) continue;
      const prefix = kekKey(rec.material.kekId, rec.material.kekVersion);
      kekobjs.putSync(withUid(prefix, Buffer.from(key)), Buffer.alloc(0));
      const id = prefix.toString("latin1");
      const c = counts.get(id);
      if (c) c.delta += 1;
      else counts.set(id, { prefix, delta: 1 });
      indexed++;
    }
    applyCounts(kekcounts, counts);
    meta.putSync(MARK, Buffer.of(1));
    return indexed;
  });
  await root.flushed;
  return n;
}
