/**
 * Delete Attribute (1.4 §4.16, 2.1 §6.1.13): removes attribute instances a client may delete —
 * in 1.x the one at Attribute Index (0 when absent), answered with the deleted Attribute; in 2.x
 * the instance equal to Current Attribute, or every instance of an Attribute Reference.
 */
import { Tag } from "../kmip/index.js";
import { KmipError, isV2 } from "../messages/index.js";
import { attrToV1, valueKey } from "../model/index.js";
import { innerAttr, positionsOf, referencedName, requireClientMay } from "./attribute-edit.js";
import { loadOnline, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const deleteAttribute: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  if (!isV2(ctx.version)) {
    const name = p.text(Tag.AttributeName);
    const index = p.optInt(Tag.AttributeIndex) ?? 0;
    const obj = await loadOnline(uid, ctx);
    requireClientMay(obj, name, "delete");
    const at = positionsOf(obj, name);
    if (at.length === 0) throw new KmipError("AttributeNotFound", `the object has no ${name}`);
    const pos = at[index];
    if (pos === undefined) throw new KmipError("AttributeInstanceNotFound", `the object has no ${name} at index ${index}`);
    const [gone] = obj.attrs.splice(pos, 1);
    touch(obj, ctx);
    await ctx.objects.update(obj);
    return [uidNode(uid), attrToV1(gone!, index)];
  }
  const cur = p.optStruct(Tag.CurrentAttribute);
  const current = cur && innerAttr(cur, ctx.version);
  const ref = p.opt(Tag.AttributeReference);
  if (!current && !ref) throw new KmipError("InvalidMessage", "Delete Attribute needs a Current Attribute or an Attribute Reference");
  const name = current?.name ?? referencedName(ref!);
  const obj = await loadOnline(uid, ctx);
  requireClientMay(obj, name, "delete");
  const at = positionsOf(obj, name);
  if (at.length === 0) throw new KmipError("AttributeNotFound", `the object has no ${name}`);
  let drop = new Set(at);
  if (current) {
    const key = valueKey(current.value);
    const pos = at.find((i) => valueKey(obj.attrs[i]!.value) === key);
    if (pos === undefined) throw new KmipError("AttributeInstanceNotFound", `the object has no ${name} with the value given`);
    drop = new Set([pos]);
  }
  obj.attrs = obj.attrs.filter((_, i) => !drop.has(i));
  touch(obj, ctx);
  await ctx.objects.update(obj);
  return [uidNode(uid)];
};
