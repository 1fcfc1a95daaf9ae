import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { enumeration, integer, struct, text, type TtlvNode } from "../../src/ttlv/index.js";
import { Op, R, getAttrs, uidOf } from "./attr-helpers.js";
import { FAILED, OK, engine } from "./harness.js";

/** A 1.x template Attribute with Attribute Index 0 before the value, as MySQL's keyring writes it. */
const mysqlAttr = (name: string, value: TtlvNode): TtlvNode =>
  struct(Tag.Attribute, [text(Tag.AttributeName, name), integer(Tag.AttributeIndex, 0), { ...value, tag: Tag.AttributeValue } as TtlvNode]);

describe("engine: non-attribute fields in a Create template (MySQL keyring)", () => {
  it("ignores Storage Status Mask sent as an Integer template attribute and creates the key", async () => {
    const e = engine();
    const tpl = struct(Tag.TemplateAttribute, [
      mysqlAttr("Storage Status Mask", integer(0, 1)),
      mysqlAttr("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.AES)),
      mysqlAttr("Cryptographic Length", integer(0, 128)),
    ]);
    const r = await e.op(Op.Create, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), tpl], "1.1");
    expect(r.status, r.message).to.equal(OK);
    const attrs = await getAttrs(e, "1.1", uidOf(r));
    expect(attrs.some((a) => a.name === "Storage Status Mask")).to.equal(false);
    expect(attrs.find((a) => a.name === "Cryptographic Length")?.value).to.include({ value: 128 });
  });

  it("still refuses a template attribute name that is neither an attribute nor a known client quirk", async () => {
    const e = engine();
    const tpl = struct(Tag.TemplateAttribute, [mysqlAttr("Storage Status", integer(0, 1))]);
    const r = await e.op(Op.Create, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), tpl], "1.1");
    expect(r.status).to.equal(FAILED);
    expect(r.reason).to.equal(R.InvalidField);
  });
});
