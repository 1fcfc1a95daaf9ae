/**
 * No plaintext at rest: after DEKs are wrapped by the database provider and stored as material,
 * no file of the LMDB environment contains a DEK, the KEK or the master key — raw, hex or base64.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { createDatabaseKeyProvider, DB_KEK_ID, kwpUnwrap } from "../../src/keys/database/index.js";
import { loadMasterKey } from "../../src/keys/master-key.js";
import { openLmdbStore } from "../../src/store/lmdb/index.js";
import { removeTempDirs, tempStoreDir } from "./support.js";

function forms(secret: Buffer): Buffer[] {
  return [secret, secret.toString("hex"), secret.toString("hex").toUpperCase(), secret.toString("base64"), secret.toString("base64url")].map((f) =>
    typeof f === "string" ? Buffer.from(f) : f,
  );
}

/** Every (file, secret name) where a form of a secret occurs. */
function scan(dir: string, secrets: Record<string, Buffer>): string[] {
  const hits: string[] = [];
  for (const f of readdirSync(dir)) {
    const data = readFileSync(join(dir, f));
    for (const [name, secret] of Object.entries(secrets)) {
      for (const form of forms(secret)) if (data.includes(form)) hits.push(`${f}: ${name}`);
    }
  }
  return hits;
}

describe("no plaintext key material at rest", function () {
  this.timeout(30_000);
  after(removeTempDirs);

  it("the LMDB files hold the wrapped blobs, and none of the DEKs, the KEK or the master key", async () => {
    const dbDir = tempStoreDir("at-rest");
    const dataDir = join(dbDir, "..");
    let store = await openLmdbStore(dbDir);
    const master = await loadMasterKey({ dataDir, env: {}, store });
    const kp = createDatabaseKeyProvider({ store, masterKey: master.key });
    const kek = await kp.currentKek();
    const deks = Array.from({ length: 50 }, () => randomBytes(32));
    const blobs: Uint8Array[] = [];
    for (const [i, dek] of deks.entries()) {
      const uid = store.newUid();
      const blob = await kp.wrap(kek, dek);
      blobs.push(blob);
      const material = { kekId: kek.id, kekVersion: kek.version, algorithm: "AES-KWP" as const, blob };
      await store.insert({ uid, owner: "alice", body: Buffer.from(`object ${i}`), terms: [`n=${i}`], revision: 1, material });
      // rewrite it a few times so that freed pages exist too
      for (let r = 2; r <= 3; r++) await store.update({ uid, owner: "alice", body: Buffer.from(`object ${i} r${r}`), terms: [`n=${i}`, `r=${r}`], revision: r, material });
    }
    const kekBytes = kwpUnwrap(master.key, store.latestKek(DB_KEK_ID)!.wrapped);
    const secrets: Record<string, Buffer> = { "master key": master.key.export(), KEK: kekBytes };
    deks.forEach((d, i) => (secrets[`DEK ${i}`] = d));

    expect(readdirSync(dbDir).sort()).to.deep.equal(["data.mdb", "lock.mdb"]);
    expect(scan(dbDir, secrets), "while open").to.deep.equal([]);
    await kp.close();
    await store.close();
    expect(scan(dbDir, secrets), "after close").to.deep.equal([]);

    // the scan does find what is there: every wrapped blob, and the KEK record's wrapped form
    store = await openLmdbStore(dbDir);
    const wrappedKek = Buffer.from(store.latestKek(DB_KEK_ID)!.wrapped);
    await store.close();
    const data = readFileSync(join(dbDir, "data.mdb"));
    for (const b of blobs) expect(data.includes(Buffer.from(b))).to.equal(true);
    expect(data.includes(wrappedKek)).to.equal(true);
  });
});
