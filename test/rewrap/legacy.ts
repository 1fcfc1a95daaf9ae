/**
 * Legacy objects for the migration tests: objects of some accounts re-wrapped, in a stopped
 * server's data dir, under the database provider's own KEK "db-kek" — as objects written before
 * KMS keys existed are.
 */
import { join } from "node:path";
import { createDatabaseKeyProvider } from "../../src/keys/database/index.js";
import { loadMasterKey } from "../../src/keys/master-key.js";
import { openLmdbStore } from "../../src/store/lmdb/index.js";

/** Re-wraps every object of `accounts` under the database provider's own "db-kek", as objects from before KMS keys are. */
export async function makeLegacy(dataDir: string, accounts: readonly string[]): Promise<number> {
  const store = await openLmdbStore(join(dataDir, "store"));
  const master = await loadMasterKey({ dataDir, env: {}, store });
  const db = createDatabaseKeyProvider({ store, masterKey: master.key });
  const legacy = await db.currentKek();
  if (legacy.id !== "db-kek") throw new Error(`the database provider's own KEK is ${legacy.id}, not db-kek`);
  for (const account of accounts) {
    for (const uid of [...store.listByOwner(account)]) {
      const rec = store.get(uid, account)!;
      const m = rec.material!;
      const plain = await db.unwrap({ id: m.kekId, version: m.kekVersion }, m.blob);
      const blob = await db.wrap(legacy, plain);
      plain.fill(0);
      await store.update({ ...rec, material: { ...m, kekId: legacy.id, kekVersion: legacy.version, blob }, revision: rec.revision + 1 });
    }
  }
  const n = store.countUnderKek(legacy.id, legacy.version);
  await db.close();
  await store.close();
  return n;
}
