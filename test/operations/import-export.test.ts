import { expect } from "chai";
import { Enums, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { boolean, bytes, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { Op, R, date, enumOf, getAttrs, nameAttr, nowSeconds, std, template, v2 } from "./attr-helpers.js";
import { FAILED, OK, engine, val } from "./harness.js";

const A = Enums.CryptographicAlgorithm;
type Engine = ReturnType<typeof engine>;

const aesKey = (k: string) =>
  struct(Tag.SymmetricKey, [struct(Tag.KeyBlock, [
    enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Buffer.from(k, "hex"))]),
    enumeration(Tag.CryptographicAlgorithm, A.AES), integer(Tag.CryptographicLength, 128),
  ])]);

async function keyOf(e: Engine, version: KmipVersion, uid: string): Promise<string> {
  const g = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid)], version);
  expect(g.status, g.message).to.equal(OK);
  const kb = (g.payload!.children[2] as StructureNode).children[0] as StructureNode;
  return Buffer.from(val(kb.children.find((c) => c.tag === Tag.KeyValue) as StructureNode, Tag.KeyMaterial) as Uint8Array).toString("hex");
}

for (const version of ["1.4", "2.0", "2.1"] as KmipVersion[]) {
  describe(`engine: Export / Import in KMIP ${version}`, () => {
    /** The Export reply's attribute nodes, in the version's form. */
    const exportedAttrs = (payload: StructureNode): TtlvNode[] =>
      v2(version) ? (payload.children.find((c) => c.tag === Tag.Attributes) as StructureNode).children : payload.children.filter((c) => c.tag === Tag.Attribute);
    const importReq = (uid: string, attrs: TtlvNode[], replace?: boolean, content: TtlvNode = aesKey("00112233445566778899aabbccddeeff")) => [
      text(Tag.UniqueIdentifier, uid),
      ...(v2(version) ? [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey)] : []),
      ...(replace === undefined ? [] : [boolean(Tag.ReplaceExisting, replace)]),
      ...(v2(version) ? [struct(Tag.Attributes, attrs)] : attrs),
      content,
    ];

    it("exports the object with all its attributes (1.4 then clears Fresh, 2.x only Get does); re-import needs Replace Existing", async () => {
      const e = engine();
      const r = await e.op(Op.Register, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), template(version, [std("Cryptographic Usage Mask", integer(0, 4))]), aesKey("0123456789abcdef0123456789abcdef")], version);
      const uid = val(r.payload, Tag.UniqueIdentifier) as string;
      const x = await e.op(Op.Export, [text(Tag.UniqueIdentifier, uid)], version);
      expect(x.status, x.message).to.equal(OK);
      expect(val(x.payload, Tag.ObjectType)).to.equal(Enums.ObjectType.SymmetricKey);
      expect(val(x.payload, Tag.UniqueIdentifier)).to.equal(uid);
      const attrs = exportedAttrs(x.payload!);
      expect(attrs.length).to.be.greaterThan(10);
      expect(x.payload!.children.at(-1)!.tag).to.equal(Tag.SymmetricKey);
      const fresh = (await getAttrs(e, version, uid, ["Fresh"]))[0]!;
      expect((fresh.value as { value: boolean }).value, "1.4 §3.48 'served to a client'; 2.x §4.24 'served via the Get operation'").to.equal(version === "1.4" ? false : true);

      const again = await e.op(Op.Import, importReq(uid, attrs, false, x.payload!.children.at(-1)!), version);
      expect([again.status, again.reason]).to.deep.equal([FAILED, R.ObjectAlreadyExists]);
    });

    it("imports under the client's id with the supplied attributes (state, dates) and replaces the caller's own object", async () => {
      const e = engine();
      const t = nowSeconds() - 7200n;
      const wire = (name: string, v: TtlvNode) => (v2(version) ? std(name, v).value : struct(Tag.Attribute, [text(Tag.AttributeName, name), { ...v, tag: Tag.AttributeValue } as TtlvNode]));
      const attrs = [
        wire("Cryptographic Algorithm", enumeration(0, A.AES)), wire("Cryptographic Length", integer(0, 128)), wire("Cryptographic Usage Mask", integer(0, 12)),
        wire("State", enumeration(0, Enums.State.Active)), wire("Activation Date", date("Activation Date", t).value), wire("Initial Date", date("Initial Date", t).value),
      ];
      const i = await e.op(Op.Import, importReq("imported-key-1", attrs), version);
      expect(i.status, i.message).to.equal(OK);
      expect(val(i.payload, Tag.UniqueIdentifier)).to.equal("imported-key-1");
      expect(await keyOf(e, version, "imported-key-1")).to.equal("00112233445566778899aabbccddeeff");
      const got = await getAttrs(e, version, "imported-key-1", ["State", "Initial Date"]);
      expect(enumOf(got.find((a) => a.name === "State"))).to.equal(Enums.State.Active);
      expect((got.find((a) => a.name === "Initial Date")!.value as { value: bigint }).value).to.equal(t);

      const rep = await e.op(Op.Import, importReq("imported-key-1", attrs.slice(0, 3), true, aesKey("ffeeddccbbaa99887766554433221100")), version);
      expect(rep.status, rep.message).to.equal(OK);
      expect(await keyOf(e, version, "imported-key-1")).to.equal("ffeeddccbbaa99887766554433221100");
      expect(enumOf((await getAttrs(e, version, "imported-key-1", ["State"]))[0])).to.equal(Enums.State.PreActive);

      // Another principal cannot take or replace the id.
      const other = await e.op(Op.Import, importReq("imported-key-1", attrs.slice(0, 3), true, aesKey("00000000000000000000000000000000")), version, "mallory");
      expect(other.status).to.equal(FAILED);
      expect(await keyOf(e, version, "imported-key-1")).to.equal("ffeeddccbbaa99887766554433221100");
    });

    it("exports a destroyed object's attributes without key material, and refuses a mismatched Unique Identifier attribute", async () => {
      const e = engine();
      const r = await e.op(Op.Register, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), template(version, [nameAttr("ie-destroyed")]), aesKey("0123456789abcdef0123456789abcdef")], version);
      const uid = val(r.payload, Tag.UniqueIdentifier) as string;
      expect((await e.op(Op.Destroy, [text(Tag.UniqueIdentifier, uid)], version)).status).to.equal(OK);
      const x = await e.op(Op.Export, [text(Tag.UniqueIdentifier, uid)], version);
      expect(x.status, x.message).to.equal(OK);
      expect(x.payload!.children.some((c) => c.tag === Tag.SymmetricKey)).to.equal(false);
      const uidAttr = v2(version) ? text(Tag.UniqueIdentifier, "someone-else") : struct(Tag.Attribute, [text(Tag.AttributeName, "Unique Identifier"), text(Tag.AttributeValue, "someone-else")]);
      const bad = await e.op(Op.Import, importReq("imp-2", [uidAttr]), version);
      expect([bad.status, bad.reason]).to.deep.equal([FAILED, R.InvalidField]);
    });
  });
}
