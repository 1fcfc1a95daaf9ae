/**
 * Issue 7 through `kmipd serve` and the CLI: `key rotate`, `rewrap run` and `rewrap status`
 * (table and --json). A DEK whose stored blob the test corrupted (acceptance 5) is reported by id
 * and reason; every other DEK moves; `rewrap run` exits 1 and the job does not claim success.
 */
import { expect } from "chai";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminClient } from "../../src/cli/admin-client.js";
import { text } from "../../src/ttlv/index.js";
import { openLmdbStore } from "../../src/store/lmdb/index.js";
import { recordKey } from "../support/secrets.js";
import { serveSession } from "./serve-support.js";

describe("rewrap through serve and the CLI: rotate, run, status, a corrupted DEK reported", function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), "kmipd-rewrap-cli-"))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it("rotates, drains, reports the bad DEK, and keeps every good one readable", async () => {
    const { logs, cli, certs, serve, kmipd, client } = serveSession(dir);

    let srv = await serve();
    const keys = new Map<string, Buffer>();
    try {
      expect((await kmipd(["key", "create", "pay", "--zone", "default", "--hsm-profile", "database", "--account", "default"], srv.adminUrl)).status).to.equal(0);
      const c = await client(srv.kmipPort);
      for (let i = 0; i < 40; i++) {
        const uid = await c.create({ attributes: [{ name: "x-kms-key", value: text(0, "pay") }] });
        const k = Buffer.from((await c.get(uid)).keyBytes!);
        recordKey(k);
        keys.set(uid, k);
      }
      await c.close();
    } finally {
      await srv.stop();
    }
    // Plant a corrupted blob (a flipped byte) in one object, as disk damage would.
    const bad = [...keys.keys()][17]!;
    const store = await openLmdbStore(join(dir, "data", "store"));
    const rec = store.get(bad, "default")!;
    const blob = Buffer.from(rec.material!.blob);
    blob[blob.length - 3]! ^= 0x55;
    await store.update({ ...rec, material: { ...rec.material!, blob }, revision: rec.revision + 1 });
    await store.close();

    srv = await serve();
    try {
      const rot = await kmipd(["key", "rotate", "pay", "--json"], srv.adminUrl);
      expect(rot.status, rot.err).to.equal(0);
      const r = JSON.parse(rot.out) as { key: { currentVersion: number }; job: { from: number[]; to: number; total: number } };
      expect([r.key.currentVersion, r.job.from, r.job.to, r.job.total]).to.deep.equal([2, [1], 2, 40]);

      const run = await kmipd(["rewrap", "run", "--json", "--poll-ms", "50"], srv.adminUrl);
      expect(run.status, "a failing DEK: not all moved").to.equal(1);
      expect(run.err).to.match(/rewrap: \d+ job\(s\) open/);
      const out = JSON.parse(run.out) as { complete: boolean; jobs: { key: string; state: string; succeeded: number; failed: number; remaining: number; failures: { id: string; reason: string }[] }[] };
      expect(out.complete).to.equal(false);
      expect(out.jobs[0]).to.include({ key: "pay", state: "running", succeeded: 39, failed: 1, remaining: 1 });
      expect(out.jobs[0]!.failures[0]!.id).to.equal(bad);

      const st = await kmipd(["rewrap", "status"], srv.adminUrl);
      expect(st.status).to.equal(0);
      expect(st.out.split("\n")[0]).to.equal("KEY\tACCOUNT\tFROM\tTO\tSTATE\tPROCESSED\tSUCCEEDED\tFAILED\tREMAINING\tRATE/s\tETA");
      expect(st.out).to.include("pay\tdefault\t1\t2\trunning\t40\t39\t1\t1");
      expect(st.out).to.include(`failed ${bad}`);
      expect(st.out).to.match(/integrity|unwrap|KeyProviderError|Error/i);

      const read = (f: string) => readFile(join(certs, f));
      const metrics = await new AdminClient({ url: srv.adminUrl, cert: await read("admin.pem"), key: await read("admin-key.pem"), ca: await read("ca.pem") }).call("GET", "/metrics");
      const body = String(metrics.body);
      expect(body).to.match(/kmipd_rewrap_succeeded\{[^}]*key="pay"[^}]*\} 39/);
      expect(body).to.match(/kmipd_rewrap_failed\{[^}]*\} 1/);
      expect(body).to.match(/kmipd_rewrap_remaining\{[^}]*\} 1/);

      const shown = JSON.parse((await kmipd(["key", "show", "pay", "--json"], srv.adminUrl)).out) as { versions: { version: number; state: string; objects: number }[] };
      expect(shown.versions.map((v) => [v.state, v.objects])).to.deep.equal([["previous", 1], ["active", 39]]);

      // migrate through the CLI and API: these objects are not legacy ones, so the job has nothing to move.
      const mig = await kmipd(["migrate", "--to-key", "pay", "--ids", [...keys.keys()].slice(0, 3).join(","), "--json"], srv.adminUrl);
      expect(mig.status, mig.err).to.equal(0);
      expect(JSON.parse(mig.out)).to.include({ source: "db-kek", total: 0, state: "done", key: "pay" });
      const twoScopes = await kmipd(["migrate", "--to-key", "pay", "--account", "default", "--domain", "default"], srv.adminUrl);
      expect(twoScopes.status).to.equal(2);
      expect(twoScopes.err).to.include("exactly one of");
      // --zone: the accounts all of whose principals work in the zone (here: default, of kmip-client and kmipd-admin)
      const byZone = await kmipd(["migrate", "--to-key", "pay", "--zone", "default", "--json"], srv.adminUrl);
      expect(byZone.status, byZone.err).to.equal(0);
      const z = JSON.parse(byZone.out) as { zone: string; accounts: string[]; skippedAccounts: unknown[] };
      expect(z).to.include({ zone: "default", source: "db-kek", total: 0, state: "done" });
      expect([z.accounts, z.skippedAccounts]).to.deep.equal([["default"], []]);
      const otherZone = await kmipd(["migrate", "--to-key", "pay", "--zone", "elsewhere"], srv.adminUrl);
      expect([otherZone.status, otherZone.err.includes("never wraps a DEK for zone B")], "a key of another zone").to.deep.equal([2, true]);
      expect((await kmipd(["rewrap", "status"], srv.adminUrl)).out).to.match(/migration migrate:\S+: from db-kek to pay v2, zone default/);

      const c = await client(srv.kmipPort);
      for (const [uid, k] of keys) if (uid !== bad) expect(Buffer.from((await c.get(uid)).keyBytes!).equals(k)).to.equal(true);
      await c.close();
    } finally {
      await srv.stop();
    }
    const seen = [...logs, ...cli].join("\n");
    for (const k of keys.values()) expect(seen.includes(k.toString("hex")), "key bytes in output").to.equal(false);
  });
});
