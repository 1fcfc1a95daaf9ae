import { expect } from "chai";
import { Enums, Tag, attributeByName, type KmipVersion } from "../../src/kmip/index.js";
import { attrToV1, attrToV2 } from "../../src/model/index.js";
import { ItemType, dateTime, enumeration, integer, struct, text, type StructureNode } from "../../src/ttlv/index.js";
import {
  Op, R, createKey, custom, date, dateOf, enumOf, getAttrs, nameAttr, nowSeconds, lifecycleReason, reasonIn, reference, std, textOf, v2, wire, type Engine,
} from "./attr-helpers.js";
import { FAILED, OK, engine, val, type BatchResult } from "./harness.js";

const add = (e: Engine, version: KmipVersion, uid: string, a: Parameters<typeof wire>[1]): Promise<BatchResult> =>
  e.op(Op.AddAttribute, [text(Tag.UniqueIdentifier, uid), v2(version) ? struct(Tag.NewAttribute, [attrToV2(a)]) : attrToV1(a, 0)], version);

const long = (i: number): string => `${String(i).padStart(2, "0")}:` + "tape-cartridge-metadata/".repeat(12); // 291 characters

for (const version of ["1.0", "1.4", "2.0", "2.1"] as KmipVersion[]) {
  describe(`engine: attribute operations in KMIP ${version}`, () => {
    it("adds, modifies and deletes 32 custom attributes of 256+ characters on one object", async () => {
      const e = engine();
      const uid = await createKey(e, version);
      for (let i = 0; i < 32; i++) {
        const r = await add(e, version, uid, custom(`x-tape${i}`, text(0, long(i))));
        expect(r.status, r.message).to.equal(OK);
        expect(val(r.payload, Tag.UniqueIdentifier)).to.equal(uid);
        if (!v2(version)) {
          const echoed = r.payload!.children.find((c) => c.tag === Tag.Attribute) as StructureNode;
          expect(val(echoed, Tag.AttributeName)).to.equal(`x-tape${i}`);
          expect(val(echoed, Tag.AttributeIndex)).to.equal(undefined); // index 0 is omitted
        }
      }
      // a second instance of a custom attribute gets Attribute Index 1
      const second = await add(e, version, uid, custom("x-tape3", text(0, "second")));
      expect(second.status, second.message).to.equal(OK);
      if (!v2(version)) expect(val(second.payload!.children[1] as StructureNode, Tag.AttributeIndex)).to.equal(1);

      const all = await getAttrs(e, version, uid);
      for (let i = 0; i < 32; i++) expect(textOf(all.find((a) => a.name === `x-tape${i}`)), `x-tape${i}`).to.equal(long(i));
      expect(textOf(all.find((a) => a.name === "Unique Identifier"))).to.equal(uid);

      // modify: 1.x by Attribute Index, 2.x by Current Attribute
      const newer = custom("x-tape3", text(0, "modified"));
      const mod = v2(version)
        ? await e.op(Op.ModifyAttribute, [text(Tag.UniqueIdentifier, uid), struct(Tag.CurrentAttribute, [attrToV2(custom("x-tape3", text(0, "second")))]), struct(Tag.NewAttribute, [attrToV2(newer)])], version)
        : await e.op(Op.ModifyAttribute, [text(Tag.UniqueIdentifier, uid), struct(Tag.Attribute, [text(Tag.AttributeName, "x-tape3"), integer(Tag.AttributeIndex, 1), text(Tag.AttributeValue, "modified")])], version);
      expect(mod.status, mod.message).to.equal(OK);
      if (!v2(version)) expect(val(mod.payload!.children[1] as StructureNode, Tag.AttributeIndex)).to.equal(1);
      const three = await getAttrs(e, version, uid, ["x-tape3"]);
      expect(three.map(textOf)).to.deep.equal([long(3), "modified"]);
      if (!v2(version)) expect(three.map((a) => a.index)).to.deep.equal([0, 1]);

      // delete: 1.x one instance (index 0) and the deleted value comes back; 2.x every instance by reference
      const del = v2(version)
        ? await e.op(Op.DeleteAttribute, [text(Tag.UniqueIdentifier, uid), reference("x-tape3")], version)
        : await e.op(Op.DeleteAttribute, [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "x-tape3")], version);
      expect(del.status, del.message).to.equal(OK);
      if (!v2(version)) {
        const gone = del.payload!.children[1] as StructureNode;
        expect(val(gone, Tag.AttributeValue)).to.equal(long(3));
      }
      const left = await getAttrs(e, version, uid, ["x-tape3", "x-tape4"]);
      expect(left.map(textOf)).to.deep.equal(v2(version) ? [long(4)] : ["modified", long(4)]);
    });

    it("handles Name: a second instance, modify by index / current value, delete, and no duplicate names", async () => {
      const e = engine();
      const uid = await createKey(e, version, [nameAttr(`first-${version}`)]);
      expect((await add(e, version, uid, nameAttr(`second-${version}`))).status).to.equal(OK);
      let names = await getAttrs(e, version, uid, ["Name"]);
      expect(names.map(textOf)).to.deep.equal([`first-${version}`, `second-${version}`]);

      const dup = await add(e, version, uid, nameAttr(`first-${version}`));
      expect(dup.status).to.equal(FAILED);
      expect(dup.reason).to.equal(reasonIn(version, R.NonUniqueNameAttribute, R.InvalidField));
      const other = await createKey(e, version);
      const taken = await add(e, version, other, nameAttr(`second-${version}`));
      expect(taken.reason, "a name another object holds").to.equal(reasonIn(version, R.NonUniqueNameAttribute, R.InvalidField));

      const renamed = nameAttr(`renamed-${version}`);
      const mod = v2(version)
        ? await e.op(Op.ModifyAttribute, [text(Tag.UniqueIdentifier, uid), struct(Tag.CurrentAttribute, [attrToV2(nameAttr(`second-${version}`))]), struct(Tag.NewAttribute, [attrToV2(renamed)])], version)
        : await e.op(Op.ModifyAttribute, [text(Tag.UniqueIdentifier, uid), attrToV1(renamed, 1)], version);
      expect(mod.status, mod.message).to.equal(OK);
      names = await getAttrs(e, version, uid, ["Name"]);
      expect(names.map(textOf)).to.deep.equal([`first-${version}`, `renamed-${version}`]);

      const del = v2(version)
        ? await e.op(Op.DeleteAttribute, [text(Tag.UniqueIdentifier, uid), struct(Tag.CurrentAttribute, [attrToV2(nameAttr(`first-${version}`))])], version)
        : await e.op(Op.DeleteAttribute, [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "Name")], version);
      expect(del.status, del.message).to.equal(OK);
      names = await getAttrs(e, version, uid, ["Name"]);
      expect(names.map(textOf)).to.deep.equal([`renamed-${version}`]);
    });

    it("refuses server-only attributes, a second single-valued instance and deleting what a client may not", async () => {
      const e = engine();
      const uid = await createKey(e, version);
      const serverOnly = await add(e, version, uid, std("State", enumeration(0, Enums.State.Active)));
      expect(serverOnly.reason).to.equal(reasonIn(version, R.ReadOnlyAttribute, R.PermissionDenied));

      expect((await add(e, version, uid, std("Contact Information", text(0, "ops@example.com")))).status).to.equal(OK);
      const twice = await add(e, version, uid, std("Contact Information", text(0, "other@example.com")));
      expect(twice.reason).to.equal(reasonIn(version, R.AttributeSingleValued, R.IndexOutOfBounds));
      const algTwice = await add(e, version, uid, std("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.AES)));
      expect(algTwice.reason).to.equal(reasonIn(version, R.AttributeSingleValued, R.IndexOutOfBounds));

      const noDelete = v2(version)
        ? await e.op(Op.DeleteAttribute, [text(Tag.UniqueIdentifier, uid), reference("Cryptographic Algorithm")], version)
        : await e.op(Op.DeleteAttribute, [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "Cryptographic Algorithm")], version);
      expect(noDelete.reason).to.equal(reasonIn(version, R.AttributeReadOnly, R.PermissionDenied));

      const state = std("State", enumeration(0, Enums.State.Compromised));
      const modState = await e.op(Op.ModifyAttribute, [text(Tag.UniqueIdentifier, uid), v2(version) ? struct(Tag.NewAttribute, [attrToV2(state)]) : attrToV1(state, 0)], version);
      expect(modState.reason).to.equal(reasonIn(version, R.AttributeReadOnly, R.PermissionDenied));

      const absent = custom("x-never", text(0, "v"));
      const modAbsent = await e.op(Op.ModifyAttribute, [text(Tag.UniqueIdentifier, uid), v2(version) ? struct(Tag.NewAttribute, [attrToV2(absent)]) : attrToV1(absent, 0)], version);
      expect(modAbsent.reason).to.equal(reasonIn(version, R.AttributeNotFound, R.ItemNotFound));
      if (!v2(version)) {
        const badIndex = await e.op(Op.DeleteAttribute, [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "Contact Information"), integer(Tag.AttributeIndex, 1)], version);
        expect(badIndex.reason).to.equal(R.ItemNotFound);
      }
      const dupNames = v2(version)
        ? await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid), reference("State"), reference("State")], version)
        : await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid), text(Tag.AttributeName, "State"), text(Tag.AttributeName, "State")], version);
      expect(dupNames.reason).to.equal(R.InvalidMessage);
      const missing = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid)], version, "mallory");
      expect(missing.reason).to.equal(reasonIn(version, R.ObjectNotFound, R.ItemNotFound));
    });

    it("lets Activation Date change only while Pre-Active, and a date in the past takes effect", async () => {
      const e = engine();
      const uid = await createKey(e, version);
      const past = date("Activation Date", nowSeconds() - 60n);
      const set = await add(e, version, uid, past);
      expect(set.status, set.message).to.equal(OK);
      expect(enumOf((await getAttrs(e, version, uid, ["State"]))[0])).to.equal(Enums.State.Active);
      const again = date("Activation Date", nowSeconds());
      const mod = await e.op(Op.ModifyAttribute, [text(Tag.UniqueIdentifier, uid), v2(version) ? struct(Tag.NewAttribute, [attrToV2(again)]) : attrToV1(again, 0)], version);
      expect(mod.reason).to.equal(lifecycleReason(version));
      const lcd = dateOf((await getAttrs(e, version, uid, ["Last Change Date"]))[0]);
      const initial = dateOf((await getAttrs(e, version, uid, ["Initial Date"]))[0]);
      expect(lcd! >= initial!).to.equal(true);
    });

    it("answers Get Attributes with a list (in its order, absent names left out) and Get Attribute List", async () => {
      const e = engine();
      const uid = await createKey(e, version, [nameAttr("listed"), custom("x-Barcode", text(0, "XXA012A1"))]);
      const some = await getAttrs(e, version, uid, ["State", "x-Barcode", "Contact Information", "Cryptographic Length"]);
      expect(some.map((a) => a.name)).to.deep.equal(["State", "x-Barcode", "Cryptographic Length"]);
      const all = await getAttrs(e, version, uid);
      const names = [...new Set(all.map((a) => a.name))];
      expect(names).to.include.members(["Unique Identifier", "Object Type", "Cryptographic Algorithm", "Name", "x-Barcode", "State", "Initial Date", "Digest"]);
      // only attributes the version defines are returned
      for (const n of names) if (!n.startsWith("x-")) expect(attributeByName(n, version), n).to.not.equal(undefined);

      const list = await e.op(Op.GetAttributeList, [text(Tag.UniqueIdentifier, uid)], version);
      expect(list.status, list.message).to.equal(OK);
      const items = list.payload!.children.slice(1);
      expect(items).to.have.length(names.length);
      if (v2(version)) {
        expect(items.every((n) => n.tag === Tag.AttributeReference)).to.equal(true);
        expect(items.some((n) => n.type === ItemType.Enumeration && n.value === Tag.State)).to.equal(true);
        const vendor = items.find((n) => n.type === ItemType.Structure) as StructureNode;
        expect([val(vendor, Tag.VendorIdentification), val(vendor, Tag.AttributeName)]).to.deep.equal(["x", "Barcode"]);
      } else {
        expect(items.map((n) => (n as { value: string }).value)).to.deep.equal(names);
      }
    });
  });
}

