/**
 * Issue 7 acceptance 2: a child `kmipd serve` rewrapping 10,000 DEKs is killed with SIGKILL at 20
 * random moments and restarted each time. At the end no DEK is lost or unreadable, all are on the
 * new version, and the job reports completion with exact counts (each batch and the job's
 * counters commit in one transaction, so a kill can never count a DEK twice or lose one).
 */
import type { ChildProcess } from "node:child_process";
import { randomInt } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { openLmdbStore } from "../../src/store/lmdb/index.js";
import { checkAll, registerMany } from "./rewrap-support.js";
import { startTenancyKmipd } from "./tenancy-support.js";
import { spawnKmipd } from "./child-process.js";

const N = 10_000;
const KILLS = 20;

function startChild(config: string): Promise<ChildProcess> {
  return spawnKmipd(["-c", config]);
}

describe("rewrap: crash safety under SIGKILL", function () {
  this.timeout(400_000);

  it(`${KILLS} SIGKILLs during the rewrap of ${N} DEKs: none lost, all on the new version, exact counts`, async () => {
    // Keys registered and the key rotated in-process (no daemon timer), then the data dir is handed to child processes.
    let srv = await startTenancyKmipd({ overrides: { "limits.max_batch_items": 500, "kms.rewrap.interval.ms": 86_400_000, "logging.level": "info" } });
    const { dataDir, certsDir } = srv;
    const key = await srv.engine.kmsKeys.create({ name: "crash", zone: "default", account: "default", hsmProfile: "database" });
    const originals = await registerMany(await srv.client(), N, "crash", 500);
    const job = await srv.engine.rewrap.rotate("crash", "default");
    expect(job.total).to.equal(N);
    await srv.stop(true);

    const config = join(dataDir, "..", `kmipd-crash-${Date.now()}.toml`);
    await writeFile(config, `[server]\nhost = "127.0.0.1"\nport = 0\ndata_dir = ${JSON.stringify(dataDir)}\ncerts_dir = ${JSON.stringify(certsDir)}\n[kms]\nrewrap.batch.size = 200\nrewrap.interval.ms = 1000\n[logging]\nlevel = "warn"\n`);
    const remainingAfterKill: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const child = await startChild(config);
      // The first pass runs 1 s after start, then one a second: kill somewhere in the first 0-2 passes.
      await new Promise((r) => setTimeout(r, randomInt(900, 2600)));
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGKILL");
      await exited;
      const store = await openLmdbStore(join(dataDir, "store"));
      remainingAfterKill.push(store.countUnderKek(key.id, 1));
      expect(store.countUnderKek(key.id, 1) + store.countUnderKek(key.id, 2), "every DEK is under exactly one version").to.equal(N);
      await store.close();
    }
    const last = remainingAfterKill[KILLS - 1]!;
    expect(last, "the rewrap was still running at the last kill").to.be.above(0);
    expect(last, "and had made progress").to.be.below(N);

    srv = await startTenancyKmipd({ dataDir, certsDir, overrides: { "limits.max_batch_items": 500, "kms.rewrap.interval.ms": 86_400_000, "logging.level": "info" } });
    try {
      expect(await srv.engine.rewrap.drain()).to.equal(true);
      const s = srv.engine.rewrap.status().find((j) => j.id === job.id)!;
      expect(s).to.include({ state: "done", total: N, succeeded: N, processed: N, failed: 0, remaining: 0 });
      const v = (await srv.engine.kmsKeys.show("crash", "default")).versions;
      expect(v.map((x) => [x.version, x.state, x.objects])).to.deep.equal([[1, "retired", 0], [2, "active", N]]);
      expect(await checkAll(await srv.client(), originals, 500)).to.equal(N);
      console.log(`      DEKs still under version 1 after each kill: ${remainingAfterKill.join(", ")}`);
    } finally {
      await srv.stop();
    }
  });
});
