import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { expect } from "chai";
import { Enums, Masks, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { ItemType, bytes, encodeTtlv, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { Op, R, enumOf, getAttrs, nameAttr, std, template, textOf, uidOf, v2, type Engine } from "./attr-helpers.js";
import { FAILED, OK, engine, val } from "./harness.js";

const F = Enums.KeyFormatType;
const A = Enums.CryptographicAlgorithm;
const U = Masks.CryptographicUsageMask;
const child = (s: StructureNode | undefined, tag: number) => s?.children.find((c) => c.tag === tag) as StructureNode | undefined;

/** Create Key Pair with Common / Private / Public attribute lists in the version's form. */
async function createPair(e: Engine, version: KmipVersion, common: ReturnType<typeof std>[], priv = [std("Cryptographic Usage Mask", integer(0, U.Sign))], pub = [std("Cryptographic Usage Mask", integer(0, U.Verify))]) {
  const holder = (v1: number, v2tag: number, attrs: ReturnType<typeof std>[]) => {
    const t = template(version, attrs) as StructureNode;
    return struct(v2(version) ? v2tag : v1, t.children);
  };
  return e.op(
    Op.CreateKeyPair,
    [
      holder(Tag.CommonTemplateAttribute, Tag.CommonAttributes, common),
      holder(Tag.PrivateKeyTemplateAttribute, Tag.PrivateKeyAttributes, priv),
      holder(Tag.PublicKeyTemplateAttribute, Tag.PublicKeyAttributes, pub),
    ],
    version,
  );
}

const rsa = (bits: number) => [std("Cryptographic Algorithm", enumeration(0, A.RSA)), std("Cryptographic Length", integer(0, bits))];

/** Get, returning the Key Block. */
async function getKey(e: Engine, version: KmipVersion, uid: string, fmt?: number) {
  const r = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid), ...(fmt === undefined ? [] : [enumeration(Tag.KeyFormatType, fmt)])], version);
  const obj = r.payload?.children.find((c) => c.tag === Tag.PrivateKey || c.tag === Tag.PublicKey) as StructureNode | undefined;
  const kb = child(obj, Tag.KeyBlock);
  const kv = child(kb, Tag.KeyValue);
  return { r, kb, kv, material: kv?.children.find((c) => c.tag === Tag.KeyMaterial) };
}
const derOf = (m: TtlvNode | undefined) => Buffer.from((m as { value: Uint8Array }).value);

async function registerKey(e: Engine, version: KmipVersion, isPrivate: boolean, fmt: number, material: TtlvNode, extra: TtlvNode[] = []) {
  return e.op(
    Op.Register,
    [
      enumeration(Tag.ObjectType, isPrivate ? Enums.ObjectType.PrivateKey : Enums.ObjectType.PublicKey),
      template(version, [std("Cryptographic Usage Mask", integer(0, isPrivate ? U.Sign : U.Verify))]),
      struct(isPrivate ? Tag.PrivateKey : Tag.PublicKey, [struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, fmt), struct(Tag.KeyValue, [material]), ...extra])]),
    ],
    version,
  );
}

const linkOf = (attrs: Awaited<ReturnType<typeof getAttrs>>, type: number): string | undefined => {
  const l = attrs.find((a) => a.name === "Link" && val(a.value as StructureNode, Tag.LinkType) === type);
  return l && (val(l.value as StructureNode, Tag.LinkedObjectIdentifier) as string);
};

