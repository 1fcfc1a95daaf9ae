/** Register of a Private Key in Key Format Type PKCS#12: PFX files written by openssl at test time (throw-away keys and passwords). */
import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Enums, Tag, type KmipVersion } from "../../src/kmip/index.js";
import { openPfx } from "../../src/operations/asymmetric/pkcs12-parse.js";
import { createCa, issueCertificate } from "../../src/server/pki.js";
import { ItemType, bytes, enumeration, struct, text, type StructureNode } from "../../src/ttlv/index.js";
import { Op, R, getAttrs, std, template, textOf, uidOf, type Engine } from "./attr-helpers.js";
import { OK, engine, val } from "./harness.js";

const F = Enums.KeyFormatType;
const L = Enums.LinkType;
const PASSWORD = "correct horse";
const derOf = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
const link = (type: number, uid: string) => std("Link", struct(0, [enumeration(Tag.LinkType, type), text(Tag.LinkedObjectIdentifier, uid)]));
const dir = mkdtempSync(join(tmpdir(), "kmipd-p12reg-"));

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A PFX by `openssl pkcs12 -export`, with the given protection options. */
function pfx(name: string, keyPem: string, certPem: string, chainPem: string | undefined, options: string[]): Buffer {
  writeFileSync(join(dir, `${name}.key`), keyPem);
  writeFileSync(join(dir, `${name}.crt`), certPem);
  const args = ["pkcs12", "-export", "-inkey", join(dir, `${name}.key`), "-in", join(dir, `${name}.crt`), "-name", `${name}-alias`, "-passout", `pass:${PASSWORD}`, "-out", join(dir, `${name}.p12`), ...options];
  if (chainPem) {
    writeFileSync(join(dir, `${name}-chain.crt`), chainPem);
    args.push("-certfile", join(dir, `${name}-chain.crt`));
  }
  openssl(args);
  return readFileSync(join(dir, `${name}.p12`));
}

async function reg(e: Engine, v: KmipVersion, type: number, content: StructureNode, attrs: ReturnType<typeof std>[] = []) {
  return e.op(Op.Register, [enumeration(Tag.ObjectType, type), template(v, attrs), content], v);
}
async function password(e: Engine, v: KmipVersion, value: string, activate = true): Promise<string> {
  const r = await reg(e, v, Enums.ObjectType.SecretData, struct(Tag.SecretData, [
    enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
    struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, F.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Buffer.from(value))])]),
  ]));
  expect(r.status, r.message).to.equal(OK);
  if (activate) expect((await e.op(Op.Activate, [text(Tag.UniqueIdentifier, uidOf(r))], v)).status).to.equal(OK);
  return uidOf(r);
}
/** 1.x carries the PFX straight in the Key Value, 2.x in Key Material (as the OASIS cases do). */
const p12Key = (v: KmipVersion, der: Uint8Array) =>
  struct(Tag.PrivateKey, [struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, F.PKCS_12), v.startsWith("2.") ? struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, der)]) : bytes(Tag.KeyValue, der)])]);

const linksOf = (attrs: Awaited<ReturnType<typeof getAttrs>>, type: number): string[] =>
  attrs.filter((a) => a.name === "Link" && val(a.value as StructureNode, Tag.LinkType) === type).map((a) => val(a.value as StructureNode, Tag.LinkedObjectIdentifier) as string);

async function getContent(e: Engine, v: KmipVersion, uid: string, format?: number): Promise<StructureNode> {
  const g = await e.op(Op.Get, [text(Tag.UniqueIdentifier, uid), ...(format === undefined ? [] : [enumeration(Tag.KeyFormatType, format)])], v);
  expect(g.status, g.message).to.equal(OK);
  return g.payload!.children.find((c) => c.tag === Tag.PrivateKey || c.tag === Tag.Certificate) as StructureNode;
}
const keyMaterial = (c: StructureNode) => {
  const kb = c.children.find((x) => x.tag === Tag.KeyBlock) as StructureNode;
  const kv = kb.children.find((x) => x.tag === Tag.KeyValue)!;
  return Buffer.from((kv.type === ItemType.ByteString ? kv.value : val(kv as StructureNode, Tag.KeyMaterial)) as Uint8Array);
};

