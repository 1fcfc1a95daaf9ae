import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { Op, std, template } from "./attr-helpers.js";
import { FAILED, OK, engine, val } from "./harness.js";

const AES = Enums.CryptographicAlgorithm.AES;
const constraint = (o: { types?: number[]; groups?: string[]; bits?: number }): TtlvNode =>
  struct(Tag.Constraint, [
    ...(o.types ? [struct(Tag.ObjectTypes, o.types.map((t) => enumeration(Tag.ObjectType, t)))] : []),
    ...(o.groups ? [struct(Tag.ObjectGroups, o.groups.map((g) => text(Tag.ObjectGroup, g)))] : []),
    struct(Tag.Attributes, [enumeration(Tag.CryptographicAlgorithm, AES), ...(o.bits ? [integer(Tag.CryptographicLength, o.bits)] : [])]),
  ]);
const SK = Enums.ObjectType.SymmetricKey;

async function createAes(e: ReturnType<typeof engine>, bits: number, group?: string, who?: string) {
  const attrs = [
    std("Cryptographic Algorithm", enumeration(0, AES)),
    std("Cryptographic Length", integer(0, bits)),
    std("Cryptographic Usage Mask", integer(0, 12)),
    ...(group ? [std("Object Group", text(0, group))] : []),
  ];
  return e.op(Op.Create, [enumeration(Tag.ObjectType, SK), template("2.1", attrs)], "2.1", who);
}

describe("engine: Set / Get Constraints (2.1)", () => {
  it("stores the constraints as sent, returns them, and an empty set clears them", async () => {
    const e = engine();
    const set = struct(Tag.Constraints, [constraint({ types: [SK], groups: ["Group1"], bits: 256 }), constraint({ types: [SK], bits: 192 })]);
    expect((await e.op(Op.SetConstraints, [set], "2.1")).status).to.equal(OK);
    const got = await e.op(Op.GetConstraints, [], "2.1");
    expect(got.status).to.equal(OK);
    expect(got.payload!.children).to.deep.equal([set]);
    expect((await e.op(Op.SetConstraints, [struct(Tag.Constraints, [])], "2.1")).status).to.equal(OK);
    expect((await e.op(Op.GetConstraints, [], "2.1")).payload!.children).to.deep.equal([struct(Tag.Constraints, [])]);
    await e.op(Op.SetConstraints, [set], "2.1");
    expect((await e.op(Op.SetConstraints, [], "2.1")).status, "no Constraints at all clears too").to.equal(OK);
    expect((await e.op(Op.GetConstraints, [], "2.1")).payload!.children).to.deep.equal([struct(Tag.Constraints, [])]);
  });

  it("applies them to the account's new objects: a matching constraint's attributes are required, alternatives allowed", async () => {
    const e = engine();
    const set = struct(Tag.Constraints, [constraint({ types: [SK], groups: ["Group1"], bits: 256 }), constraint({ types: [SK], bits: 192 })]);
    await e.op(Op.SetConstraints, [set], "2.1");
    expect((await createAes(e, 192)).status, "AES-192 meets the second constraint").to.equal(OK);
    const r128 = await createAes(e, 128);
    expect(r128.status).to.equal(FAILED);
    expect(r128.reason).to.equal(Enums.ResultReason.ConstraintViolation);
    expect((await createAes(e, 256, "Group1")).status, "Group1: the first constraint allows AES-256").to.equal(OK);
    expect((await createAes(e, 128, "Group1")).status).to.equal(FAILED);
    // another account is not constrained by them
    expect((await createAes(e, 128, undefined, "bob")).status).to.equal(OK);
    // a 1.4 client of the same account gets the nearest reason its version has
    const v14 = await e.op(Op.Create, [enumeration(Tag.ObjectType, SK), template("1.4", [std("Cryptographic Algorithm", enumeration(0, AES)), std("Cryptographic Length", integer(0, 128))])], "1.4");
    expect(v14.reason).to.equal(Enums.ResultReason.InvalidField);
  });

  it("refuses what it cannot apply", async () => {
    const e = engine();
    const bad = struct(Tag.Constraints, [struct(Tag.Constraint, [struct(Tag.Attributes, [text(Tag.UniqueIdentifier, "x")])]), text(Tag.Name, "n")]);
    const r = await e.op(Op.SetConstraints, [bad], "2.1");
    expect(r.status).to.equal(FAILED);
    expect(r.reason).to.equal(Enums.ResultReason.InvalidField);
    expect(val((await e.op(Op.GetConstraints, [], "2.1")).payload!.children[0] as StructureNode, Tag.Constraint)).to.equal(undefined);
  });
});
