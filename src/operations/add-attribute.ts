/**
 * Add Attribute (1.4 §4.14, 2.1 §6.1.2): a new instance of an attribute. The client may add only
 * what it may set, and a single-valued attribute only once. 1.x answers with the Attribute and
 * the Attribute Index it got; 2.x with the Unique Identifier alone.
 */
import { Tag } from "../kmip/index.js";
import { KmipError, isV2 } from "../messages/index.js";
import { attrFromV1, attrToV1, attrsNamed, requireKnownPolicy } from "../model/index.js";
import { asStored, innerAttr, requireClientMay, requireInVersion, requireUniqueName, ruleOf, settleDates } from "./attribute-edit.js";
import { loadOnline, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const addAttribute: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const v2 = isV2(ctx.version);
  const given = v2 ? innerAttr(p.struct(Tag.NewAttribute), ctx.version) : requireInVersion(attrFromV1(p.req(Tag.Attribute)).attr, ctx.version);
  const a = asStored(given);
  const obj = await loadOnline(uid, ctx);
  requireClientMay(obj, a.name, "add");
  const index = attrsNamed(obj, a.name).length;
  if (index > 0 && !ruleOf(a.name).multi) throw new KmipError("AttributeSingleValued", `attribute ${a.name} allows a single instance`);
  requireKnownPolicy(a);
  await requireUniqueName(obj, a, ctx);
  obj.attrs.push(a);
  settleDates(obj, ctx.now());
  touch(obj, ctx);
  await ctx.objects.update(obj);
  return v2 ? [uidNode(uid)] : [uidNode(uid), attrToV1(a, index)];
};
