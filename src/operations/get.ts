/** Get (1.4 §4.11, 2.1 §6.1.24): the object's content, in the requested Key Format Type. */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError, itemNotFound, objectDestroyed } from "../messages/index.js";
import { objectTypeOf, setServerAttr, stateOf, isDestroyed } from "../model/index.js";
import { ItemType, boolean, enumeration } from "../ttlv/index.js";
import { asymmetricInFormat, isAsymmetricContent } from "./asymmetric/convert.js";
import { pkcs12Content } from "./asymmetric/pkcs12.js";
import { loadOnline, targetUid, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { inFormat } from "./key-material.js";
import { wrapContent } from "./key-wrapping.js";

export const get: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const wanted = p.optEnum(Tag.KeyFormatType);
  if (p.has(Tag.KeyCompressionType)) throw new KmipError("KeyCompressionTypeNotSupported", "key compression is not supported");
  const obj = await loadOnline(uid, ctx, true);
  if (isDestroyed(stateOf(obj))) throw objectDestroyed();
  if (!obj.content) throw itemNotFound();
  // 2.x Sensitive: the key material may be used by the server but not returned (2.1 §4.53).
  const sensitive = obj.attrs.find((a) => a.name === "Sensitive")?.value;
  if (sensitive?.type === ItemType.Boolean && sensitive.value) throw new KmipError("Sensitive", "the object is sensitive; its key material cannot be returned");
  if (obj.content.type !== ItemType.Structure) throw new Error("internal: stored content is not a structure");
  let content =
    wanted === Enums.KeyFormatType.PKCS_12 ? await pkcs12Content(obj, ctx)
    : isAsymmetricContent(obj.content) ? asymmetricInFormat(obj.content, wanted)
    : inFormat(obj.content, wanted);
  const wrapSpec = p.optStruct(Tag.KeyWrappingSpecification);
  if (wrapSpec) content = await wrapContent(content, wrapSpec, ctx);
  // Fresh: true until the key material has been served to a client once (1.4 §3.48).
  const fresh = obj.attrs.find((a) => a.name === "Fresh")?.value;
  if (fresh?.type === ItemType.Boolean && fresh.value) {
    setServerAttr(obj, "Fresh", boolean(0, false));
    await ctx.objects.update(obj);
  }
  return [enumeration(Tag.ObjectType, objectTypeOf(obj)), uidNode(uid), content];
};
