import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import { Enums, Masks, Tag, type KmipVersion } from "../../src/kmip/index.js";
import {
  hashDerive, hmacPrf, kbkdfCounter, kbkdfDoublePipeline, kbkdfFeedback, pbkdf2Derive,
} from "../../src/operations/derivation/kdf.js";
import { bytes, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { Op, R, date, enumOf, getAttrs, lifecycleReason, nowSeconds, reasonIn, std, template } from "./attr-helpers.js";
import { FAILED, OK, engine, val } from "./harness.js";

const U = Masks.CryptographicUsageMask;
const A = Enums.CryptographicAlgorithm;
const D = Enums.DerivationMethod;
const hex = (s: string) => Buffer.from(s, "hex");
type Engine = ReturnType<typeof engine>;

describe("derivation primitives (known answers)", () => {
  it("PBKDF2-HMAC-SHA1: RFC 6070 vectors; the Iteration Count is bounded", async () => {
    expect((await pbkdf2Derive("sha1", Buffer.from("password"), Buffer.from("salt"), 1, 20)).toString("hex")).to.equal("0c60c80f961f0e71f3a9b524af601206" + "2fe037a6");
    expect((await pbkdf2Derive("sha1", Buffer.from("password"), Buffer.from("salt"), 2, 20)).toString("hex")).to.equal("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957");
    expect((await pbkdf2Derive("sha1", Buffer.from("password"), Buffer.from("salt"), 4096, 20)).toString("hex")).to.equal("4b007901b765489abead49d926f721d065a429c1");
    expect((await pbkdf2Derive("sha1", Buffer.from("passwordPASSWORDpassword"), Buffer.from("saltSALTsaltSALTsaltSALTsaltSALTsalt"), 4096, 25)).toString("hex"))
      .to.equal("3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038");
    for (const n of [0, 2_000_001]) {
      const err = await pbkdf2Derive("sha1", Buffer.from("p"), Buffer.from("s"), n, 16).catch((e: Error) => e);
      expect(String(err)).to.match(/Iteration Count/);
    }
  });

  it("SP 800-108 counter mode, HMAC-SHA-256, 32-bit counter before the fixed input: NIST CAVP KDFCTR vectors", () => {
    const prf = hmacPrf("sha256");
    const cases = [
      ["dd1d91b7d90b2bd3138533ce92b272fbf8a369316aefe242e659cc0ae238afe0",
        "01322b96b30acd197979444e468e1c5c6859bf1b1cf951b7e725303e237e46b864a145fab25e517b08f8683d0315bb2911d80a0e8aba17f3b413faac",
        "10621342bfb0fd40046c0e29f2cfdbf0"],
      ["e204d6d466aad507ffaf6d6dab0a5b26152c9e21e764370464e360c8fbc765c6",
        "7b03b98d9f94b899e591f3ef264b71b193fba7043c7e953cde23bc5384bc1a6293580115fae3495fd845dadbd02bd6455cf48d0f62b33e62364a3a80",
        "770dfab6a6a4a4bee0257ff335213f78d8287b4fd537d5c1fffa956910e7c779"],
    ] as const;
    for (const [k, fixed, ko] of cases) expect(kbkdfCounter(prf, 32, hex(k), hex(fixed), ko.length / 2).toString("hex")).to.equal(ko);
  });

  it("feedback and double-pipeline modes follow their definitions; lengths beyond the method are refused", () => {
    const prf = hmacPrf("sha256");
    const k = hex("00".repeat(32));
    const fixed = hex("0102");
    const k1 = prf(k, Buffer.concat([hex("00000001"), fixed]));
    const k2 = prf(k, Buffer.concat([k1, hex("00000002"), fixed]));
    expect(kbkdfFeedback(prf, 32, k, new Uint8Array(0), fixed, 48).toString("hex")).to.equal(Buffer.concat([k1, k2]).subarray(0, 48).toString("hex"));
    const a1 = prf(k, fixed);
    expect(kbkdfDoublePipeline(prf, 32, k, fixed, 16).toString("hex")).to.equal(prf(k, Buffer.concat([a1, hex("00000001"), fixed])).subarray(0, 16).toString("hex"));
    expect(() => hashDerive("sha256", k, 33)).to.throw(/exceeds/);
  });
});

/** Registers a key (or Secret Data) with the given mask, Active. */
async function registerBase(e: Engine, version: KmipVersion, kind: "key" | "secret", material: string, mask: number, active = true): Promise<string> {
  const attrs = [std("Cryptographic Usage Mask", integer(0, mask))];
  if (active) attrs.push(date("Activation Date", nowSeconds() - 3600n));
  const content: TtlvNode =
    kind === "key"
      ? struct(Tag.SymmetricKey, [struct(Tag.KeyBlock, [
          enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, hex(material))]),
          enumeration(Tag.CryptographicAlgorithm, A.AES), integer(Tag.CryptographicLength, material.length * 4),
        ])])
      : struct(Tag.SecretData, [enumeration(Tag.SecretDataType, Enums.SecretDataType.Seed), struct(Tag.KeyBlock, [
          enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, hex(material))]),
        ])]);
  const type = kind === "key" ? Enums.ObjectType.SymmetricKey : Enums.ObjectType.SecretData;
  const r = await e.op(Op.Register, [enumeration(Tag.ObjectType, type), template(version, attrs), content], version);
  expect(r.status, r.message).to.equal(OK);
  return val(r.payload, Tag.UniqueIdentifier) as string;
}

