/**
 * Set Attribute (2.1 §6.1.51, KMIP 2.x only): adds the attribute when the object has none, or
 * replaces its only instance; an attribute with several instances is refused.
 */
import { Tag } from "../kmip/index.js";
import { KmipError, isV2 } from "../messages/index.js";
import { requireKnownPolicy } from "../model/index.js";
import { asStored, innerAttr, positionsOf, requireClientMay, requireUniqueName, settleDates } from "./attribute-edit.js";
import { loadOnline, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const setAttribute: OperationHandler = async (p, ctx) => {
  if (!isV2(ctx.version)) throw new KmipError("OperationNotSupported", "Set Attribute exists from KMIP 2.0 on");
  const uid = targetUid(p, ctx);
  const a = asStored(innerAttr(p.struct(Tag.NewAttribute), ctx.version));
  const obj = await loadOnline(uid, ctx);
  const at = positionsOf(obj, a.name);
  requireClientMay(obj, a.name, at.length === 0 ? "add" : "modify");
  if (at.length > 1) throw new KmipError("MultiValuedAttribute", `the object has several ${a.name}; use Modify Attribute`);
  const pos = at[0];
  requireKnownPolicy(a);
  await requireUniqueName(obj, a, ctx, pos === undefined ? undefined : obj.attrs[pos]);
  if (pos === undefined) obj.attrs.push(a);
  else obj.attrs[pos] = a;
  settleDates(obj, ctx.now());
  touch(obj, ctx);
  await ctx.objects.update(obj);
  return [uidNode(uid)];
};