for (const version of ["1.0", "1.4", "2.1"] as KmipVersion[]) {
  describe(`engine: Create Key Pair in KMIP ${version}`, () => {
    it("makes a linked RSA pair stored as PKCS#1, with per-half usage masks, Digest and the ID Placeholder on the private key", async () => {
      const e = engine();
      const r = await createPair(e, version, rsa(2048), [std("Cryptographic Usage Mask", integer(0, U.Sign)), nameAttr(`priv-${version}`)]);
      expect(r.status, r.message).to.equal(OK);
      const privUid = val(r.payload, Tag.PrivateKeyUniqueIdentifier) as string;
      const pubUid = val(r.payload, Tag.PublicKeyUniqueIdentifier) as string;
      const priv = await getAttrs(e, version, privUid);
      const pub = await getAttrs(e, version, pubUid);
      expect(linkOf(priv, Enums.LinkType.PublicKeyLink)).to.equal(pubUid);
      expect(linkOf(pub, Enums.LinkType.PrivateKeyLink)).to.equal(privUid);
      expect(enumOf(priv.find((a) => a.name === "Object Type"))).to.equal(Enums.ObjectType.PrivateKey);
      expect((priv.find((a) => a.name === "Cryptographic Usage Mask")!.value as { value: number }).value).to.equal(U.Sign);
      expect((pub.find((a) => a.name === "Cryptographic Usage Mask")!.value as { value: number }).value).to.equal(U.Verify);
      expect((pub.find((a) => a.name === "Cryptographic Length")!.value as { value: number }).value).to.equal(2048);
      expect(priv.some((a) => a.name === "Name")).to.equal(true);
      expect(pub.some((a) => a.name === "Name")).to.equal(false);

      const got = await getKey(e, version, privUid);
      expect(val(got.kb, Tag.KeyFormatType)).to.equal(F.PKCS_1);
      expect(got.kv!.children.every((c) => c.tag === Tag.KeyMaterial)).to.equal(true);
      const key = createPrivateKey({ key: derOf(got.material), format: "der", type: "pkcs1" });
      expect(key.asymmetricKeyDetails?.modulusLength).to.equal(2048);
      const digest = priv.find((a) => a.name === "Digest")!.value as StructureNode;
      expect(Buffer.from(val(digest, Tag.DigestValue) as Uint8Array)).to.deep.equal(createHash("sha256").update(derOf(got.material)).digest());

      // The public half is the private key's public key.
      const pubGot = await getKey(e, version, pubUid, F.X_509);
      expect(derOf(pubGot.material)).to.deep.equal(createPublicKey(key).export({ format: "der", type: "spki" }));

      const batch = await e.batch([{ operation: Op.CreateKeyPair, payload: (await pairPayload(version)) }, { operation: Op.GetAttributes, payload: [] }], version);
      const second = child(batch.children[2] as StructureNode, Tag.ResponsePayload);
      const first = child(batch.children[1] as StructureNode, Tag.ResponsePayload);
      expect(val(second, Tag.UniqueIdentifier)).to.equal(val(first, Tag.PrivateKeyUniqueIdentifier));
    });

    it("makes EC pairs on the curve named by Recommended Curve (ECPrivateKey / X.509), convertible to Transparent EC", async () => {
      const e = engine();
      const alg = version === "1.0" ? A.ECDSA : A.EC;
      const r = await createPair(e, version, [
        std("Cryptographic Algorithm", enumeration(0, alg)),
        std("Cryptographic Domain Parameters", struct(0, [enumeration(Tag.RecommendedCurve, Enums.RecommendedCurve.P_384)])),
      ]);
      expect(r.status, r.message).to.equal(OK);
      const privUid = val(r.payload, Tag.PrivateKeyUniqueIdentifier) as string;
      const pubUid = val(r.payload, Tag.PublicKeyUniqueIdentifier) as string;
      const got = await getKey(e, version, privUid);
      expect(val(got.kb, Tag.KeyFormatType)).to.equal(F.ECPrivateKey);
      expect(val(got.kb, Tag.CryptographicLength)).to.equal(384);
      const key = createPrivateKey({ key: derOf(got.material), format: "der", type: "sec1" });
      expect(key.asymmetricKeyDetails?.namedCurve).to.equal("secp384r1");
      const pub = await getKey(e, version, pubUid);
      expect(val(pub.kb, Tag.KeyFormatType)).to.equal(F.X_509);
      const tq = await getKey(e, version, pubUid, F.TransparentECPublicKey);
      const q = Buffer.from(val(tq.material as StructureNode, Tag.QString) as Uint8Array);
      const jwk = createPublicKey(key).export({ format: "jwk" });
      expect(q).to.deep.equal(Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]));
      const p8 = await getKey(e, version, privUid, F.PKCS_8);
      expect(derOf(p8.material)).to.deep.equal(key.export({ format: "der", type: "pkcs8" }));
      // Transparent EC private → back to a key that signs like the original.
      const td = await getKey(e, version, privUid, F.TransparentECPrivateKey);
      expect(val(td.material as StructureNode, Tag.RecommendedCurve)).to.equal(Enums.RecommendedCurve.P_384);
    });

    it("refuses lengths and algorithms it does not generate", async () => {
      const e = engine();
      const bad = await createPair(e, version, rsa(1000));
      expect(bad.status).to.equal(FAILED);
      expect(bad.reason).to.equal(R.InvalidField);
      const aes = await createPair(e, version, [std("Cryptographic Algorithm", enumeration(0, A.AES))]);
      expect(aes.reason).to.equal(R.InvalidField);
    });
  });
}

async function pairPayload(version: KmipVersion): Promise<TtlvNode[]> {
  const t = template(version, rsa(1024)) as StructureNode;
  return [struct(v2(version) ? Tag.CommonAttributes : Tag.CommonTemplateAttribute, t.children)];
}