const newKey = (version: KmipVersion, bits: number) =>
  template(version, [
    std("Cryptographic Algorithm", enumeration(0, A.AES)),
    std("Cryptographic Length", integer(0, bits)),
    std("Cryptographic Usage Mask", integer(0, U.Encrypt | U.Decrypt)),
  ]);

const hashParams = (h: number) => struct(Tag.CryptographicParameters, [enumeration(Tag.HashingAlgorithm, h)]);

async function keyOf(e: Engine, version: KmipVersion, uid: string): Promise<string> {
  const g = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid)], version);
  expect(g.status, g.message).to.equal(OK);
  const obj = g.payload!.children[2] as StructureNode;
  const kb = obj.children.find((c) => c.tag === Tag.KeyBlock) as StructureNode;
  const kv = kb.children.find((c) => c.tag === Tag.KeyValue) as StructureNode;
  return Buffer.from(val(kv, Tag.KeyMaterial) as Uint8Array).toString("hex");
}

for (const version of ["1.0", "1.4", "2.0", "2.1"] as KmipVersion[]) {
  describe(`engine: Derive Key in KMIP ${version} (the OASIS TC-DERIVEKEY data)`, () => {
    const derive = (e: Engine, uids: string[], method: number, params: TtlvNode[], bits = 128, type: number = Enums.ObjectType.SymmetricKey) =>
      e.op(Op.DeriveKey, [
        enumeration(Tag.ObjectType, type), ...uids.map((u) => text(Tag.UniqueIdentifier, u)), enumeration(Tag.DerivationMethod, method),
        struct(Tag.DerivationParameters, params),
        type === Enums.ObjectType.SymmetricKey ? newKey(version, bits) : template(version, [std("Cryptographic Length", integer(0, bits))]),
      ], version);

    it("HASH and HMAC over a registered AES key (TC-DERIVEKEY-1, -2), linked both ways, new key Pre-Active", async () => {
      const e = engine();
      const base = await registerBase(e, version, "key", "00112233445566778899aabbccddeeff", U.Encrypt | U.Decrypt | U.DeriveKey);
      const h = await derive(e, [base], D.HASH, [hashParams(Enums.HashingAlgorithm.SHA_256)]);
      expect(h.status, h.message).to.equal(OK);
      const hu = val(h.payload, Tag.UniqueIdentifier) as string;
      expect(await keyOf(e, version, hu)).to.equal("a8faed6abbf35c12a4b26e40f6feb19d");
      const m = await derive(e, [base], D.HMAC, [hashParams(Enums.HashingAlgorithm.SHA_256), bytes(Tag.DerivationData, hex("0102"))]);
      expect(m.status, m.message).to.equal(OK);
      expect(await keyOf(e, version, val(m.payload, Tag.UniqueIdentifier) as string)).to.equal("1e15c1f1da233629f770fb0a04a5020e");

      const links = (attrs: Awaited<ReturnType<typeof getAttrs>>, type: number) =>
        attrs.filter((a) => a.name === "Link" && val(a.value as StructureNode, Tag.LinkType) === type).map((a) => val(a.value as StructureNode, Tag.LinkedObjectIdentifier));
      const nAttrs = await getAttrs(e, version, hu);
      expect(links(nAttrs, Enums.LinkType.DerivationBaseObjectLink)).to.deep.equal([base]);
      expect(enumOf(nAttrs.find((a) => a.name === "State"))).to.equal(Enums.State.PreActive);
      expect(links(await getAttrs(e, version, base), Enums.LinkType.DerivedKeyLink)).to.have.length(2);
      const d = await e.op(Op.Destroy, [text(Tag.UniqueIdentifier, hu)], version);
      expect(d.status, d.message).to.equal(OK);
    });

    it("PBKDF2 from a Secret Data password (TC-DERIVEKEY-3..5): SHA-1 by default, SHA-256 when named", async () => {
      const e = engine();
      const pw = await registerBase(e, version, "secret", "70617373776f7264", U.DeriveKey);
      const salt = bytes(Tag.Salt, hex("73616c74"));
      const a = await derive(e, [pw], D.PBKDF2, [salt, integer(Tag.IterationCount, 1)]);
      expect(a.status, a.message).to.equal(OK);
      expect(await keyOf(e, version, val(a.payload, Tag.UniqueIdentifier) as string)).to.equal("0c60c80f961f0e71f3a9b524af601206");
      const b = await derive(e, [pw], D.PBKDF2, [salt, integer(Tag.IterationCount, 4096)]);
      expect(await keyOf(e, version, val(b.payload, Tag.UniqueIdentifier) as string)).to.equal("4b007901b765489abead49d926f721d0");
      const c = await derive(e, [pw], D.PBKDF2, [hashParams(Enums.HashingAlgorithm.SHA_256), salt, integer(Tag.IterationCount, 4096)], 256);
      expect(await keyOf(e, version, val(c.payload, Tag.UniqueIdentifier) as string)).to.equal("c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
    });

    it("Secret Data output, ENCRYPT and SP 800-108 counter mode through the engine", async () => {
      const e = engine();
      const base = await registerBase(e, version, "key", "00112233445566778899aabbccddeeff", U.DeriveKey);
      const s = await derive(e, [base], D.NIST800_108_C, [hashParams(Enums.HashingAlgorithm.SHA_256), bytes(Tag.DerivationData, hex("6c6162656c00"))], 384, Enums.ObjectType.SecretData);
      expect(s.status, s.message).to.equal(OK);
      expect(await keyOf(e, version, val(s.payload, Tag.UniqueIdentifier) as string)).to.have.length(96);
      const ecb = struct(Tag.CryptographicParameters, [enumeration(Tag.BlockCipherMode, Enums.BlockCipherMode.ECB)]);
      // FIPS 197 Appendix C.1: AES-128(000102…0f, 00112233…ff) = 69c4e0d86a7b0430d8cdb78070b4c55a; here key and data swap roles.
      const enc = await derive(e, [base], D.ENCRYPT, [ecb, bytes(Tag.DerivationData, hex("000102030405060708090a0b0c0d0e0f"))]);
      expect(enc.status, enc.message).to.equal(OK);
      expect(await keyOf(e, version, val(enc.payload, Tag.UniqueIdentifier) as string)).to.have.length(32);
    });

    it("Asymmetric Key (ECDH, as TC-DERIVEKEY-6): private 1 with public 2 and private 2 with public 1 give the same key", async () => {
      const e = engine();
      const reg = async (type: number, tag: number, fmt: number, der: Buffer, mask: number) => {
        const r = await e.op(Op.Register, [
          enumeration(Tag.ObjectType, type),
          template(version, [std("Cryptographic Usage Mask", integer(0, mask)), date("Activation Date", nowSeconds() - 3600n)]),
          struct(tag, [struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, fmt), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, der)]),
            enumeration(Tag.CryptographicAlgorithm, A.EC), integer(Tag.CryptographicLength, 256)])]),
        ], version);
        expect(r.status, r.message).to.equal(OK);
        return val(r.payload, Tag.UniqueIdentifier) as string;
      };
      const pair = async () => {
        const k = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
        return {
          priv: await reg(Enums.ObjectType.PrivateKey, Tag.PrivateKey, Enums.KeyFormatType.PKCS_8, k.privateKey.export({ format: "der", type: "pkcs8" }), U.DeriveKey | U.Sign),
          pub: await reg(Enums.ObjectType.PublicKey, Tag.PublicKey, Enums.KeyFormatType.X_509, k.publicKey.export({ format: "der", type: "spki" }), U.DeriveKey | U.Verify),
        };
      };
      const [p1, p2] = [await pair(), await pair()];
      const ecdh = [struct(Tag.CryptographicParameters, [enumeration(Tag.CryptographicAlgorithm, A.ECDH)])];
      const a = await derive(e, [p1.priv, p2.pub], D.AsymmetricKey, ecdh, 256);
      expect(a.status, a.message).to.equal(OK);
      const b = await derive(e, [p2.priv, p1.pub], D.AsymmetricKey, ecdh, 256);
      expect(b.status, b.message).to.equal(OK);
      expect(await keyOf(e, version, val(a.payload, Tag.UniqueIdentifier) as string)).to.equal(await keyOf(e, version, val(b.payload, Tag.UniqueIdentifier) as string));
      const wrongOrder = await derive(e, [p1.pub, p2.priv], D.AsymmetricKey, ecdh, 256);
      expect(wrongOrder.status).to.equal(FAILED);
    });

    it("refuses a base without the Derive Key bit, one not Active, a length the method cannot fill, and no base", async () => {
      const e = engine();
      const noBit = await registerBase(e, version, "key", "00112233445566778899aabbccddeeff", U.Encrypt);
      const r1 = await derive(e, [noBit], D.HASH, [hashParams(Enums.HashingAlgorithm.SHA_256)]);
      expect([r1.status, r1.reason]).to.deep.equal([FAILED, reasonIn(version, R.IncompatibleCryptographicUsageMask, R.PermissionDenied)]);
      const inactive = await registerBase(e, version, "key", "00112233445566778899aabbccddeeff", U.DeriveKey, false);
      const r2 = await derive(e, [inactive], D.HASH, [hashParams(Enums.HashingAlgorithm.SHA_256)]);
      expect([r2.status, r2.reason]).to.deep.equal([FAILED, lifecycleReason(version)]);
      const ok = await registerBase(e, version, "key", "00112233445566778899aabbccddeeff", U.DeriveKey);
      const r3 = await derive(e, [ok], D.HASH, [hashParams(Enums.HashingAlgorithm.SHA_1)], 256);
      expect([r3.status, r3.reason]).to.deep.equal([FAILED, R.InvalidField]);
      const r4 = await derive(e, [], D.HASH, [hashParams(Enums.HashingAlgorithm.SHA_256)]);
      expect(r4.status).to.equal(FAILED);
      const other = await derive(engine(), [ok], D.HASH, [hashParams(Enums.HashingAlgorithm.SHA_256)]);
      expect(other.reason).to.equal(reasonIn(version, R.ObjectNotFound, R.ItemNotFound));
    });
  });
}
