import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { Enums, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { gf256Join, gf256Split, gfMul, xorJoin, xorSplit } from "../../src/operations/split/sharing.js";
import { boolean, bytes, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { Op, R, custom, enumOf, getAttrs, std, template } from "./attr-helpers.js";
import { FAILED, OK, engine, val } from "./harness.js";

const hex = (s: string) => Buffer.from(s, "hex");
const A = Enums.CryptographicAlgorithm;
const M = Enums.SplitKeyMethod;
type Engine = ReturnType<typeof engine>;

/** The four shares of TC-SJ-3 (threshold 2): any two give 0102…10. */
const SJ3 = ["66C46A7754F94DE420C7B1A7FFF5EC56", "CF93D1E2A7E593CD5B8D6247F4E5D49C", "A855B891F61AD9217240D8EC061E37DA", "803DBAD55CDD329FAD19D99AE2C5A415"];

describe("split key sharing", () => {
  it("GF(2^8) is the field x^8+x^4+x^3+x^2+1: every pair of the TC-SJ-3 shares joins to the case's key", () => {
    expect(gfMul(0x80, 2)).to.equal(0x1d);
    for (let i = 0; i < 4; i++) {
      for (let j = i + 1; j < 4; j++) {
        expect(Buffer.from(gf256Join([{ x: i + 1, y: hex(SJ3[i]!) }, { x: j + 1, y: hex(SJ3[j]!) }])).toString("hex")).to.equal("0102030405060708090a0b0c0d0e0f10");
      }
    }
  });

  it("split then join: any threshold-sized subset rebuilds the secret, fewer do not; XOR needs all", () => {
    const secret = randomBytes(32);
    const shares = gf256Split(secret, 5, 3);
    expect(Buffer.from(gf256Join([shares[0]!, shares[2]!, shares[4]!])).equals(secret)).to.equal(true);
    expect(Buffer.from(gf256Join([shares[1]!, shares[3]!, shares[4]!])).equals(secret)).to.equal(true);
    expect(Buffer.from(gf256Join([shares[1]!, shares[3]!])).equals(secret)).to.equal(false);
    const x = xorSplit(secret, 4);
    expect(Buffer.from(xorJoin(x)).equals(secret)).to.equal(true);
    expect(Buffer.from(xorJoin(x.slice(1))).equals(secret)).to.equal(false);
  });
});

async function register(e: Engine, version: KmipVersion, type: number, content: TtlvNode, attrs = [custom("x-ID", text(0, "sj"))]): Promise<string> {
  const r = await e.op(Op.Register, [enumeration(Tag.ObjectType, type), template(version, attrs), content], version);
  expect(r.status, r.message).to.equal(OK);
  return val(r.payload, Tag.UniqueIdentifier) as string;
}

const aesKey = (k: string) =>
  struct(Tag.SymmetricKey, [struct(Tag.KeyBlock, [
    enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, hex(k))]),
    enumeration(Tag.CryptographicAlgorithm, A.AES), integer(Tag.CryptographicLength, k.length * 4),
  ])]);

const joinTemplate = (version: KmipVersion) =>
  template(version, [std("Cryptographic Algorithm", enumeration(0, A.AES)), std("Cryptographic Length", integer(0, 128)), std("Cryptographic Usage Mask", integer(0, 12))]);

async function material(e: Engine, version: KmipVersion, uid: string): Promise<{ obj: StructureNode; key: string }> {
  const g = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid)], version);
  expect(g.status, g.message).to.equal(OK);
  const obj = g.payload!.children[2] as StructureNode;
  const kb = obj.children.find((c) => c.tag === Tag.KeyBlock) as StructureNode;
  const kv = kb.children.find((c) => c.tag === Tag.KeyValue) as StructureNode;
  return { obj, key: Buffer.from(val(kv, Tag.KeyMaterial) as Uint8Array).toString("hex") };
}

