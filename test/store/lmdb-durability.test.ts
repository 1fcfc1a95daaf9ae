/** LMDB store: what survives a close and reopen, and what survives a SIGKILL of the writer. */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { expect } from "chai";
import { openLmdbStore } from "../../src/store/lmdb/index.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { collect, record, removeTempDirs, tempStoreDir } from "./support.js";

const FIXTURE = join(REPO_ROOT, "test/store/fixtures/insert-until-killed.ts");

/** Runs the fixture, SIGKILLs it `delayMs` after its first acknowledged insert; returns the acknowledged uids. */
function insertUntilKilled(dir: string, delayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", FIXTURE, dir, "8"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    let timer: NodeJS.Timeout | undefined;
    const safety = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (!timer && /\n[0-9a-f]{8}-/.test(out)) timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(safety);
      if (signal !== "SIGKILL") return reject(new Error(`fixture ended with code ${code}, signal ${signal}: ${err}`));
      const lines = out.split("\n");
      lines.pop(); // a line cut by the kill is not an acknowledgement
      resolve(lines.filter((l) => l !== "ready"));
    });
  });
}

describe("LMDB store: durability", function () {
  this.timeout(120_000);
  after(removeTempDirs);

  it("keeps records, indexes and KEKs across close and reopen", async () => {
    const dir = tempStoreDir("reopen");
    let store = await openLmdbStore(dir);
    const uids = Array.from({ length: 200 }, () => store.newUid());
    await store.batch(uids.map((u, i) => ({ kind: "insert" as const, rec: record(u, "alice", { terms: [`n=${i % 10}`, "all"] }) })));
    await store.update(record(uids[0]!, "alice", { revision: 2, terms: ["first"], material: { kekId: "db-kek", kekVersion: 1, algorithm: "AES-KWP", blob: Buffer.alloc(40, 7) } }));
    await store.remove(uids[1]!, "alice");
    await store.putKek({ id: "db-kek", version: 1, wrapped: Buffer.alloc(40, 1), createdAt: 42 });
    await store.close();

    store = await openLmdbStore(dir);
    try {
      expect(store.get(uids[0]!, "alice")!.revision).to.equal(2);
      expect(Buffer.from(store.get(uids[0]!, "alice")!.material!.blob).equals(Buffer.alloc(40, 7))).to.equal(true);
      expect(store.get(uids[1]!, "alice")).to.equal(undefined);
      expect(collect(store.listByOwner("alice"))).to.deep.equal([uids[0], ...uids.slice(2)]);
      expect(collect(store.findByTerm("alice", "all"))).to.deep.equal(uids.slice(2));
      expect(store.countByTerm("alice", "n=5")).to.equal(20);
      expect(store.countByTerm("alice", "first")).to.equal(1);
      expect(store.latestKek("db-kek")).to.deep.equal({ id: "db-kek", version: 1, wrapped: Uint8Array.from(Buffer.alloc(40, 1)), createdAt: 42 });
      // uids made after the reopen still sort after the old ones
      expect(store.newUid() > uids[uids.length - 1]!).to.equal(true);
    } finally {
      await store.close();
    }
  });

  it("every insert acknowledged before a SIGKILL is there after reopening (4 kills, same store)", async () => {
    const dir = tempStoreDir("sigkill");
    const acked: string[] = [];
    for (let round = 0; round < 4; round++) {
      const got = await insertUntilKilled(dir, 50 + Math.floor(Math.random() * 700));
      expect(got.length, `round ${round}: acknowledgements`).to.be.greaterThan(0);
      acked.push(...got);
      if (process.env.KMIPD_TEST_VERBOSE) console.log(`      round ${round}: ${got.length} acknowledged`);
      const store = await openLmdbStore(dir);
      try {
        for (const uid of acked) {
          const rec = store.get(uid, "killer");
          expect(rec, `acknowledged ${uid} missing after kill ${round}`).to.not.equal(undefined);
          expect(Buffer.from(rec!.body).equals(createHash("sha256").update(uid).digest())).to.equal(true);
        }
        // the indexes agree with the records (nothing half-written)
        const all = collect(store.listByOwner("killer"));
        expect(all.length).to.be.at.least(acked.length);
        let byWorker = 0;
        for (let w = 0; w < 8; w++) byWorker += store.countByTerm("killer", `w=${w}`);
        expect(byWorker).to.equal(all.length);
        for (const uid of all) expect(store.get(uid, "killer"), uid).to.not.equal(undefined);
      } finally {
        await store.close();
      }
    }
  });
});
