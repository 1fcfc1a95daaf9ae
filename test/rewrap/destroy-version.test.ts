/**
 * `kmipd key destroy-version` / DELETE /v1/keys/:name/versions/:n (issue 7, docs/REWRAP.md), on
 * the database provider and on SoftHSM, through the real admin API and CLI: refused for the
 * current version, a version still wrapping objects, a version an unfinished rewrap job still
 * moves objects from, and a version already destroyed; once allowed, the key material is gone
 * (the token object, or the KEK record), `key show` says "destroyed", an unwrap under it fails
 * cleanly, every object (on newer versions) still opens, and each attempt is audited.
 */
import { randomBytes } from "node:crypto";
import { expect } from "chai";
import pkcs11js from "pkcs11js";
import { kekObjectId, type Pkcs11Api } from "../../src/keys/pkcs11/index.js";
import { KeyProviderError } from "../../src/keys/types.js";
import { KmsError } from "../../src/kms/types.js";
import { text } from "../../src/ttlv/index.js";
import { startTenancyKmipd } from "../integration/tenancy-support.js";
import { recordKey } from "../support/secrets.js";
import { createSoftHsmToken, type SoftHsmToken } from "../support/softhsm.js";
import { adminOver } from "./support.js";

async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

for (const profile of ["database", "softhsm"] as const) {
  describe(`key destroy-version (${profile})`, function () {
    this.timeout(120_000);

    it("refuses the current, an in-use or a job's version and a second destroy; then destroys the material, shown as destroyed", async () => {
      let api: Pkcs11Api | undefined;
      let hsm: SoftHsmToken | undefined;
      if (profile === "softhsm") hsm = createSoftHsmToken("destroy", "24680135", "97531864");
      const srv = await startTenancyKmipd(hsm ? { pkcs11Overrides: { wrapModule: (raw) => (api = raw) } } : {});
      const admin = await adminOver(srv);
      const made = new Map<string, Buffer>();
      try {
        let hsmProfile = "database";
        if (hsm) {
          await srv.engine.profiles.add({ name: "hsm", provider: "pkcs11", scope: { kind: "system" }, details: { library: hsm.library, token: hsm.token, pin: hsm.pin } });
          hsmProfile = "hsm";
        }
        const key = await srv.engine.kmsKeys.create({ name: "k", zone: "default", account: "default", hsmProfile });
        const c = await srv.client();
        const create = async () => {
          const uid = await c.create({ attributes: [{ name: "x-kms-key", value: text(0, "k") }] });
          const k = Buffer.from((await c.get(uid)).keyBytes!);
          recordKey(k);
          made.set(uid, k);
          return uid;
        };
        const doomed = [await create(), await create(), await create()];
        const del = (v: number | string) => admin.api.call("DELETE", `/v1/keys/k/versions/${v}`);
        const refused = async (v: number, status: number, error: string, says: string) => {
          const r = await del(v);
          expect([r.status, (r.body as { error: string }).error], JSON.stringify(r.body)).to.deep.equal([status, error]);
          expect((r.body as { message: string }).message).to.include(says);
        };

        await refused(1, 409, "in-use", "current version");
        expect((await admin.api.call("POST", "/v1/keys/k/rotate")).status).to.equal(200);
        await refused(1, 409, "in-use", "still wraps 3 object(s)");
        await refused(2, 409, "in-use", "current version");
        await refused(7, 404, "not-found", "no version 7");
        expect((await del("x")).status).to.equal(400);
        // Its objects destroyed by the client: no object under v1 any more, but the rotation's job has not finished.
        for (const uid of doomed) {
          await c.destroy(uid);
          made.delete(uid);
        }
        expect((await srv.engine.kmsKeys.show("k")).versions[0]).to.include({ objects: 0, state: "retired" });
        await refused(1, 409, "in-use", "rewrap job");

        const kept = [await create(), await create()];
        expect(await srv.engine.rewrap.drain()).to.equal(true);
        const ok = await admin.cli(["key", "destroy-version", "k", "--version", "1", "--account", "default", "--json"]);
        expect(ok.status, ok.err).to.equal(0);
        const view = JSON.parse(ok.out) as { versions: { version: number; state: string; destroyedAt?: number }[] };
        expect(view.versions.map((v) => v.state)).to.deep.equal(["destroyed", "active"]);
        expect(view.versions[0]!.destroyedAt).to.be.a("number");
        await refused(1, 409, "destroyed", "already destroyed");
        const again = await admin.cli(["key", "destroy-version", "k", "--version", "1"]);
        expect([again.status, again.err.includes("already destroyed")]).to.deep.equal([2, true]);
        expect((await admin.cli(["key", "show", "k"])).out).to.include('"state":"destroyed"');

        // The material is gone: the token object, or the KEK record; an unwrap under v1 fails cleanly.
        const provider = srv.engine.profiles.provider(hsmProfile);
        const blob = await provider.wrap({ id: key.id, version: 2 }, randomBytes(32));
        expect(await rejected(provider.unwrap({ id: key.id, version: 1 }, blob))).to.be.instanceOf(KeyProviderError);
        const viaKms = await rejected(srv.engine.kmsKeys.unwrap({ keyId: key.id, version: 1 }, blob));
        expect(viaKms).to.be.instanceOf(KmsError);
        expect((viaKms as KmsError).code).to.equal("destroyed");
        if (api && hsm) {
          const slot = api.C_GetSlotList(true).find((x) => api!.C_GetTokenInfo(x).label.trim() === hsm!.token)!;
          const s = api.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
          const count = (version: number) => {
            api!.C_FindObjectsInit(s, [{ type: pkcs11js.CKA_LABEL, value: key.id }, { type: pkcs11js.CKA_ID, value: kekObjectId({ id: key.id, version }) }]);
            const n = api!.C_FindObjects(s, 5).length;
            api!.C_FindObjectsFinal(s);
            return n;
          };
          expect([count(1), count(2)], "v1's token object is gone, v2's is there").to.deep.equal([0, 1]);
          api.C_CloseSession(s);
        }

        // Rotate again: v2 wraps the kept objects until the rewrap moves them; then it can go too.
        await admin.api.call("POST", "/v1/keys/k/rotate");
        await refused(2, 409, "in-use", "still wraps 2 object(s)");
        expect(await srv.engine.rewrap.drain()).to.equal(true);
        expect((await del(2)).status).to.equal(200);
        expect((await srv.engine.kmsKeys.show("k")).versions.map((v) => v.state)).to.deep.equal(["destroyed", "destroyed", "active"]);
        for (const uid of kept) expect(Buffer.from((await c.get(uid)).keyBytes!).equals(made.get(uid)!)).to.equal(true);
        expect(await c.create({ attributes: [{ name: "x-kms-key", value: text(0, "k") }] })).to.be.a("string");

        const audit = srv.engine.admin.audit!.list({ operation: "admin:key.destroy-version", limit: 100, order: "asc" });
        expect(audit.map((a) => a.result)).to.deep.equal(["failure", "failure", "failure", "failure", "failure", "failure", "success", "failure", "failure", "failure", "success"]);
        expect(audit[6]!.objectIds).to.deep.equal(["k@1"]);
      } finally {
        await admin.close();
        await srv.stop();
        hsm?.remove();
      }
      const seen = admin.output.join("\n") + srv.logLines.join("\n");
      for (const k of made.values()) expect(seen.includes(k.toString("hex")), "key bytes in output").to.equal(false);
      if (hsm) expect(seen.includes(hsm.pin)).to.equal(false);
    });
  });
}
