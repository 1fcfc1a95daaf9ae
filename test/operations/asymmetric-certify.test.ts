import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey, createPublicKey, webcrypto } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Enums, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { createCa, issueCertificate } from "../../src/server/pki.js";
import { x509 } from "../../src/server/x509.js";
import { bytes, enumeration, integer, struct, text, type StructureNode } from "../../src/ttlv/index.js";
import { Op, R, getAttrs, nameAttr, std, template, textOf, uidOf, type Engine } from "./attr-helpers.js";
import { OK, engine, val } from "./harness.js";

const F = Enums.KeyFormatType;
const L = Enums.LinkType;
const derOf = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
const link = (type: number, uid: string) => std("Link", struct(0, [enumeration(Tag.LinkType, type), text(Tag.LinkedObjectIdentifier, uid)]));

async function reg(e: Engine, v: KmipVersion, type: number, content: StructureNode, attrs: ReturnType<typeof std>[] = []) {
  const r = await e.op(Op.Register, [enumeration(Tag.ObjectType, type), template(v, attrs), content], v);
  expect(r.status, r.message).to.equal(OK);
  return uidOf(r);
}
const keyBlock = (tag: number, fmt: number, der: Uint8Array) => struct(tag, [struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, fmt), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, der)])])]);

/** A CA the client registered: certificate → Public Key Link → public key → Private Key Link → private key. */
async function registerCa(e: Engine, v: KmipVersion) {
  const ca = await createCa("Client Issuing CA");
  const priv = createPrivateKey(ca.keyPem);
  const privUid = await reg(e, v, Enums.ObjectType.PrivateKey, keyBlock(Tag.PrivateKey, F.PKCS_8, priv.export({ format: "der", type: "pkcs8" })));
  const pubUid = await reg(e, v, Enums.ObjectType.PublicKey, keyBlock(Tag.PublicKey, F.X_509, createPublicKey(priv).export({ format: "der", type: "spki" })), [link(L.PrivateKeyLink, privUid)]);
  const certUid = await reg(e, v, Enums.ObjectType.Certificate, struct(Tag.Certificate, [enumeration(Tag.CertificateType, Enums.CertificateType.X_509), bytes(Tag.CertificateValue, derOf(ca.certPem))]), [link(L.PublicKeyLink, pubUid)]);
  return { certUid, caCert: new X509Certificate(ca.certPem) };
}

async function certValue(e: Engine, v: KmipVersion, uid: string): Promise<X509Certificate> {
  const g = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid)], v);
  const c = g.payload!.children.find((x) => x.tag === Tag.Certificate) as StructureNode;
  return new X509Certificate(Buffer.from(val(c, Tag.CertificateValue) as Uint8Array));
}

const linkOf = (attrs: Awaited<ReturnType<typeof getAttrs>>, type: number): string[] =>
  attrs.filter((a) => a.name === "Link" && val(a.value as StructureNode, Tag.LinkType) === type).map((a) => val(a.value as StructureNode, Tag.LinkedObjectIdentifier) as string);

