import { expect } from "chai";
import { Enums, Masks, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { bytes, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import {
  Op, R, createKey, custom, date, nameAttr, nowSeconds, query, std, template, v2, type Engine,
} from "./attr-helpers.js";
import { FAILED, OK, engine, val } from "./harness.js";
import type { Attr } from "../../src/model/index.js";

const SSM = Masks.StorageStatusMask;

async function locate(e: Engine, version: KmipVersion, attrs: readonly Attr[], extra: TtlvNode[] = [], who?: string) {
  const r = await e.op(Op.Locate, [...extra, ...query(version, attrs)], version, who);
  expect(r.status, r.message).to.equal(OK);
  const kids = r.payload?.children ?? [];
  return {
    uids: kids.filter((c) => c.tag === Tag.UniqueIdentifier).map((c) => (c as { value: string }).value),
    located: val(r.payload, Tag.LocatedItems) as number | undefined,
  };
}

async function registerSecret(e: Engine, version: KmipVersion, attrs: readonly Attr[]): Promise<string> {
  const r = await e.op(
    Op.Register,
    [
      enumeration(Tag.ObjectType, Enums.ObjectType.SecretData),
      template(version, [std("Cryptographic Usage Mask", integer(0, 0)), ...attrs]),
      struct(Tag.SecretData, [
        enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
        struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Buffer.from("pw"))])]),
      ]),
    ],
    version,
  );
  expect(r.status, r.message).to.equal(OK);
  return val(r.payload, Tag.UniqueIdentifier) as string;
}

