/**
 * Issue 7 acceptance 1 through a real server: 10,000 keys registered under version 1 of a
 * database-provider KMS key; rotate; the daemon (small batch, short interval) moves them while a
 * client keeps getting random keys and comparing bytes; at the end version 1 wraps nothing and is
 * retired, and the job reports exact counts.
 */
import { randomInt } from "node:crypto";
import { expect } from "chai";
import { registerMany } from "./rewrap-support.js";
import { startTenancyKmipd, type TenancyKmipd } from "./tenancy-support.js";

const N = 10_000;
const PER_BATCH = 500;

describe("rewrap: 10,000 DEKs move to the new version while clients keep reading them", function () {
  this.timeout(300_000);
  let srv: TenancyKmipd;
  before(async () => {
    srv = await startTenancyKmipd({
      overrides: { "limits.max_batch_items": PER_BATCH, "kms.rewrap.batch.size": 500, "kms.rewrap.interval.ms": 1000, "kms.cache.max_entries": 0, "logging.level": "info" },
    });
  });
  after(async () => srv?.stop());

  it("rotate, rewrap in the background, every Get returns the original bytes; version 1 ends empty and retired", async () => {
    const { kmsKeys, rewrap } = srv.engine;
    const key = await kmsKeys.create({ name: "rk", zone: "default", account: "default", hsmProfile: "database" });
    const c = await srv.client();
    const t0 = Date.now();
    const originals = await registerMany(c, N, "rk", PER_BATCH);
    const registerSec = (Date.now() - t0) / 1000;
    expect(srv.engine.kmsKeys.keyById(key.id)).to.not.equal(undefined);
    expect((await kmsKeys.show("rk", "default")).versions[0]!.objects).to.equal(N);

    const job = await rewrap.rotate("rk", "default");
    expect([job.from, job.to, job.total, job.remaining]).to.deep.equal([[1], 2, N, N]);

    // Reader: random Gets throughout, each compared with the registered bytes.
    const uids = [...originals.keys()];
    const reader = await srv.client();
    let reads = 0;
    let stop = false;
    const reading = (async () => {
      while (!stop) {
        const uid = uids[randomInt(uids.length)]!;
        const got = await reader.get(uid);
        expect(Buffer.from(got.keyBytes!).equals(originals.get(uid)!), `Get ${uid}`).to.equal(true);
        reads++;
      }
    })();

    const t1 = Date.now();
    // The daemon's own timer (batch 500, every second) is what moves them; we only watch.
    let midway = false;
    for (;;) {
      const s = rewrap.status().find((j) => j.id === job.id)!;
      if (s.remaining > 0 && s.remaining < N) midway = true;
      if (s.state === "done") break;
      expect(Date.now() - t1, "rewrap finished in time").to.be.below(240_000);
      await new Promise((r) => setTimeout(r, 200));
    }
    const rewrapSec = (Date.now() - t1) / 1000;
    stop = true;
    await reading;
    const final = rewrap.status().find((j) => j.id === job.id)!;
    expect(final).to.include({ state: "done", total: N, succeeded: N, failed: 0, remaining: 0, processed: N });
    expect(midway, "progress was visible while it ran").to.equal(true);
    expect(reads, "Gets ran concurrently").to.be.above(100);
    const v = (await kmsKeys.show("rk", "default")).versions;
    expect(v.map((x) => [x.version, x.state, x.objects])).to.deep.equal([[1, "retired", 0], [2, "active", N]]);
    // Every key still opens with its original bytes after the move.
    for (const uid of uids.slice(0, 200)) expect(Buffer.from((await reader.get(uid)).keyBytes!).equals(originals.get(uid)!)).to.equal(true);
    console.log(`      registered ${N} in ${registerSec.toFixed(1)} s; rewrap (batch 500 / 1 s interval) ${rewrapSec.toFixed(1)} s with ${reads} concurrent Gets; job rate ${final.rate} DEKs/s`);
  });
});
