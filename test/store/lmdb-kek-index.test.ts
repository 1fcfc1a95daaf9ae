/** LMDB store: the (KEK id, version) index — exact counts, ordered paging, moves, removal, lease-guarded commits, build at open. */
import { expect } from "chai";
import { open } from "lmdb";
import { openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";
import { LeaseLostError, type ObjectRecord, type WrappedMaterial } from "../../src/store/types.js";
import { record, removeTempDirs, tempStoreDir } from "./support.js";

const under = (kekId: string, kekVersion: number): WrappedMaterial => ({ kekId, kekVersion, algorithm: "AES-KWP", blob: Buffer.alloc(24, kekVersion) });
const moved = (r: ObjectRecord, kekVersion: number): ObjectRecord => ({ ...r, material: under(r.material!.kekId, kekVersion), revision: r.revision + 1 });

describe("LMDB store: (KEK, version) index", function () {
  this.timeout(20_000);
  let store: LmdbObjectStore;
  let dir: string;
  beforeEach(async () => {
    dir = tempStoreDir("kekindex");
    store = await openLmdbStore(dir);
  });
  afterEach(async () => store.close());
  after(removeTempDirs);

  it("counts exactly per (KEK, version) across owners and pages in uid order", async () => {
    const uids = Array.from({ length: 30 }, () => store.newUid());
    await store.batch(uids.map((u, i) => ({ kind: "insert", rec: record(u, i % 2 ? "alice" : "bob", { material: under("k1", i < 20 ? 1 : 2) }) })));
    await store.insert(record(store.newUid(), "alice")); // no material: not indexed
    expect(store.countUnderKek("k1", 1)).to.equal(20);
    expect(store.countUnderKek("k1", 2)).to.equal(10);
    expect(store.countUnderKek("k2", 1)).to.equal(0);
    const page1 = store.objectsUnder("k1", 1, undefined, 7).map((r) => r.uid);
    expect(page1).to.deep.equal(uids.slice(0, 7));
    expect(store.objectsUnder("k1", 1, page1[6], 100).map((r) => r.uid)).to.deep.equal(uids.slice(7, 20));
    expect(store.objectsUnder("k1", 1, uids[0], 1)[0]!.owner).to.equal("alice");
  });

  it("follows updates that change the version, and removals, in the same transaction", async () => {
    const uids = Array.from({ length: 10 }, () => store.newUid());
    await store.batch(uids.map((u) => ({ kind: "insert", rec: record(u, "alice", { material: under("k", 1) }) })));
    const recs = store.objectsUnder("k", 1, undefined, 4);
    await store.batch(recs.map((r) => ({ kind: "update", rec: moved(r, 2) })));
    expect([store.countUnderKek("k", 1), store.countUnderKek("k", 2)]).to.deep.equal([6, 4]);
    // An update that keeps the material keeps the entry.
    const r = store.get(uids[9]!, "alice")!;
    await store.update({ ...r, revision: r.revision + 1, terms: ["x"] });
    expect(store.countUnderKek("k", 1)).to.equal(6);
    await store.remove(uids[0]!, "alice");
    await store.remove(uids[9]!, "alice");
    expect([store.countUnderKek("k", 1), store.countUnderKek("k", 2)]).to.deep.equal([5, 3]);
    expect(store.objectsUnder("k", 2).map((x) => x.uid)).to.deep.equal(uids.slice(1, 4));
  });

  it("a failed batch changes neither objects nor index; commitWithLease writes only for the lease holder", async () => {
    const u = store.newUid();
    await store.insert(record(u, "alice", { material: under("k", 1) }));
    const r = store.get(u, "alice")!;
    await store.batch([{ kind: "update", rec: { ...moved(r, 2), revision: 7 } }]).catch(() => undefined);
    expect([store.countUnderKek("k", 1), store.countUnderKek("k", 2)]).to.deep.equal([1, 0]);

    const mine = { name: "rewrap", owner: "p1" };
    expect(await store.acquireLease(mine, 10_000, 1000)).to.equal(true);
    expect(await store.acquireLease({ name: "rewrap", owner: "p2" }, 10_000, 2000), "held by p1").to.equal(false);
    let err: unknown;
    await store.commitWithLease([{ kind: "update", rec: moved(r, 2) }], () => [], { name: "rewrap", owner: "p2" }).catch((e) => (err = e));
    expect(err).to.be.instanceOf(LeaseLostError);
    expect(store.countUnderKek("k", 2)).to.equal(0);
    const applied = await store.commitWithLease([{ kind: "update", rec: moved(r, 2) }], (a) => [{ table: "rewrapjobs", key: "j", value: Buffer.from(JSON.stringify(a)) }], mine);
    expect(applied).to.deep.equal([u]);
    expect([store.countUnderKek("k", 1), store.countUnderKek("k", 2)]).to.deep.equal([0, 1]);
    expect(JSON.parse(Buffer.from(store.catalog.catalogGet("rewrapjobs", "j")!).toString())).to.deep.equal([u]);
    expect(await store.acquireLease({ name: "rewrap", owner: "p2" }, 10_000, 20_000), "expired").to.equal(true);
  });

  it("a rewrap write changes only the material, keeps the revision, and is skipped when the object moved; a keep-material update keeps a rewrap", async () => {
    const u = store.newUid();
    await store.insert(record(u, "alice", { material: under("k", 1), terms: ["t"] }));
    const loaded = store.get(u, "alice")!; // a client's read, before the rewrap
    const lease = { name: "rewrap", owner: "me" };
    await store.acquireLease(lease, 10_000, 0);
    const ops = [{ kind: "rematerial" as const, uid: u, owner: "alice", from: { kekId: "k", kekVersion: 1 }, material: under("k", 2) }];
    expect(await store.commitWithLease(ops, () => [], lease)).to.deep.equal([u]);
    expect(store.get(u, "alice")).to.deep.include({ revision: 1 });
    expect(store.get(u, "alice")!.material!.kekVersion).to.equal(2);
    expect(await store.commitWithLease(ops, () => [], lease), "already moved: skipped").to.deep.equal([]);
    // The client's attribute change, made from its earlier read, does not fail and does not undo the rewrap.
    await store.batch([{ kind: "update", rec: { ...loaded, revision: 2, terms: ["t", "u"] }, keepStoredMaterial: true }]);
    const now = store.get(u, "alice")!;
    expect([now.revision, now.material!.kekVersion, now.terms]).to.deep.equal([2, 2, ["t", "u"]]);
    expect([store.countUnderKek("k", 1), store.countUnderKek("k", 2)]).to.deep.equal([0, 1]);
  });

  it("is built once at open for a data dir written without it", async () => {
    const uids = Array.from({ length: 12 }, () => store.newUid());
    await store.batch(uids.map((u, i) => ({ kind: "insert", rec: record(u, "alice", { material: under("old", (i % 3) + 1) }) })));
    await store.close();
    // Simulate an older data dir: drop the index and its mark.
    const env = open<Buffer, Buffer>({ path: dir, maxDbs: 24, encoding: "binary", keyEncoding: "binary" });
    for (const name of ["kekobjs", "kekcounts"]) await env.openDB<Buffer, Buffer>({ name, encoding: "binary", keyEncoding: "binary" }).clearAsync();
    await env.openDB<Buffer, Buffer>({ name: "meta", encoding: "binary", keyEncoding: "binary" }).remove(Buffer.from("kekindex"));
    await env.close();
    store = await openLmdbStore(dir);
    expect([1, 2, 3].map((v) => store.countUnderKek("old", v))).to.deep.equal([4, 4, 4]);
    expect(store.objectsUnder("old", 2).map((r) => r.uid)).to.deep.equal(uids.filter((_, i) => i % 3 === 1));
  });
});
