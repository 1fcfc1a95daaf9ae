/**
 * Tape libraries and SASED-style drives over real TLS and LMDB (issue 5, acceptance 4).
 * Tape: one 32-item message, Batch Order Option true, chained by the ID Placeholder: Create
 * AES-256 (its template carries the first custom attribute) → Add Attribute ×29 → Activate →
 * Get. The 30 client attributes are 28 `x-` custom attributes of 256 characters, Application
 * Specific Information in a `LIBRARY-LTO` namespace and an Alternative Name (1.2+).
 */
import { expect } from "chai";
import { Enums, Masks, Tag, attributeByName, attributeByTag, type KmipVersion } from "../../src/kmip/index.js";
import { ItemType, bytes, enumeration, integer, nodesEqual, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { Replayer, buildRequest, children, expectAnswered, keyOf, numOf, payloadOf, textOf, type BuiltItem, startReplay, stopReplay } from "../transcripts/replay.js";
import type { RunningKmipd } from "./harness.js";

const Op = Enums.Operation;
const v2 = (v: KmipVersion): boolean => v.startsWith("2.");

/** A client attribute: 1.x name, value node (tag ignored). */
interface A {
  readonly name: string;
  readonly value: TtlvNode;
}
const retag = (n: TtlvNode, tag: number): TtlvNode => ({ ...n, tag }) as TtlvNode;
const isCustom = (name: string): boolean => name.startsWith("x-");

/** 1.x Attribute structure, or the 2.x element (Vendor Attribute for `x-` names). */
function wire(version: KmipVersion, a: A): TtlvNode {
  if (!v2(version)) return struct(Tag.Attribute, [text(Tag.AttributeName, a.name), retag(a.value, Tag.AttributeValue)]);
  if (isCustom(a.name)) return struct(Tag.Attribute, [text(Tag.VendorIdentification, "x"), text(Tag.AttributeName, a.name.slice(2)), retag(a.value, Tag.AttributeValue)]);
  return retag(a.value, attributeByName(a.name)!.tag);
}
const attrsNode = (version: KmipVersion, attrs: readonly A[]): TtlvNode =>
  struct(v2(version) ? Tag.Attributes : Tag.TemplateAttribute, attrs.map((a) => wire(version, a)));
/** Attribute Name (1.x) or Attribute Reference (2.x: tag enumeration, or vendor structure). */
function reference(version: KmipVersion, name: string): TtlvNode {
  if (!v2(version)) return text(Tag.AttributeName, name);
  if (isCustom(name)) return struct(Tag.AttributeReference, [text(Tag.VendorIdentification, "x"), text(Tag.AttributeName, name.slice(2))]);
  return enumeration(Tag.AttributeReference, attributeByName(name)!.tag);
}
/** Attributes of a Get Attributes reply in either form, as (name, value with Attribute Value tag). */
function replyAttrs(version: KmipVersion, p: StructureNode): A[] {
  if (!v2(version)) return (children(p, Tag.Attribute) as StructureNode[]).map((a) => ({ name: textOf(a, Tag.AttributeName)!, value: a.children.find((c) => c.tag === Tag.AttributeValue)! }));
  const holder = children(p, Tag.Attributes)[0] as StructureNode;
  return holder.children.map((e) =>
    e.tag === Tag.Attribute
      ? { name: `${textOf(e as StructureNode, Tag.VendorIdentification)}-${textOf(e as StructureNode, Tag.AttributeName)}`, value: (e as StructureNode).children.find((c) => c.tag === Tag.AttributeValue)! }
      : { name: attributeByTag(e.tag)?.name ?? String(e.tag), value: retag(e, Tag.AttributeValue) },
  );
}
const textValue = (n: TtlvNode | undefined): string | undefined => (n?.type === ItemType.TextString ? n.value : undefined);
const id = (i: number): Uint8Array => Buffer.from(`tape${String(i).padStart(4, "0")}`);
const value256 = (i: number): string => `${String(i).padStart(2, "0")}|` + "LTO-9 cartridge barcode A00123L9 pool=offsite-vault; ".repeat(5).slice(0, 253);

function tapeAttributes(): A[] {
  const out: A[] = [];
  for (let i = 0; i < 28; i++) out.push({ name: `x-TapeAttr${String(i).padStart(2, "0")}`, value: text(0, value256(i)) });
  out.splice(7, 0, {
    name: "Application Specific Information",
    value: struct(0, [text(Tag.ApplicationNamespace, "LIBRARY-LTO9"), text(Tag.ApplicationData, "A00123L9")]),
  });
  out.splice(19, 0, {
    name: "Alternative Name",
    value: struct(0, [text(Tag.AlternativeNameValue, "A00123L9"), enumeration(Tag.AlternativeNameType, Enums.AlternativeNameType.UninterpretedTextString)]),
  });
  return out;
}

describe("integration: tape-library batch and SASED-style secret data", function () {
  this.timeout(60_000);
  let srv: RunningKmipd;
  let rp: Replayer;
  before(async () => {
    ({ srv, rp } = await startReplay());
  });
  after(async () => {
    await stopReplay(rp, srv);
  });

  for (const version of ["1.4", "2.1"] as KmipVersion[]) {
    it(`KMIP ${version}: 32 items with Batch Order Option and the ID Placeholder all succeed; 30 attributes stored exactly; key returned`, async () => {
      const attrs = tapeAttributes();
      expect(attrs).to.have.length(30);
      expect(attrs.every((a) => !isCustom(a.name) || textValue(a.value)!.length === 256)).to.equal(true);
      const aes = [
        { name: "Cryptographic Algorithm", value: enumeration(0, Enums.CryptographicAlgorithm.AES) },
        { name: "Cryptographic Length", value: integer(0, 256) },
        { name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Encrypt | Masks.CryptographicUsageMask.Decrypt) },
      ];
      const [first, ...rest] = attrs;
      const items: BuiltItem[] = [
        { op: Op.Create, payload: [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), attrsNode(version, [...aes, first!])] },
        // No Unique Identifier from here on: each item works on the Create's ID Placeholder.
        ...rest.map((a) => ({ op: Op.AddAttribute, payload: [v2(version) ? struct(Tag.NewAttribute, [wire(version, a)]) : wire(version, a)] })),
        { op: Op.Activate, payload: [] },
        { op: Op.Get, payload: [] },
      ].map((it, i) => ({ ...it, id: id(i) }));
      expect(items).to.have.length(32);
      const req = buildRequest(version, items, { batchOrder: true });
      const res = expectAnswered(req, await rp.send(`tape-${version}`, req));
      const uid = textOf(payloadOf(res[0]!), Tag.UniqueIdentifier)!;
      for (const r of res) expect(textOf(payloadOf(r), Tag.UniqueIdentifier)).to.equal(uid);
      const key = keyOf(payloadOf(res[31]!), Tag.SymmetricKey);
      expect(key.format).to.equal(Enums.KeyFormatType.Raw);
      expect(key.material).to.have.length(32);

      const ga = buildRequest(version, [{ op: Op.GetAttributes, payload: [text(Tag.UniqueIdentifier, uid), ...attrs.map((a) => reference(version, a.name)), reference(version, "State")] }]);
      const got = replyAttrs(version, payloadOf(expectAnswered(ga, await rp.send(`tape-${version}`, ga))[0]!));
      for (const a of attrs) {
        const found = got.filter((g) => g.name === a.name);
        expect(found, a.name).to.have.length(1);
        expect(nodesEqual(found[0]!.value, retag(a.value, Tag.AttributeValue)), `${a.name} stored exactly`).to.equal(true);
      }
      const state = got.find((g) => g.name === "State")?.value;
      expect(state?.type === ItemType.Enumeration ? state.value : undefined, "Activate ran in the batch").to.equal(Enums.State.Active);
      expect(got).to.have.length(31);
    });
  }

  for (const version of ["1.4", "2.1"] as KmipVersion[]) {
    it(`KMIP ${version}: SASED-style Register Secret Data (Password) with Name and 12 custom attributes, Locate by one, Get`, async () => {
      const tag = `${version}-${Date.now()}`;
      const customs: A[] = Array.from({ length: 12 }, (_, i) => ({ name: `x-SASED-${i}`, value: text(0, `${tag}:${i}:`.padEnd(72, "drive-serial-WX41A7C9-band-key-auth ")) }));
      const password = Buffer.from(`band-0 authentication key ${tag}`);
      const secret = struct(Tag.SecretData, [
        enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
        struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, password)])]),
      ]);
      const name = { name: "Name", value: struct(0, [text(Tag.NameValue, `sased-${tag}`), enumeration(Tag.NameType, Enums.NameType.UninterpretedTextString)]) };
      const mask = { name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Verify) };
      const reg = buildRequest(version, [{ op: Op.Register, payload: [enumeration(Tag.ObjectType, Enums.ObjectType.SecretData), attrsNode(version, [mask, name, ...customs]), secret] }]);
      const uid = textOf(payloadOf(expectAnswered(reg, await rp.send(`sased-${version}`, reg))[0]!), Tag.UniqueIdentifier)!;
      expect(customs.every((c) => textValue(c.value)!.length >= 64)).to.equal(true);

      const filter = [customs[5]!];
      const loc = buildRequest(version, [{ op: Op.Locate, payload: v2(version) ? [attrsNode(version, filter)] : filter.map((a) => wire(version, a)) }]);
      const found = children(payloadOf(expectAnswered(loc, await rp.send(`sased-${version}`, loc))[0]!), Tag.UniqueIdentifier).map((n) => (n as { value: string }).value);
      expect(found).to.deep.equal([uid]);

      const get = buildRequest(version, [{ op: Op.Get, payload: [text(Tag.UniqueIdentifier, uid)] }]);
      const p = payloadOf(expectAnswered(get, await rp.send(`sased-${version}`, get))[0]!);
      expect(numOf(p, Tag.ObjectType)).to.equal(Enums.ObjectType.SecretData);
      expect(keyOf(p, Tag.SecretData).material?.equals(password)).to.equal(true);
    });
  }
});
