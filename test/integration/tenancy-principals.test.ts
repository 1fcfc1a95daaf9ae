/**
 * Principals and default keys through the real server: an unregistered principal is refused
 * (and logged), auto-registration gives it an account of its own; a new account's first Create
 * makes its default key `kmip/default` in its zone (`<group>/default` with an Object Group),
 * under the most specific HSM profile available; default keys cannot be disabled or deleted.
 */
import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { KmsError } from "../../src/kms/index.js";
import { text } from "../../src/ttlv/index.js";
import { requestFailure as failure, startTenancyKmipd, type TenancyKmipd } from "./tenancy-support.js";

describe("tenancy: principals and default keys", function () {
  this.timeout(120_000);
  let srv: TenancyKmipd | undefined;
  afterEach(async () => {
    await srv?.stop();
    srv = undefined;
  });

  it("an unregistered principal gets Permission Denied for every operation, and a warning is logged", async () => {
    srv = await startTenancyKmipd();
    const c = await srv.client({ principal: "stranger" });
    for (const p of [c.create(), c.get("anything"), c.locate(), c.query([Enums.QueryFunction.QueryOperations])]) {
      const e = await failure(p);
      expect(e.reason).to.equal(Enums.ResultReason.PermissionDenied);
      expect(e.message).to.equal("principal not registered");
    }
    expect(srv.logLines.some((l) => l.includes("principal not registered") && l.includes("stranger"))).to.equal(true);
    // The dev client certificate is mapped to account "default" on the first start.
    const dev = await srv.client();
    const uid = await dev.create();
    expect((await srv.engine.objects.load(uid, "default")).owner).to.equal("default");
    expect(await srv.engine.directory.listPrincipals()).to.deep.equal([
      { principal: "kmip-client", account: "default", zone: "default", role: "user", source: "config" },
      { principal: "kmipd-admin", account: "default", zone: "default", role: "root-admin", source: "config" },
    ]);
  });

  it("auto_register: an unknown principal works in an account of its own", async () => {
    srv = await startTenancyKmipd({ overrides: { "tenancy.auto_register": true } });
    const a = await srv.client({ principal: "auto-a" });
    const b = await srv.client({ principal: "auto-b" });
    const uid = await a.create({ name: "mine" });
    expect((await a.get(uid)).keyBytes).to.have.length(32);
    expect((await failure(b.get(uid))).reason).to.equal(Enums.ResultReason.ItemNotFound);
    expect(await b.locate({ name: "mine" })).to.deep.equal([]);
    const m = (await srv.engine.directory.listPrincipals({ account: "auto-a" }))[0];
    expect(m).to.deep.equal({ principal: "auto-a", account: "auto-a", zone: "default", role: "user", source: "auto" });
  });

  it("default keys: kmip/default and <group>/default in the account's zone, under the most specific profile; never disabled or deleted", async () => {
    srv = await startTenancyKmipd({
      overrides: {
        "tenancy.principals": [
          { principal: "carol", account: "acct-c", zone: "zone-c", domain: "d1" },
          { principal: "dave", account: "acct-d", zone: "zone-d" },
        ],
      },
    });
    const { kmsKeys, profiles } = srv.engine;
    // A zone profile for zone-d: dave's default key goes there; carol's (no profile) to the database provider.
    await profiles.add({ name: "zone-d-db", provider: "database", scope: { kind: "zone", zone: "zone-d" }, details: {} });
    const carol = await srv.client({ principal: "carol" });
    expect(await kmsKeys.list({ account: "acct-c" })).to.deep.equal([]);
    const [u1, u2] = await Promise.all([carol.create(), carol.create()]);
    const keys = await kmsKeys.list({ account: "acct-c" });
    expect(keys.map((k) => [k.alias, k.zone, k.isDefault, k.hsmProfile])).to.deep.equal([["kmip/default", "zone-c", true, "database"]]);
    for (const u of [u1!, u2!]) expect((await srv.engine.objects.load(u, "acct-c")).material).to.include({ kekId: keys[0]!.id, kekVersion: 1 });
    const grouped = await carol.create({ attributes: [{ name: "Object Group", value: text(Tag.ObjectGroup, "backup") }] });
    const backup = (await kmsKeys.list({ account: "acct-c" })).find((k) => k.alias === "backup/default");
    expect(backup).to.include({ zone: "zone-c", isDefault: true });
    expect((await srv.engine.objects.load(grouped, "acct-c")).material?.kekId).to.equal(backup!.id);
    expect((await kmsKeys.show(keys[0]!.id)).versions[0]!.objects).to.equal(2);

    const dave = await srv.client({ principal: "dave" });
    await dave.create();
    expect((await kmsKeys.list({ account: "acct-d" }))[0]).to.include({ alias: "kmip/default", zone: "zone-d", hsmProfile: "zone-d-db" });

    for (const attempt of [() => kmsKeys.setState("kmip/default", "disabled", "acct-c"), () => kmsKeys.delete("kmip/default", { account: "acct-c", force: true })]) {
      const e = await attempt().then(
        () => undefined,
        (x: unknown) => x,
      );
      expect(e).to.be.instanceOf(KmsError);
      expect((e as KmsError).code).to.equal("forbidden");
    }
    expect((await kmsKeys.show("kmip/default", "acct-c")).state).to.equal("enabled");
    expect(Buffer.from((await carol.get(u1!)).keyBytes!)).to.have.length(32);
  });
});