describe("engine: Register of a PKCS#12 private key", function () {
  this.timeout(30_000);
  let ca: { certPem: string; keyPem: string };
  let leaf: { certPem: string; keyPem: string };
  let rsa: { certPem: string; keyPem: string };
  before(async () => {
    ca = await createCa("P12 Register CA");
    leaf = await issueCertificate(ca, { commonName: "p12-register-leaf", usage: "client" });
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "rsa.key"), "-out", join(dir, "rsa.crt"), "-subj", "/CN=p12-rsa", "-days", "2"]);
    rsa = { keyPem: readFileSync(join(dir, "rsa.key"), "utf8"), certPem: readFileSync(join(dir, "rsa.crt"), "utf8") };
  });

  const variants: [string, string[], () => { keyPem: string; certPem: string; chain?: string }][] = [
    ["PBES2 AES-256-CBC, HMAC-SHA-256 MAC, EC key with its CA", ["-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC", "-macalg", "sha256"], () => ({ ...leaf, chain: ca.certPem })],
    ["legacy PKCS#12 PBE 3DES, HMAC-SHA-1 MAC, RSA key (as the OASIS cases)", ["-keypbe", "PBE-SHA1-3DES", "-certpbe", "PBE-SHA1-3DES", "-macalg", "sha1"], () => rsa],
    ["PBES2 AES-128-CBC key, plain certificate bag", ["-keypbe", "AES-128-CBC", "-certpbe", "NONE"], () => ({ ...leaf, chain: ca.certPem })],
  ];
  for (const [label, options, material] of variants) {
    for (const v of ["1.4", "2.1"] as KmipVersion[]) {
      it(`${label} (KMIP ${v}): PKCS#8 key, certificates created and linked`, async () => {
        const m = material();
        const der = pfx(`v${variants.findIndex((x) => x[0] === label)}`, m.keyPem, m.certPem, m.chain, options);
        const e = engine();
        const pw = await password(e, v, PASSWORD);
        const r = await reg(e, v, Enums.ObjectType.PrivateKey, p12Key(v, der), [link(L.PKCS_12PasswordLink, pw)]);
        expect(r.status, r.message).to.equal(OK);
        const keyUid = uidOf(r);

        const key = await getContent(e, v, keyUid);
        expect(val(key.children[0] as StructureNode, Tag.KeyFormatType)).to.equal(F.PKCS_8);
        const want = createPrivateKey(m.keyPem).export({ format: "der", type: "pkcs8" });
        expect(keyMaterial(key).equals(want), "the stored key is the PFX's key").to.equal(true);

        const attrs = await getAttrs(e, v, keyUid);
        expect(textOf(attrs.find((a) => a.name === "PKCS#12 Friendly Name")), "the bag's friendly name").to.equal(`v${variants.findIndex((x) => x[0] === label)}-alias`);
        expect(linksOf(attrs, L.PKCS_12PasswordLink)).to.deep.equal([pw]);
        const [leafUid] = linksOf(attrs, L.PKCS_12CertificateLink);
        expect(leafUid).to.be.a("string");
        const leafCert = await getContent(e, v, leafUid!);
        expect(Buffer.from(val(leafCert, Tag.CertificateValue) as Uint8Array).equals(derOf(m.certPem))).to.equal(true);
        const leafAttrs = await getAttrs(e, v, leafUid!);
        const [issuerUid] = linksOf(leafAttrs, L.PKCS_12CertificateLink);
        if (m.chain) {
          const caCert = await getContent(e, v, issuerUid!);
          expect(Buffer.from(val(caCert, Tag.CertificateValue) as Uint8Array).equals(derOf(m.chain)), "leaf → issuer").to.equal(true);
        } else {
          expect(issuerUid).to.equal(undefined);
        }

        // and back out as PKCS#12: the same key and chain
        const out = await openPfx(keyMaterial(await getContent(e, v, keyUid, F.PKCS_12)), Buffer.from(PASSWORD));
        expect(out.key.export({ format: "der", type: "pkcs8" }).equals(want)).to.equal(true);
        expect(out.certificates.map((c) => new X509Certificate(c.der).subject)).to.deep.equal([m.certPem, ...(m.chain ? [m.chain] : [])].map((p) => new X509Certificate(p).subject));
      });
    }
  }

  it("refuses while the password is not Active: Permission Denied in 1.4, Wrong Key Lifecycle State in 2.0 and 2.1", async () => {
    const der = pfx("state", rsa.keyPem, rsa.certPem, undefined, ["-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC"]);
    for (const [v, reason] of [["1.4", R.PermissionDenied], ["2.0", R.WrongKeyLifecycleState], ["2.1", R.WrongKeyLifecycleState]] as const) {
      const e = engine();
      const pw = await password(e, v, PASSWORD, false);
      const r = await reg(e, v, Enums.ObjectType.PrivateKey, p12Key(v, der), [link(L.PKCS_12PasswordLink, pw)]);
      expect([r.status, r.reason], v).to.deep.equal([Enums.ResultStatus.OperationFailed, reason]);
      expect((await e.op(Op.Activate, [text(Tag.UniqueIdentifier, pw)], v)).status).to.equal(OK);
      expect((await reg(e, v, Enums.ObjectType.PrivateKey, p12Key(v, der), [link(L.PKCS_12PasswordLink, pw)])).status, v).to.equal(OK);
    }
  });

  it("a wrong password or a damaged PFX is refused without detail; nothing is stored", async () => {
    const der = pfx("bad", leaf.keyPem, leaf.certPem, ca.certPem, ["-keypbe", "AES-256-CBC", "-certpbe", "AES-256-CBC"]);
    const v: KmipVersion = "2.1";
    const e = engine();
    const wrong = await password(e, v, "not the password");
    const r = await reg(e, v, Enums.ObjectType.PrivateKey, p12Key(v, der), [link(L.PKCS_12PasswordLink, wrong)]);
    expect(r.reason).to.equal(R.CryptographicFailure);
    expect(r.message).to.not.include("not the password");
    const right = await password(e, v, PASSWORD);
    const damaged = Buffer.from(der);
    damaged[damaged.length - 60] = damaged[damaged.length - 60]! ^ 0xff; // inside the authenticated contents or the MAC
    expect((await reg(e, v, Enums.ObjectType.PrivateKey, p12Key(v, damaged), [link(L.PKCS_12PasswordLink, right)])).reason).to.be.oneOf([R.CryptographicFailure, R.InvalidField]);
    expect((await reg(e, v, Enums.ObjectType.PrivateKey, p12Key(v, Buffer.from("not a PFX")), [link(L.PKCS_12PasswordLink, right)])).reason).to.equal(R.InvalidField);
    expect((await reg(e, v, Enums.ObjectType.PrivateKey, p12Key(v, der))).reason, "no PKCS#12 Password Link").to.equal(R.InvalidField);
    // only the two passwords exist
    expect(e.store.records.size, "only the two passwords are stored").to.equal(2);
  });
});