for (const v of ["1.4", "2.1"] as KmipVersion[]) {
  describe(`engine: Certify and Re-certify with a client-registered CA (KMIP ${v})`, () => {
    it("certifies a public key, links certificate and key, and re-certifies it", async () => {
      const e = engine();
      const { certUid: caUid, caCert } = await registerCa(e, v);
      const pair = await e.op(Op.CreateKeyPair, [struct(v === "2.1" ? Tag.CommonAttributes : Tag.CommonTemplateAttribute, (template(v, [
        std("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.RSA)), std("Cryptographic Length", integer(0, 2048)),
      ]) as StructureNode).children)], v);
      expect(pair.status, pair.message).to.equal(OK);
      const pubUid = val(pair.payload, Tag.PublicKeyUniqueIdentifier) as string;

      const c = await e.op(Op.Certify, [text(Tag.UniqueIdentifier, pubUid), template(v, [link(L.CertificateLink, caUid), nameAttr(`leaf-${v}`)])], v);
      expect(c.status, c.message).to.equal(OK);
      const leafUid = uidOf(c);
      const leaf = await certValue(e, v, leafUid);
      expect(leaf.checkIssued(caCert)).to.equal(true);
      expect(leaf.verify(caCert.publicKey)).to.equal(true);
      expect(leaf.subject).to.contain(`CN=${pubUid}`);
      const pubKey = createPublicKey({ key: Buffer.from(leaf.publicKey.export({ format: "der", type: "spki" })), format: "der", type: "spki" });
      expect(pubKey.asymmetricKeyDetails?.modulusLength).to.equal(2048);
      const leafAttrs = await getAttrs(e, v, leafUid);
      expect(linkOf(leafAttrs, L.PublicKeyLink)).to.deep.equal([pubUid]);
      expect(linkOf(leafAttrs, L.CertificateLink)).to.deep.equal([caUid]);
      expect(linkOf(await getAttrs(e, v, pubUid), L.CertificateLink)).to.deep.equal([leafUid]);

      const rc = await e.op(Op.ReCertify, [text(Tag.UniqueIdentifier, leafUid)], v);
      expect(rc.status, rc.message).to.equal(OK);
      const renewedUid = uidOf(rc);
      const renewed = await certValue(e, v, renewedUid);
      expect(renewed.checkIssued(caCert)).to.equal(true);
      expect(renewed.serialNumber).to.not.equal(leaf.serialNumber);
      const renewedAttrs = await getAttrs(e, v, renewedUid);
      expect(linkOf(renewedAttrs, L.ReplacedObjectLink)).to.deep.equal([leafUid]);
      expect(linkOf(await getAttrs(e, v, leafUid), L.ReplacementObjectLink)).to.deep.equal([renewedUid]);
      expect(textOf(renewedAttrs.find((a) => a.name === "Name"))).to.equal(`leaf-${v}`);
      expect(linkOf(await getAttrs(e, v, pubUid), L.CertificateLink)).to.include(renewedUid);
    });

    it("without an issuer: Feature Not Supported (kmipd has no CA of its own)", async () => {
      const e = engine();
      const pair = await e.op(Op.CreateKeyPair, [struct(v === "2.1" ? Tag.CommonAttributes : Tag.CommonTemplateAttribute, (template(v, [
        std("Cryptographic Algorithm", enumeration(0, Enums.CryptographicAlgorithm.EC)), std("Cryptographic Length", integer(0, 256)),
      ]) as StructureNode).children)], v);
      const c = await e.op(Op.Certify, [text(Tag.UniqueIdentifier, val(pair.payload, Tag.PublicKeyUniqueIdentifier) as string)], v);
      expect(c.reason).to.equal(R.FeatureNotSupported);
    });
  });
}

describe("engine: Get of a private key as PKCS#12", () => {
  it("the key and its chain under the linked Secret Data's password (openssl reads it back)", async () => {
    const e = engine();
    const v: KmipVersion = "1.4";
    const ca = await createCa("P12 Test CA");
    const leaf = await issueCertificate(ca, { commonName: "p12-leaf", usage: "client" });
    const pw = await reg(e, v, Enums.ObjectType.SecretData, struct(Tag.SecretData, [
      enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
      struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, F.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Buffer.from("pa55word"))])]),
    ]));
    const caUid = await reg(e, v, Enums.ObjectType.Certificate, struct(Tag.Certificate, [enumeration(Tag.CertificateType, Enums.CertificateType.X_509), bytes(Tag.CertificateValue, derOf(ca.certPem))]));
    const leafUid = await reg(e, v, Enums.ObjectType.Certificate, struct(Tag.Certificate, [enumeration(Tag.CertificateType, Enums.CertificateType.X_509), bytes(Tag.CertificateValue, derOf(leaf.certPem))]), [link(L.PKCS_12CertificateLink, caUid)]);
    const key = createPrivateKey(leaf.keyPem);
    const keyUid = await reg(e, v, Enums.ObjectType.PrivateKey, keyBlock(Tag.PrivateKey, F.PKCS_8, key.export({ format: "der", type: "pkcs8" })), [link(L.PKCS_12PasswordLink, pw), link(L.PKCS_12CertificateLink, leafUid)]);
    const get = () => e.op(Op.Get, [text(Tag.UniqueIdentifier, keyUid), enumeration(Tag.KeyFormatType, F.PKCS_12)], v);
    expect((await get()).reason, "the password must be Active").to.equal(R.PermissionDenied);
    expect((await e.op(Op.Activate, [text(Tag.UniqueIdentifier, pw)], v)).status).to.equal(OK);
    const g = await get();
    expect(g.status, g.message).to.equal(OK);
    const kb = (g.payload!.children.find((c) => c.tag === Tag.PrivateKey) as StructureNode).children[0] as StructureNode;
    expect(val(kb, Tag.KeyFormatType)).to.equal(F.PKCS_12);
    const pfx = Buffer.from(val(kb, Tag.KeyValue) as Uint8Array);
    const dir = mkdtempSync(join(tmpdir(), "kmipd-p12-"));
    writeFileSync(join(dir, "k.p12"), pfx);
    const pem = execFileSync("openssl", ["pkcs12", "-in", join(dir, "k.p12"), "-passin", "pass:pa55word", "-nodes"], { encoding: "utf8" });
    expect(pem.match(/BEGIN CERTIFICATE/g)?.length).to.equal(2);
    expect(createPrivateKey(pem).export({ format: "der", type: "pkcs8" })).to.deep.equal(key.export({ format: "der", type: "pkcs8" }));
  });
});

