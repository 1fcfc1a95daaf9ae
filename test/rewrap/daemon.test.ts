/** The rewrap daemon's batch logic over a real LMDB store and a fake KMS: batches, idempotency, failures with back-off, pause, lease. */
import { expect } from "chai";
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { RewrapDaemon } from "../../src/rewrap/index.js";
import { openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";
import { record, removeTempDirs, tempStoreDir } from "../store/support.js";
import { FakeKeys } from "./fake-keys.js";

describe("rewrap daemon: batches, idempotency, failures, pause, lease", function () {
  this.timeout(30_000);
  let store: LmdbObjectStore;
  let keys: FakeKeys;
  let clock: number;
  const now = () => clock;
  const daemon = (batchSize = 7) => new RewrapDaemon(store, keys, { batchSize, intervalMs: 10, retryBaseMs: 1000 }, {}, now);

  beforeEach(async () => {
    store = await openLmdbStore(tempStoreDir("rewrap"));
    keys = new FakeKeys();
    clock = 1_000_000;
  });
  afterEach(async () => store.close());
  after(removeTempDirs);

  async function seed(n: number): Promise<string[]> {
    const uids = Array.from({ length: n }, () => store.newUid());
    await store.batch(uids.map((u) => ({ kind: "insert", rec: record(u, "a", { material: { kekId: "k", kekVersion: keys.current, algorithm: "AES-KWP", blob: Buffer.concat([Buffer.of(keys.current), Buffer.from(u)]) } }) })));
    return uids;
  }

  it("moves every object in batches, counters committed with the objects; then the job is done and the old version empty", async () => {
    const uids = await seed(50);
    const d = daemon(7);
    const job = await d.rotate("key-k");
    expect(job.from).to.deep.equal([1]);
    expect(job.total).to.equal(50);
    const r = await d.pass();
    expect(r.moved).to.equal(7);
    const s = d.status()[0]!;
    expect([s.succeeded, s.remaining, store.countUnderKek("k", 1), store.countUnderKek("k", 2)]).to.deep.equal([7, 43, 43, 7]);
    expect(await d.drain()).to.equal(true);
    const done = d.status()[0]!;
    expect(done).to.include({ state: "done", succeeded: 50, failed: 0, remaining: 0, processed: 50 });
    expect(store.countUnderKek("k", 1)).to.equal(0);
    for (const u of uids) {
      const m = store.get(u, "a")!.material!;
      expect(m.kekVersion).to.equal(2);
      expect(Buffer.from(m.blob).equals(Buffer.concat([Buffer.of(2), Buffer.from(u)]))).to.equal(true);
    }
    expect(keys.calls.length, "each DEK rewrapped exactly once").to.equal(50);
  });

  it("is idempotent across restarts: a second daemon (a restarted process) rewraps nothing already moved", async () => {
    await seed(30);
    const d1 = daemon(10);
    await d1.rotate("key-k");
    await d1.pass();
    await d1.stop();
    const d2 = daemon(10);
    expect(await d2.drain()).to.equal(true);
    expect(keys.calls.length).to.equal(30);
    expect(new Set(keys.calls).size).to.equal(30);
    expect(d2.status()[0]).to.include({ state: "done", succeeded: 30 });
  });

  it("records a DEK that fails with its id, reason and next retry; never claims success; retries it after the back-off", async () => {
    const uids = await seed(20);
    keys.broken.add(uids[5]!);
    const d = daemon(6);
    await d.rotate("key-k");
    expect(await d.drain(), "drain does not claim success").to.equal(false);
    let s = d.status()[0]!;
    expect(s).to.include({ state: "running", succeeded: 19, failed: 1, remaining: 1 });
    expect(s.failures[0]).to.include({ id: uids[5], attempts: 1, nextRetryAt: clock + 1000 });
    expect(s.failures[0]!.reason).to.match(/integrity check failed/);
    // Before its retry time a pass leaves it alone; after, it is tried again (attempts 2, back-off doubled).
    await d.pass();
    expect(d.status()[0]!.failures[0]!.attempts).to.equal(1);
    clock += 1001;
    await d.pass();
    s = d.status()[0]!;
    expect(s.failures[0]).to.include({ attempts: 2, nextRetryAt: clock + 2000 });
    keys.broken.clear();
    clock += 2001;
    await d.pass();
    s = d.status()[0]!;
    expect(s).to.include({ state: "done", succeeded: 20, failed: 0, remaining: 0 });
  });

  it("each drain (kmipd rewrap run) retries every failing DEK once, whatever its back-off", async () => {
    const uids = await seed(12);
    keys.broken.add(uids[2]!).add(uids[10]!);
    const d = daemon(4);
    await d.rotate("key-k");
    expect(await d.drain()).to.equal(false);
    expect(d.status()[0]!.failures.map((f) => f.attempts)).to.deep.equal([1, 1]);
    expect(await d.drain()).to.equal(false);
    expect(d.status()[0]!.failures.map((f) => f.attempts), "retried once each, not more").to.deep.equal([2, 2]);
    keys.broken.clear();
    expect(await d.drain()).to.equal(true);
    expect(d.status()[0]).to.include({ state: "done", succeeded: 12, failed: 0 });
  });

  it("pauses while the provider is unavailable, recording no failure", async () => {
    await seed(10);
    const d = daemon(4);
    await d.rotate("key-k");
    keys.down = true;
    const r = await d.pass();
    expect(r.paused).to.equal(true);
    expect((await d.pass()).paused, "still paused until the interval has passed").to.equal(true);
    expect(d.status()[0]).to.include({ failed: 0, succeeded: 0, remaining: 10 });
    keys.down = false;
    clock += 11;
    expect(await d.drain()).to.equal(true);
  });

  it("only the lease holder runs: a second process is locked out until the lease expires", async () => {
    await seed(10);
    const d1 = daemon(3);
    const d2 = daemon(3);
    await d1.rotate("key-k");
    expect((await d1.pass()).moved).to.equal(3);
    expect((await d2.pass()).locked).to.equal(true);
    clock += 60_000; // d1's lease (30 s) expired: d2 takes over and finishes
    expect(await d2.drain()).to.equal(true);
    expect((await d1.pass()).locked).to.equal(true);
    expect(d2.status()[0]).to.include({ state: "done", succeeded: 10 });
  });

  it("takes over at once a lease left by a killed process of this host", async () => {
    await seed(5);
    const d = daemon(5);
    await d.rotate("key-k");
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid; // exited: its pid names no process now
    expect(await store.acquireLease({ name: "rewrap", owner: `${hostname()}:${dead}:x` }, 3_600_000, clock)).to.equal(true);
    expect(await store.acquireLease({ name: "rewrap", owner: `other-host:${dead}:y` }, 3_600_000, clock)).to.equal(false);
    expect((await d.pass()).moved).to.equal(5);
  });

  it("a rotation with nothing under older versions records a finished job; a second rotation supersedes an unfinished one", async () => {
    const d = daemon(5);
    expect((await d.rotate("key-k")).state).to.equal("done");
    await seed(8); // under version 2
    await d.rotate("key-k");
    await d.pass();
    await d.rotate("key-k"); // version 4: covers 2 and 3
    const [, second, third] = d.status();
    expect(second!.state).to.equal("superseded");
    expect(third!.from).to.deep.equal([2, 3]);
    expect(await d.drain()).to.equal(true);
    expect(store.countUnderKek("k", 4)).to.equal(8);
  });
  it("versionBusy names an unfinished job moving objects from a version (destroy-version is refused), and nothing once it is done", async () => {
    await seed(5);
    const d = daemon(2);
    await d.rotate("key-k");
    expect(d.versionBusy("k", 1)).to.match(/^rewrap job k@0000000002 still moves objects from version 1 \(state pending\)/);
    expect(d.versionBusy("k", 2)).to.equal(undefined);
    expect(d.versionBusy("other", 1)).to.equal(undefined);
    await d.pass();
    expect(d.versionBusy("k", 1)).to.include("state running");
    expect(await d.drain()).to.equal(true);
    expect(d.versionBusy("k", 1)).to.equal(undefined);
  });
});