for (const version of ["1.2", "1.4", "2.0", "2.1"] as KmipVersion[]) {
  describe(`engine: Create / Join Split Key in KMIP ${version}`, () => {
    const split = (e: Engine, uid: string | undefined, parts: number, threshold: number, method: number) =>
      e.op(Op.CreateSplitKey, [
        enumeration(Tag.ObjectType, Enums.ObjectType.SplitKey), ...(uid ? [text(Tag.UniqueIdentifier, uid)] : []),
        integer(Tag.SplitKeyParts, parts), integer(Tag.SplitKeyThreshold, threshold), enumeration(Tag.SplitKeyMethod, method),
        template(version, []),
      ], version);
    const join = (e: Engine, uids: string[]) =>
      e.op(Op.JoinSplitKey, [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), ...uids.map((u) => text(Tag.UniqueIdentifier, u)), joinTemplate(version)], version);

    for (const [method, parts, threshold] of [[M.PolynomialSharingGF2_8, 5, 3], [M.XOR, 4, 4]] as const) {
      it(`splits a registered key (method ${method}, ${threshold} of ${parts}) into linked parts that join back; too few fail`, async () => {
        const e = engine();
        const base = await register(e, version, Enums.ObjectType.SymmetricKey, aesKey("0102030405060708090a0b0c0d0e0f10"));
        const s = await split(e, base, parts, threshold, method);
        expect(s.status, s.message).to.equal(OK);
        const uids = s.payload!.children.map((c) => (c as { value: string }).value);
        expect(uids).to.have.length(parts);
        const first = await material(e, version, uids[0]!);
        expect(val(first.obj, Tag.KeyPartIdentifier)).to.equal(1);
        expect(val(first.obj, Tag.SplitKeyThreshold)).to.equal(threshold);
        const pattrs = await getAttrs(e, version, uids[1]!);
        expect(enumOf(pattrs.find((a) => a.name === "Object Type"))).to.equal(Enums.ObjectType.SplitKey);
        const linkTypes = pattrs.filter((a) => a.name === "Link").map((a) => val(a.value as StructureNode, Tag.LinkType));
        expect(linkTypes).to.include.members([Enums.LinkType.ParentLink, Enums.LinkType.PreviousLink, Enums.LinkType.NextLink]);

        const pick = uids.slice(parts - threshold);
        const j = await join(e, pick);
        expect(j.status, j.message).to.equal(OK);
        expect((await material(e, version, val(j.payload, Tag.UniqueIdentifier) as string)).key).to.equal("0102030405060708090a0b0c0d0e0f10");
        const few = await join(e, pick.slice(1));
        expect([few.status, few.reason]).to.deep.equal([FAILED, R.CryptographicFailure]);
      });
    }

    it("joins registered Split Key objects (TC-SJ-3) and refuses what is not a split key or an unsupported method", async () => {
      const e = engine();
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push(await register(e, version, Enums.ObjectType.SplitKey, struct(Tag.SplitKey, [
          integer(Tag.SplitKeyParts, 4), integer(Tag.KeyPartIdentifier, i + 1), integer(Tag.SplitKeyThreshold, 2), enumeration(Tag.SplitKeyMethod, M.PolynomialSharingGF2_8),
          struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, hex(SJ3[i]!))])]),
        ])));
      }
      const j = await join(e, [ids[0]!, ids[2]!]);
      expect(j.status, j.message).to.equal(OK);
      expect((await material(e, version, val(j.payload, Tag.UniqueIdentifier) as string)).key).to.equal("0102030405060708090a0b0c0d0e0f10");
      const one = await join(e, [ids[2]!]);
      expect([one.status, one.reason]).to.deep.equal([FAILED, R.CryptographicFailure]);
      const key = await register(e, version, Enums.ObjectType.SymmetricKey, aesKey("0102030405060708090a0b0c0d0e0f10"));
      expect((await join(e, [ids[0]!, key])).status).to.equal(FAILED);
      expect((await split(e, key, 3, 2, M.PolynomialSharingPrimeField)).status).to.equal(FAILED);
      expect((await split(e, key, 3, 2, M.XOR)).status).to.equal(FAILED);
    });

    // Sensitive/Extractable as client-settable flags on Register are 2.x attributes
    if (version.startsWith("2.")) it("refuses to split a Sensitive or non-Extractable key", async () => {
      const e = engine();
      for (const [name, v] of [["Sensitive", true], ["Extractable", false]] as const) {
        const key = await register(e, version, Enums.ObjectType.SymmetricKey, aesKey("0102030405060708090a0b0c0d0e0f10"), [std(name, boolean(0, v))]);
        expect((await split(e, key, 3, 2, M.PolynomialSharingGF2_8)).status, name).to.equal(FAILED);
      }
    });

    it("without a key to split, generates one from the template", async () => {
      const e = engine();
      const s = await e.op(Op.CreateSplitKey, [
        enumeration(Tag.ObjectType, Enums.ObjectType.SplitKey), integer(Tag.SplitKeyParts, 3), integer(Tag.SplitKeyThreshold, 2),
        enumeration(Tag.SplitKeyMethod, M.PolynomialSharingGF2_8), joinTemplate(version),
      ], version);
      expect(s.status, s.message).to.equal(OK);
      const uids = s.payload!.children.map((c) => (c as { value: string }).value);
      const a = await join(e, [uids[0]!, uids[1]!]);
      const b = await join(e, [uids[1]!, uids[2]!]);
      expect((await material(e, version, val(a.payload, Tag.UniqueIdentifier) as string)).key)
        .to.equal((await material(e, version, val(b.payload, Tag.UniqueIdentifier) as string)).key);
    });
  });
}
