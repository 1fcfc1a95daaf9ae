/**
 * Issue 6 on SoftHSM2 through the real server (TLS, LMDB): an HSM profile whose PIN is masked and
 * never stored in the clear, a KMS key that is a sensitive, never-extractable token key, objects
 * wrapped under it (KEK id and version recorded) that survive a restart; and an HSM outage that
 * fails only the requests needing the HSM, within kms.operation.timeout.sec, and heals by itself.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";
import pkcs11js from "pkcs11js";
import { KmipRequestError } from "../../src/client/index.js";
import { Enums, Tag } from "../../src/kmip/index.js";
import type { Pkcs11Api } from "../../src/keys/pkcs11/index.js";
import { text } from "../../src/ttlv/index.js";
import { createSoftHsmToken, type SoftHsmToken } from "../support/softhsm.js";
import { symmetricKeyContent } from "../../src/operations/key-material.js";
import { startTenancyKmipd, type TenancyKmipd } from "./tenancy-support.js";

const kmsKey = (name: string) => ({ name: "x-kms-key", value: text(Tag.AttributeValue, name) });

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe("tenancy on SoftHSM2: HSM profiles, KMS keys, restart, outage", function () {
  this.timeout(120_000);
  let hsm: SoftHsmToken;
  let srv: TenancyKmipd | undefined;
  let api: Pkcs11Api | undefined;
  const capture = { wrapModule: (a: Pkcs11Api) => (api = a) };

  before(() => (hsm = createSoftHsmToken("tenancy-hsm", "24681357", "11223344")));
  afterEach(async () => {
    await srv?.stop();
    srv = undefined;
  });
  after(() => hsm?.remove());

  it("profile PIN masked and never stored in the clear; KEK in the token; Create under it; Get after restart", async () => {
    srv = await startTenancyKmipd({ pkcs11Overrides: capture });
    const profile = await srv.engine.profiles.add({ name: "hsm1", provider: "pkcs11", scope: { kind: "system" }, details: { library: hsm.library, token: hsm.token, pin: hsm.pin } });
    expect(profile.details["pin"]).to.equal("****");
    expect((await srv.engine.profiles.show("hsm1")).details["pin"]).to.equal("****");
    expect(JSON.stringify(await srv.engine.profiles.list())).to.not.include(hsm.pin);
    // A wrong PIN is refused before anything is stored, and the message does not echo it.
    const bad = await srv.engine.profiles.add({ name: "hsm-bad", provider: "pkcs11", scope: { kind: "system" }, details: { library: hsm.library, token: hsm.token, pin: "99999999" } }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(bad?.message).to.match(/cannot open a session and log in/).and.not.include("99999999");
    expect(await srv.engine.profiles.list()).to.have.length(1);

    const key = await srv.engine.kmsKeys.create({ name: "k1", zone: "default", account: "default", hsmProfile: "hsm1" });
    expect(key).to.include({ name: "k1", hsmProfile: "hsm1", bits: 256, currentVersion: 1, state: "enabled", isDefault: false });
    const slot = api!.C_GetSlotList(true).find((x) => api!.C_GetTokenInfo(x).label.trim() === hsm.token)!;
    const s = api!.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      api!.C_FindObjectsInit(s, [{ type: pkcs11js.CKA_LABEL, value: key.id }]);
      const found = api!.C_FindObjects(s, 5);
      api!.C_FindObjectsFinal(s);
      expect(found).to.have.length(1);
      const [sensitive, neverExtractable, extractable] = api!.C_GetAttributeValue(s, found[0]!, [
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
        { type: pkcs11js.CKA_EXTRACTABLE },
      ]).map((a) => (a.value as Buffer)[0]);
      expect([sensitive, neverExtractable, extractable]).to.deep.equal([1, 1, 0]);
    } finally {
      api!.C_CloseSession(s);
    }

    const c = await srv.client();
    const dek = randomBytes(32);
    const uid = await c.register(Enums.ObjectType.SymmetricKey, symmetricKeyContent(dek, Enums.CryptographicAlgorithm.AES, dek.length * 8), { attributes: [kmsKey("k1")] });
    const created = await c.create({ attributes: [kmsKey("k1")] });
    for (const u of [uid, created]) {
      const obj = await srv.engine.objects.load(u, "default");
      expect(obj.material).to.include({ kekId: key.id, kekVersion: 1 });
    }
    expect(Buffer.from((await c.get(uid)).keyBytes!).equals(dek)).to.equal(true);
    const createdBytes = Buffer.from((await c.get(created)).keyBytes!);
    expect((await srv.engine.kmsKeys.show("k1", "default")).versions[0]!.objects).to.equal(2);
    // A 2.x client names it with the Vendor Attribute ("x", "kms-key").
    const v2 = await (await srv.client({ version: "2.0" })).create({ attributes: [kmsKey("k1")] });
    expect((await srv.engine.objects.load(v2, "default")).material?.kekId).to.equal(key.id);

    const { dataDir, certsDir } = srv;
    const firstLogs = [...srv.logLines];
    await srv.stop(true);
    for (const f of filesUnder(dataDir)) {
      const raw = readFileSync(f);
      expect(raw.includes(Buffer.from(hsm.pin)), f).to.equal(false);
      expect(raw.includes(dek), f).to.equal(false);
    }
    srv = await startTenancyKmipd({ dataDir, certsDir });
    const c2 = await srv.client();
    expect(Buffer.from((await c2.get(uid)).keyBytes!).equals(dek)).to.equal(true);
    expect(Buffer.from((await c2.get(created)).keyBytes!).equals(createdBytes)).to.equal(true);
    // Debug logging on: neither the PIN nor the key's bytes (raw, hex, base64) reach a log line.
    const secrets = [hsm.pin, dek.toString("hex"), dek.toString("base64"), createdBytes.toString("hex"), createdBytes.toString("base64")];
    const logs = [...firstLogs, ...srv.logLines];
    expect(logs.length).to.be.above(0);
    for (const line of logs) for (const x of secrets) expect(line).to.not.include(x);
  });

  it("HSM outage: HSM requests fail within kms.operation.timeout.sec with a KMIP error; others go on; /healthz reports the profile; it heals without restart", async () => {
    srv = await startTenancyKmipd({ overrides: { "kms.retry.count": 1, "kms.retry.delay.ms": 100, "kms.operation.timeout.sec": 3, "kms.cache.max_entries": 0 } });
    await srv.engine.profiles.add({ name: "hsm2", provider: "pkcs11", scope: { kind: "system" }, details: { library: hsm.library, token: hsm.token, pin: hsm.pin } });
    await srv.engine.kmsKeys.create({ name: "onhsm", zone: "default", account: "default", hsmProfile: "hsm2" });
    await srv.engine.kmsKeys.create({ name: "indb", zone: "default", account: "default", hsmProfile: "database" });
    const c = await srv.client();
    const hsmObj = await c.create({ name: "on-hsm", attributes: [kmsKey("onhsm")] });
    const dbObj = await c.create({ name: "in-db", attributes: [kmsKey("indb")] });
    await c.get(hsmObj);
    const health = async () => Object.fromEntries(await Promise.all(srv!.engine.probes().map(async (p) => [p.name, await p.check()] as const)));
    expect(await health()).to.deep.equal({ store: "ok", "hsm-profile:hsm2": "ok" });
    expect(srv.engine.probes().find((p) => p.name === "hsm-profile:hsm2")!.critical, "one HSM down leaves the server up").to.equal(false);

    hsm.takeAway();
    try {
      const t0 = Date.now();
      expect(await health()).to.deep.equal({ store: "ok", "hsm-profile:hsm2": "unavailable" });
      expect(Date.now() - t0, "the probe is bounded by the operation timeout").to.be.below(3_000 + 1_000);
      for (const attempt of [() => c.get(hsmObj), () => c.create({ attributes: [kmsKey("onhsm")] })]) {
        const t0 = Date.now();
        const err = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).to.be.instanceOf(KmipRequestError);
        expect((err as KmipRequestError).message).to.match(/HSM for profile hsm2 unavailable; retry later/);
        expect(Date.now() - t0).to.be.below(3_000 + 1_000);
      }
      // What needs no HSM still works.
      expect((await c.get(dbObj)).keyBytes).to.have.length(32);
      expect(await c.locate({ name: "on-hsm" })).to.deep.equal([hsmObj]);
      await c.query([Enums.QueryFunction.QueryOperations]);
      await c.getAttributes(hsmObj);
    } finally {
      hsm.bringBack();
    }
    let ok = false;
    for (let i = 0; i < 50 && !ok; i++) {
      ok = await c.get(hsmObj).then(
        () => true,
        async () => (await new Promise((r) => setTimeout(r, 200)), false),
      );
    }
    expect(ok, "the HSM object is readable again without a restart").to.equal(true);
    expect(await health()).to.deep.equal({ store: "ok", "hsm-profile:hsm2": "ok" });
    await c.create({ attributes: [kmsKey("onhsm")] });
    for (const line of srv.logLines) expect(line).to.not.include(hsm.pin);
  });
});
