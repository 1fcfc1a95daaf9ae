/**
 * The rewrap daemon with several provider calls of a batch in flight (kms.rewrap.concurrency):
 * exact counts, a failing DEK among concurrent ones, a transient error mid-batch that must leave
 * no DEK behind the cursor, concurrency 1 as before; and on SoftHSM, more calls than the PKCS#11
 * session pool has sessions just queue.
 */
import { expect } from "chai";
import { settleBounded } from "../../src/rewrap/bounded.js";
import { RewrapDaemon } from "../../src/rewrap/index.js";
import { listJobs } from "../../src/rewrap/jobs.js";
import { openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";
import { record, removeTempDirs, tempStoreDir } from "../store/support.js";
import { FakeKeys } from "./fake-keys.js";

describe("rewrap daemon: bounded concurrency within a batch", function () {
  this.timeout(30_000);
  let store: LmdbObjectStore;
  let keys: FakeKeys;
  let clock: number;
  const now = () => clock;
  const daemon = (batchSize: number, concurrency: number) => new RewrapDaemon(store, keys, { batchSize, intervalMs: 10, retryBaseMs: 1000, concurrency }, {}, now);

  beforeEach(async () => {
    store = await openLmdbStore(tempStoreDir("rewrap-conc"));
    keys = new FakeKeys();
    keys.latencyMs = 1; // calls take time, so concurrent ones overlap
    clock = 1_000_000;
  });
  afterEach(async () => store.close());
  after(removeTempDirs);

  /** n objects under version 1, their uids in index (uid) order: the order the daemon picks them. */
  async function seed(n: number): Promise<string[]> {
    const uids = Array.from({ length: n }, () => store.newUid());
    await store.batch(uids.map((u) => ({ kind: "insert", rec: record(u, "a", { material: { kekId: "k", kekVersion: 1, algorithm: "AES-KWP", blob: Buffer.concat([Buffer.of(1), Buffer.from(u)]) } }) })));
    return store.objectsUnder("k", 1, undefined, n).map((r) => r.uid);
  }
  const versionOf = (uid: string) => store.get(uid, "a")!.material!.kekVersion;
  const cursor = () => listJobs(store.catalog)[0]!.cursor;

  it("concurrency 8: every DEK moves exactly once, counts exact after each batch and at the end", async () => {
    const uids = await seed(100);
    const d = daemon(17, 8);
    await d.rotate("key-k");
    expect((await d.pass()).moved).to.equal(17);
    expect(d.status()[0]).to.include({ succeeded: 17, remaining: 83, failed: 0 });
    expect([store.countUnderKek("k", 1), store.countUnderKek("k", 2)]).to.deep.equal([83, 17]);
    expect(await d.drain()).to.equal(true);
    expect(d.status()[0]).to.include({ state: "done", total: 100, succeeded: 100, processed: 100, failed: 0, remaining: 0 });
    expect([store.countUnderKek("k", 1), store.countUnderKek("k", 2)]).to.deep.equal([0, 100]);
    expect(keys.maxInFlight, "8 calls in flight at once").to.equal(8);
    expect(keys.calls.length).to.equal(100);
    expect(new Set(keys.calls).size).to.equal(100);
    for (const u of uids) {
      const m = store.get(u, "a")!.material!;
      expect(Buffer.from(m.blob).equals(Buffer.concat([Buffer.of(2), Buffer.from(u)])), "payload kept").to.equal(true);
    }
  });

  it("a DEK failing in the middle of a concurrent batch is recorded with back-off; the others move; then it is retried", async () => {
    const uids = await seed(20);
    keys.broken.add(uids[10]!);
    const d = daemon(20, 4);
    await d.rotate("key-k");
    const r = await d.pass();
    expect(r).to.include({ moved: 19, failed: 1, paused: false });
    const s = d.status()[0]!;
    expect(s).to.include({ state: "running", succeeded: 19, failed: 1, remaining: 1 });
    expect(s.failures.map((f) => [f.id, f.attempts, f.nextRetryAt])).to.deep.equal([[uids[10], 1, clock + 1000]]);
    expect(keys.maxInFlight).to.equal(4);
    for (const [i, u] of uids.entries()) expect(versionOf(u), `object ${i}`).to.equal(i === 10 ? 1 : 2);
    expect(cursor(), "a full batch: the cursor after its last DEK").to.deep.equal({ version: 1, afterUid: uids[19] });
    keys.broken.clear();
    clock += 1001;
    await d.pass();
    expect(d.status()[0]).to.include({ state: "done", succeeded: 20, failed: 0, remaining: 0 });
  });

  it("a transient error on one call mid-batch: what moved is committed, the cursor stops before that DEK, the next pass starts with it", async () => {
    const uids = await seed(30);
    const d = daemon(10, 4);
    await d.rotate("key-k");
    expect((await d.pass()).moved).to.equal(10);
    keys.unavailableOnce.add(uids[15]!); // the 6th DEK of the second batch (uids 10..19)
    const r = await d.pass();
    expect(r.paused).to.equal(true);
    expect(r.failed, "not the DEK's fault: no failure recorded").to.equal(0);
    expect(r.moved).to.be.at.least(5);
    expect(cursor(), "past the leading run that moved (10..14), not past 15").to.deep.equal({ version: 1, afterUid: uids[14] });
    for (let i = 10; i < 15; i++) expect(versionOf(uids[i]!), `object ${i}`).to.equal(2);
    expect(versionOf(uids[15]!)).to.equal(1);
    const s = d.status()[0]!;
    expect(s).to.include({ succeeded: 10 + r.moved, failed: 0, remaining: 20 - r.moved });
    expect(store.countUnderKek("k", 2), "counts exact: succeeded = objects moved").to.equal(s.succeeded);
    expect((await d.pass()).paused, "paused for one interval").to.equal(true);

    clock += 11;
    const mark = keys.calls.length;
    await d.pass();
    expect(keys.calls[mark], "the next pass starts at the DEK the outage stopped").to.equal(uids[15]);
    for (let i = 0; i < 25; i++) expect(versionOf(uids[i]!), `object ${i} moved: nothing skipped`).to.equal(2);
    expect(await d.drain()).to.equal(true);
    expect(d.status()[0]).to.include({ state: "done", succeeded: 30, failed: 0, remaining: 0 });
    expect(keys.calls.length, "each DEK rewrapped once").to.equal(30);
    expect(new Set(keys.calls).size).to.equal(30);
  });

  it("a transient error on a batch's first DEK: the calls already in flight are committed, nothing later starts, the cursor stays", async () => {
    const uids = await seed(30);
    const d = daemon(10, 4);
    await d.rotate("key-k");
    await d.pass();
    keys.unavailableOnce.add(uids[10]!);
    const r = await d.pass();
    expect(r).to.include({ paused: true, moved: 3, failed: 0 });
    expect(cursor(), "still after the first batch").to.deep.equal({ version: 1, afterUid: uids[9] });
    expect(uids.slice(10, 20).map(versionOf), "11..13 were in flight with 10 and moved; 14.. never started").to.deep.equal([1, 2, 2, 2, 1, 1, 1, 1, 1, 1]);
    expect(d.status()[0]).to.include({ succeeded: 13, remaining: 17, failed: 0 });
    clock += 11;
    expect(await d.drain()).to.equal(true);
    expect(d.status()[0]).to.include({ state: "done", succeeded: 30 });
    expect(keys.calls.length).to.equal(30);
  });

  it("concurrency 1 behaves as before: one call at a time in uid order; a transient error stops the batch at that DEK", async () => {
    const uids = await seed(12);
    const d = daemon(5, 1);
    await d.rotate("key-k");
    expect((await d.pass()).moved).to.equal(5);
    keys.unavailableOnce.add(uids[7]!);
    const r = await d.pass();
    expect(r).to.include({ paused: true, moved: 2, failed: 0 });
    expect(keys.calls, "nothing after the unavailable DEK was tried").to.deep.equal(uids.slice(0, 7));
    expect(cursor()).to.deep.equal({ version: 1, afterUid: uids[6] });
    clock += 11;
    expect(await d.drain()).to.equal(true);
    expect(keys.calls).to.deep.equal(uids);
    expect(keys.maxInFlight).to.equal(1);
    expect(d.status()[0]).to.include({ state: "done", succeeded: 12, failed: 0 });
  });
});

describe("settleBounded", () => {
  const tick = () => new Promise((r) => setTimeout(r, 1));
  it("runs at most `limit` at once, in order, outcomes by position; a stopping error starts nothing more", async () => {
    let inFlight = 0;
    let max = 0;
    const started: number[] = [];
    const out = await settleBounded(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      3,
      async (i) => {
        started.push(i);
        inFlight++;
        max = Math.max(max, inFlight);
        await tick();
        inFlight--;
        if (i === 2) throw new Error("bad");
        if (i === 4) throw new Error("stop");
        return i * 10;
      },
      (e) => (e as Error).message === "stop",
    );
    expect(max).to.equal(3);
    expect(started).to.deep.equal([...started].sort((a, b) => a - b));
    expect(out[0]).to.deep.equal({ ok: true, value: 0 });
    expect(out[2]).to.include({ ok: false });
    expect((out[4] as { error: Error }).error.message).to.equal("stop");
    const firstUnstarted = out.indexOf(undefined);
    expect(firstUnstarted).to.be.above(4);
    expect(out.slice(firstUnstarted).every((o) => o === undefined), "the unstarted are a suffix").to.equal(true);
  });
  it("limit above the item count, and an empty list", async () => {
    expect(await settleBounded([1, 2], 64, async (x) => x, () => false)).to.deep.equal([{ ok: true, value: 1 }, { ok: true, value: 2 }]);
    expect(await settleBounded([], 4, async (x) => x, () => false)).to.deep.equal([]);
  });
});
