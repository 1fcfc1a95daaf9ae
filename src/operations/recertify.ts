/**
 * Re-certify (1.4 §4.8, 2.1 §6.1.44): a new certificate for the key of an existing one, by the
 * same issuer (its Certificate Link, unless the request names another), with the subject of the
 * new PKCS#10 request or of the old certificate. The other attributes are carried over as Re-key
 * carries them (replacementOf: copy rules, Offset, Names moved); what the certificate states about
 * itself is read from the new certificate. Links: Replaced / Replacement Object between the two
 * certificates, Public Key Link to the key, and the key gets a Certificate Link to the new one.
 */
import { AsnConvert } from "@peculiar/asn1-schema";
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { objectTypeOf, removeAttr, type ManagedObject } from "../model/index.js";
import { ItemType } from "../ttlv/index.js";
import { asStored, requireInVersion, settleDates } from "./attribute-edit.js";
import { fillCertificate, linkTarget, loadIssuer, requestSubject, sameKey, spkiOf } from "./asymmetric/certification.js";
import { issue } from "./asymmetric/issue.js";
import { linkAttr } from "./asymmetric/pair.js";
import { CERTIFICATE_DERIVED, parseCertificate } from "./certificate.js";
import { loadOnline, requestAttrsWithTemplates, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { replacementOf } from "./rekey.js";

const L = Enums.LinkType;

export const recertify: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const csr = await requestSubject(p);
  const offset = p.optInterval(Tag.Offset);
  const template = (await requestAttrsWithTemplates(p, ctx)).map((a) => asStored(requireInVersion(a, ctx.version)));
  const old = await loadOnline(uid, ctx, true);
  if (objectTypeOf(old) !== Enums.ObjectType.Certificate) throw new KmipError("InvalidObjectType", "Re-certify renews a certificate");
  const value = old.content?.type === ItemType.Structure ? old.content.children.find((c) => c.tag === Tag.CertificateValue) : undefined;
  if (value?.type !== ItemType.ByteString) throw new KmipError("KeyValueNotPresent", "the existing certificate has no value");
  const oldCert = parseCertificate(value.value);

  const pubUid = linkTarget(old.attrs, L.PublicKeyLink);
  const pub = pubUid === undefined ? undefined : await loadOnline(pubUid, ctx, true);
  const spki = pub ? spkiOf(pub) : new Uint8Array(AsnConvert.serialize(oldCert.tbsCertificate.subjectPublicKeyInfo));
  if (csr) sameKey(csr.spki, spki);
  const issuerUid = linkTarget(template, L.CertificateLink) ?? linkTarget(old.attrs, L.CertificateLink);
  const issuer = await loadIssuer(issuerUid, ctx);

  const neu: ManagedObject = await replacementOf(old, offset, template, ctx);
  neu.attrs = neu.attrs.filter((a) => !CERTIFICATE_DERIVED(a.name));
  fillCertificate(neu, issue({ name: csr?.name ?? oldCert.tbsCertificate.subject, spki }, issuer, new Date(Number(ctx.now()) * 1000)), ctx);
  settleDates(neu, ctx.now());
  neu.attrs.push(linkAttr(L.ReplacedObjectLink, old.uid));
  if (!linkTarget(neu.attrs, L.CertificateLink) && issuerUid !== undefined) neu.attrs.push(linkAttr(L.CertificateLink, issuerUid));
  old.content = undefined; // kept as stored
  removeAttr(old, "Name");
  old.attrs.push(linkAttr(L.ReplacementObjectLink, neu.uid));
  touch(old, ctx);
  const changed = [old];
  if (pub) {
    neu.attrs.push(linkAttr(L.PublicKeyLink, pub.uid));
    pub.attrs.push(linkAttr(L.CertificateLink, neu.uid));
    pub.content = undefined;
    touch(pub, ctx);
    changed.push(pub);
  }
  await ctx.objects.writeAll(changed, [neu]);
  ctx.idPlaceholder = neu.uid;
  return [uidNode(neu.uid)];
};
