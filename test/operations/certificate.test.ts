import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { createCa, issueCertificate } from "../../src/server/pki.js";
import { bytes, enumeration, struct, text, type StructureNode } from "../../src/ttlv/index.js";
import { OK, engine, val } from "./harness.js";

const Op = Enums.Operation;
const derOf = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, ""), "base64");
const register = (e: ReturnType<typeof engine>, der: Uint8Array) =>
  e.op(
    Op.Register,
    [
      enumeration(Tag.ObjectType, Enums.ObjectType.Certificate),
      struct(Tag.Attributes, []),
      struct(Tag.Certificate, [enumeration(Tag.CertificateType, Enums.CertificateType.X_509), bytes(Tag.CertificateValue, der)]),
    ],
    "2.1",
  );

describe("engine: Register of an X.509 certificate fills the certificate attributes from it", () => {
  it("Certificate Length, Subject CN/O and Issuer CN; Certificate Length is read-only", async () => {
    const ca = await createCa("Test Issuing CA");
    const leaf = await issueCertificate(ca, { commonName: "array-7.example.net", usage: "client" });
    const der = derOf(leaf.certPem);
    const e = engine();
    const reg = await register(e, der);
    expect(reg.status, reg.message).to.equal(OK);
    const uid = val(reg.payload, Tag.UniqueIdentifier) as string;
    const got = await e.op(Op.GetAttributes, [text(Tag.UniqueIdentifier, uid)], "2.1");
    const attrs = got.payload!.children.find((c) => c.tag === Tag.Attributes) as StructureNode;
    expect(val(attrs, Tag.CertificateLength)).to.equal(der.length);
    expect(val(attrs, Tag.CertificateSubjectCN)).to.equal("array-7.example.net");
    expect(val(attrs, Tag.CertificateIssuerCN)).to.equal("Test Issuing CA");
    expect(val(attrs, Tag.CertificateType)).to.equal(Enums.CertificateType.X_509);
    const mod = await e.op(Op.ModifyAttribute, [text(Tag.UniqueIdentifier, uid), struct(Tag.NewAttribute, [{ tag: Tag.CertificateLength, type: 2, value: 123 } as never])], "2.1");
    expect(mod.reason).to.equal(Enums.ResultReason.AttributeReadOnly);
  });

  it("refuses an X.509 certificate value that does not parse", async () => {
    const r = await register(engine(), Buffer.from("not a certificate"));
    expect(r.reason).to.equal(Enums.ResultReason.InvalidField);
  });
});
