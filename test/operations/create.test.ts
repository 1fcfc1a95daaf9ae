import { expect } from "chai";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { boolean, bytes, dateTime, enumeration, integer, struct, text, type StructureNode } from "../../src/ttlv/index.js";
import { Op, R, aesAttrs, std, template, uidOf } from "./attr-helpers.js";
import { OK, engine, val } from "./harness.js";

describe("engine: Create", () => {
  for (const version of ["1.4", "2.1"] as const) {
    it(`makes Secret Data of the length asked for, returned as a Password (${version})`, async () => {
      const e = engine();
      const r = await e.op(Op.Create, [enumeration(Tag.ObjectType, Enums.ObjectType.SecretData), template(version, [std("Cryptographic Length", integer(0, 80))])], version);
      expect(r.status, r.message).to.equal(OK);
      const got = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uidOf(r))], version);
      expect(got.status, got.message).to.equal(OK);
      const sd = got.payload!.children.find((c) => c.tag === Tag.SecretData) as StructureNode;
      expect(val(sd, Tag.SecretDataType)).to.equal(Enums.SecretDataType.Password);
      const kv = (sd.children.find((c) => c.tag === Tag.KeyBlock) as StructureNode).children.find((c) => c.tag === Tag.KeyValue) as StructureNode;
      expect(val(kv, Tag.KeyMaterial)).to.have.length(10);
    });
  }

  it("makes an 80-bit SKIPJACK key (SKFF-O-1/2/3 of 1.0–1.2) but offers no SKIPJACK cipher", async () => {
    const e = engine();
    const mk = (bits: number) =>
      e.op(Op.Create, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), struct(Tag.Attributes, [
        enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.SKIPJACK), integer(Tag.CryptographicLength, bits),
        integer(Tag.CryptographicUsageMask, Masks.CryptographicUsageMask.Encrypt), dateTime(Tag.ActivationDate, BigInt(Math.floor(Date.now() / 1000) - 60)),
      ])], "2.1");
    expect((await mk(64)).reason).to.equal(R.InvalidField);
    const r = await mk(80);
    expect(r.status, r.message).to.equal(OK);
    const enc = await e.op(Op.Encrypt, [text(Tag.UniqueIdentifier, uidOf(r)), bytes(Tag.Data, Buffer.alloc(8))], "2.1");
    expect(enc.status).to.not.equal(OK);
  });

  it("refuses a Quantum Safe request for material under 256 bits (General Failure), grants it at 256", async () => {
    const e = engine();
    const ask = (bits: number) =>
      e.op(Op.Create, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), struct(Tag.Attributes, [
        enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES), integer(Tag.CryptographicLength, bits), boolean(Tag.QuantumSafe, true),
      ])], "2.1");
    expect((await ask(128)).reason).to.equal(R.GeneralFailure);
    expect((await ask(256)).status).to.equal(OK);
  });

  it("a key that is not extractable is never returned; a sensitive one only wrapped", async () => {
    const e = engine();
    const make = async (flag: string) =>
      uidOf(await e.op(Op.Create, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), template("1.4", [...aesAttrs(), std(flag, boolean(0, flag === "Sensitive"))])], "1.4"));
    expect((await e.op(Op.Get, [text(Tag.UniqueIdentifier, await make("Extractable"))], "1.4")).reason).to.equal(R.NotExtractable);
    expect((await e.op(Op.Get, [text(Tag.UniqueIdentifier, await make("Sensitive"))], "1.4")).reason).to.equal(R.Sensitive);
    expect((await e.op(Op.Get, [text(Tag.UniqueIdentifier, await make("Extractable"))], "1.2")).reason, "1.2 has no Not Extractable").to.equal(R.PermissionDenied);
  });

  it("a critical message extension is Feature Not Supported in 1.x, Unknown Message Extension in 2.x", async () => {
    const e = engine();
    const ext = struct(Tag.MessageExtension, [text(Tag.VendorIdentification, "acme"), boolean(Tag.CriticalityIndicator, true), struct(Tag.VendorExtension, [])]);
    for (const [version, reason] of [["1.1", R.FeatureNotSupported], ["2.1", R.UnknownMessageExtension]] as const) {
      const [major, minor] = version.split(".").map(Number) as [number, number];
      const req = struct(Tag.RequestMessage, [
        struct(Tag.RequestHeader, [struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, major), integer(Tag.ProtocolVersionMinor, minor)]), integer(Tag.BatchCount, 1)]),
        struct(Tag.BatchItem, [enumeration(Tag.Operation, Op.Query), struct(Tag.RequestPayload, []), ext]),
      ]);
      const item = (await e.raw(req)).children[1] as StructureNode;
      expect(val(item, Tag.ResultReason), version).to.equal(reason);
    }
  });
});
