/**
 * Register (1.4 §4.3, 2.1 §6.1.45): the client supplies the object. Its content is stored wrapped;
 * attributes the content states (algorithm, length) are copied onto the object.
 */
import { Enums, Tag, type KmipVersion } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { addClientAttrs, enumAttr, intAttr, readAttributeList, setServerAttr, type ManagedObject } from "../model/index.js";
import { ItemType, boolean, enumeration, integer, type StructureNode, type TtlvNode } from "../ttlv/index.js";
import { digestAttr, initialAttrs, keyObjectAttrs, requestAttrsWithTemplates, uidNode } from "./common.js";
import type { OperationContext, OperationHandler } from "./context.js";
import { defaultFormatDigestInput } from "./asymmetric/convert.js";
import { asymmetricKeyFacts } from "./asymmetric/register-key.js";
import { isPkcs12, openPkcs12, pkcs12Certificates } from "./asymmetric/register-pkcs12.js";
import { certificateAttrs } from "./certificate.js";
import { digestInput, keyBlockOf } from "./key-material.js";

const O = Enums.ObjectType;
/** Object type → the tag of the structure that carries it in a Register request. */
const CONTENT_TAG: ReadonlyMap<number, number> = new Map([
  [O.SymmetricKey, Tag.SymmetricKey],
  [O.SecretData, Tag.SecretData],
  [O.OpaqueObject, Tag.OpaqueObject],
  [O.Certificate, Tag.Certificate],
  [O.PublicKey, Tag.PublicKey],
  [O.PrivateKey, Tag.PrivateKey],
  [O.SplitKey, Tag.SplitKey],
  [O.Template, Tag.Template],
  // 1.2+: a PGP key is stored as registered (its Key Block is opaque to kmipd) and returned as is
  [O.PGPKey, Tag.PGPKey],
]);
/** The object types Register accepts (Query Objects lists these). */
export const REGISTRABLE_TYPES: readonly number[] = [...CONTENT_TAG.keys()];

export const register: OperationHandler = async (p, ctx) => {
  const objectType = p.enum(Tag.ObjectType);
  const contentTag = CONTENT_TAG.get(objectType);
  if (contentTag === undefined) throw new KmipError("InvalidField", "this object type cannot be registered");
  if (objectType === O.Template && ctx.version.startsWith("2.")) throw new KmipError("InvalidField", "Template objects do not exist in KMIP 2.x");
  const content = p.req(contentTag);
  if (content.type !== ItemType.Structure) throw new KmipError("InvalidMessage", "the object must be a Structure");

  const obj: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: [], revision: 0 };
  addClientAttrs(obj, await requestAttrsWithTemplates(p, ctx));
  if (objectType === O.Template) {
    // A 1.x Template is nothing but its attributes; it has no key material and no state.
    addClientAttrs(obj, readAttributeList(content.children.filter((c) => c.tag === Tag.Attribute)));
    obj.content = content; // what a Create/Register naming this template copies
    initialAttrs(obj, objectType, ctx, false);
  } else if (objectType === O.PrivateKey && isPkcs12(content)) {
    // stored as PKCS#8, with a Certificate object for each certificate of the PFX
    const opened = await openPkcs12(obj, content, ctx);
    fillObject(obj, objectType, opened.content, ctx);
    const certs = pkcs12Certificates(obj, opened, ctx, (o, c) => fillObject(o, O.Certificate, c, ctx));
    await ctx.objects.writeAll([], [obj, ...certs]); // the key and its certificates together, or nothing
    ctx.idPlaceholder = obj.uid;
    return [uidNode(obj.uid)];
  } else {
    fillObject(obj, objectType, content, ctx);
  }
  await ctx.objects.insert(obj);
  ctx.idPlaceholder = obj.uid;
  return [uidNode(obj.uid)];
};

/** Content and the attributes it implies, for every registrable object but a Template. */
function fillObject(obj: ManagedObject, objectType: number, content: StructureNode, ctx: OperationContext): void {
  copyKeyBlockFacts(obj, content);
  obj.content = content;
  initialAttrs(obj, objectType, ctx);
  const d = digestInput(content);
  if (d) obj.attrs.push({ name: "Digest", value: digestAttr(d.value, d.format) });
  const kb = keyBlockOf(content);
  if (kb && objectType !== O.Certificate) keyObjectAttrs(obj, kb.optEnum(Tag.KeyFormatType), false, ctx.settings.leaseTimeSec);
  // A Key Block without Key Value: the material lives elsewhere (1.4 §3.41, Key Value Location).
  if (kb && !kb.has(Tag.KeyValue)) setServerAttr(obj, "Key Value Present", boolean(0, false));
  if (objectType === O.PrivateKey || objectType === O.PublicKey) {
    asymmetricKeyFacts(obj, content, ctx.version);
    // 1.0's Digest has no Key Format Type to tell a second SHA-256 digest apart
    const dd = ctx.version === "1.0" ? undefined : defaultFormatDigestInput(content, enumAttr(obj, "Cryptographic Algorithm"));
    if (dd) obj.attrs.push({ name: "Digest", value: digestAttr(dd.value, dd.format) });
  }
  if (objectType === O.Certificate) {
    registerCertificate(obj, content, ctx.version);
    // certificates are cryptographic objects too: Fresh, Sensitive, Extractable, Lease Time and
    // Key Format Type (Raw) apply (1.4 §3; TC-CERTATTR, TC-ECC-3)
    keyObjectAttrs(obj, Enums.KeyFormatType.Raw, false, ctx.settings.leaseTimeSec);
  }
}

/** Cryptographic Algorithm and Length stated in a Key Block become attributes (unless the template set them). */
function copyKeyBlockFacts(obj: ManagedObject, content: TtlvNode): void {
  const kb = keyBlockOf(content);
  if (!kb) return;
  const alg = kb.optEnum(Tag.CryptographicAlgorithm);
  const len = kb.optInt(Tag.CryptographicLength);
  if (alg !== undefined && enumAttr(obj, "Cryptographic Algorithm") === undefined) setServerAttr(obj, "Cryptographic Algorithm", enumeration(0, alg));
  if (len !== undefined && intAttr(obj, "Cryptographic Length") === undefined) setServerAttr(obj, "Cryptographic Length", integer(0, len));
}

/** Certificate Type comes from the content; an X.509 certificate also states its own attributes. */
function registerCertificate(obj: ManagedObject, content: TtlvNode, version: KmipVersion): void {
  if (content.type !== ItemType.Structure) return;
  const type = content.children.find((c) => c.tag === Tag.CertificateType);
  const value = content.children.find((c) => c.tag === Tag.CertificateValue);
  if (type?.type === ItemType.Enumeration && !obj.attrs.some((a) => a.name === "Certificate Type")) {
    setServerAttr(obj, "Certificate Type", enumeration(0, type.value));
  }
  if (type?.type === ItemType.Enumeration && type.value === Enums.CertificateType.X_509 && value?.type === ItemType.ByteString) {
    certificateAttrs(obj, value.value, version);
  }
}

