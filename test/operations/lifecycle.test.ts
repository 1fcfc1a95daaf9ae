import { expect } from "chai";
import { Enums, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { ItemType, bytes, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { FAILED, OK, engine, val } from "./harness.js";

const Op = Enums.Operation;
const R = Enums.ResultReason;

/** Template attributes in the form the version uses. */
function attrs(version: KmipVersion, list: [string, number, TtlvNode][]): TtlvNode {
  if (version.startsWith("2.")) return struct(Tag.Attributes, list.map(([, tag, v]) => ({ ...v, tag }) as TtlvNode));
  return struct(
    Tag.TemplateAttribute,
    list.map(([name, , v]) => struct(Tag.Attribute, [text(Tag.AttributeName, name), { ...v, tag: Tag.AttributeValue } as TtlvNode])),
  );
}

const aes256 = (version: KmipVersion, name = "k1"): TtlvNode[] => [
  enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey),
  attrs(version, [
    ["Cryptographic Algorithm", Tag.CryptographicAlgorithm, enumeration(0, Enums.CryptographicAlgorithm.AES)],
    ["Cryptographic Length", Tag.CryptographicLength, integer(0, 256)],
    ["Cryptographic Usage Mask", Tag.CryptographicUsageMask, integer(0, 12)],
    ["Name", Tag.Name, struct(0, [text(Tag.NameValue, name), enumeration(Tag.NameType, Enums.NameType.UninterpretedTextString)])],
  ]),
];

function keyBytes(getPayload: StructureNode | undefined): Uint8Array {
  const sk = getPayload?.children.find((c) => c.tag === Tag.SymmetricKey) as StructureNode;
  const kb = sk.children.find((c) => c.tag === Tag.KeyBlock) as StructureNode;
  const kv = kb.children.find((c) => c.tag === Tag.KeyValue) as StructureNode;
  const km = kv.children.find((c) => c.tag === Tag.KeyMaterial)!;
  if (km.type === ItemType.ByteString) return km.value;
  const key = (km as StructureNode).children.find((c) => c.tag === Tag.Key)!;
  return (key as { value: Uint8Array }).value;
}

for (const version of ["1.0", "1.2", "1.4", "2.0", "2.1"] as KmipVersion[]) {
  describe(`engine: symmetric key lifecycle in KMIP ${version}`, () => {
    it("create → get (32 bytes, raw and transparent) → activate → revoke → destroy → get fails", async () => {
      const e = engine();
      const created = await e.op(Op.Create, aes256(version), version);
      expect(created.status, created.message).to.equal(OK);
      const uid = val(created.payload, Tag.UniqueIdentifier) as string;
      expect(uid).to.be.a("string");

      const got = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid)], version);
      expect(got.status, got.message).to.equal(OK);
      const key = keyBytes(got.payload);
      expect(key).to.have.length(32);
      expect(key.some((b) => b !== 0), "a generated key is random, not zeros").to.equal(true);
      const other = val((await e.op(Op.Create, aes256(version, "k2"), version)).payload, Tag.UniqueIdentifier) as string;
      const otherKey = keyBytes((await e.op(Op.Get, [text(Tag.UniqueIdentifier, other)], version)).payload);
      expect(Buffer.from(otherKey).equals(Buffer.from(key)), "two keys differ").to.equal(false);
      const transparent = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid), enumeration(Tag.KeyFormatType, Enums.KeyFormatType.TransparentSymmetricKey)], version);
      expect(Buffer.from(keyBytes(transparent.payload)).equals(Buffer.from(key))).to.equal(true);

      expect((await e.op(Op.Activate, [text(Tag.UniqueIdentifier, uid)], version)).status).to.equal(OK);
      const activeDestroy = await e.op(Op.Destroy, [text(Tag.UniqueIdentifier, uid)], version);
      expect(activeDestroy.status, "an Active key must be revoked before Destroy").to.equal(FAILED);
      const revoked = await e.op(
        Op.Revoke,
        [text(Tag.UniqueIdentifier, uid), struct(Tag.RevocationReason, [enumeration(Tag.RevocationReasonCode, Enums.RevocationReasonCode.CessationOfOperation)])],
        version,
      );
      expect(revoked.status, revoked.message).to.equal(OK);
      expect((await e.op(Op.Destroy, [text(Tag.UniqueIdentifier, uid)], version)).status).to.equal(OK);
      const after = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid)], version);
      expect(after.status).to.equal(FAILED);
      expect(after.reason).to.equal(version.startsWith("2.") ? R.ObjectDestroyed : R.ItemNotFound);
      // the destroyed record keeps metadata only: no wrapped material left in the store
      expect(e.store.records.get(uid)!.material).to.equal(undefined);
    });

    it("another principal gets Item Not Found, exactly as for an object that does not exist", async () => {
      const e = engine();
      const uid = val((await e.op(Op.Create, aes256(version), version)).payload, Tag.UniqueIdentifier) as string;
      const theirs = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid)], version, "mallory");
      const none = await e.op(Op.Get, [text(Tag.UniqueIdentifier, "no-such-object")], version, "mallory");
      expect(theirs.reason).to.equal(version.startsWith("2.") ? R.ObjectNotFound : R.ItemNotFound);
      expect(theirs.message).to.equal(none.message);
    });

    it("registers secret data and opaque objects and gives back identical bytes", async () => {
      const e = engine();
      const secret = Buffer.from("correct horse battery staple");
      const sd = await e.op(
        Op.Register,
        [
          enumeration(Tag.ObjectType, Enums.ObjectType.SecretData),
          attrs(version, [["Cryptographic Usage Mask", Tag.CryptographicUsageMask, integer(0, 0)]]),
          struct(Tag.SecretData, [
            enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
            struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, secret)])]),
          ]),
        ],
        version,
      );
      expect(sd.status, sd.message).to.equal(OK);
      const got = await e.op(Op.Get, [text(Tag.UniqueIdentifier, val(sd.payload, Tag.UniqueIdentifier) as string)], version);
      const sdNode = got.payload!.children.find((c) => c.tag === Tag.SecretData) as StructureNode;
      const kb = sdNode.children.find((c) => c.tag === Tag.KeyBlock) as StructureNode;
      const km = (kb.children.find((c) => c.tag === Tag.KeyValue) as StructureNode).children[0] as { value: Uint8Array };
      expect(Buffer.from(km.value).equals(secret)).to.equal(true);

      const opaque = Buffer.from([0, 1, 2, 3, 250, 251, 252]);
      const oo = await e.op(
        Op.Register,
        [
          enumeration(Tag.ObjectType, Enums.ObjectType.OpaqueObject),
          attrs(version, []),
          struct(Tag.OpaqueObject, [enumeration(Tag.OpaqueDataType, 0x80000001), bytes(Tag.OpaqueDataValue, opaque)]),
        ],
        version,
      );
      expect(oo.status, oo.message).to.equal(OK);
      const og = await e.op(Op.Get, [text(Tag.UniqueIdentifier, val(oo.payload, Tag.UniqueIdentifier) as string)], version);
      const ooNode = og.payload!.children.find((c) => c.tag === Tag.OpaqueObject) as StructureNode;
      expect(Buffer.from(val(ooNode, Tag.OpaqueDataValue) as Uint8Array).equals(opaque)).to.equal(true);
    });
  });
}

