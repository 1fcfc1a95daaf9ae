/**
 * Recover (1.4 §4.23, 2.1 §6.1.42): an archived object comes back on-line (its Archive Date is
 * removed); an object already on-line is left as it is. Recover sets the ID Placeholder.
 */
import { removeAttr } from "../model/index.js";
import { isArchived, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const recover: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const obj = await ctx.objects.load(uid);
  if (isArchived(obj)) {
    removeAttr(obj, "Archive Date");
    touch(obj, ctx);
    await ctx.objects.update(obj);
  }
  ctx.idPlaceholder = uid;
  return [uidNode(uid)];
};