describe("engine: Register and Get of asymmetric keys in every format", () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" });
  const pkcs1 = privateKey.export({ format: "der", type: "pkcs1" });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });

  it("a PKCS#8 RSA private key: algorithm and length filled from the key, returned as PKCS#1, PKCS#8 and Transparent", async () => {
    const e = engine();
    const r = await registerKey(e, "2.1", true, F.PKCS_8, bytes(Tag.KeyMaterial, pkcs8));
    expect(r.status, r.message).to.equal(OK);
    const uid = uidOf(r);
    const attrs = await getAttrs(e, "2.1", uid);
    expect(enumOf(attrs.find((a) => a.name === "Cryptographic Algorithm"))).to.equal(A.RSA);
    expect((attrs.find((a) => a.name === "Cryptographic Length")!.value as { value: number }).value).to.equal(2048);
    expect(derOf((await getKey(e, "2.1", uid, F.PKCS_1)).material)).to.deep.equal(pkcs1);
    expect(derOf((await getKey(e, "2.1", uid)).material)).to.deep.equal(pkcs8);
    const t = await getKey(e, "2.1", uid, F.TransparentRSAPrivateKey);
    const n = (t.material as StructureNode).children.find((c) => c.tag === Tag.Modulus) as { value: bigint };
    expect(n.value.toString(16)).to.equal(Buffer.from(privateKey.export({ format: "jwk" }).n!, "base64url").toString("hex").replace(/^0+/, ""));
    // …and the transparent form registers back to the same key.
    const back = await registerKey(e, "2.1", true, F.TransparentRSAPrivateKey, t.material!);
    expect(back.status, back.message).to.equal(OK);
    expect(derOf((await getKey(e, "2.1", uidOf(back), F.PKCS_1)).material)).to.deep.equal(pkcs1);
    // Digest of a transparent key: over the TTLV encoding of its Key Material (TC_182).
    const digests = (await getAttrs(e, "2.1", uidOf(back))).filter((a) => a.name === "Digest").map((a) => a.value as StructureNode);
    const d = digests.find((x) => val(x, Tag.KeyFormatType) === F.TransparentRSAPrivateKey)!;
    expect(Buffer.from(val(d, Tag.DigestValue) as Uint8Array)).to.deep.equal(createHash("sha256").update(encodeTtlv(t.material!)).digest());
    // …and one in the default format, PKCS#1 (2.0 §4.21; TC-IMPEXP-4-20); a PKCS#8 key gets the same one.
    const p1 = digests.find((x) => val(x, Tag.KeyFormatType) === F.PKCS_1)!;
    expect(Buffer.from(val(p1, Tag.DigestValue) as Uint8Array)).to.deep.equal(createHash("sha256").update(pkcs1).digest());
    const fromPkcs8 = (await getAttrs(e, "2.1", uid)).filter((a) => a.name === "Digest").map((a) => val(a.value as StructureNode, Tag.KeyFormatType));
    expect(fromPkcs8.sort()).to.deep.equal([F.PKCS_1, F.PKCS_8].sort());
  });

  it("a PKCS#1 public key as X.509 and Transparent RSA, and back", async () => {
    const e = engine();
    const pub = createPublicKey(privateKey);
    const r = await registerKey(e, "1.4", false, F.PKCS_1, bytes(Tag.KeyMaterial, pub.export({ format: "der", type: "pkcs1" })));
    expect(r.status, r.message).to.equal(OK);
    expect(derOf((await getKey(e, "1.4", uidOf(r), F.X_509)).material)).to.deep.equal(spki);
    const x = await registerKey(e, "1.4", false, F.X_509, bytes(Tag.KeyMaterial, spki));
    expect(derOf((await getKey(e, "1.4", uidOf(x), F.PKCS_1)).material)).to.deep.equal(pub.export({ format: "der", type: "pkcs1" }));
    const t = await getKey(e, "1.4", uidOf(x), F.TransparentRSAPublicKey);
    expect(val(t.material as StructureNode, Tag.PublicExponent)).to.equal(65537n);
  });

  it("an EC private key: ECPrivateKey ⇄ PKCS#8 ⇄ Transparent EC; the public key from a Q String", async () => {
    const e = engine();
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey as KeyObject;
    const r = await registerKey(e, "2.1", true, F.ECPrivateKey, bytes(Tag.KeyMaterial, ec.export({ format: "der", type: "sec1" })));
    expect(r.status, r.message).to.equal(OK);
    const attrs = await getAttrs(e, "2.1", uidOf(r));
    expect(enumOf(attrs.find((a) => a.name === "Cryptographic Algorithm"))).to.equal(A.EC);
    expect(derOf((await getKey(e, "2.1", uidOf(r), F.PKCS_8)).material)).to.deep.equal(ec.export({ format: "der", type: "pkcs8" }));
    const t = await getKey(e, "2.1", uidOf(r), F.TransparentECPrivateKey);
    const back = await registerKey(e, "2.1", true, F.TransparentECPrivateKey, t.material!);
    expect(derOf((await getKey(e, "2.1", uidOf(back), F.ECPrivateKey)).material)).to.deep.equal(ec.export({ format: "der", type: "sec1" }));
    const jwk = ec.export({ format: "jwk" });
    const q = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")]);
    const pub = await registerKey(e, "2.1", false, F.TransparentECPublicKey, struct(Tag.KeyMaterial, [enumeration(Tag.RecommendedCurve, Enums.RecommendedCurve.P_256), bytes(Tag.QString, q)]));
    expect(pub.status, pub.message).to.equal(OK);
    expect(derOf((await getKey(e, "2.1", uidOf(pub), F.X_509)).material)).to.deep.equal(createPublicKey(ec).export({ format: "der", type: "spki" }));
  });

  it("refuses conversions that do not exist: Key Format Type Not Supported", async () => {
    const e = engine();
    const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    const r = await registerKey(e, "2.1", true, F.ECPrivateKey, bytes(Tag.KeyMaterial, ec.export({ format: "der", type: "sec1" })));
    for (const fmt of [F.PKCS_1, F.Raw, F.X_509, F.TransparentRSAPrivateKey]) {
      const g = await getKey(e, "2.1", uidOf(r), fmt);
      expect(g.r.reason, `format ${fmt}`).to.equal(R.KeyFormatTypeNotSupported);
    }
  });

  it("drops Attribute items a client put inside the Key Value", async () => {
    const e = engine();
    const r = await e.op(Op.Register, [
      enumeration(Tag.ObjectType, Enums.ObjectType.PrivateKey),
      template("1.4", [std("Cryptographic Usage Mask", integer(0, U.Sign))]),
      struct(Tag.PrivateKey, [struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, F.PKCS_1), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, pkcs1), struct(Tag.Attribute, [text(Tag.AttributeName, "x-note"), text(Tag.AttributeValue, "hi")])])])]),
    ], "1.4");
    expect(r.status, r.message).to.equal(OK);
    const g = await getKey(e, "1.4", uidOf(r));
    expect(g.kv!.children.map((c) => c.tag)).to.deep.equal([Tag.KeyMaterial]);
  });
});

