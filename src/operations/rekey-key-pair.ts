/**
 * Re-key Key Pair (1.4 §4.5, 2.1 §6.1.47): a replacement for a key pair, named by its private
 * key. Each new half gets its old half's attributes as Re-key does for a symmetric key (same
 * copy rules, Offset arithmetic and Name transfer — replacementOf in rekey.ts), a new key of
 * the same algorithm, length and curve, the pair links, and Replaced Object links to the old
 * halves, which get Replacement Object links back. Four objects, one commit. The ID Placeholder
 * is the new private key.
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { enumAttr, objectTypeOf, removeAttr, type ManagedObject } from "../model/index.js";
import { ItemType } from "../ttlv/index.js";
import { asStored, requireInVersion, settleDates } from "./attribute-edit.js";
import { factsOf } from "./asymmetric/formats.js";
import { generatePair, pairSpec } from "./asymmetric/generate.js";
import { fillHalf, linkAttr, pairAttrs, pairReply } from "./asymmetric/pair.js";
import { loadOnline, touch } from "./common.js";
import type { OperationHandler } from "./context.js";
import { keyObjectOf } from "./key-objects.js";
import { replacementOf } from "./rekey.js";

const L = Enums.LinkType;

/** The uid a Link of this type points to. */
function linked(o: ManagedObject, type: number): string | undefined {
  for (const a of o.attrs) {
    if (a.name !== "Link" || a.value.type !== ItemType.Structure) continue;
    const t = a.value.children.find((c) => c.tag === Tag.LinkType);
    const id = a.value.children.find((c) => c.tag === Tag.LinkedObjectIdentifier);
    if (t?.type === ItemType.Enumeration && t.value === type && id?.type === ItemType.TextString) return id.value;
  }
  return undefined;
}

export const rekeyKeyPair: OperationHandler = async (p, ctx) => {
  const uid = p.optText(Tag.PrivateKeyUniqueIdentifier) ?? ctx.idPlaceholder;
  if (uid === undefined) throw new KmipError("InvalidMessage", "Private Key Unique Identifier is required (no ID Placeholder in this batch)");
  const offset = p.optInterval(Tag.Offset);
  const attrs = await pairAttrs(p, ctx);
  const inVersion = (list: typeof attrs.priv) => list.map((a) => asStored(requireInVersion(a, ctx.version)));

  const oldPriv = await loadOnline(uid, ctx, true);
  if (objectTypeOf(oldPriv) !== Enums.ObjectType.PrivateKey) throw new KmipError("InvalidObjectType", "Re-key Key Pair takes the private key of a pair");
  if (!oldPriv.content || oldPriv.content.type !== ItemType.Structure) throw new KmipError("KeyValueNotPresent", "the existing private key has no key material");
  const pubUid = linked(oldPriv, L.PublicKeyLink);
  if (pubUid === undefined) throw new KmipError("PermissionDenied", "the private key has no Public Key Link: there is no pair to re-key");
  const oldPub = await loadOnline(pubUid, ctx);

  const facts = factsOf(keyObjectOf(oldPriv.content));
  const alg = enumAttr(oldPriv, "Cryptographic Algorithm");
  if (alg === undefined) throw new KmipError("InvalidField", "the existing key states no Cryptographic Algorithm");
  const spec = pairSpec(alg, facts.bits, facts.curve?.kmip);

  const priv = await replacementOf(oldPriv, offset, inVersion(attrs.priv), ctx);
  const pub = await replacementOf(oldPub, offset, inVersion(attrs.pub), ctx);
  const keys = await generatePair(spec);
  const now = ctx.now();
  fillHalf(priv, keys.privateKey, true, spec, pub.uid, ctx);
  fillHalf(pub, keys.publicKey, false, spec, priv.uid, ctx);
  for (const [neu, old] of [[priv, oldPriv], [pub, oldPub]] as const) {
    settleDates(neu, now);
    neu.attrs.push(linkAttr(L.ReplacedObjectLink, old.uid));
    old.content = undefined; // the stored material is kept as it is
    removeAttr(old, "Name");
    old.attrs.push(linkAttr(L.ReplacementObjectLink, neu.uid));
    touch(old, ctx);
  }
  await ctx.objects.writeAll([oldPriv, oldPub], [priv, pub]);
  ctx.idPlaceholder = priv.uid;
  return pairReply(priv.uid, pub.uid);
};
