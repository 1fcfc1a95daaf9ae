/**
 * Modify Attribute (1.4 §4.15, 2.1 §6.1.34): a new value for one existing instance — in 1.x the
 * one at Attribute Index (0 when absent), in 2.x the one equal to Current Attribute, or the only
 * instance. Only attributes a client may modify; date attributes only in the states their rules
 * allow (Activation Date while Pre-Active, the others while Pre-Active or Active).
 */
import { Tag } from "../kmip/index.js";
import { KmipError, isV2 } from "../messages/index.js";
import { attrFromV1, attrToV1, requireKnownPolicy, valueKey, type Attr } from "../model/index.js";
import { innerAttr, positionsOf, requireClientMay, requireInVersion, requireUniqueName, settleDates } from "./attribute-edit.js";
import { loadOnline, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const modifyAttribute: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const v2 = isV2(ctx.version);
  let a: Attr;
  let index: number | undefined;
  let current: Attr | undefined;
  if (v2) {
    a = innerAttr(p.struct(Tag.NewAttribute), ctx.version);
    const cur = p.optStruct(Tag.CurrentAttribute);
    current = cur && innerAttr(cur, ctx.version);
    if (current && current.name !== a.name) throw new KmipError("InvalidField", "Current Attribute and New Attribute name different attributes");
  } else {
    const read = attrFromV1(p.req(Tag.Attribute));
    a = requireInVersion(read.attr, ctx.version);
    index = read.index ?? 0;
  }
  const obj = await loadOnline(uid, ctx);
  requireClientMay(obj, a.name, "modify");
  const at = positionsOf(obj, a.name);
  if (at.length === 0) throw new KmipError("AttributeNotFound", `the object has no ${a.name}`);
  if (index === undefined) {
    if (current) {
      const key = valueKey(current.value);
      index = at.findIndex((i) => valueKey(obj.attrs[i]!.value) === key);
      if (index < 0) throw new KmipError("AttributeInstanceNotFound", `the object has no ${a.name} with the current value given`);
    } else if (at.length > 1) {
      throw new KmipError("MultiValuedAttribute", `the object has several ${a.name}; name the one to modify with Current Attribute`);
    } else index = 0;
  }
  const pos = at[index];
  if (pos === undefined) throw new KmipError("AttributeInstanceNotFound", `the object has no ${a.name} at index ${index}`);
  requireKnownPolicy(a);
  await requireUniqueName(obj, a, ctx, obj.attrs[pos]);
  obj.attrs[pos] = a;
  settleDates(obj, ctx.now());
  touch(obj, ctx);
  await ctx.objects.update(obj);
  return v2 ? [uidNode(uid)] : [uidNode(uid), attrToV1(a, index)];
};