describe("engine: Certify with a PKCS#10 request", () => {
  async function csrFor(keys: CryptoKeyPair, name: string): Promise<Uint8Array> {
    const req = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } });
    return new Uint8Array(req.rawData);
  }
  const rsaParams = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };

  it("takes the subject from the request, and refuses a request for another key", async () => {
    const e = engine();
    const v: KmipVersion = "2.1";
    const { certUid: caUid, caCert } = await registerCa(e, v);
    const keys = (await webcrypto.subtle.generateKey(rsaParams, true, ["sign", "verify"])) as CryptoKeyPair;
    const spki = new Uint8Array(await webcrypto.subtle.exportKey("spki", keys.publicKey));
    const pubUid = await reg(e, v, Enums.ObjectType.PublicKey, keyBlock(Tag.PublicKey, F.X_509, spki));
    const certifyWith = (csr: Uint8Array) => e.op(Op.Certify, [
      text(Tag.UniqueIdentifier, pubUid),
      enumeration(Tag.CertificateRequestType, Enums.CertificateRequestType.PKCS_10),
      bytes(Tag.CertificateRequestValue, csr),
      template(v, [link(L.CertificateLink, caUid)]),
    ], v);
    const ok = await certifyWith(await csrFor(keys, "CN=csr-subject, O=Kmipd Test"));
    expect(ok.status, ok.message).to.equal(OK);
    const leaf = await certValue(e, v, uidOf(ok));
    expect(leaf.subject).to.contain("CN=csr-subject");
    expect(leaf.checkIssued(caCert)).to.equal(true);
    const attrs = await getAttrs(e, v, uidOf(ok));
    expect(textOf(attrs.find((a) => a.name === "Certificate Subject CN"))).to.equal("csr-subject");

    const other = (await webcrypto.subtle.generateKey(rsaParams, true, ["sign", "verify"])) as CryptoKeyPair;
    const bad = await certifyWith(await csrFor(other, "CN=someone-else"));
    expect(bad.reason).to.equal(R.InvalidField);
  });
});