describe("engine: Set Attribute (KMIP 2.x)", () => {
  it("adds, then replaces the single instance; refuses several instances and read-only attributes", async () => {
    const e = engine();
    const uid = await createKey(e, "2.1");
    const set = (a: Parameters<typeof attrToV2>[0]) => e.op(Op.SetAttribute, [text(Tag.UniqueIdentifier, uid), struct(Tag.NewAttribute, [attrToV2(a)])], "2.1");
    expect((await set(custom("tc-Set", text(0, "one")))).status).to.equal(OK);
    expect((await set(custom("tc-Set", text(0, "two")))).status).to.equal(OK);
    expect((await getAttrs(e, "2.1", uid, ["tc-Set"])).map(textOf)).to.deep.equal(["two"]);
    expect((await add(e, "2.1", uid, custom("tc-Set", text(0, "three")))).status).to.equal(OK);
    expect((await set(custom("tc-Set", text(0, "four")))).reason).to.equal(R.MultiValuedAttribute);
    expect((await set(std("Initial Date", dateTime(0, 5n)))).reason).to.equal(R.AttributeReadOnly);
    expect((await set(std("Description", text(0, "a key")))).status).to.equal(OK);
    const v1 = await e.op(Op.SetAttribute, [text(Tag.UniqueIdentifier, uid)], "1.4");
    expect(v1.reason).to.equal(R.OperationNotSupported);
  });
});
