/**
 * Issuing an X.509 v3 certificate for Certify / Re-certify: the TBSCertificate is built with
 * @peculiar/asn1-x509 and signed by node with the issuer's private key (SHA-256 with RSA; ECDSA
 * with the hash matching the curve). A PKCS#10 request is read (and its self-signature checked)
 * with @peculiar/x509.
 */
// @peculiar/x509's dependency injection needs the Reflect polyfill loaded before it.
import "reflect-metadata";
import { createPublicKey, randomBytes, sign, webcrypto, type KeyObject } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier, AttributeTypeAndValue, AttributeValue, BasicConstraints, Certificate, Extension, Extensions, Name, RelativeDistinguishedName,
  SubjectPublicKeyInfo, TBSCertificate, Validity, Version,
} from "@peculiar/asn1-x509";
import { Pkcs10CertificateRequest, cryptoProvider } from "@peculiar/x509";
import { Enums } from "../../kmip/index.js";
import { KmipError } from "../../messages/index.js";
import { factsOf } from "./formats.js";

cryptoProvider.set(webcrypto as unknown as Crypto); // request signatures are checked through node's WebCrypto

const DAY_MS = 86_400_000;
/** How long an issued certificate is valid (never past the issuer's own certificate). */
const VALIDITY_DAYS = 365;

export interface CertificateSubject {
  readonly name: Name;
  /** SubjectPublicKeyInfo, DER. */
  readonly spki: Uint8Array;
}

/** The subject and key of a certificate request (PKCS#10, DER or PEM). */
export async function readRequest(type: number, value: Uint8Array): Promise<CertificateSubject> {
  let der = value;
  if (type === Enums.CertificateRequestType.PEM) {
    const b64 = Buffer.from(value).toString("latin1").replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
    der = Buffer.from(b64, "base64");
  } else if (type !== Enums.CertificateRequestType.PKCS_10) {
    throw new KmipError("FeatureNotSupported", "certificate requests are accepted as PKCS#10 (DER or PEM)");
  }
  let csr: Pkcs10CertificateRequest;
  try {
    csr = new Pkcs10CertificateRequest(Buffer.from(der));
  } catch {
    throw new KmipError("InvalidField", "the certificate request is not a PKCS#10 request");
  }
  if (!(await csr.verify().catch(() => false))) throw new KmipError("InvalidField", "the certificate request's signature does not verify");
  return { name: AsnConvert.parse(csr.subjectName.toArrayBuffer(), Name), spki: new Uint8Array(csr.publicKey.rawData) };
}

/** A Name from (type OID, value) pairs, most general first (C, O, OU, CN). */
export function nameOf(parts: readonly [string, string][]): Name {
  return new Name(
    parts.map(([type, value]) => new RelativeDistinguishedName([new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) })])),
  );
}

/** Signature algorithm and hash for an issuer key. */
function signatureFor(issuerKey: KeyObject): { alg: AlgorithmIdentifier; hash: string } {
  const f = factsOf(issuerKey);
  if (f.kind === "rsa") return { alg: new AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.11", parameters: new Uint8Array([5, 0]).buffer }), hash: "sha256" };
  if (f.bits > 384) return { alg: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.4" }), hash: "sha512" };
  if (f.bits > 256) return { alg: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.3" }), hash: "sha384" };
  return { alg: new AlgorithmIdentifier({ algorithm: "1.2.840.10045.4.3.2" }), hash: "sha256" };
}

export interface Issuer {
  readonly certificate: Certificate;
  readonly privateKey: KeyObject;
}

/** A new end-entity certificate for `subject`, signed by `issuer`; DER. */
export function issue(subject: CertificateSubject, issuer: Issuer, now: Date): Uint8Array {
  const issuerSpki = new Uint8Array(AsnConvert.serialize(issuer.certificate.tbsCertificate.subjectPublicKeyInfo));
  const matches = Buffer.from(createPublicKey(issuer.privateKey).export({ format: "der", type: "spki" })).equals(Buffer.from(issuerSpki));
  if (!matches) throw new KmipError("InvalidField", "the issuer's private key does not belong to the issuer certificate");
  const { alg, hash } = signatureFor(issuer.privateKey);
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, and never a leading zero byte
  const issuerEnd = issuer.certificate.tbsCertificate.validity.notAfter.getTime();
  const notAfter = new Date(Math.min(now.getTime() + VALIDITY_DAYS * DAY_MS, issuerEnd.getTime()));
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: new Uint8Array(serial).buffer,
    signature: alg,
    issuer: issuer.certificate.tbsCertificate.subject,
    validity: new Validity({ notBefore: now, notAfter }),
    subject: subject.name,
    subjectPublicKeyInfo: AsnConvert.parse(subject.spki, SubjectPublicKeyInfo),
    extensions: new Extensions([
      new Extension({ extnID: "2.5.29.19", critical: true, extnValue: new OctetString(AsnConvert.serialize(new BasicConstraints({ cA: false }))) }),
    ]),
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign(hash, tbsDer, issuer.privateKey);
  const cert = new Certificate({ tbsCertificate: tbs, signatureAlgorithm: alg, signatureValue: new Uint8Array(signature).buffer });
  return new Uint8Array(AsnConvert.serialize(cert));
}
