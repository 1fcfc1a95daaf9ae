/**
 * Attributes a registered X.509 certificate states about itself, in every version's shape:
 *  - 1.0–1.4: Certificate Identifier / Subject / Issuer (text: the DN as RFC 4514 writes it, most
 *    specific part first — "CN=KMIP,OU=OASIS,O=TEST,C=US" — and the serial number in hex);
 *  - 1.1–2.1: X.509 Certificate Identifier / Subject / Issuer (DER: the Name, and the serial
 *    number as its whole DER INTEGER, as the test cases show) and Digital Signature Algorithm;
 *  - 2.x: Certificate Subject / Issuer name parts (CN, O, OU, …);
 *  - all: Certificate Length (DER size), Cryptographic Algorithm and Length of the public key.
 * Each reply shows only what its version defines. Parsed with @peculiar/asn1-x509; a certificate
 * that does not parse is refused rather than stored with attributes nobody can trust.
 */
import { createPublicKey } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, type Name } from "@peculiar/asn1-x509";
import { Enums, Tag, attributeByName, type KmipVersion } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { firstAttr, setServerAttr, type ManagedObject } from "../model/index.js";
import { bytes, enumeration, integer, struct, text, type TtlvNode } from "../ttlv/index.js";
import { algorithmOf, factsOf } from "./asymmetric/formats.js";

/** Distinguished-name attribute types → the short name (RFC 4514) and the 2.x attribute suffix. */
const NAME_PARTS: Readonly<Record<string, { short: string; part?: string }>> = {
  "2.5.4.3": { short: "CN", part: "CN" },
  "2.5.4.10": { short: "O", part: "O" },
  "2.5.4.11": { short: "OU", part: "OU" },
  "2.5.4.6": { short: "C", part: "C" },
  "2.5.4.8": { short: "ST", part: "ST" },
  "2.5.4.7": { short: "L", part: "L" },
  "2.5.4.9": { short: "STREET" },
  "2.5.4.5": { short: "SERIALNUMBER", part: "Serial Number" },
  "2.5.4.12": { short: "T", part: "Title" },
  "2.5.4.46": { short: "DNQ", part: "DN Qualifier" },
  "1.2.840.113549.1.9.1": { short: "E", part: "Email" },
  "0.9.2342.19200300.100.1.1": { short: "UID", part: "UID" },
  "0.9.2342.19200300.100.1.25": { short: "DC", part: "DC" },
};

const DSA = Enums.DigitalSignatureAlgorithm;
const SIGNATURE_ALGORITHMS: Readonly<Record<string, number>> = {
  "1.2.840.113549.1.1.2": DSA.MD2WithRSAEncryption,
  "1.2.840.113549.1.1.4": DSA.MD5WithRSAEncryption,
  "1.2.840.113549.1.1.5": DSA.SHA_1WithRSAEncryption,
  "1.2.840.113549.1.1.14": DSA.SHA_224WithRSAEncryption,
  "1.2.840.113549.1.1.11": DSA.SHA_256WithRSAEncryption,
  "1.2.840.113549.1.1.12": DSA.SHA_384WithRSAEncryption,
  "1.2.840.113549.1.1.13": DSA.SHA_512WithRSAEncryption,
  "1.2.840.113549.1.1.10": DSA.RSASSA_PSS,
  "1.2.840.10040.4.3": DSA.DSAWithSHA_1,
  "2.16.840.1.101.3.4.3.1": DSA.DSAWithSHA224,
  "2.16.840.1.101.3.4.3.2": DSA.DSAWithSHA256,
  "1.2.840.10045.4.1": DSA.ECDSAWithSHA_1,
  "1.2.840.10045.4.3.1": DSA.ECDSAWithSHA224,
  "1.2.840.10045.4.3.2": DSA.ECDSAWithSHA256,
  "1.2.840.10045.4.3.3": DSA.ECDSAWithSHA384,
  "1.2.840.10045.4.3.4": DSA.ECDSAWithSHA512,
  "2.16.840.1.101.3.4.3.14": DSA.SHA3_256WithRSAEncryption,
  "2.16.840.1.101.3.4.3.15": DSA.SHA3_384WithRSAEncryption,
  "2.16.840.1.101.3.4.3.16": DSA.SHA3_512WithRSAEncryption,
};

/** Attributes certificateAttrs derives from a certificate (Re-certify drops the old ones). */
const DERIVED: ReadonlySet<string> = new Set([
  "Certificate Length", "Certificate Identifier", "Certificate Subject", "Certificate Issuer", "X.509 Certificate Identifier",
  "X.509 Certificate Subject", "X.509 Certificate Issuer", "Digital Signature Algorithm", "Cryptographic Algorithm", "Cryptographic Length",
  "Certificate Type",
]);
export const CERTIFICATE_DERIVED = (name: string): boolean =>
  DERIVED.has(name) || name.startsWith("Certificate Subject ") || name.startsWith("Certificate Issuer ");

