/**
 * Export (1.4 §4.40, 2.1 §6.1.18): the object with all its attributes, for moving it to another
 * server. The content is returned as Get returns it (Key Format Type, wrapping, the Sensitive
 * refusal); a destroyed object comes back with its attributes only. The attributes are those
 * before the export. Fresh: in 1.4 it turns False once the object "has been served to a client"
 * (1.4 §3.48), so Export clears it like Get; 2.0/2.1 §4.24 narrow that to "served via the Get
 * operation", so a 2.x Export leaves it (TC-IMPEXP-3-20 reads Fresh true after an Export).
 */
import { Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { objectTypeOf, setServerAttr } from "../model/index.js";
import { ItemType, boolean, enumeration, type TtlvNode } from "../ttlv/index.js";
import { attributesReply, loadOnline, targetUid, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { isOneTimePad } from "./crypto/one-time-pad.js";
import { inFormat, keyBlockOf } from "./key-material.js";
import { keyMaterialOf } from "./key-objects.js";
import { wrapContent } from "./key-wrapping.js";

export const exportObject: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const wanted = p.optEnum(Tag.KeyFormatType);
  if (p.has(Tag.KeyCompressionType)) throw new KmipError("KeyCompressionTypeNotSupported", "key compression is not supported");
  const obj = await loadOnline(uid, ctx, true);
  const out: TtlvNode[] = [enumeration(Tag.ObjectType, objectTypeOf(obj)), uidNode(uid), ...attributesReply(obj.attrs, ctx.version)];
  ctx.idPlaceholder = uid;
  if (!obj.content) return out; // destroyed (or never had content): attributes only
  const sensitive = obj.attrs.find((a) => a.name === "Sensitive")?.value;
  if (sensitive?.type === ItemType.Boolean && sensitive.value) throw new KmipError("Sensitive", "the object is sensitive; its key material cannot be exported");
  if (obj.content.type !== ItemType.Structure) throw new Error("internal: stored content is not a structure");
  const kb = keyBlockOf(obj.content);
  // as for Get (get.ts): a one-time pad's bytes never leave the server
  if (isOneTimePad(obj) && kb && keyMaterialOf(kb) !== undefined) throw new KmipError("PermissionDenied", "a one-time pad's key material is not exported");
  let content = inFormat(obj.content, wanted);
  const wrapSpec = p.optStruct(Tag.KeyWrappingSpecification);
  if (wrapSpec) content = await wrapContent(content, wrapSpec, ctx);
  const fresh = obj.attrs.find((a) => a.name === "Fresh")?.value;
  if (ctx.version === "1.4" && fresh?.type === ItemType.Boolean && fresh.value) {
    setServerAttr(obj, "Fresh", boolean(0, false));
    obj.content = undefined; // not re-wrapped: the stored material is kept
    await ctx.objects.update(obj);
  }
  return [...out, content];
};
