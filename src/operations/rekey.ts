/**
 * Re-key (1.4 §4.4, 2.1 §6.1.46): a replacement for a symmetric key — new key material of the
 * same algorithm and length, the existing key's attributes copied except those the spec's
 * "Re-key Attribute Requirements" table names (new Unique Identifier, dates, state, digest, links,
 * revocation and destruction facts, Random Number Generator). The Names move to the replacement.
 * With an Offset, Activation Date = Initial Date + Offset and the other lifecycle dates keep their
 * distance to it; without one they are copied. The state follows the dates. The keys are linked
 * both ways (Replaced Object ← new, Replacement Object ← existing); the ID Placeholder is the new key.
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { dateAttr, enumAttr, intAttr, objectTypeOf, removeAttr, setServerAttr, type Attr, type ManagedObject } from "../model/index.js";
import { dateTime, enumeration, struct, text } from "../ttlv/index.js";
import { asStored, requireInVersion, requireUniqueName, ruleOf, settleDates, usageLimitsNode, usageLimitsOf } from "./attribute-edit.js";
import { digestAttr, initialAttrs, keyObjectAttrs, loadOnline, requestAttrsWithTemplates, targetUid, touch, uidNode } from "./common.js";
import type { OperationContext, OperationHandler } from "./context.js";
import { generateSymmetric, keyBlockOf, symmetricKeyContent } from "./key-material.js";

/** Attributes the replacement gets new values for, or none (1.4 Table 173, 2.1 Table 304). */
const NOT_COPIED: ReadonlySet<string> = new Set([
  "Unique Identifier", "Short Unique Identifier", "Object Type", "State", "Initial Date", "Last Change Date", "Original Creation Date",
  "Destroy Date", "Compromise Date", "Compromise Occurrence Date", "Revocation Reason", "Archive Date", "Digest", "Link",
  "Random Number Generator", "Usage Limits", "Fresh", "Always Sensitive", "Never Extractable", "Key Format Type", "Lease Time",
  "Activation Date", "Process Start Date", "Protect Stop Date", "Deactivation Date",
]);
const SHIFTED_DATES = ["Process Start Date", "Protect Stop Date", "Deactivation Date"] as const;

const link = (type: number, uid: string): Attr => ({
  name: "Link",
  value: struct(Tag.Link, [enumeration(Tag.LinkType, type), text(Tag.LinkedObjectIdentifier, uid)]),
});

export const rekey: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const offset = p.optInterval(Tag.Offset);
  const template = (await requestAttrsWithTemplates(p, ctx)).map((a) => asStored(requireInVersion(a, ctx.version)));
  const old = await loadOnline(uid, ctx, true);
  if (objectTypeOf(old) !== Enums.ObjectType.SymmetricKey) throw new KmipError("InvalidObjectType", "Re-key replaces symmetric keys only");
  if (!old.content) throw new KmipError("KeyValueNotPresent", "the existing key has no key material");

  const now = ctx.now();
  const neu = await replacementOf(old, offset, template, ctx);

  const kb = keyBlockOf(old.content);
  const alg = enumAttr(neu, "Cryptographic Algorithm") ?? kb?.optEnum(Tag.CryptographicAlgorithm);
  const bits = intAttr(neu, "Cryptographic Length") ?? kb?.optInt(Tag.CryptographicLength);
  if (alg === undefined || bits === undefined) throw new KmipError("InvalidField", "the existing key states no Cryptographic Algorithm and Length");
  const key = generateSymmetric(alg, bits);
  neu.content = symmetricKeyContent(key, alg, bits);
  initialAttrs(neu, Enums.ObjectType.SymmetricKey, ctx);
  settleDates(neu, now);
  neu.attrs.push({ name: "Digest", value: digestAttr(key, Enums.KeyFormatType.Raw) }, link(Enums.LinkType.ReplacedObjectLink, uid));
  keyObjectAttrs(neu, Enums.KeyFormatType.Raw, true, ctx.settings.leaseTimeSec);

  old.content = undefined; // not re-wrapped: the stored material is kept
  removeAttr(old, "Name");
  old.attrs.push(link(Enums.LinkType.ReplacementObjectLink, neu.uid));
  touch(old, ctx);
  try {
    // One commit: a concurrent change to the old key fails the whole Re-key, and a crash never
    // leaves a Replacement link to a key that was not stored.
    await ctx.objects.updateAndInsert(old, neu);
  } finally {
    key.fill(0); // the content node shares this buffer: erase it only once it is wrapped and stored
  }
  ctx.idPlaceholder = neu.uid;
  return [uidNode(neu.uid)];
};

/**
 * The replacement's attributes before its key exists: the old object's, less those the spec
 * renews (NOT_COPIED), the lifecycle dates copied or moved by the Offset, Usage Limits reset, then
 * the request's template applied. Shared with Re-key Key Pair, which does the same per half.
 */
export async function replacementOf(old: ManagedObject, offset: number | undefined, template: readonly Attr[], ctx: OperationContext): Promise<ManagedObject> {
  const now = ctx.now();
  const neu: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: old.attrs.filter((a) => !NOT_COPIED.has(a.name)), revision: 0 };
  // the replacement belongs to the old key's creator, even when the client itself (no credential) re-keys
  if (old.creator !== undefined) neu.creator = old.creator;
  const activation = dateAttr(old, "Activation Date");
  if (offset === undefined) {
    for (const d of ["Activation Date", ...SHIFTED_DATES]) {
      const v = dateAttr(old, d);
      if (v !== undefined) setServerAttr(neu, d, dateTime(0, v));
    }
  } else {
    const newActivation = now + BigInt(offset);
    setServerAttr(neu, "Activation Date", dateTime(0, newActivation));
    for (const d of SHIFTED_DATES) {
      const v = dateAttr(old, d);
      if (v !== undefined) setServerAttr(neu, d, dateTime(0, activation === undefined ? v : v + (newActivation - activation)));
    }
  }
  const limits = usageLimitsOf(old);
  if (limits) setServerAttr(neu, "Usage Limits", usageLimitsNode({ ...limits, count: limits.total }));
  for (const a of template) {
    const rule = ruleOf(a.name);
    if (!rule.clientSet) throw new KmipError("ReadOnlyAttribute", `attribute ${a.name} is set by the server`);
    await requireUniqueName(neu, a, ctx);
    if (!rule.multi) removeAttr(neu, a.name);
    neu.attrs.push(a);
  }

  return neu;
}