export function parseCertificate(der: Uint8Array): Certificate {
  try {
    return AsnConvert.parse(der, Certificate);
  } catch {
    throw new KmipError("InvalidField", "the certificate value is not a DER X.509 certificate");
  }
}

export function certificateAttrs(o: ManagedObject, der: Uint8Array, version: KmipVersion): void {
  const cert = parseCertificate(der);
  const tbs = cert.tbsCertificate;
  const set = (name: string, v: TtlvNode) => {
    if (!firstAttr(o, name)) setServerAttr(o, name, v);
  };
  set("Certificate Length", integer(0, der.length));
  const issuerDn = dnString(tbs.issuer);
  const subjectDn = dnString(tbs.subject);
  const serial = new Uint8Array(tbs.serialNumber);
  set("Certificate Identifier", struct(0, [text(Tag.Issuer, issuerDn), text(Tag.SerialNumber, serialHex(serial))]));
  set("Certificate Subject", struct(0, [text(Tag.CertificateSubjectDistinguishedName, subjectDn)]));
  set("Certificate Issuer", struct(0, [text(Tag.CertificateIssuerDistinguishedName, issuerDn)]));
  const issuerDer = new Uint8Array(AsnConvert.serialize(tbs.issuer));
  set("X.509 Certificate Identifier", struct(0, [bytes(Tag.IssuerDistinguishedName, issuerDer), bytes(Tag.CertificateSerialNumber, derInteger(serial))]));
  set("X.509 Certificate Subject", struct(0, [bytes(Tag.SubjectDistinguishedName, new Uint8Array(AsnConvert.serialize(tbs.subject)))]));
  set("X.509 Certificate Issuer", struct(0, [bytes(Tag.IssuerDistinguishedName, issuerDer)]));
  const sigAlg = SIGNATURE_ALGORITHMS[cert.signatureAlgorithm.algorithm];
  if (sigAlg !== undefined) set("Digital Signature Algorithm", enumeration(0, sigAlg));
  nameAttrs(o, "Certificate Subject", tbs.subject);
  nameAttrs(o, "Certificate Issuer", tbs.issuer);
  // The certificate's Cryptographic Algorithm/Length are its public key's (1.4 §3.4–3.5).
  try {
    const spki = new Uint8Array(AsnConvert.serialize(tbs.subjectPublicKeyInfo));
    const facts = factsOf(createPublicKey({ key: Buffer.from(spki), format: "der", type: "spki" }));
    set("Cryptographic Algorithm", enumeration(0, algorithmOf(facts, version)));
    set("Cryptographic Length", integer(0, facts.bits));
  } catch {
    // A key kmipd does not use (DSA, an unusual curve): the certificate is still stored.
  }
}

/** The serial number as the test cases write it: upper-case hex, without DER's sign-padding zero byte. */
function serialHex(content: Uint8Array): string {
  const start = content.length > 1 && content[0] === 0 ? 1 : 0;
  return Buffer.from(content.subarray(start)).toString("hex").toUpperCase();
}

/** The serial number as a DER INTEGER (tag, length, content). */
function derInteger(content: Uint8Array): Uint8Array {
  const len = content.length;
  const head = len < 0x80 ? [0x02, len] : len < 0x100 ? [0x02, 0x81, len] : [0x02, 0x82, len >> 8, len & 0xff];
  return new Uint8Array([...head, ...content]);
}

/** RFC 4514: RDNs last to first, comma-separated; special characters escaped. */
export function dnString(name: Name): string {
  const esc = (v: string) => v.replace(/([,+"\\<>;=])/g, "\\$1").replace(/^([ #])/, "\\$1").replace(/ $/, "\\ ");
  return [...name]
    .reverse()
    .map((rdn) => rdn.map((atv) => `${NAME_PARTS[atv.type]?.short ?? atv.type}=${esc(atv.value.toString())}`).join("+"))
    .join(",");
}

function nameAttrs(o: ManagedObject, prefix: string, name: Name): void {
  for (const rdn of name) {
    for (const atv of rdn) {
      const part = NAME_PARTS[atv.type]?.part;
      const attrName = part && `${prefix} ${part}`;
      if (!attrName || !attributeByName(attrName)) continue;
      const value = atv.value.toString();
      if (value && !o.attrs.some((a) => a.name === attrName)) setServerAttr(o, attrName, text(0, value));
    }
  }
}
