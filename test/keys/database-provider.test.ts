/** The database key provider on a real LMDB store: KEK creation, wrapping, persistence, failures. */
import { createSecretKey, randomBytes } from "node:crypto";
import { expect } from "chai";
import { createDatabaseKeyProvider, DB_KEK_ID, kwpUnwrap, kwpWrap } from "../../src/keys/database/index.js";
import { openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";
import type { KekRecord } from "../../src/store/types.js";
import { expectKeyProviderError, removeTempDirs, tempStore } from "./support.js";

describe("database key provider", function () {
  this.timeout(20_000);
  let store: LmdbObjectStore;
  let dir: string;
  const master = createSecretKey(randomBytes(32));
  beforeEach(async () => ({ store, dir } = await tempStore()));
  afterEach(async () => store.close());
  after(removeTempDirs);

  it("creates db-kek version 1 on first use, stored wrapped by the master key", async () => {
    const kp = createDatabaseKeyProvider({ store, masterKey: master, now: () => 1234 });
    expect(kp.kind).to.equal("database");
    expect(store.latestKek(DB_KEK_ID)).to.equal(undefined);
    expect(await kp.currentKek()).to.deep.equal({ id: DB_KEK_ID, version: 1 });
    const rec = store.latestKek(DB_KEK_ID)!;
    expect(rec.version).to.equal(1);
    expect(rec.createdAt).to.equal(1234);
    expect(rec.wrapped.length).to.equal(40);
    expect(kwpUnwrap(master, rec.wrapped).length).to.equal(32);
    expect(await kp.currentKek()).to.deep.equal({ id: DB_KEK_ID, version: 1 });
  });

  it("concurrent first calls create one KEK, also across two providers on one store", async () => {
    let puts = 0;
    const counting = {
      getKek: store.getKek.bind(store),
      latestKek: store.latestKek.bind(store),
      putKek: async (r: KekRecord) => {
        puts++;
        await store.putKek(r);
      },
    };
    const a = createDatabaseKeyProvider({ store: counting, masterKey: master });
    const b = createDatabaseKeyProvider({ store: counting, masterKey: master });
    const refs = await Promise.all([...Array.from({ length: 10 }, () => a.currentKek()), ...Array.from({ length: 10 }, () => b.currentKek())]);
    for (const r of refs) expect(r).to.deep.equal({ id: DB_KEK_ID, version: 1 });
    expect(puts).to.equal(2); // one attempt per provider, the second refused by the store
    const blob = await a.wrap(refs[0]!, Buffer.from("shared"));
    expect(Buffer.from(await b.unwrap(refs[0]!, blob)).toString()).to.equal("shared");
  });

  it("wrap/unwrap round-trips 1..100 bytes and multiples of 8", async () => {
    const kp = createDatabaseKeyProvider({ store, masterKey: master });
    const kek = await kp.currentKek();
    for (const n of [...Array.from({ length: 100 }, (_, i) => i + 1), 128, 256, 512, 1024, 4096]) {
      const dek = randomBytes(n);
      const blob = await kp.wrap(kek, dek);
      expect(Buffer.from(blob).equals(dek)).to.equal(false);
      expect(Buffer.from(await kp.unwrap(kek, blob)).equals(dek), `length ${n}`).to.equal(true);
    }
  });

  it("unwrap of a tampered blob, and references to unknown KEKs, reject with KeyProviderError", async () => {
    const kp = createDatabaseKeyProvider({ store, masterKey: master });
    const kek = await kp.currentKek();
    const dek = randomBytes(32);
    const blob = Buffer.from(await kp.wrap(kek, dek));
    blob[20] = blob[20]! ^ 0x40;
    const err = await expectKeyProviderError(kp.unwrap(kek, blob), "tampered");
    expect(err.message).to.not.include(dek.toString("hex"));
    await expectKeyProviderError(kp.unwrap({ id: DB_KEK_ID, version: 2 }, blob), "missing version");
    await expectKeyProviderError(kp.wrap({ id: "other", version: 1 }, dek), "unknown id");
    await expectKeyProviderError(kp.wrap(kek, new Uint8Array(0)), "empty plaintext");
  });

  it("rewrap moves a DEK to another KEK version; the old version no longer opens the new blob", async () => {
    const kp = createDatabaseKeyProvider({ store, masterKey: master });
    const v1 = await kp.currentKek();
    await store.putKek({ id: DB_KEK_ID, version: 2, wrapped: kwpWrap(master, randomBytes(32)), createdAt: Date.now() });
    const v2 = await kp.currentKek();
    expect(v2).to.deep.equal({ id: DB_KEK_ID, version: 2 });
    const dek = randomBytes(32);
    const old = await kp.wrap(v1, dek);
    const moved = await kp.rewrap(v1, v2, old);
    expect(Buffer.from(moved).equals(Buffer.from(old))).to.equal(false);
    expect(Buffer.from(await kp.unwrap(v2, moved)).equals(dek)).to.equal(true);
    await expectKeyProviderError(kp.unwrap(v1, moved), "old version on the new blob");
    await expectKeyProviderError(kp.rewrap(v2, v1, old), "rewrap from the wrong version");
  });

  it("the KEK persists: the same master key opens it after a reopen, another master key does not", async () => {
    const kp = createDatabaseKeyProvider({ store, masterKey: master.export() });
    const kek = await kp.currentKek();
    const dek = randomBytes(32);
    const blob = await kp.wrap(kek, dek);
    await kp.close();
    await store.close();

    store = await openLmdbStore(dir);
    const again = createDatabaseKeyProvider({ store, masterKey: master });
    expect(await again.currentKek()).to.deep.equal(kek);
    expect(Buffer.from(await again.unwrap(kek, blob)).equals(dek)).to.equal(true);

    const wrong = createDatabaseKeyProvider({ store, masterKey: createSecretKey(randomBytes(32)) });
    const err = await expectKeyProviderError(wrong.unwrap(kek, blob), "wrong master key");
    expect(err.message).to.match(/master key/);
    await expectKeyProviderError(wrong.currentKek(), "wrong master key, currentKek");
    expect(store.latestKek(DB_KEK_ID)!.version).to.equal(1); // and it did not invent a new KEK
  });

  it("refuses a master key that is not 32 bytes, and use after close", async () => {
    expect(() => createDatabaseKeyProvider({ store, masterKey: randomBytes(16) })).to.throw(/32 bytes/);
    const kp = createDatabaseKeyProvider({ store, masterKey: master });
    const kek = await kp.currentKek();
    await kp.close();
    await expectKeyProviderError(kp.wrap(kek, randomBytes(32)), "after close");
  });

  it("generateKek adds versions of a named KEK (128/192/256 bits); describe() names the kind", async () => {
    const kp = createDatabaseKeyProvider({ store, masterKey: master });
    const a1 = await kp.generateKek({ label: "tenant-a", bits: 128 });
    const [a2, a3] = await Promise.all([kp.generateKek({ label: "tenant-a", bits: 192 }), kp.generateKek({ label: "tenant-a", bits: 256 })]);
    expect([a1.ref, a2.ref, a3.ref]).to.deep.equal([1, 2, 3].map((version) => ({ id: "tenant-a", version })));
    expect(kwpUnwrap(master, store.getKek("tenant-a", 1)!.wrapped).length).to.equal(16);
    expect(kwpUnwrap(master, store.getKek("tenant-a", 2)!.wrapped).length).to.equal(24);
    const dek = randomBytes(32);
    const moved = await kp.rewrap(a1.ref, a3.ref, await kp.wrap(a1.ref, dek));
    const again = createDatabaseKeyProvider({ store, masterKey: master });
    expect(Buffer.from(await again.unwrap(a3.ref, moved)).equals(dek)).to.equal(true);
    expect(kp.describe().kind).to.equal("database");
    await expectKeyProviderError(kp.generateKek({ label: "x", bits: 100 as 128 }), "bad size");
  });
  it("destroyKek deletes that version's KEK record: unwrap under it fails (also after a reopen), others work; never the newest", async () => {
    const kp = createDatabaseKeyProvider({ store, masterKey: master });
    const [v1, v2, v3] = [await kp.generateKek({ label: "kek-x", bits: 256 }), await kp.generateKek({ label: "kek-x", bits: 256 }), await kp.generateKek({ label: "kek-x", bits: 256 })].map((i) => i.ref);
    const dek = randomBytes(32);
    const under1 = await kp.wrap(v1!, dek); // v1's KeyObject is cached now
    const under2 = await kp.wrap(v2!, dek);
    await kp.destroyKek(v1!);
    expect(store.getKek("kek-x", 1)).to.equal(undefined);
    expect(store.getKek("kek-x", 2)).to.not.equal(undefined);
    const err = await expectKeyProviderError(kp.unwrap(v1!, under1), "unwrap under a destroyed version");
    expect(err.message).to.equal("KEK kek-x version 1 does not exist");
    expect(Buffer.from(await kp.unwrap(v2!, under2)).equals(dek)).to.equal(true);
    await kp.destroyKek(v1!); // already gone: a retry is not an error
    expect(await store.deleteKek("kek-x", 1)).to.equal(false);
    await expectKeyProviderError(kp.destroyKek(v3!), "the newest version");
    expect(store.getKek("kek-x", 3)).to.not.equal(undefined);
    expect((await kp.generateKek({ label: "kek-x", bits: 256 })).ref.version).to.equal(4);
    await store.close();
    store = await openLmdbStore(dir);
    const again = createDatabaseKeyProvider({ store, masterKey: master });
    await expectKeyProviderError(again.unwrap(v1!, under1), "after a reopen");
    expect(Buffer.from(await again.unwrap(v2!, under2)).equals(dek)).to.equal(true);
  });
});
