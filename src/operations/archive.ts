/**
 * Archive (1.4 §4.22, 2.1 §6.1.4): the object moves to archival storage — its Archive Date is set
 * — and stays out of reach (every operation but Recover refuses it, Locate finds it only with
 * Archival Storage) until Recover brings it back.
 */
import { KmipError } from "../messages/index.js";
import { setServerAttr } from "../model/index.js";
import { dateTime } from "../ttlv/index.js";
import { isArchived, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const archive: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const obj = await ctx.objects.load(uid);
  if (isArchived(obj)) throw new KmipError("ObjectArchived", "the object is already archived");
  setServerAttr(obj, "Archive Date", dateTime(0, ctx.now()));
  touch(obj, ctx);
  await ctx.objects.update(obj);
  return [uidNode(uid)];
};