describe("engine: Re-key Key Pair", () => {
  for (const version of ["1.1", "2.1"] as KmipVersion[]) {
    it(`${version}: a new pair of the same kind, linked to the old one both ways; names move`, async () => {
      const e = engine();
      const r = await createPair(e, version, rsa(1024), [std("Cryptographic Usage Mask", integer(0, U.Sign)), nameAttr("rkp-priv")], [std("Cryptographic Usage Mask", integer(0, U.Verify)), nameAttr("rkp-pub")]);
      const oldPriv = val(r.payload, Tag.PrivateKeyUniqueIdentifier) as string;
      const oldPub = val(r.payload, Tag.PublicKeyUniqueIdentifier) as string;
      const rk = await e.op(Op.ReKeyKeyPair, [text(Tag.PrivateKeyUniqueIdentifier, oldPriv)], version);
      expect(rk.status, rk.message).to.equal(OK);
      const newPriv = val(rk.payload, Tag.PrivateKeyUniqueIdentifier) as string;
      const newPub = val(rk.payload, Tag.PublicKeyUniqueIdentifier) as string;
      const np = await getAttrs(e, version, newPriv);
      const nq = await getAttrs(e, version, newPub);
      expect(linkOf(np, Enums.LinkType.ReplacedObjectLink)).to.equal(oldPriv);
      expect(linkOf(nq, Enums.LinkType.ReplacedObjectLink)).to.equal(oldPub);
      expect(linkOf(np, Enums.LinkType.PublicKeyLink)).to.equal(newPub);
      expect(linkOf(nq, Enums.LinkType.PrivateKeyLink)).to.equal(newPriv);
      expect(linkOf(await getAttrs(e, version, oldPriv), Enums.LinkType.ReplacementObjectLink)).to.equal(newPriv);
      expect(linkOf(await getAttrs(e, version, oldPub), Enums.LinkType.ReplacementObjectLink)).to.equal(newPub);
      expect(textOf(np.find((a) => a.name === "Name"))).to.equal("rkp-priv");
      expect((await getAttrs(e, version, oldPriv)).some((a) => a.name === "Name")).to.equal(false);
      const k = await getKey(e, version, newPriv);
      expect(createPrivateKey({ key: derOf(k.material), format: "der", type: "pkcs1" }).asymmetricKeyDetails?.modulusLength).to.equal(1024);
      expect(k.material?.type).to.equal(ItemType.ByteString);
    });
  }

  it("refuses a public key or a symmetric key", async () => {
    const e = engine();
    const r = await createPair(e, "2.1", rsa(1024));
    const rk = await e.op(Op.ReKeyKeyPair, [text(Tag.PrivateKeyUniqueIdentifier, val(r.payload, Tag.PublicKeyUniqueIdentifier) as string)], "2.1");
    expect(rk.reason).to.equal(R.InvalidObjectType);
  });
});
