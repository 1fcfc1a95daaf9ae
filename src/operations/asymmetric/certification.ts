/**
 * What Certify and Re-certify share. kmipd has no CA of its own: the issuer is a certificate
 * the client registered, named by a Certificate Link ("the parent certificate for a certificate in
 * a chain", 1.4 §3.35) among the request's attributes — or, for Re-certify, the old certificate's.
 * The issuer's private key is found through the links Register/Create Key Pair keep: issuer
 * certificate → Public Key Link → public key → Private Key Link → private key.
 */
import { Enums, Tag } from "../../kmip/index.js";
import { KmipError, type StructReader } from "../../messages/index.js";
import { objectTypeOf, type Attr, type ManagedObject } from "../../model/index.js";
import { ItemType, bytes, enumeration, struct, type StructureNode } from "../../ttlv/index.js";
import { certificateAttrs, parseCertificate } from "../certificate.js";
import { digestAttr, initialAttrs, keyObjectAttrs, loadOnline } from "../common.js";
import type { OperationContext } from "../context.js";
import { keyObjectOf } from "../key-objects.js";
import { readRequest, type CertificateSubject, type Issuer } from "./issue.js";

const L = Enums.LinkType;

/** The uid a Link of this type points to, among attributes. */
export function linkTarget(attrs: readonly Attr[], type: number): string | undefined {
  for (const a of attrs) {
    if (a.name !== "Link" || a.value.type !== ItemType.Structure) continue;
    const t = a.value.children.find((c) => c.tag === Tag.LinkType);
    const id = a.value.children.find((c) => c.tag === Tag.LinkedObjectIdentifier);
    if (t?.type === ItemType.Enumeration && t.value === type && id?.type === ItemType.TextString) return id.value;
  }
  return undefined;
}

const der = (o: ManagedObject): Uint8Array => {
  const c = o.content;
  const v = c?.type === ItemType.Structure ? c.children.find((x) => x.tag === Tag.CertificateValue) : undefined;
  if (v?.type !== ItemType.ByteString) throw new KmipError("KeyValueNotPresent", "the certificate has no value");
  return v.value;
};

export async function loadIssuer(certUid: string | undefined, ctx: OperationContext): Promise<Issuer> {
  if (certUid === undefined) {
    throw new KmipError("FeatureNotSupported", "kmipd has no CA of its own: name the issuer certificate with a Certificate Link attribute");
  }
  const cert = await loadOnline(certUid, ctx, true);
  if (objectTypeOf(cert) !== Enums.ObjectType.Certificate) throw new KmipError("InvalidField", "the Certificate Link must name the issuer's certificate");
  const pubUid = linkTarget(cert.attrs, L.PublicKeyLink);
  const pub = pubUid === undefined ? undefined : await loadOnline(pubUid, ctx);
  const privUid = pub && linkTarget(pub.attrs, L.PrivateKeyLink);
  if (privUid === undefined) throw new KmipError("InvalidField", "the issuer certificate is not linked (Public Key Link → Private Key Link) to its private key");
  const priv = await loadOnline(privUid, ctx, true);
  if (!priv.content || priv.content.type !== ItemType.Structure) throw new KmipError("KeyValueNotPresent", "the issuer's private key has no key material");
  return { certificate: parseCertificate(der(cert)), privateKey: keyObjectOf(priv.content) };
}

/** The Certificate Request of a Certify / Re-certify payload, if any (1.x Certificate Request, 2.x Certificate Request Value). */
export async function requestSubject(p: StructReader): Promise<CertificateSubject | undefined> {
  const value = p.optBytes(Tag.CertificateRequest) ?? p.optBytes(Tag.CertificateRequestValue);
  if (value === undefined) return undefined;
  const type = p.optEnum(Tag.CertificateRequestType);
  if (type === undefined) throw new KmipError("InvalidMessage", "Certificate Request Type is required with a Certificate Request");
  return readRequest(type, value);
}

/** A public key object's SubjectPublicKeyInfo. */
export function spkiOf(pub: ManagedObject): Uint8Array {
  if (objectTypeOf(pub) !== Enums.ObjectType.PublicKey) throw new KmipError("InvalidObjectType", "Certify certifies a public key");
  if (!pub.content || pub.content.type !== ItemType.Structure) throw new KmipError("KeyValueNotPresent", "the public key has no key material");
  return new Uint8Array(keyObjectOf(pub.content as StructureNode).export({ format: "der", type: "spki" }));
}

export function sameKey(a: Uint8Array, b: Uint8Array): void {
  if (!Buffer.from(a).equals(Buffer.from(b))) throw new KmipError("InvalidField", "the certificate request is for a different public key");
}

/** Gives a new certificate object its content and the attributes a registered certificate gets. */
export function fillCertificate(o: ManagedObject, certDer: Uint8Array, ctx: OperationContext): void {
  o.content = struct(Tag.Certificate, [enumeration(Tag.CertificateType, Enums.CertificateType.X_509), bytes(Tag.CertificateValue, certDer)]);
  initialAttrs(o, Enums.ObjectType.Certificate, ctx);
  certificateAttrs(o, certDer, ctx.version);
  if (!o.attrs.some((a) => a.name === "Certificate Type")) o.attrs.push({ name: "Certificate Type", value: enumeration(Tag.CertificateType, Enums.CertificateType.X_509) });
  o.attrs.push({ name: "Digest", value: digestAttr(certDer, Enums.KeyFormatType.Raw) });
  keyObjectAttrs(o, Enums.KeyFormatType.Raw, false, ctx.settings.leaseTimeSec);
}
