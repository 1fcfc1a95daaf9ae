import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { attrToV1 } from "../../src/model/index.js";
import { enumeration, integer, struct, text } from "../../src/ttlv/index.js";
import { Op, R, aesAttrs, custom, getAttrs, nameAttr, std, template, textOf, uidOf } from "./attr-helpers.js";
import { OK, engine, val } from "./harness.js";

const templateName = (v: string) =>
  struct(Tag.Name, [text(Tag.NameValue, v), enumeration(Tag.NameType, Enums.NameType.UninterpretedTextString)]);

describe("engine: 1.x templates referenced by name", () => {
  it("Create takes a registered Template's attributes; the request's own attributes win", async () => {
    const e = engine();
    const reg = await e.op(Op.Register, [
      enumeration(Tag.ObjectType, Enums.ObjectType.Template),
      template("1.1", [nameAttr("tpl-1")]),
      struct(Tag.Template, [attrToV1(std("Object Group", text(0, "Group1")), 0), attrToV1(custom("x-Purpose", text(0, "demo")), 0), attrToV1(std("Contact Information", text(0, "Joe")), 0)]),
    ], "1.1");
    expect(reg.status, reg.message).to.equal(OK);
    const r = await e.op(Op.Create, [
      enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey),
      struct(Tag.TemplateAttribute, [templateName("tpl-1"), ...aesAttrs().map((a) => attrToV1(a, 0)), attrToV1(nameAttr("key-1"), 0), attrToV1(std("Contact Information", text(0, "Ann")), 0)]),
    ], "1.1");
    expect(r.status, r.message).to.equal(OK);
    const attrs = await getAttrs(e, "1.1", uidOf(r), ["Object Group", "x-Purpose", "Contact Information", "Name"]);
    expect(attrs.filter((a) => a.name === "Object Group").map(textOf)).to.deep.equal(["Group1"]);
    expect(textOf(attrs.find((a) => a.name === "x-Purpose"))).to.equal("demo");
    expect(attrs.filter((a) => a.name === "Contact Information").map(textOf)).to.deep.equal(["Ann"]);
    expect(attrs.filter((a) => a.name === "Name").map(textOf), "the template's name is not copied").to.deep.equal(["key-1"]);
  });

  it("an unknown template name is Item Not Found", async () => {
    const e = engine();
    const r = await e.op(Op.Create, [
      enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey),
      struct(Tag.TemplateAttribute, [templateName("nope"), ...aesAttrs().map((a) => attrToV1(a, 0))]),
    ], "1.1");
    expect(r.reason).to.equal(R.ItemNotFound);
  });

  it("Create Key Pair takes a template named in its Common Template-Attribute (as Create does)", async () => {
    const e = engine();
    const reg = await e.op(Op.Register, [
      enumeration(Tag.ObjectType, Enums.ObjectType.Template),
      template("1.1", [nameAttr("rsa-tpl")]),
      struct(Tag.Template, [attrToV1(std("Object Group", text(0, "PairGroup")), 0), attrToV1(custom("x-Purpose", text(0, "signing")), 0)]),
    ], "1.1");
    expect(reg.status, reg.message).to.equal(OK);
    const r = await e.op(Op.CreateKeyPair, [
      struct(Tag.CommonTemplateAttribute, [
        templateName("rsa-tpl"),
        attrToV1(std("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.RSA)), 0),
        attrToV1(std("Cryptographic Length", integer(0, 2048)), 0),
      ]),
      struct(Tag.PrivateKeyTemplateAttribute, [attrToV1(std("Cryptographic Usage Mask", integer(0, 1)), 0)]),
      struct(Tag.PublicKeyTemplateAttribute, [attrToV1(std("Cryptographic Usage Mask", integer(0, 2)), 0)]),
    ], "1.1");
    expect(r.status, r.message).to.equal(OK);
    const priv = val(r.payload, Tag.PrivateKeyUniqueIdentifier) as string;
    const pub = val(r.payload, Tag.PublicKeyUniqueIdentifier) as string;
    for (const uid of [priv, pub]) {
      const attrs = await getAttrs(e, "1.1", uid, ["Object Group", "x-Purpose"]);
      expect(attrs.filter((a) => a.name === "Object Group").map(textOf)).to.deep.equal(["PairGroup"]);
      expect(textOf(attrs.find((a) => a.name === "x-Purpose"))).to.equal("signing");
    }
  });
});
