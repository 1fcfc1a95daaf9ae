/** LMDB store: records, owners, revisions, batches, KEKs — on a real LMDB environment on disk. */
import { statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import { DuplicateUidError, openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";
import { StaleRevisionError, type ObjectRecord } from "../../src/store/types.js";
import { collect, record, removeTempDirs, tempStoreDir } from "./support.js";

describe("LMDB store: records", function () {
  this.timeout(20_000);
  let store: LmdbObjectStore;
  let dir: string;
  beforeEach(async () => {
    dir = tempStoreDir();
    store = await openLmdbStore(dir);
  });
  afterEach(async () => store.close());
  after(removeTempDirs);

  it("creates its directory 0700 and its files 0600", () => {
    expect(statSync(dir).mode & 0o777).to.equal(0o700);
    for (const f of ["data.mdb", "lock.mdb"]) expect(statSync(join(dir, f)).mode & 0o777, f).to.equal(0o600);
  });

  it("inserts and gets a record with wrapped material, bytes intact", async () => {
    const uid = store.newUid();
    const body = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    const blob = Uint8Array.from({ length: 40 }, (_, i) => 255 - i);
    const rec: ObjectRecord = {
      uid,
      owner: "alice",
      body,
      terms: ["name=Key1", "type=2"],
      revision: 1,
      material: { kekId: "db-kek", kekVersion: 3, algorithm: "AES-KWP", blob },
    };
    await store.insert(rec);
    const got = store.get(uid, "alice");
    expect(got).to.deep.equal({ ...rec, body: Uint8Array.from(body), material: { ...rec.material, blob: Uint8Array.from(blob) } });
    expect(Buffer.from(got!.body).equals(Buffer.from(body))).to.equal(true);
    expect(Buffer.from(got!.material!.blob).equals(Buffer.from(blob))).to.equal(true);
  });

  it("keeps a record without material and with an empty body", async () => {
    const uid = store.newUid();
    await store.insert(record(uid, "alice", { body: new Uint8Array(0), revision: 0 }));
    const got = store.get(uid, "alice")!;
    expect(got.material).to.equal(undefined);
    expect(got.body.length).to.equal(0);
    expect(got.revision).to.equal(0);
  });

  it("a 1 MiB body survives, and what get() returned stays intact after later writes", async () => {
    const uid = store.newUid();
    const body = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 0xff);
    await store.insert(record(uid, "alice", { body }));
    const got = store.get(uid, "alice")!;
    const copy = Buffer.from(got.body);
    expect(copy.equals(Buffer.from(body))).to.equal(true);
    for (let r = 2; r <= 4; r++) await store.update(record(uid, "alice", { revision: r, body: new Uint8Array(1 << 20).fill(r) }));
    for (let i = 0; i < 50; i++) await store.insert(record(store.newUid(), "alice", { body: new Uint8Array(4096).fill(i) }));
    expect(Buffer.from(got.body).equals(copy)).to.equal(true);
    expect(store.get(uid, "alice")!.body[12345]).to.equal(4);
  });

  it("returns undefined for unknown, malformed and over-long uids", () => {
    expect(store.get(store.newUid(), "alice")).to.equal(undefined);
    expect(store.get("", "alice")).to.equal(undefined);
    expect(store.get("x".repeat(5000), "alice")).to.equal(undefined);
    expect(store.get("\uD800", "alice")).to.equal(undefined);
  });

  it("refuses a second insert of the same uid", async () => {
    const uid = store.newUid();
    await store.insert(record(uid, "alice"));
    let err: unknown;
    await store.insert(record(uid, "bob")).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(DuplicateUidError);
    expect(store.get(uid, "alice")).to.not.equal(undefined);
    expect(store.get(uid, "bob")).to.equal(undefined);
  });

  it("isolates owners: another owner gets, finds, lists, updates and removes nothing", async () => {
    const uid = store.newUid();
    await store.insert(record(uid, "alice", { terms: ["name=Shared"] }));
    expect(store.get(uid, "bob")).to.equal(undefined);
    expect(store.get(uid, "Alice")).to.equal(undefined);
    expect(collect(store.findByTerm("bob", "name=Shared"))).to.deep.equal([]);
    expect(store.countByTerm("bob", "name=Shared")).to.equal(0);
    expect(collect(store.listByOwner("bob"))).to.deep.equal([]);
    let err: unknown;
    await store.update(record(uid, "bob", { revision: 2 })).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(StaleRevisionError);
    expect(await store.remove(uid, "bob")).to.equal(false);
    expect(store.get(uid, "alice")?.revision).to.equal(1);
  });

  it("update enforces revision = stored + 1", async () => {
    const uid = store.newUid();
    await store.insert(record(uid, "alice", { revision: 5 }));
    for (const bad of [5, 4, 7, 0]) {
      let err: unknown;
      await store.update(record(uid, "alice", { revision: bad })).catch((e: unknown) => (err = e));
      expect(err, `revision ${bad}`).to.be.instanceOf(StaleRevisionError);
    }
    await store.update(record(uid, "alice", { revision: 6, body: Buffer.from("v6") }));
    expect(Buffer.from(store.get(uid, "alice")!.body).toString()).to.equal("v6");
    let err: unknown;
    await store.update(record(store.newUid(), "alice", { revision: 2 })).catch((e: unknown) => (err = e));
    expect(err, "missing object").to.be.instanceOf(StaleRevisionError);
  });

  it("two concurrent updates from the same revision: exactly one wins", async () => {
    const uid = store.newUid();
    await store.insert(record(uid, "alice"));
    const results = await Promise.allSettled([
      store.update(record(uid, "alice", { revision: 2, body: Buffer.from("A") })),
      store.update(record(uid, "alice", { revision: 2, body: Buffer.from("B") })),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).to.have.length(1);
    expect(failed).to.have.length(1);
    expect(failed[0]!.reason).to.be.instanceOf(StaleRevisionError);
    expect(store.get(uid, "alice")!.revision).to.equal(2);
  });

  it("remove deletes the record and all its index entries", async () => {
    const uid = store.newUid();
    const keep = store.newUid();
    await store.insert(record(uid, "alice", { terms: ["a", "b"] }));
    await store.insert(record(keep, "alice", { terms: ["a"] }));
    expect(await store.remove(uid, "alice")).to.equal(true);
    expect(store.get(uid, "alice")).to.equal(undefined);
    expect(collect(store.findByTerm("alice", "a"))).to.deep.equal([keep]);
    expect(collect(store.findByTerm("alice", "b"))).to.deep.equal([]);
    expect(store.countByTerm("alice", "a")).to.equal(1);
    expect(store.countByTerm("alice", "b")).to.equal(0);
    expect(collect(store.listByOwner("alice"))).to.deep.equal([keep]);
    expect(await store.remove(uid, "alice")).to.equal(false);
  });

  it("batch: all ops commit together, later ops see earlier ones", async () => {
    const [a, b, c] = [store.newUid(), store.newUid(), store.newUid()];
    await store.insert(record(c, "alice", { terms: ["t"] }));
    await store.batch([
      { kind: "insert", rec: record(a, "alice", { terms: ["t"] }) },
      { kind: "update", rec: record(a, "alice", { revision: 2, terms: ["t", "u"] }) },
      { kind: "insert", rec: record(b, "alice", { terms: ["u"] }) },
      { kind: "remove", uid: c, owner: "alice" },
    ]);
    expect(store.get(a, "alice")!.revision).to.equal(2);
    expect(collect(store.findByTerm("alice", "t"))).to.deep.equal([a]);
    expect(collect(store.findByTerm("alice", "u"))).to.deep.equal([a, b]);
    expect(store.countByTerm("alice", "u")).to.equal(2);
    expect(store.get(c, "alice")).to.equal(undefined);
  });

  it("batch: a stale update (or a duplicate insert) writes nothing at all", async () => {
    const [a, b, c] = [store.newUid(), store.newUid(), store.newUid()];
    await store.insert(record(b, "alice", { terms: ["old"], revision: 3 }));
    await store.insert(record(c, "alice"));
    const attempts: { ops: Parameters<LmdbObjectStore["batch"]>[0]; error: new (...a: never[]) => Error }[] = [
      {
        ops: [
          { kind: "insert", rec: record(a, "alice", { terms: ["new"] }) },
          { kind: "remove", uid: c, owner: "alice" },
          { kind: "update", rec: record(b, "alice", { revision: 3, terms: ["new"] }) },
        ],
        error: StaleRevisionError,
      },
      {
        ops: [
          { kind: "update", rec: record(b, "alice", { revision: 4, terms: ["new"] }) },
          { kind: "insert", rec: record(a, "alice") },
          { kind: "insert", rec: record(a, "alice") },
        ],
        error: DuplicateUidError,
      },
    ];
    for (const { ops, error } of attempts) {
      let err: unknown;
      await store.batch(ops).catch((e: unknown) => (err = e));
      expect(err).to.be.instanceOf(error);
      expect(store.get(a, "alice")).to.equal(undefined);
      expect(store.get(b, "alice")!.revision).to.equal(3);
      expect(store.get(c, "alice")).to.not.equal(undefined);
      expect(collect(store.findByTerm("alice", "new"))).to.deep.equal([]);
      expect(collect(store.findByTerm("alice", "old"))).to.deep.equal([b]);
      expect(store.countByTerm("alice", "new")).to.equal(0);
      expect(collect(store.listByOwner("alice"))).to.deep.equal([b, c]);
    }
  });

  it("a failing write does not disturb writes queued beside it", async () => {
    const uid = store.newUid();
    await store.insert(record(uid, "alice"));
    const others = Array.from({ length: 20 }, () => store.newUid());
    const results = await Promise.allSettled([
      ...others.map((u) => store.insert(record(u, "alice", { terms: ["x"] }))),
      store.update(record(uid, "alice", { revision: 9 })),
    ]);
    expect(results.filter((r) => r.status === "rejected")).to.have.length(1);
    expect(store.countByTerm("alice", "x")).to.equal(20);
  });

  it("KEKs: versions, latest, write-once", async () => {
    expect(store.hasKeks()).to.equal(false);
    expect(store.latestKek("db-kek")).to.equal(undefined);
    for (const version of [2, 10, 1]) {
      await store.putKek({ id: "db-kek", version, wrapped: Buffer.alloc(40, version), createdAt: 1000 + version });
    }
    await store.putKek({ id: "db-kek-2", version: 300, wrapped: Buffer.alloc(40, 9), createdAt: 5 });
    expect(store.hasKeks()).to.equal(true);
    expect(store.latestKek("db-kek")?.version).to.equal(10);
    expect(store.latestKek("db-kek-2")?.version).to.equal(300);
    expect(store.latestKek("db")).to.equal(undefined);
    const k2 = store.getKek("db-kek", 2)!;
    expect(k2).to.deep.equal({ id: "db-kek", version: 2, wrapped: Uint8Array.from(Buffer.alloc(40, 2)), createdAt: 1002 });
    expect(store.getKek("db-kek", 3)).to.equal(undefined);
    expect(store.getKek("db-kek", -1)).to.equal(undefined);
    let err: unknown;
    await store.putKek({ id: "db-kek", version: 2, wrapped: Buffer.alloc(40, 0), createdAt: 0 }).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(Error);
    expect(Buffer.from(store.getKek("db-kek", 2)!.wrapped).equals(Buffer.alloc(40, 2))).to.equal(true);
    // deleteKek (key destroy-version): one version gone, the others and the latest untouched
    expect([await store.deleteKek("db-kek", 2), await store.deleteKek("db-kek", 2), await store.deleteKek("db-kek", -1), await store.deleteKek("nope", 1)]).to.deep.equal([true, false, false, false]);
    expect([store.getKek("db-kek", 2), store.getKek("db-kek", 1)?.version, store.latestKek("db-kek")?.version]).to.deep.equal([undefined, 1, 10]);
  });

  it("refuses use after close", async () => {
    const uid = store.newUid();
    await store.close();
    expect(() => store.get(uid, "alice")).to.throw(/closed/);
    let err: unknown;
    await store.insert(record(uid, "alice")).catch((e: unknown) => (err = e));
    expect(err).to.be.instanceOf(Error);
    store = await openLmdbStore(dir); // for afterEach
  });
});
