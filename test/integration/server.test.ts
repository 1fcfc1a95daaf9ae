import { expect } from "chai";
import { Enums, type KmipVersion } from "../../src/kmip/index.js";
import { KmipRequestError } from "../../src/client/index.js";
import { integer, struct, text, enumeration } from "../../src/ttlv/index.js";
import { Tag } from "../../src/kmip/index.js";
import { startKmipd, type RunningKmipd } from "./harness.js";

describe("integration: kmipd over real TLS and LMDB", function () {
  this.timeout(60_000);
  let srv: RunningKmipd;
  before(async () => {
    srv = await startKmipd();
  });
  after(async () => {
    await srv?.stop();
  });

  for (const version of ["1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1"] as KmipVersion[]) {
    it(`KMIP ${version}: create, get, attributes, locate by name, activate, revoke, destroy`, async () => {
      const c = await srv.client(version);
      const name = `it-${version}-${Date.now()}`;
      const uid = await c.create({ name });
      const got = await c.get(uid);
      expect(got.keyBytes).to.have.length(32);
      const attrs = await c.getAttributes(uid);
      const names = attrs.map((a) => a.name);
      expect(names).to.include.members(["Unique Identifier", "Object Type", "Cryptographic Algorithm", "Cryptographic Length", "State", "Name"]);
      expect(await c.locate({ name })).to.deep.equal([uid]);
      await c.addAttribute(uid, { name: "x-Vendor", value: text(0, "a".repeat(300)) });
      expect((await c.getAttributes(uid)).some((a) => a.name === "x-Vendor")).to.equal(true);
      await c.activate(uid);
      await c.revoke(uid, Enums.RevocationReasonCode.KeyCompromise, "test");
      await c.destroy(uid);
      try {
        await c.get(uid);
        expect.fail("Get after Destroy must fail");
      } catch (e) {
        expect(e).to.be.instanceOf(KmipRequestError);
        // 1.x has only Item Not Found; 2.x says Object Destroyed
        expect((e as KmipRequestError).reason).to.equal(version.startsWith("2.") ? Enums.ResultReason.ObjectDestroyed : Enums.ResultReason.ItemNotFound);
      }
    });
  }

  it("registers secret data, an opaque object and a symmetric key and returns identical bytes", async () => {
    const c = await srv.client("1.2");
    const secret = Buffer.from("s3cr3t-pässwörd");
    const opaque = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const key = Buffer.alloc(32, 0x5a);
    expect(Buffer.from((await c.get(await c.registerSecretData(secret))).keyBytes!).equals(secret)).to.equal(true);
    expect(Buffer.from((await c.get(await c.registerOpaque(opaque))).keyBytes!).equals(opaque)).to.equal(true);
    expect(Buffer.from((await c.get(await c.registerSymmetricKey(key, Enums.CryptographicAlgorithm.AES))).keyBytes!).equals(key)).to.equal(true);
  });

  it("answers a batch of 32 items in order over one connection", async () => {
    const c = await srv.client("1.4");
    const items = Array.from({ length: 32 }, () => ({ operation: Enums.Operation.DiscoverVersions, payload: [] }));
    const res = await c.batch(items);
    expect(res).to.have.length(32);
    expect(res.every((r) => r.status === Enums.ResultStatus.Success)).to.equal(true);
  });

  it("pipelined requests on one connection come back in order", async () => {
    const c = await srv.client("2.1");
    const uids = await Promise.all(Array.from({ length: 20 }, (_, i) => c.create({ name: `pipe-${i}-${Date.now()}` })));
    const gets = await Promise.all(uids.map((u) => c.get(u)));
    expect(gets.map((g) => g.uid)).to.deep.equal(uids);
  });

  it("an unknown operation is Operation Not Supported; a malformed payload is Invalid Message", async () => {
    const c = await srv.client("1.4");
    const [unknown] = await c.batch([{ operation: Enums.Operation.Put, payload: [] }]);
    expect(unknown!.reason).to.equal(Enums.ResultReason.OperationNotSupported);
    const [bad] = await c.batch([{ operation: Enums.Operation.Get, payload: [integer(Tag.UniqueIdentifier, 1)] }]);
    expect(bad!.reason).to.equal(Enums.ResultReason.InvalidMessage);
    const [badRevoke] = await c.batch([{ operation: Enums.Operation.Revoke, payload: [text(Tag.UniqueIdentifier, "x"), struct(Tag.RevocationReason, [enumeration(Tag.RevocationMessage, 1)])] }]);
    expect(badRevoke!.status).to.equal(Enums.ResultStatus.OperationFailed);
  });
});
