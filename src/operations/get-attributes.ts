/**
 * Get Attributes (1.4 §4.12, 2.1 §6.1.20): the named attributes of an object (all of them when
 * none is named), every instance of each. Names the object lacks are left out; so are attributes
 * the client's protocol version does not define.
 */
import { Tag } from "../kmip/index.js";
import { KmipError, isV2 } from "../messages/index.js";
import { ItemType } from "../ttlv/index.js";
import { referencedName } from "./attribute-edit.js";
import { attributesReply, loadOnline, targetUid, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const getAttributes: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const names = isV2(ctx.version)
    ? p.all(Tag.AttributeReference).map(referencedName)
    : p.all(Tag.AttributeName).map((n) => {
        if (n.type !== ItemType.TextString) throw new KmipError("InvalidMessage", "Attribute Name must be a Text String");
        return n.value;
      });
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new KmipError("InvalidMessage", `attribute ${n} is named more than once`);
    seen.add(n);
  }
  const obj = await loadOnline(uid, ctx);
  const attrs =
    names.length === 0
      ? obj.attrs.filter((a) => !ctx.settings.quietAttributes.has(a.name))
      : names.flatMap((n) => obj.attrs.filter((a) => a.name === n));
  return [uidNode(uid), ...attributesReply(attrs, ctx.version)];
};
