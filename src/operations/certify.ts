/**
 * Certify (1.4 §4.7, 2.1 §6.1.6): a new X.509 certificate for a public key, signed by an issuer
 * the client registered (see asymmetric/certification.ts). The subject and key come from the
 * PKCS#10 request when there is one (its key must be the named public key's), else the subject
 * is CN=<the public key's Unique Identifier>. Links: certificate → Public Key Link, public key →
 * Certificate Link; the issuer's Certificate Link stays on the new certificate as its parent.
 * The ID Placeholder is the certificate.
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { addClientAttrs, type ManagedObject } from "../model/index.js";
import { fillCertificate, linkTarget, loadIssuer, requestSubject, sameKey, spkiOf } from "./asymmetric/certification.js";
import { issue, nameOf } from "./asymmetric/issue.js";
import { linkAttr } from "./asymmetric/pair.js";
import { loadOnline, requestAttrsWithTemplates, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const certify: OperationHandler = async (p, ctx) => {
  const csr = await requestSubject(p);
  const uid = p.optText(Tag.UniqueIdentifier) ?? (csr ? undefined : ctx.idPlaceholder);
  if (uid === undefined && !csr) throw new KmipError("InvalidMessage", "name the public key or send a certificate request");
  const pub = uid === undefined ? undefined : await loadOnline(uid, ctx, true);
  const spki = pub ? spkiOf(pub) : csr!.spki;
  if (csr) sameKey(csr.spki, spki);

  const cert: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: [], revision: 0 };
  addClientAttrs(cert, await requestAttrsWithTemplates(p, ctx));
  const issuer = await loadIssuer(linkTarget(cert.attrs, Enums.LinkType.CertificateLink), ctx);
  const subject = csr ?? { name: nameOf([["2.5.4.3", uid!]]), spki };
  fillCertificate(cert, issue(subject, issuer, new Date(Number(ctx.now()) * 1000)), ctx);
  if (pub) {
    cert.attrs.push(linkAttr(Enums.LinkType.PublicKeyLink, pub.uid));
    pub.attrs.push(linkAttr(Enums.LinkType.CertificateLink, cert.uid));
    touch(pub, ctx);
    pub.content = undefined; // the key material is kept as stored
  }
  await ctx.objects.writeAll(pub ? [pub] : [], [cert]);
  ctx.idPlaceholder = cert.uid;
  return [uidNode(cert.uid)];
};
