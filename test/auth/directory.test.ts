/** The Directory on a real LMDB catalog: accounts, mappings, resolution, auto-registration, config. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { CatalogDirectory, TenancyError } from "../../src/auth/index.js";
import { openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";

async function refused(p: Promise<unknown>, code: TenancyError["code"]): Promise<void> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).to.be.instanceOf(TenancyError);
  expect((e as TenancyError).code).to.equal(code);
}

describe("auth: the directory over the LMDB catalog", () => {
  let dir: string;
  let store: LmdbObjectStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kmipd-dir-"));
    store = await openLmdbStore(dir);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("accounts and mappings: create, resolve, list, unmap; delete refused while in use", async () => {
    const d = new CatalogDirectory({ catalog: store.catalog, objects: store, now: () => 42 });
    expect(await d.resolve("p1")).to.equal(undefined);
    expect(await d.createAccount({ name: "acme", domain: "dom" })).to.deep.equal({ name: "acme", domain: "dom", createdAt: 42 });
    await refused(d.createAccount({ name: "acme", domain: "dom" }), "exists");
    await refused(d.mapPrincipal({ principal: "p1", account: "nope", zone: "z", role: "user" }), "not-found");
    await d.mapPrincipal({ principal: "p1", account: "acme", zone: "z", role: "domain-admin" });
    expect(await d.resolve("p1")).to.deep.equal({ principal: "p1", account: "acme", domain: "dom", zone: "z", role: "domain-admin" });
    expect(await d.listPrincipals({ domain: "dom" })).to.have.length(1);
    expect(await d.listPrincipals({ domain: "other" })).to.have.length(0);
    await refused(d.deleteAccount("acme"), "in-use");
    await d.unmapPrincipal("p1");
    await refused(d.unmapPrincipal("p1"), "not-found");
    await store.insert({ uid: store.newUid(), owner: "acme", body: new Uint8Array(), terms: [], revision: 1 });
    await refused(d.deleteAccount("acme"), "in-use");
    await d.createAccount({ name: "empty", domain: "dom" });
    d.addUsageCheck((a) => (a === "empty" ? "holds KMS keys" : undefined));
    await refused(d.deleteAccount("empty"), "in-use");
    await refused(d.createAccount({ name: "bad\nname", domain: "dom" }), "invalid");
  });

  it("auto-registration, config mappings (re-applied at start), and the dev mapping kept once unmapped", async () => {
    const auto = new CatalogDirectory({ catalog: store.catalog, autoRegister: true });
    expect(await auto.resolve("newbie")).to.deep.equal({ principal: "newbie", account: "newbie", domain: "default", zone: "default", role: "user" });
    expect((await auto.listPrincipals())[0]!.source).to.equal("auto");
    const d = new CatalogDirectory({ catalog: store.catalog });
    await d.applyConfig([{ principal: "svc", account: "ops", domain: "infra", zone: "eu" }, { principal: "root", account: "ops", domain: "infra", role: "root-admin" }]);
    expect(await d.resolve("svc")).to.deep.equal({ principal: "svc", account: "ops", domain: "infra", zone: "eu", role: "user" });
    expect((await d.resolve("root"))!.role).to.equal("root-admin");
    await refused(d.applyConfig([{ principal: "x", account: "ops", domain: "elsewhere" }]), "invalid");
    expect(await d.ensureMapped({ principal: "svc", account: "other", domain: "default", zone: "default", role: "user" }, "config")).to.equal(false);
    expect((await d.resolve("svc"))!.account).to.equal("ops");
  });
});
