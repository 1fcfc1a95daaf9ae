/**
 * The KMS services on a real LMDB store with the database provider: profile secrets sealed and
 * masked, profiles and keys refused while in use, key state and rotation, the router's choices
 * and refusals, and the unwrapped-content cache (bounds, age, invalidation).
 */
import { createSecretKey, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import type { Tenant } from "../../src/auth/index.js";
import { createDatabaseKeyProvider } from "../../src/keys/database/index.js";
import type { KeyProvider } from "../../src/keys/types.js";
import { HsmProfileService, KmsError, KmsKeyService, UnwrappedCache, isSecretField } from "../../src/kms/index.js";
import { deriveProfileSecretsKey, openSecret, sealSecret } from "../../src/kms/secrets.js";
import { openLmdbStore, type LmdbObjectStore } from "../../src/store/lmdb/index.js";

const tenant = (account: string, zone: string): Tenant => ({ principal: `${account}-p`, account, domain: "default", zone, role: "user" });

async function refused(p: Promise<unknown>, code: KmsError["code"]): Promise<KmsError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e, `expected KmsError ${code}`).to.be.instanceOf(KmsError);
  expect((e as KmsError).code).to.equal(code);
  return e as KmsError;
}

describe("kms: profiles, keys, router, cache (LMDB, database provider)", () => {
  let dir: string;
  let store: LmdbObjectStore;
  let db: KeyProvider;
  let profiles: HsmProfileService;
  let keys: KmsKeyService;
  let cache: UnwrappedCache;
  const master = createSecretKey(randomBytes(32));

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "kmipd-kms-"));
    store = await openLmdbStore(dir);
    db = createDatabaseKeyProvider({ store, masterKey: master });
    profiles = new HsmProfileService({ catalog: store.catalog, masterKey: master, database: db, pkcs11: { retryCount: 0, retryDelayMs: 10, operationTimeoutMs: 2000 } });
    cache = new UnwrappedCache({ maxEntries: 10, ttlSec: 60 });
    keys = new KmsKeyService({ catalog: store.catalog, profiles, objects: store, cache });
  });
  afterEach(async () => {
    await profiles.close();
    await db.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("profile secrets: sealed at rest under an HKDF key bound to profile and field, '****' in every view", async () => {
    const v = await profiles.add({ name: "p1", provider: "database", scope: { kind: "account", account: "a" }, details: { pin: "1234-secret", "so-pin": "so-secret-value", label: "x" } });
    expect(v.details).to.deep.equal({ pin: "****", "so-pin": "****", label: "x" });
    const raw = Buffer.from(store.catalog.catalogGet("profiles", "p1")!).toString("utf8");
    expect(raw).to.not.include("1234-secret").and.not.include("so-secret-value");
    expect(["pin", "user_pin", "PASSWORD", "client-secret"].every(isSecretField)).to.equal(true);
    const k = deriveProfileSecretsKey(master);
    const sealed = sealSecret(k, "p1", "pin", "s3cret");
    expect(openSecret(k, "p1", "pin", sealed)).to.equal("s3cret");
    expect(() => openSecret(k, "p2", "pin", sealed)).to.throw(KmsError);
    expect(() => openSecret(deriveProfileSecretsKey(createSecretKey(randomBytes(32))), "p1", "pin", sealed)).to.throw(/cannot be decrypted/);
    await refused(profiles.add({ name: "p1", provider: "database", scope: { kind: "system" }, details: {} }), "exists");
    await refused(profiles.add({ name: "database", provider: "database", scope: { kind: "system" }, details: {} }), "invalid");
    const e = await refused(profiles.add({ name: "bad", provider: "pkcs11", scope: { kind: "system" }, details: { library: "/nonexistent.so", token: "t", pin: "pin-xyz" } }), "invalid");
    expect(e.message).to.not.include("pin-xyz");
  });

  it("most specific profile: account, then zone, then system", async () => {
    expect(profiles.mostSpecific("a", "z")).to.equal(undefined);
    await profiles.add({ name: "sys", provider: "database", scope: { kind: "system" }, details: {} });
    expect(profiles.mostSpecific("a", "z")).to.equal("sys");
    await profiles.add({ name: "zone", provider: "database", scope: { kind: "zone", zone: "z" }, details: {} });
    expect(profiles.mostSpecific("a", "z")).to.equal("zone");
    expect(profiles.mostSpecific("a", "other")).to.equal("sys");
    await profiles.add({ name: "acct", provider: "database", scope: { kind: "account", account: "a" }, details: {} });
    expect(profiles.mostSpecific("a", "z")).to.equal("acct");
    expect(profiles.mostSpecific("b", "z")).to.equal("zone");
  });

  it("keys: create, show, list, disable/enable, rotate, delete refused while in use (with the count) unless forced", async () => {
    await profiles.add({ name: "zp", provider: "database", scope: { kind: "zone", zone: "z1" }, details: {} });
    await refused(keys.create({ name: "k", zone: "z2", account: "a", hsmProfile: "zp" }), "forbidden");
    const k = await keys.create({ name: "k", zone: "z1", account: "a", hsmProfile: "zp", bits: 128, description: "test" });
    expect(k).to.include({ name: "k", zone: "z1", account: "a", bits: 128, state: "enabled", currentVersion: 1, isDefault: false });
    await refused(keys.create({ name: "k", zone: "z1", account: "a", hsmProfile: "zp" }), "exists");
    await refused(keys.create({ name: "kmip/default", zone: "z1", account: "a", hsmProfile: "zp" }), "invalid");
    await refused(profiles.delete("zp"), "in-use");
    const choice = await keys.kekForNew(tenant("a", "z1"), { requested: "k" });
    expect(choice).to.deep.equal({ keyId: k.id, version: 1 });
    const dek = randomBytes(32);
    const blob = await keys.wrap(choice, dek);
    expect(Buffer.from(await keys.unwrap(choice, blob)).equals(dek)).to.equal(true);

    const r = await keys.rotate("k", "a");
    expect(r.currentVersion).to.equal(2);
    expect(r.versions.map((v) => v.state)).to.deep.equal(["retired", "active"]);
    expect(await keys.kekForNew(tenant("a", "z1"), { requested: k.id })).to.deep.equal({ keyId: k.id, version: 2 });
    expect(Buffer.from(await keys.unwrap(choice, blob)).equals(dek), "old versions keep unwrapping").to.equal(true);

    await keys.setState("k", "disabled", "a");
    await refused(keys.unwrap(choice, blob), "forbidden");
    await refused(keys.kekForNew(tenant("a", "z1"), { requested: "k" }), "invalid");
    await keys.setState("k", "enabled", "a");

    // An object indexed under version 2 makes the key "in use".
    const material = { kekId: k.id, kekVersion: 2, algorithm: "AES-KWP" as const, blob: new Uint8Array(16) };
    await store.insert({ uid: store.newUid(), owner: "a", body: new Uint8Array(), material, terms: [], revision: 1 });
    const e = await refused(keys.delete("k", { account: "a" }), "in-use");
    expect(e.message).to.include("1 object(s)");
    expect((await keys.show("k", "a")).versions[1]!.objects).to.equal(1);
    await keys.delete("k", { account: "a", force: true });
    await refused(keys.show("k", "a"), "not-found");
    await refused(keys.unwrap(choice, blob), "not-found");
    await profiles.delete("zp");
  });

  it("router: default keys per account, zone and service, created once under concurrency; foreign or unknown names are one error", async () => {
    const t = tenant("a", "z1");
    const picks = await Promise.all(Array.from({ length: 8 }, () => keys.kekForNew(t, {})));
    expect(new Set(picks.map((p) => p.keyId)).size).to.equal(1);
    const svc = await keys.kekForNew(t, { service: "backup" });
    expect(svc.keyId).to.not.equal(picks[0]!.keyId);
    const other = await keys.kekForNew(tenant("a", "z2"), {});
    expect(other.keyId).to.not.equal(picks[0]!.keyId);
    const list = await keys.list({ account: "a" });
    expect(list.map((k) => `${k.zone}:${k.alias}`).sort()).to.deep.equal(["z1:backup/default", "z1:kmip/default", "z2:kmip/default"]);
    await refused(keys.show("kmip/default", "a"), "invalid"); // two zones: ambiguous by name
    await refused(keys.setState(picks[0]!.keyId, "disabled"), "forbidden");
    await refused(keys.delete(picks[0]!.keyId, { force: true }), "forbidden");
    expect(keys.accountUsage("a")).to.match(/3 KMS key/);
    const own = await keys.create({ name: "mine", zone: "z1", account: "a", hsmProfile: "database" });
    const m1 = await refused(keys.kekForNew(tenant("b", "z1"), { requested: "mine" }), "invalid");
    const m2 = await refused(keys.kekForNew(tenant("b", "z1"), { requested: "no-such-key" }), "invalid");
    expect(m1.message.replace("mine", "X")).to.equal(m2.message.replace("no-such-key", "X"));
    await refused(keys.kekForNew(tenant("b", "z1"), { requested: own.id }), "invalid");
  });

  it("two creations racing for one name: exactly one wins", async () => {
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => keys.create({ name: "race", zone: "z", account: "a", hsmProfile: "database" })));
    expect(results.filter((r) => r.status === "fulfilled")).to.have.length(1);
    for (const r of results) if (r.status === "rejected") expect((r.reason as KmsError).code).to.equal("exists");
    expect(await keys.list({ account: "a" })).to.have.length(1);
  });

  it("legacy objects under db-kek still unwrap through the database provider", async () => {
    const kek = await db.currentKek();
    const blob = await db.wrap(kek, Buffer.from("legacy dek bytes"));
    expect(Buffer.from(await keys.unwrap({ keyId: "db-kek", version: kek.version }, blob)).toString()).to.equal("legacy dek bytes");
  });

  it("cache: bounded by entries (LRU) and age; keyed to the exact wrapped blob; drops by object and by KMS key", () => {
    let now = 0;
    const c = new UnwrappedCache({ maxEntries: 2, ttlSec: 10 }, () => now);
    const m = (id: string, b: number) => ({ kekId: id, kekVersion: 1, blob: Buffer.of(b) });
    c.set("u1", m("k1", 1), Buffer.from("one"));
    c.set("u2", m("k1", 2), Buffer.from("two"));
    expect(c.get("u1", m("k1", 1))?.toString()).to.equal("one"); // u1 now most recent
    c.set("u3", m("k2", 3), Buffer.from("three"));
    expect(c.get("u2", m("k1", 2))).to.equal(undefined); // least recently used went first
    expect(c.get("u1", m("k1", 9)), "another blob: not this entry").to.equal(undefined);
    c.set("u1", m("k1", 1), Buffer.from("one"));
    now = 11_000;
    expect(c.get("u1", m("k1", 1)), "too old").to.equal(undefined);
    now = 0;
    c.set("u4", m("k2", 4), Buffer.from("four"));
    c.dropKek("k2");
    expect(c.size).to.equal(0);
    const off = new UnwrappedCache({ maxEntries: 0, ttlSec: 10 });
    off.set("u", m("k", 1), Buffer.from("x"));
    expect(off.size).to.equal(0);
  });
});
