/**
 * @peculiar/x509, set up once: its dependency injection (tsyringe) needs the Reflect metadata
 * polyfill loaded first, and it signs through Node's WebCrypto. Also the reading of a verified
 * client certificate that the listener needs: identity and Extended Key Usage.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import type { IdentitySource } from "../config/index.js";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };

export const EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
export const EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
export const EKU_ANY = "2.5.29.37.0";

/** What the listener reads from a client certificate that chained to a trusted CA. */
export interface PeerCertificateInfo {
  readonly subject: string;
  readonly commonNames: readonly string[];
  readonly san: { readonly dns: readonly string[]; readonly email: readonly string[]; readonly uri: readonly string[]; readonly ip: readonly string[] };
  /** EKU purposes (OIDs); undefined when the certificate has no EKU extension. */
  readonly extendedKeyUsages: readonly string[] | undefined;
  readonly serialNumber: string;
}

export function inspectCertificate(der: Uint8Array): PeerCertificateInfo {
  const cert = new x509.X509Certificate(new Uint8Array(der));
  const sanExt = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = sanExt ? sanExt.names.items : [];
  const of = (t: string) => names.filter((n) => n.type === t).map((n) => n.value);
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension);
  return {
    subject: cert.subject,
    commonNames: cert.subjectName.getField("CN"),
    san: { dns: of("dns"), email: of("email"), uri: of("url"), ip: of("ip") },
    extendedKeyUsages: eku ? eku.usages.map(String) : undefined,
    serialNumber: cert.serialNumber,
  };
}

/** The principal a certificate names under the configured source, or why it names none. */
export function identityOf(info: PeerCertificateInfo, source: IdentitySource): { ok: true; principal: string } | { ok: false; reason: string } {
  const candidates =
    source === "cn" ? info.commonNames : source === "san-dns" ? info.san.dns : source === "san-email" ? info.san.email : info.san.uri;
  if (candidates.length === 0) return { ok: false, reason: `certificate has no ${source === "cn" ? "subject CN" : source.replace("san-", "SAN ")}` };
  if (source === "cn" && candidates.length > 1) return { ok: false, reason: "certificate subject has more than one CN" };
  const principal = candidates[0]!;
  if (principal.length === 0 || principal.length > 1024) return { ok: false, reason: "certificate identity is empty or too long" };
  return { ok: true, principal };
}

/** False only when an EKU extension is present and allows neither clientAuth nor any purpose. */
export function allowsClientAuth(info: PeerCertificateInfo): boolean {
  return info.extendedKeyUsages === undefined || info.extendedKeyUsages.includes(EKU_CLIENT_AUTH) || info.extendedKeyUsages.includes(EKU_ANY);
}
