/**
 * `migrate --zone` (issue 7, docs/REWRAP.md "Migration"): legacy (db-kek) objects of accounts in
 * zones east and west, and of one account with principals in both. POST /v1/migrate with
 * {zone: "east"} through the real admin API moves exactly the east account's objects under a
 * KMS key of zone east; all stay readable; west and the mixed account are untouched, the mixed
 * one reported in skippedAccounts. A key of another zone is refused (400), and so is naming two scopes.
 */
import { expect } from "chai";
import { SEVERAL_ZONES } from "../../src/rewrap/index.js";
import { startTenancyKmipd, type TenancyKmipd } from "../integration/tenancy-support.js";
import { recordKey } from "../support/secrets.js";
import { makeLegacy } from "./legacy.js";
import { adminOver } from "./support.js";

const principals = [
  { principal: "e1", account: "acct-east", zone: "east" },
  { principal: "e2", account: "acct-east", zone: "east" },
  { principal: "w1", account: "acct-west", zone: "west" },
  { principal: "m1", account: "acct-mixed", zone: "east" },
  { principal: "m2", account: "acct-mixed", zone: "west" },
];
const owners = { e1: "acct-east", w1: "acct-west", m1: "acct-mixed" } as const;

describe("migrate --zone: the accounts wholly in a zone, under a key of that zone", function () {
  this.timeout(120_000);

  it("moves exactly east's objects; west and the mixed account untouched; a key of another zone refused", async () => {
    let srv: TenancyKmipd = await startTenancyKmipd({ overrides: { "tenancy.principals": principals } });
    const { dataDir, certsDir } = srv;
    const made = new Map<string, Map<string, Buffer>>();
    for (const p of Object.keys(owners) as (keyof typeof owners)[]) {
      const c = await srv.client({ principal: p });
      const mine = new Map<string, Buffer>();
      for (let i = 0; i < 8; i++) {
        const uid = await c.create();
        const k = Buffer.from((await c.get(uid)).keyBytes!);
        recordKey(k);
        mine.set(uid, k);
      }
      made.set(p, mine);
    }
    await srv.stop(true);
    expect(await makeLegacy(dataDir, Object.values(owners))).to.equal(24);

    srv = await startTenancyKmipd({ dataDir, certsDir, overrides: { "tenancy.principals": principals } });
    const admin = await adminOver(srv);
    const { api } = admin;
    try {
      const east = await srv.engine.kmsKeys.create({ name: "east-key", zone: "east", account: "acct-east", hsmProfile: "database" });
      await srv.engine.kmsKeys.create({ name: "west-key", zone: "west", account: "acct-west", hsmProfile: "database" });

      const wrongZone = await api.call("POST", "/v1/migrate", { toKey: "west-key", zone: "east" });
      expect(wrongZone.status).to.equal(400);
      expect(wrongZone.body).to.deep.include({ error: "invalid" });
      expect(JSON.stringify(wrongZone.body)).to.include("never wraps a DEK for zone");
      const two = await api.call("POST", "/v1/migrate", { toKey: "east-key", zone: "east", account: "acct-east" });
      expect(two.status).to.equal(400);
      expect(srv.engine.rewrap.status(), "a refused migration records no job").to.have.length(0);

      const r = await api.call("POST", "/v1/migrate", { toKey: "east-key", zone: "east" });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      const job = r.body as { id: string; zone: string; source: string; total: number; accounts: string[]; skippedAccounts: { account: string; zones: string[]; reason: string }[] };
      expect(job).to.include({ zone: "east", source: "db-kek", total: 8 });
      expect(job.accounts).to.deep.equal(["acct-east"]);
      expect(job.skippedAccounts).to.deep.equal([{ account: "acct-mixed", zones: ["east", "west"], reason: SEVERAL_ZONES }]);
      expect(await srv.engine.rewrap.drain()).to.equal(true);
      const done = srv.engine.rewrap.status().find((j) => j.id === job.id)!;
      expect(done).to.include({ state: "done", succeeded: 8, failed: 0, remaining: 0, zone: "east" });

      const inspect = srv.engine.admin.objects!;
      for (const [p, objs] of made) {
        for (const uid of objs.keys()) expect((await inspect.inspect(uid))!.kek!.id, `${p} ${uid}`).to.equal(p === "e1" ? east.id : "db-kek");
      }
      expect((await srv.engine.kmsKeys.show("east-key", "acct-east")).versions[0]!.objects).to.equal(8);
      for (const [p, objs] of made) {
        const c = await srv.client({ principal: p });
        for (const [uid, k] of objs) expect(Buffer.from((await c.get(uid)).keyBytes!).equals(k), `${p} ${uid}`).to.equal(true);
      }
      // the other principal of east's account reads them too
      const e2 = await srv.client({ principal: "e2" });
      for (const [uid, k] of made.get("e1")!) expect(Buffer.from((await e2.get(uid)).keyBytes!).equals(k)).to.equal(true);

      const audit = srv.engine.admin.audit!;
      expect(audit.list({ operation: "admin:migrate", limit: 10, order: "asc" }).map((a) => a.result)).to.deep.equal(["failure", "failure", "success"]);
    } finally {
      await admin.close();
      await srv.stop();
    }
    for (const objs of made.values()) for (const k of objs.values()) expect(admin.output.join("").includes(k.toString("hex"))).to.equal(false);
  });
});
