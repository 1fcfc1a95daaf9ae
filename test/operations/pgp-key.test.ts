/** PGP Key objects (KMIP 1.2+): registered and returned as they came; listed by Query from 1.2 on. */
import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { ItemType, bytes, enumeration, integer, nodesEqual, struct, text, type StructureNode } from "../../src/ttlv/index.js";
import { OK, engine, val } from "./harness.js";

const Op = Enums.Operation;
const pgpKey = struct(Tag.PGPKey, [
  integer(Tag.PGPKeyVersion, 4),
  struct(Tag.KeyBlock, [
    enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw),
    struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Buffer.from("99010d04deadbeefcafef00d0102030405060708", "hex"))]),
    enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.RSA),
    integer(Tag.CryptographicLength, 2048),
  ]),
]);

describe("engine: PGP Key objects", () => {
  it("Register then Get returns the PGP Key exactly as registered (1.4), with algorithm and length as attributes", async () => {
    const e = engine();
    const reg = await e.op(Op.Register, [enumeration(Tag.ObjectType, Enums.ObjectType.PGPKey), struct(Tag.TemplateAttribute, []), pgpKey], "1.4");
    expect(reg.status, reg.message).to.equal(OK);
    const uid = val(reg.payload, Tag.UniqueIdentifier) as string;
    const got = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid)], "1.4");
    expect(got.status, got.message).to.equal(OK);
    expect(val(got.payload, Tag.ObjectType)).to.equal(Enums.ObjectType.PGPKey);
    const back = got.payload!.children.find((c) => c.tag === Tag.PGPKey) as StructureNode;
    expect(nodesEqual(back, pgpKey)).to.equal(true);
    const attrs = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "Cryptographic Length")], "1.4");
    const a = attrs.payload!.children.find((c) => c.tag === Tag.Attribute) as StructureNode;
    expect(a.children.find((c) => c.tag === Tag.AttributeValue)).to.deep.include({ type: ItemType.Integer, value: 2048 });
  });

  it("Query Objects lists PGP Key from 1.2 on, not in 1.1 (the object type did not exist)", async () => {
    const e = engine();
    const types = async (v: "1.1" | "1.2" | "2.1") =>
      (await e.op(Op.Query, [enumeration(Tag.QueryFunction, Enums.QueryFunction.QueryObjects)], v)).payload!.children.map((c) => (c as { value: number }).value);
    expect(await types("1.1")).to.not.include(Enums.ObjectType.PGPKey);
    expect(await types("1.2")).to.include(Enums.ObjectType.PGPKey);
    expect(await types("2.1")).to.include(Enums.ObjectType.PGPKey);
  });
});
