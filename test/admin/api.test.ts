/** The admin API over real HTTPS with dev-PKI certificates: roles, scoping, masking, errors, audit. */
import { expect } from "chai";
import { createSelfSigned } from "../../src/server/pki.js";
import { AdminClient } from "../../src/cli/admin-client.js";
import { startAdminFixture, type AdminFixture } from "./support.js";

const PIN = "pin-7c1e9d-secret";

describe("admin API (HTTPS, mutual TLS, fake services)", function () {
  this.timeout(20000);
  let f: AdminFixture;
  beforeEach(async () => {
    f = await startAdminFixture();
    const d = f.services.directory;
    await d.mapPrincipal({ principal: "dadmin", account: "acme", zone: "z1", role: "domain-admin" });
    await d.mapPrincipal({ principal: "alice", account: "acme", zone: "z1", role: "user" });
  });
  afterEach(() => f.stop());

  const addProfile = (c: AdminClient, name = "luna") =>
    c.call("POST", "/v1/hsm-profiles", { name, provider: "pkcs11", vendor: "thales", scope: { kind: "zone", zone: "z1" }, details: { library: "/usr/lib/softhsm/libsofthsm2.so", token: "kmipd", pin: PIN } });

  it("a root admin adds an HSM profile; its PIN is masked in every response, absent from logs and audit", async () => {
    const admin = await f.client();
    const added = await addProfile(admin);
    expect(added.status).to.equal(201);
    expect((added.body as { details: Record<string, string> }).details).to.deep.equal({ library: "/usr/lib/softhsm/libsofthsm2.so", token: "kmipd", pin: "****" });
    const bodies = [added.body, (await admin.call("GET", "/v1/hsm-profiles")).body, (await admin.call("GET", "/v1/hsm-profiles/luna")).body];
    // a failing add (exists) and a malformed one must not echo it either
    bodies.push((await addProfile(admin)).body);
    bodies.push((await admin.call("POST", "/v1/hsm-profiles", { name: "x", provider: "bogus", details: { pin: PIN } })).body);
    bodies.push((await admin.call("GET", "/v1/audit")).body);
    for (const b of bodies) expect(JSON.stringify(b)).not.to.include(PIN);
    expect(f.logLines.join("")).not.to.include(PIN);
    expect(JSON.stringify(f.services.audit.records)).not.to.include(PIN);
    const rec = f.services.audit.records.find((r) => r.operation === "admin:hsm-profile.add" && r.result === "success");
    expect(rec).to.include({ principal: "kmipd-admin", account: "default", result: "success" });
    expect(rec!.objectIds).to.deep.equal(["luna"]);
    expect(rec!.clientAddress).to.match(/^127\.0\.0\.1:\d+$/);
  });

  it("a user cannot add a profile (403, audited as a failure) but may create and list its own keys", async () => {
    await addProfile(await f.client());
    const alice = await f.client("alice");
    const r = await addProfile(alice, "mine");
    expect(r.status).to.equal(403);
    expect(r.body).to.deep.include({ error: "forbidden" });
    expect(f.services.audit.records.at(-1)).to.include({ operation: "admin:hsm-profile.add", principal: "alice", result: "failure", reason: "forbidden" });
    expect((await alice.call("GET", "/v1/hsm-profiles")).status).to.equal(403);

    const k = await alice.call("POST", "/v1/keys", { name: "app", hsmProfile: "luna" });
    expect(k.status).to.equal(201);
    expect(k.body).to.deep.include({ account: "acme", zone: "z1", bits: 256 });
    expect((await alice.call("POST", "/v1/keys", { name: "x", hsmProfile: "luna", account: "globex" })).status).to.equal(403);
    expect((await alice.call("POST", "/v1/keys", { name: "x", hsmProfile: "luna", zone: "z2" })).status).to.equal(403);
    await f.services.keys.create({ name: "theirs", zone: "z2", account: "globex", hsmProfile: "luna" });
    const list = (await alice.call("GET", "/v1/keys")).body as { name: string }[];
    expect(list.map((x) => x.name)).to.deep.equal(["app"]);
    expect((await alice.call("GET", "/v1/keys?account=globex")).status).to.equal(403);
    expect((await alice.call("POST", "/v1/keys/app/disable")).status).to.equal(403);
    expect((await alice.call("GET", "/v1/accounts")).status).to.equal(403);
  });

  it("a domain admin is limited to its domain's accounts, keys, principals and objects", async () => {
    await addProfile(await f.client());
    const da = await f.client("dadmin");
    expect(((await da.call("GET", "/v1/accounts")).body as { name: string }[]).map((a) => a.name).sort()).to.deep.equal(["acme", "acme2"]);
    expect((await da.call("POST", "/v1/keys", { name: "k1", hsmProfile: "luna", account: "acme2", zone: "z1" })).status).to.equal(201);
    expect((await da.call("POST", "/v1/keys", { name: "k2", hsmProfile: "luna", account: "globex", zone: "z1" })).status).to.equal(403);
    await f.services.keys.create({ name: "g", zone: "z2", account: "globex", hsmProfile: "luna" });
    expect(((await da.call("GET", "/v1/keys")).body as { name: string }[]).map((k) => k.name)).to.deep.equal(["k1"]);
    expect((await da.call("POST", "/v1/keys/k1/disable?account=acme2")).body).to.deep.include({ state: "disabled" });
    expect((await da.call("POST", "/v1/keys/g/disable?account=globex")).status).to.equal(403);
    expect((await da.call("POST", "/v1/accounts", { name: "new", domain: "d2" })).status).to.equal(403);
    expect((await da.call("POST", "/v1/accounts", { name: "new" })).body).to.deep.include({ name: "new", domain: "d1" });
    expect((await da.call("POST", "/v1/principals", { principal: "bob", account: "acme", role: "root-admin" })).status).to.equal(403);
    expect((await da.call("POST", "/v1/principals", { principal: "bob", account: "globex" })).status).to.equal(403);
    expect((await da.call("POST", "/v1/principals", { principal: "bob", account: "acme" })).status).to.equal(201);
    expect((await da.call("DELETE", "/v1/principals/kmipd-admin")).status).to.equal(403);
    expect((await da.call("POST", "/v1/hsm-profiles", { name: "p", provider: "database" })).status).to.equal(403);
    expect((await da.call("GET", "/v1/audit")).status).to.equal(403);
    f.services.objects.objects.set("u1", { id: "u1", objectType: "SymmetricKey", state: "Active", ownerAccount: "globex", dates: {} });
    f.services.objects.objects.set("u2", { id: "u2", objectType: "SymmetricKey", state: "Active", ownerAccount: "acme", kek: { id: "k", name: "k1", version: 1 }, dates: {} });
    expect((await da.call("GET", "/v1/objects/u1")).status).to.equal(404); // another domain's: as if absent
    expect((await da.call("GET", "/v1/objects/u2")).body).to.deep.include({ ownerAccount: "acme", kek: { id: "k", name: "k1", version: 1 } });
  });

  it("maps service errors to 400/404/409/503 as JSON {error, message}", async () => {
    const admin = await f.client();
    expect((await admin.call("GET", "/v1/hsm-profiles/nope")).status).to.equal(404);
    await addProfile(admin);
    const dup = await addProfile(admin);
    expect(dup.status).to.equal(409);
    expect(dup.body).to.deep.equal({ error: "exists", message: "HSM profile luna exists" });
    f.services.profiles.failLogin = "hsm2";
    expect((await addProfile(admin, "hsm2")).status).to.equal(503);
    expect((await admin.call("POST", "/v1/keys", { name: "k", hsmProfile: "luna", bits: 100 })).status).to.equal(400);
    await admin.call("POST", "/v1/keys", { name: "k", hsmProfile: "luna" });
    f.services.keys.wrap("k", 3);
    const inUse = await admin.call("DELETE", "/v1/keys/k");
    expect(inUse.status).to.equal(409);
    expect((inUse.body as { message: string }).message).to.include("3 objects");
    expect((await admin.call("DELETE", "/v1/keys/k?force=true")).status).to.equal(200);
    expect((await admin.call("GET", "/v1/nothing")).status).to.equal(404);
    expect((await admin.call("DELETE", "/v1/hsm-profiles")).status).to.equal(405);
    const big = await admin.call("POST", "/v1/accounts", { name: "a", domain: "x".repeat(100_000) });
    expect(big.status).to.equal(413);
  });

  it("refuses unregistered principals and certificates from another CA; fails the action if it cannot be audited", async () => {
    expect((await (await f.client("stranger")).call("GET", "/v1/keys")).status).to.equal(403);
    const self = await createSelfSigned({ commonName: "kmipd-admin", usage: "client" });
    const { readFile } = await import("node:fs/promises");
    const rogue = new AdminClient({ url: f.url, cert: self.certPem, key: self.keyPem, ca: await readFile(f.certs.ca) });
    const r = await rogue.call("GET", "/v1/hsm-profiles");
    expect(r.status).to.equal(403);
    expect(r.body).to.deep.include({ error: "unauthenticated" });
    f.services.audit.failing = true;
    expect((await (await f.client()).call("GET", "/v1/accounts")).status).to.equal(503);
  });

  it("audit list filters, verify answers; every admin action names its principal and object", async () => {
    const admin = await f.client();
    await admin.call("POST", "/v1/accounts", { name: "n1", domain: "d9" });
    await admin.call("DELETE", "/v1/accounts/n1");
    const recs = (await admin.call("GET", "/v1/audit?operation=admin:account.delete")).body as { objectIds: string[]; principal: string }[];
    expect(recs).to.have.length(1);
    expect(recs[0]).to.deep.include({ objectIds: ["n1"], principal: "kmipd-admin" });
    expect((await admin.call("GET", "/v1/audit/verify")).body).to.deep.include({ ok: true });
    expect((await admin.call("GET", "/v1/audit?since=yesterday")).status).to.equal(400);
  });

  it("/healthz: 200 when the store and KMIP listener are up, 503 otherwise; HSM state reported", async () => {
    const c = await f.client("stranger"); // any certificate of the CA
    expect(await c.call("GET", "/healthz")).to.deep.equal({ status: 200, body: { status: "ok", kmip: "ok", checks: { store: "ok", "hsm:luna": "ok" } } });
    f.state.hsm = "unavailable";
    const h = await c.call("GET", "/healthz");
    expect(h.status).to.equal(200);
    expect(h.body).to.deep.include({ checks: { store: "ok", "hsm:luna": "unavailable" } });
    f.state.store = "unavailable";
    expect((await c.call("GET", "/healthz")).status).to.equal(503);
    f.state.store = "ok";
    f.state.kmipUp = false;
    expect((await c.call("GET", "/healthz")).body).to.deep.include({ status: "unavailable", kmip: "unavailable" });
  });

  it("/metrics needs a registered principal and serves the Prometheus text format", async () => {
    f.metrics.hsmCall("luna", "ok");
    f.metrics.hsmCall("luna", "error");
    f.metrics.setObjectCounts(async () => [{ kek: "acme/k", version: 2, objects: 5 }]);
    expect((await (await f.client("stranger")).call("GET", "/metrics")).status).to.equal(403);
    const m = await (await f.client("alice")).call("GET", "/metrics");
    expect(m.status).to.equal(200);
    const text = m.body as string;
    expect(text).to.include('kmipd_hsm_calls_total{profile="luna",result="error"} 1');
    expect(text).to.include('kmipd_hsm_errors_total{profile="luna"} 1');
    expect(text).to.include('kmipd_objects{kek="acme/k",version="2"} 5');
  });
});