const symmetric = std("Object Type", enumeration(0, Enums.ObjectType.SymmetricKey));
const aes = std("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.AES));

for (const version of ["1.2", "1.4", "2.0", "2.1"] as KmipVersion[]) {
  // newest first ("descending order of object creation", 2.x; the 1.4 cases page so too)
  const inOrder = (uids: string[]): string[] => [...uids].reverse();
  describe(`engine: Locate in KMIP ${version}`, () => {
    it("finds by Name (whole structure or Name Value alone), only the caller's objects, and sets the ID Placeholder", async () => {
      const e = engine();
      const mine = await createKey(e, version, [nameAttr("shared-name")]);
      await createKey(e, version, [nameAttr("other-name")]);
      await createKey(e, version, [nameAttr("shared-name")], "mallory");
      expect((await locate(e, version, [nameAttr("shared-name")])).uids).to.deep.equal([mine]);
      const byValue = std("Name", struct(0, [text(Tag.NameValue, "shared-name")]));
      expect((await locate(e, version, [byValue])).uids).to.deep.equal([mine]);
      expect((await locate(e, version, [nameAttr("nobody")])).uids).to.deep.equal([]);

      const batch = await e.batch([{ operation: Op.Locate, payload: query(version, [nameAttr("shared-name")]) }, { operation: Op.Get, payload: [] }], version);
      const got = batch.children[2] as StructureNode;
      expect(val(got, Tag.ResultStatus), String(val(got, Tag.ResultMessage))).to.equal(OK);
      expect(val(got.children.find((c) => c.tag === Tag.ResponsePayload) as StructureNode, Tag.UniqueIdentifier)).to.equal(mine);

      const two = await e.batch(
        [{ operation: Op.Locate, payload: query(version, [symmetric]) }, { operation: Op.Get, payload: [] }],
        version,
        "alice",
        [enumeration(Tag.BatchErrorContinuationOption, Enums.BatchErrorContinuationOption.Continue)],
      );
      expect(val(two.children[2] as StructureNode, Tag.ResultStatus), "two matches empty the ID Placeholder").to.equal(FAILED);
    });

    it("finds by Object Type + Cryptographic Algorithm, newest first, and by a custom attribute", async () => {
      const e = engine();
      const k1 = await createKey(e, version, [custom("x-tape", text(0, "LTO-" + "9".repeat(300)))]);
      const k2 = await createKey(e, version);
      await registerSecret(e, version, []);
      const k3 = await createKey(e, version, [custom("x-tape", text(0, "LTO-" + "9".repeat(300)))]);
      expect((await locate(e, version, [symmetric, aes])).uids).to.deep.equal(inOrder([k1, k2, k3]));
      expect((await locate(e, version, [custom("x-tape", text(0, "LTO-" + "9".repeat(300)))])).uids).to.deep.equal(inOrder([k1, k3]));
      expect((await locate(e, version, [symmetric, custom("x-tape", text(0, "LTO-8"))])).uids).to.deep.equal([]);
      const everything = await locate(e, version, []);
      expect(everything.uids).to.have.length(4);
    });

    it("pages with Offset Items / Maximum Items and reports Located Items (1.3+)", async () => {
      const e = engine();
      const keys: string[] = [];
      for (let i = 0; i < 5; i++) keys.push(await createKey(e, version));
      const newest = inOrder(keys);
      const firstOnly = await locate(e, version, [symmetric], [integer(Tag.MaximumItems, 1)]);
      expect(firstOnly.uids).to.deep.equal([newest[0]]);
      expect(firstOnly.located).to.equal(undefined);
      const page = await locate(e, version, [symmetric], [integer(Tag.MaximumItems, 2), integer(Tag.OffsetItems, 1)]);
      expect(page.uids).to.deep.equal(newest.slice(1, 3));
      expect(page.located).to.equal(version === "1.2" ? undefined : 5);
      const tail = await locate(e, version, [symmetric], [integer(Tag.OffsetItems, 4)]);
      expect(tail.uids).to.deep.equal([newest[4]]);
    });

    it("matches date ranges and usage masks", async () => {
      const e = engine();
      const now = nowSeconds();
      const key = await createKey(e, version);
      const inRange = await locate(e, version, [date("Initial Date", now - 100n), date("Initial Date", now + 100n)]);
      expect(inRange.uids).to.deep.equal([key]);
      expect((await locate(e, version, [date("Initial Date", now + 100n), date("Initial Date", now + 200n)])).uids).to.deep.equal([]);
      const E = Masks.CryptographicUsageMask;
      expect((await locate(e, version, [std("Cryptographic Usage Mask", integer(0, E.Encrypt))])).uids).to.deep.equal([key]);
      expect((await locate(e, version, [std("Cryptographic Usage Mask", integer(0, E.Encrypt | E.Sign))])).uids).to.deep.equal([]);
    });

    it("honours the Storage Status Mask: archived objects until recovered, destroyed objects", async () => {
      const e = engine();
      const a = await createKey(e, version, [nameAttr("arch")]);
      const b = await createKey(e, version);
      expect((await e.op(Op.Archive, [text(Tag.UniqueIdentifier, a)], version)).status).to.equal(OK);
      expect((await e.op(Op.Archive, [text(Tag.UniqueIdentifier, a)], version)).reason).to.equal(R.ObjectArchived);
      const refused = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, a)], version);
      expect(refused.reason).to.equal(R.ObjectArchived);
      expect((await locate(e, version, [symmetric])).uids).to.deep.equal([b]);
      expect((await locate(e, version, [symmetric], [integer(Tag.StorageStatusMask, SSM.ArchivalStorage)])).uids).to.deep.equal([a]);
      const both = await locate(e, version, [symmetric], [integer(Tag.StorageStatusMask, SSM.ArchivalStorage | SSM.OnLineStorage)]);
      expect(both.uids).to.deep.equal(inOrder([a, b]));

      const rec = await e.batch([{ operation: Op.Recover, payload: [text(Tag.UniqueIdentifier, a)] }, { operation: Op.GetAttributes, payload: [] }], version);
      const after = rec.children[2] as StructureNode;
      expect(val(after, Tag.ResultStatus), "Recover sets the ID Placeholder").to.equal(OK);
      expect((await locate(e, version, [nameAttr("arch")])).uids).to.deep.equal([a]);

      expect((await e.op(Op.Destroy, [text(Tag.UniqueIdentifier, b)], version)).status).to.equal(OK);
      expect((await locate(e, version, [symmetric])).uids).to.deep.equal([a]);
      if (v2(version)) {
        const withDestroyed = await locate(e, version, [symmetric], [integer(Tag.StorageStatusMask, SSM.OnLineStorage | SSM.DestroyedStorage)]);
        expect(withDestroyed.uids).to.deep.equal([b, a]);
      } else {
        const byState = await locate(e, version, [std("State", enumeration(0, Enums.State.Destroyed))]);
        expect(byState.uids).to.deep.equal([b]);
      }
    });
  });
}

describe("engine: Locate uses the index", () => {
  it("loads only the candidates of the most selective term", async () => {
    const e = engine();
    for (let i = 0; i < 20; i++) await createKey(e, "2.1");
    const named = await createKey(e, "2.1", [nameAttr("needle")]);
    const get = e.store.get.bind(e.store);
    let loads = 0;
    e.store.get = (uid, owner) => {
      loads++;
      return get(uid, owner);
    };
    const byName = std("Name", struct(0, [text(Tag.NameValue, "needle")]));
    expect((await locate(e, "2.1", [symmetric, aes, byName])).uids).to.deep.equal([named]);
    expect(loads).to.equal(1);
  });
});

