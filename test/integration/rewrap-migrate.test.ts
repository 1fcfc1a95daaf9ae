/**
 * Issue 7 acceptance 4: legacy objects (wrapped by the database provider's "db-kek", as before
 * KMS keys) of two accounts; migrating one account moves exactly its objects under an
 * HSM-backed (SoftHSM) KMS key; all stay readable with their bytes; the other account's are untouched.
 */
import { expect } from "chai";
import { recordKey } from "../support/secrets.js";
import { createSoftHsmToken } from "../support/softhsm.js";
import { makeLegacy } from "../rewrap/legacy.js";
import { startTenancyKmipd, type TenancyKmipd } from "./tenancy-support.js";

const principals = [
  { principal: "alice", account: "acct-a", zone: "default" },
  { principal: "bob", account: "acct-b", zone: "default" },
];

describe("migrate: legacy db-kek objects of one account move under an HSM-backed KMS key", function () {
  this.timeout(120_000);

  it("moves exactly that account's objects; all readable; the other account untouched", async () => {
    let srv: TenancyKmipd = await startTenancyKmipd({ overrides: { "tenancy.principals": principals } });
    const { dataDir, certsDir } = srv;
    const made: Record<string, Map<string, Buffer>> = { alice: new Map(), bob: new Map() };
    for (const p of ["alice", "bob"] as const) {
      const c = await srv.client({ principal: p });
      for (let i = 0; i < 15; i++) {
        const uid = await c.create();
        const k = Buffer.from((await c.get(uid)).keyBytes!);
        recordKey(k);
        made[p]!.set(uid, k);
      }
    }
    await srv.stop(true);

    // Make them legacy: re-wrapped under the database provider's own KEK "db-kek", as objects from before KMS keys are.
    expect(await makeLegacy(dataDir, ["acct-a", "acct-b"])).to.equal(30);

    const hsm = createSoftHsmToken("migrate", "31415926", "27182818");
    srv = await startTenancyKmipd({ dataDir, certsDir, overrides: { "tenancy.principals": principals } });
    try {
      await srv.engine.profiles.add({ name: "hsm", provider: "pkcs11", scope: { kind: "system" }, details: { library: hsm.library, token: hsm.token, pin: hsm.pin } });
      const target = await srv.engine.kmsKeys.create({ name: "target", zone: "default", account: "acct-a", hsmProfile: "hsm" });
      const job = await srv.engine.rewrap.migrate({ toKey: "target", account: "acct-a", owners: ["acct-a"] });
      expect(job).to.include({ source: "db-kek", total: 15, remaining: 15 });
      expect(await srv.engine.rewrap.drain()).to.equal(true);
      expect(srv.engine.rewrap.status().find((j) => j.id === job.id)).to.include({ state: "done", succeeded: 15, failed: 0, remaining: 0 });

      const inspect = srv.engine.admin.objects!;
      for (const uid of made.alice!.keys()) expect((await inspect.inspect(uid))!.kek).to.deep.include({ id: target.id, version: 1 });
      for (const uid of made.bob!.keys()) expect((await inspect.inspect(uid))!.kek).to.deep.include({ id: "db-kek" });
      expect((await srv.engine.kmsKeys.show("target", "acct-a")).versions[0]!.objects).to.equal(15);
      for (const p of ["alice", "bob"] as const) {
        const c = await srv.client({ principal: p });
        for (const [uid, k] of made[p]!) expect(Buffer.from((await c.get(uid)).keyBytes!).equals(k), `${p} ${uid}`).to.equal(true);
      }
    } finally {
      await srv.stop();
      hsm.remove();
    }
  });
});
