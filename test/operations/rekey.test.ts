import { expect } from "chai";
import { Enums, Masks, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { bytes, enumeration, integer, interval, longInteger, struct, text, type StructureNode } from "../../src/ttlv/index.js";
import {
  Op, R, createKey, date, dateOf, enumOf, getAttrs, nameAttr, nowSeconds, lifecycleReason, reasonIn, std, template, textOf, uidOf, v2,
} from "./attr-helpers.js";
import { FAILED, OK, engine, val } from "./harness.js";

const E = Masks.CryptographicUsageMask;

function keyBytes(getPayload: StructureNode | undefined): Buffer {
  const sk = getPayload?.children.find((c) => c.tag === Tag.SymmetricKey) as StructureNode;
  const kb = sk.children.find((c) => c.tag === Tag.KeyBlock) as StructureNode;
  const kv = kb.children.find((c) => c.tag === Tag.KeyValue) as StructureNode;
  return Buffer.from(val(kv, Tag.KeyMaterial) as Uint8Array);
}

const linkOf = (attrs: Awaited<ReturnType<typeof getAttrs>>, type: number): string | undefined => {
  const l = attrs.find((a) => a.name === "Link" && val(a.value as StructureNode, Tag.LinkType) === type);
  return l && (val(l.value as StructureNode, Tag.LinkedObjectIdentifier) as string);
};

for (const version of ["1.0", "1.4", "2.0", "2.1"] as KmipVersion[]) {
  describe(`engine: Re-key in KMIP ${version}`, () => {
    it("makes a linked replacement: new material, same algorithm, names moved, state from the copied dates", async () => {
      const e = engine();
      const old = await createKey(e, version, [nameAttr("rekey-original"), date("Activation Date", nowSeconds() - 3600n)]);
      const res = await e.batch(
        [
          { operation: Op.ReKey, payload: [text(Tag.UniqueIdentifier, old), template(version, [nameAttr("rekey-first")])] },
          { operation: Op.GetAttributes, payload: [] },
        ],
        version,
      );
      const rk = res.children[1] as StructureNode;
      expect(val(rk, Tag.ResultStatus), String(val(rk, Tag.ResultMessage))).to.equal(OK);
      const neu = val(rk.children.find((c) => c.tag === Tag.ResponsePayload) as StructureNode, Tag.UniqueIdentifier) as string;
      expect(neu).to.not.equal(old);
      const placeholder = res.children[2] as StructureNode;
      expect(val(placeholder.children.find((c) => c.tag === Tag.ResponsePayload) as StructureNode, Tag.UniqueIdentifier)).to.equal(neu);

      const n = await getAttrs(e, version, neu);
      const o = await getAttrs(e, version, old);
      expect(n.filter((a) => a.name === "Name").map(textOf)).to.deep.equal(["rekey-original", "rekey-first"]);
      expect(o.filter((a) => a.name === "Name")).to.have.length(0);
      expect(enumOf(n.find((a) => a.name === "State"))).to.equal(Enums.State.Active);
      expect(enumOf(n.find((a) => a.name === "Cryptographic Algorithm"))).to.equal(Enums.CryptographicAlgorithm.AES);
      expect(dateOf(n.find((a) => a.name === "Activation Date"))).to.equal(dateOf(o.find((a) => a.name === "Activation Date")));
      expect(linkOf(n, Enums.LinkType.ReplacedObjectLink)).to.equal(old);
      expect(linkOf(o, Enums.LinkType.ReplacementObjectLink)).to.equal(neu);
      expect(n.filter((a) => a.name === "Digest")).to.have.length(1);

      const oldKey = keyBytes((await e.op(Op.Get, [text(Tag.UniqueIdentifier, old)], version)).payload);
      const newKey = keyBytes((await e.op(Op.Get, [text(Tag.UniqueIdentifier, neu)], version)).payload);
      expect(newKey).to.have.length(32);
      expect(newKey.equals(Buffer.alloc(32)), "the stored key is not the erased buffer").to.equal(false);
      expect(newKey.equals(oldKey)).to.equal(false);
    });

    it("with an Offset: Activation Date = Initial Date + Offset, other dates keep their distance; Pre-Active", async () => {
      const e = engine();
      const t = nowSeconds();
      const old = await createKey(e, version, [date("Activation Date", t - 100n), date("Deactivation Date", t + 1000n)]);
      const r = await e.op(Op.ReKey, [text(Tag.UniqueIdentifier, old), interval(Tag.Offset, 3600)], version);
      expect(r.status, r.message).to.equal(OK);
      const n = await getAttrs(e, version, uidOf(r));
      const initial = dateOf(n.find((a) => a.name === "Initial Date"))!;
      const activation = dateOf(n.find((a) => a.name === "Activation Date"))!;
      expect(activation).to.equal(initial + 3600n);
      expect(dateOf(n.find((a) => a.name === "Deactivation Date"))).to.equal(t + 1000n + (activation - (t - 100n)));
      expect(enumOf(n.find((a) => a.name === "State"))).to.equal(Enums.State.PreActive);
    });

    it("refuses what is not a symmetric key", async () => {
      const e = engine();
      const sd = await e.op(
        Op.Register,
        [
          enumeration(Tag.ObjectType, Enums.ObjectType.SecretData),
          template(version, [std("Cryptographic Usage Mask", integer(0, 0))]),
          struct(Tag.SecretData, [
            enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
            struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Buffer.from("pw"))])]),
          ]),
        ],
        version,
      );
      const r = await e.op(Op.ReKey, [text(Tag.UniqueIdentifier, uidOf(sd))], version);
      expect(r.reason).to.equal(reasonIn(version, R.InvalidObjectType, R.InvalidField));
    });
  });

  describe(`engine: Check and Get Usage Allocation in KMIP ${version}`, () => {
    it("Check echoes the uid for an allowed use, refuses a forbidden usage mask and empties the ID Placeholder", async () => {
      const e = engine();
      const uid = await createKey(e, version); // mask Encrypt | Decrypt
      const ok = await e.op(Op.Check, [text(Tag.UniqueIdentifier, uid), integer(Tag.CryptographicUsageMask, E.Decrypt)], version);
      expect(ok.status, ok.message).to.equal(OK);
      expect(uidOf(ok)).to.equal(uid);
      const res = await e.batch(
        [
          { operation: Op.Locate, payload: [] },
          { operation: Op.Check, payload: [integer(Tag.CryptographicUsageMask, E.Encrypt | E.Sign)] },
          { operation: Op.GetAttributes, payload: [] },
        ],
        version,
        "alice",
        [enumeration(Tag.BatchErrorContinuationOption, Enums.BatchErrorContinuationOption.Continue)],
      );
      const [, located, checked, after] = res.children as StructureNode[];
      expect(val(located!, Tag.ResultStatus)).to.equal(OK);
      expect(val(checked!, Tag.ResultStatus)).to.equal(FAILED);
      expect(val(checked!, Tag.ResultReason)).to.equal(reasonIn(version, R.IncompatibleCryptographicUsageMask, R.PermissionDenied));
      expect(val(after!, Tag.ResultStatus), "the ID Placeholder is gone").to.equal(FAILED);
    });

    it("Get Usage Allocation takes units from an Active key's Usage Limits", async () => {
      const e = engine();
      const limits = std("Usage Limits", struct(0, [longInteger(Tag.UsageLimitsTotal, 100n), longInteger(Tag.UsageLimitsCount, 100n), enumeration(Tag.UsageLimitsUnit, Enums.UsageLimitsUnit.Byte)]));
      const uid = await createKey(e, version, [limits]);
      const gua = (n: bigint) => e.op(Op.GetUsageAllocation, [text(Tag.UniqueIdentifier, uid), longInteger(Tag.UsageLimitsCount, n)], version);
      expect((await gua(10n)).reason, "only while Active").to.equal(lifecycleReason(version));
      expect((await e.op(Op.Activate, [text(Tag.UniqueIdentifier, uid)], version)).status).to.equal(OK);
      const r = await gua(60n);
      expect(r.status, r.message).to.equal(OK);
      expect(uidOf(r)).to.equal(uid);
      const left = (await getAttrs(e, version, uid, ["Usage Limits"]))[0]!;
      expect(val(left.value as StructureNode, Tag.UsageLimitsCount)).to.equal(40n);
      const over = await gua(50n);
      expect(over.status).to.equal(FAILED);
      if (v2(version)) expect(over.reason).to.equal(R.UsageLimitExceeded);
      const check = await e.op(Op.Check, [text(Tag.UniqueIdentifier, uid), longInteger(Tag.UsageLimitsCount, 41n)], version);
      expect(check.status).to.equal(FAILED);

      const plain = await createKey(e, version);
      await e.op(Op.Activate, [text(Tag.UniqueIdentifier, plain)], version);
      const none = await e.op(Op.GetUsageAllocation, [text(Tag.UniqueIdentifier, plain), longInteger(Tag.UsageLimitsCount, 1n)], version);
      expect(none.reason).to.equal(reasonIn(version, R.AttributeNotFound, R.ItemNotFound));
    });
  });
}
