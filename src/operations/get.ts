/** Get (1.4 §4.11, 2.1 §6.1.24): the object's content, in the requested Key Format Type. */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError, itemNotFound, objectDestroyed } from "../messages/index.js";
import { objectTypeOf, setServerAttr, stateOf, isDestroyed } from "../model/index.js";
import { ItemType, boolean, enumeration } from "../ttlv/index.js";
import { asymmetricInFormat, isAsymmetricContent } from "./asymmetric/convert.js";
import { pkcs12Content } from "./asymmetric/pkcs12.js";
import { loadOnline, targetUid, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { isOneTimePad } from "./crypto/one-time-pad.js";
import { inFormat, keyBlockOf } from "./key-material.js";
import { keyMaterialOf } from "./key-objects.js";
import { unwrapContent, wrapContent } from "./key-wrapping.js";

export const get: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const wanted = p.optEnum(Tag.KeyFormatType);
  if (p.has(Tag.KeyCompressionType)) throw new KmipError("KeyCompressionTypeNotSupported", "key compression is not supported");
  const obj = await loadOnline(uid, ctx, true);
  if (isDestroyed(stateOf(obj))) throw objectDestroyed();
  if (!obj.content) throw itemNotFound();
  const flag = (name: string): boolean | undefined => {
    const v = obj.attrs.find((a) => a.name === name)?.value;
    return v?.type === ItemType.Boolean ? v.value : undefined;
  };
  const wrapSpec = p.optStruct(Tag.KeyWrappingSpecification);
  // Extractable false: never released, wrapped or not; Sensitive: released only wrapped (1.4 §3.48–3.50, 2.1 §4.23/§4.53).
  if (flag("Extractable") === false) throw new KmipError("NotExtractable", "the object is not extractable; its key material cannot be returned");
  if (flag("Sensitive") === true && !wrapSpec) throw new KmipError("Sensitive", "the object is sensitive; its key material is returned only wrapped");
  if (obj.content.type !== ItemType.Structure) throw new Error("internal: stored content is not a structure");
  // A pad is secret only while its one copy stays here (TC-OTP-4): its bytes never leave by Get.
  // A pad registered without a Key Value (TC-OTP-3) has nothing to disclose and comes back as it is.
  const kb = keyBlockOf(obj.content);
  if (isOneTimePad(obj) && kb && keyMaterialOf(kb) !== undefined) {
    throw new KmipError("PermissionDenied", "a one-time pad's key material is not released by Get");
  }
  // Key Wrap Type Not Wrapped: a key registered wrapped comes back in the clear (As Registered: as it was)
  const stored = p.optEnum(Tag.KeyWrapType) === Enums.KeyWrapType.NotWrapped ? await unwrapContent(obj.content, ctx) : obj.content;
  let content =
    wanted === Enums.KeyFormatType.PKCS_12 ? await pkcs12Content(obj, ctx)
    : isAsymmetricContent(stored) ? asymmetricInFormat(stored, wanted)
    : inFormat(stored, wanted);
  if (wrapSpec) content = await wrapContent(content, wrapSpec, ctx);
  // Fresh: true until the key material has been served to a client once (1.4 §3.48).
  const fresh = obj.attrs.find((a) => a.name === "Fresh")?.value;
  if (fresh?.type === ItemType.Boolean && fresh.value) {
    setServerAttr(obj, "Fresh", boolean(0, false));
    await ctx.objects.update(obj);
  }
  return [enumeration(Tag.ObjectType, objectTypeOf(obj)), uidNode(uid), content];
};
