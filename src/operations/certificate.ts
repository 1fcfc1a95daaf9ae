/**
 * Attributes a registered X.509 certificate states about itself (1.4 §3.x "Certificate Attributes",
 * 2.1 §4.10–4.14): Certificate Length (the DER size) and the Certificate Subject / Issuer name
 * parts (CN, O, OU, …). Parsed with @peculiar/asn1-x509; a certificate that does not parse is
 * refused rather than stored with attributes nobody can trust.
 */
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, type Name } from "@peculiar/asn1-x509";
import { attributeByName } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { setServerAttr, type ManagedObject } from "../model/index.js";
import { integer, text } from "../ttlv/index.js";

/** Distinguished-name attribute types → the suffix of the KMIP attribute name. */
const NAME_PARTS: Readonly<Record<string, string>> = {
  "2.5.4.3": "CN",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.6": "C",
  "2.5.4.8": "ST",
  "2.5.4.7": "L",
  "2.5.4.5": "Serial Number",
  "2.5.4.12": "Title",
  "2.5.4.46": "DN Qualifier",
  "1.2.840.113549.1.9.1": "Email",
  "0.9.2342.19200300.100.1.1": "UID",
  "0.9.2342.19200300.100.1.25": "DC",
};

export function certificateAttrs(o: ManagedObject, der: Uint8Array): void {
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate);
  } catch {
    throw new KmipError("InvalidField", "the certificate value is not a DER X.509 certificate");
  }
  setServerAttr(o, "Certificate Length", integer(0, der.length));
  nameAttrs(o, "Certificate Subject", cert.tbsCertificate.subject);
  nameAttrs(o, "Certificate Issuer", cert.tbsCertificate.issuer);
}

function nameAttrs(o: ManagedObject, prefix: string, name: Name): void {
  for (const rdn of name) {
    for (const atv of rdn) {
      const part = NAME_PARTS[atv.type];
      const attrName = part && `${prefix} ${part}`;
      if (!attrName || !attributeByName(attrName)) continue;
      const value = atv.value.toString();
      if (value && !o.attrs.some((a) => a.name === attrName)) setServerAttr(o, attrName, text(0, value));
    }
  }
}
