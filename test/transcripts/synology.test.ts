/**
 * Synology DSM 7.2.2 / 7.3.3 (synology-dsm.json, KMIP 1.2). Two requests were captured: the Query
 * of all six functions and ModifyAttribute Name (with Attribute Index 0). The rest of DSM's flow
 * is only described, so those steps are built here in the same shape (1.2, header with just
 * Protocol Version and Batch Count, one connection per operation).
 * Rewrite: ModifyAttribute's uid (Cosmian's) becomes the uid kmipd returned for the Register.
 */
import { expect } from "chai";
import { createHash } from "node:crypto";
import { Enums, Masks, Tag, attributeByName } from "../../src/kmip/index.js";
import { bytes, enumeration, integer, parseHex, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import type { RunningKmipd } from "../integration/harness.js";
import { Replayer, buildRequest, children, decodeHex, expectAnswered, keyOf, loadTranscript, numOf, payloadOf, requestItems, rewriteUids, struct_, textOf, type BuiltItem, startReplay, stopReplay } from "./replay.js";

const t = loadTranscript("synology-dsm.json");
const [QUERY, MODIFY] = t.exchanges.map((x) => x.request_hex);
const Op = Enums.Operation;
const VOLUME_UUID = "e85b25be-dd3e-4cd8-b143-a0dd5915df3a";
const PASSPHRASE = Buffer.from("dsm-volume-passphrase-0123456789");
const SHA512_NAME = createHash("sha512").update(PASSPHRASE).digest("hex");

const attr = (name: string, value: TtlvNode): StructureNode => struct(Tag.Attribute, [text(Tag.AttributeName, name), { ...value, tag: Tag.AttributeValue } as TtlvNode]);
const nameValue = (v: string): StructureNode => struct(0, [text(Tag.NameValue, v), enumeration(Tag.NameType, Enums.NameType.UninterpretedTextString)]);
const uidOf = (p: StructureNode): string[] => children(p, Tag.UniqueIdentifier).map((n) => (n as { value: string }).value);

describe("transcripts: Synology DSM (KMIP 1.2)", function () {
  this.timeout(60_000);
  let srv: RunningKmipd;
  let rp: Replayer;
  let n = 0;
  let uid: string;
  /** DSM opens a new connection per operation. */
  const once = async (req: Uint8Array | StructureNode): Promise<StructureNode> => {
    const s = `dsm${n++}`;
    const res = await rp.send(s, req);
    await rp.end(s);
    return res;
  };
  const built = async (item: BuiltItem): Promise<StructureNode> => {
    const req = buildRequest("1.2", [item]);
    return payloadOf(expectAnswered(req, await once(req))[0]!);
  };
  before(async () => {
    ({ srv, rp } = await startReplay());
  });
  after(async () => {
    await stopReplay(rp, srv);
  });

  it("the captured Query (functions 1–6, Extension List and Map included) succeeds, burst of five on five connections", async () => {
    const fns = children(struct_(requestItems(decodeHex(QUERY!))[0], Tag.RequestPayload), Tag.QueryFunction).map((f) => (f as { value: number }).value);
    expect(fns).to.include.members([Enums.QueryFunction.QueryExtensionList, Enums.QueryFunction.QueryExtensionMap]);
    for (let i = 0; i < 5; i++) {
      const [item] = expectAnswered(decodeHex(QUERY!), await once(parseHex(QUERY!)));
      const ops = children(payloadOf(item!), Tag.Operation).map((o) => (o as { value: number }).value);
      // What DSM goes on to use must be listed.
      expect(ops).to.include.members([Op.Locate, Op.Register, Op.ModifyAttribute, Op.Activate, Op.GetAttributeList, Op.GetAttributes, Op.Get, Op.Query]);
      expect(children(payloadOf(item!), Tag.ObjectType).map((o) => (o as { value: number }).value)).to.include(Enums.ObjectType.SecretData);
    }
  });

  it("Locate by Name = volume UUID finds nothing yet", async () => {
    expect(uidOf(await built({ op: Op.Locate, payload: [attr("Name", nameValue(VOLUME_UUID))] }))).to.deep.equal([]);
  });

  it("Register Secret Data (Password, Opaque), mask Verify, Operation Policy Name \"default\", Name = SHA-512 hex", async () => {
    const secret = struct(Tag.SecretData, [
      enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
      struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, PASSPHRASE)])]),
    ]);
    const template = struct(Tag.TemplateAttribute, [
      attr("Cryptographic Usage Mask", integer(0, Masks.CryptographicUsageMask.Verify)),
      attr("Operation Policy Name", text(0, "default")),
      attr("Name", nameValue(SHA512_NAME)),
    ]);
    const p = await built({ op: Op.Register, payload: [enumeration(Tag.ObjectType, Enums.ObjectType.SecretData), template, secret] });
    uid = textOf(p, Tag.UniqueIdentifier)!;
    expect(uid).to.be.a("string").and.not.equal("");
  });

  it("the captured ModifyAttribute Name[0] → volume UUID (uid rewritten) succeeds and echoes the modified Name", async () => {
    const req = rewriteUids(decodeHex(MODIFY!), new Map([["2f96499b-98f0-4155-8968-5301f6afea57", uid]]));
    const [item] = expectAnswered(req, await once(req));
    const p = payloadOf(item!);
    expect(textOf(p, Tag.UniqueIdentifier)).to.equal(uid);
    const a = struct_(p, Tag.Attribute);
    expect(textOf(a, Tag.AttributeName)).to.equal("Name");
    expect(textOf(struct_(a, Tag.AttributeValue), Tag.NameValue)).to.equal(VOLUME_UUID);
    expect(numOf(struct_(a, Tag.AttributeValue), Tag.NameType)).to.equal(Enums.NameType.UninterpretedTextString);
  });

  it("Locate by Name = volume UUID now finds exactly that object; the old name finds nothing", async () => {
    expect(uidOf(await built({ op: Op.Locate, payload: [attr("Name", nameValue(VOLUME_UUID))] }))).to.deep.equal([uid]);
    expect(uidOf(await built({ op: Op.Locate, payload: [attr("Name", nameValue(SHA512_NAME))] }))).to.deep.equal([]);
  });

  it("Activate, Get Attribute List, Get Attributes [State, Object Type] and Get succeed, with only 1.2 attributes", async () => {
    const u = text(Tag.UniqueIdentifier, uid);
    expect(textOf(await built({ op: Op.Activate, payload: [u] }), Tag.UniqueIdentifier)).to.equal(uid);
    const list = children(await built({ op: Op.GetAttributeList, payload: [u] }), Tag.AttributeName).map((a) => (a as { value: string }).value);
    expect(list).to.include.members(["Name", "State", "Object Type", "Cryptographic Usage Mask", "Operation Policy Name"]);
    // DSM fails on attributes its version does not define (Cosmian's changelog).
    for (const name of list) if (!name.startsWith("x-")) expect(attributeByName(name, "1.2"), `${name} is a 1.2 attribute`).to.not.equal(undefined);
    const ga = await built({ op: Op.GetAttributes, payload: [u, text(Tag.AttributeName, "State"), text(Tag.AttributeName, "Object Type")] });
    const got = new Map((children(ga, Tag.Attribute) as StructureNode[]).map((a) => [textOf(a, Tag.AttributeName), numOf(a, Tag.AttributeValue)]));
    expect(got).to.deep.equal(new Map([["State", Enums.State.Active], ["Object Type", Enums.ObjectType.SecretData]]));
    const all = await built({ op: Op.GetAttributes, payload: [u] });
    for (const a of children(all, Tag.Attribute) as StructureNode[]) {
      const name = textOf(a, Tag.AttributeName)!;
      if (!name.startsWith("x-")) expect(attributeByName(name, "1.2"), `${name} is a 1.2 attribute`).to.not.equal(undefined);
    }
    const opn = (children(all, Tag.Attribute) as StructureNode[]).find((a) => textOf(a, Tag.AttributeName) === "Operation Policy Name");
    expect(textOf(opn, Tag.AttributeValue), "the deprecated Operation Policy Name is kept").to.equal("default");
    const g = await built({ op: Op.Get, payload: [u] });
    expect(numOf(struct_(g, Tag.SecretData), Tag.SecretDataType)).to.equal(Enums.SecretDataType.Password);
    const k = keyOf(g, Tag.SecretData);
    expect(k.format).to.equal(Enums.KeyFormatType.Opaque);
    expect(k.material?.equals(PASSPHRASE)).to.equal(true);
  });
});