describe("engine: messages", () => {
  it("answers in the request's version and echoes Unique Batch Item IDs; the ID Placeholder links a batch", async () => {
    const e = engine();
    const res = await e.batch(
      [
        { operation: Op.Create, payload: aes256("1.2"), id: Buffer.from([1]) },
        { operation: Op.Activate, payload: [], id: Buffer.from([2]) },
        { operation: Op.Get, payload: [], id: Buffer.from([3]) },
      ],
      "1.2",
    );
    const pv = ((res.children[0] as StructureNode).children[0] as StructureNode).children;
    expect(pv.map((c) => (c as { value: number }).value)).to.deep.equal([1, 2]);
    const items = res.children.slice(1) as StructureNode[];
    expect(items).to.have.length(3);
    items.forEach((it, i) => {
      expect(val(it, Tag.ResultStatus), String(val(it, Tag.ResultMessage))).to.equal(OK);
      expect([...(val(it, Tag.UniqueBatchItemID) as Uint8Array)]).to.deep.equal([i + 1]);
    });
  });

  it("stops a batch at the first failure by default, and continues when asked", async () => {
    const e = engine();
    const items = [
      { operation: Op.Get, payload: [text(Tag.UniqueIdentifier, "missing")] },
      { operation: Op.DiscoverVersions, payload: [] },
    ];
    const stop = await e.batch(items, "1.4");
    expect(stop.children).to.have.length(2); // header + the failed item only
    const cont = await e.batch(items, "1.4", "alice", [enumeration(Tag.BatchErrorContinuationOption, Enums.BatchErrorContinuationOption.Continue)]);
    expect(cont.children).to.have.length(3);
  });

  it("answers an unknown operation with Operation Not Supported (Put: a server-to-client operation)", async () => {
    const r = await engine().op(Op.Put, [], "1.4");
    expect(r.reason).to.equal(R.OperationNotSupported);
  });

  it("refuses an unsupported protocol version, but Discover Versions still negotiates", async () => {
    const e = engine();
    const r = await e.op(Op.Create, aes256("1.4"), "1.4");
    expect(r.status).to.equal(OK);
    const res = await e.raw(
      (await import("./harness.js")).request(3, 0, [{ operation: Op.Create, payload: aes256("2.1") }]),
    );
    const item = res.children[1] as StructureNode;
    expect(val(item, Tag.ResultReason)).to.equal(R.UnsupportedProtocolVersion);
    const dv = await e.raw((await import("./harness.js")).request(3, 0, [{ operation: Op.DiscoverVersions, payload: [] }]));
    const dvItem = dv.children[1] as StructureNode;
    expect(val(dvItem, Tag.ResultStatus)).to.equal(OK);
    const versions = (dvItem.children.find((c) => c.tag === Tag.ResponsePayload) as StructureNode).children;
    expect(versions.length).to.equal(7);
  });

  it("maps a reason newer than the client's version to an older one", async () => {
    const e = engine();
    // Unsupported Protocol Version does not exist in 1.x; a 1.5 request is answered in 1.4
    const res = await e.raw((await import("./harness.js")).request(1, 5, [{ operation: Op.Create, payload: aes256("1.4") }]));
    const item = res.children[1] as StructureNode;
    expect(val(item, Tag.ResultReason)).to.equal(R.InvalidMessage);
  });

  it("honours Maximum Response Size with Response Too Large", async () => {
    const e = engine();
    const res = await e.batch([{ operation: Op.Query, payload: [enumeration(Tag.QueryFunction, Enums.QueryFunction.QueryOperations)] }], "1.4", "alice", [
      integer(Tag.MaximumResponseSize, 64),
    ]);
    expect(val(res.children[1] as StructureNode, Tag.ResultReason)).to.equal(R.ResponseTooLarge);
  });

  it("answers malformed TTLV and a malformed payload with Invalid Message", async () => {
    const e = engine();
    const out = await e.handler(Buffer.from("42007801000000084200770100000000", "hex"), { principal: "a", peer: "t", connectionId: 1 });
    expect(out.length).to.be.greaterThan(0);
    const r = await e.op(Op.Get, [integer(Tag.UniqueIdentifier, 5)], "1.4");
    expect(r.reason).to.equal(R.InvalidMessage);
  });
});