describe("engine: Locate of a group's Fresh / Default member (1.x)", () => {
  it("hands out fresh members oldest first; Default is the oldest fresh member, else the oldest", async () => {
    const e = engine();
    const group = std("Object Group", text(0, "pool"));
    const keys = [await createKey(e, "1.1", [group]), await createKey(e, "1.1", [group]), await createKey(e, "1.1", [group])];
    const pick = async (member: number) => {
      const r = await e.batch([
        { operation: Op.Locate, payload: [integer(Tag.MaximumItems, 1), enumeration(Tag.ObjectGroupMember, member), ...query("1.1", [group])] },
        { operation: Op.Get, payload: [] },
      ], "1.1");
      expect(val(r.children[2] as StructureNode, Tag.ResultStatus), String(val(r.children[2] as StructureNode, Tag.ResultMessage)) + String(val(r.children[1] as StructureNode, Tag.ResultMessage))).to.equal(OK);
      return val((r.children[1] as StructureNode).children.find((c) => c.tag === Tag.ResponsePayload) as StructureNode, Tag.UniqueIdentifier);
    };
    const M = Enums.ObjectGroupMember;
    expect(await pick(M.GroupMemberFresh)).to.equal(keys[0]);
    expect(await pick(M.GroupMemberDefault)).to.equal(keys[1]);
    expect(await pick(M.GroupMemberDefault)).to.equal(keys[2]);
    expect(await pick(M.GroupMemberDefault)).to.equal(keys[0]);
  });

  const M = Enums.ObjectGroupMember;
  const freshOf = async (e: ReturnType<typeof engine>, q: TtlvNode[]) => {
    const r = await e.batch([
      { operation: Op.Locate, payload: [integer(Tag.MaximumItems, 1), enumeration(Tag.ObjectGroupMember, M.GroupMemberFresh), ...q] },
      { operation: Op.GetAttributes, payload: [] },
    ], "1.2");
    return { locate: r.children[1] as StructureNode, attrs: r.children[2] as StructureNode };
  };

  it("with kms.locate_creates_fresh, an empty group gets a new fresh AES key of the default size", async () => {
    const e = engine({ locateCreatesFresh: true });
    const group = std("Object Group", text(0, "tape-pool"));
    const { locate: l, attrs } = await freshOf(e, query("1.2", [group]));
    expect(val(l, Tag.ResultStatus)).to.equal(OK);
    const uid = val(l.children.find((c) => c.tag === Tag.ResponsePayload) as StructureNode, Tag.UniqueIdentifier) as string;
    expect(uid).to.be.a("string");
    const payload = attrs.children.find((c) => c.tag === Tag.ResponsePayload) as StructureNode;
    const named = (n: string) => payload.children.filter((c) => c.tag === Tag.Attribute).map((a) => a as StructureNode).find((a) => val(a, Tag.AttributeName) === n);
    expect(val(named("Object Group"), Tag.AttributeValue)).to.equal("tape-pool");
    expect(val(named("Fresh"), Tag.AttributeValue)).to.equal(true);
    expect(val(named("Cryptographic Algorithm"), Tag.AttributeValue)).to.equal(Enums.CryptographicAlgorithm.AES);
    expect(val(named("Cryptographic Length"), Tag.AttributeValue)).to.equal(256);
    // the next Locate finds that member (still fresh), no second key is made
    const again = await freshOf(e, query("1.2", [group]));
    expect(val(again.locate.children.find((c) => c.tag === Tag.ResponsePayload) as StructureNode, Tag.UniqueIdentifier)).to.equal(uid);
  });

  it("creates nothing when off (the default), or when the query names more than the group", async () => {
    const off = engine();
    const group = std("Object Group", text(0, "tape-pool"));
    expect(val((await freshOf(off, query("1.2", [group]))).attrs, Tag.ResultReason)).to.equal(Enums.ResultReason.ItemNotFound);
    const on = engine({ locateCreatesFresh: true });
    const r = await freshOf(on, query("1.2", [group, std("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.RSA))]));
    expect(val(r.attrs, Tag.ResultReason)).to.equal(Enums.ResultReason.ItemNotFound);
    expect([...on.store.listByOwner("alice")]).to.have.length(0);
  });
});
