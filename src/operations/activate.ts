/** Activate (1.4 §4.19, 2.1 §6.1.1): Pre-Active → Active, Activation Date = now. */
import { Enums } from "../kmip/index.js";
import { requireState, setServerAttr, stateOf } from "../model/index.js";
import { dateTime, enumeration } from "../ttlv/index.js";
import { loadOnline, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const activate: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const obj = await loadOnline(uid, ctx);
  requireState(stateOf(obj), [Enums.State.PreActive], "Activate");
  setServerAttr(obj, "State", enumeration(0, Enums.State.Active));
  setServerAttr(obj, "Activation Date", dateTime(0, ctx.now()));
  touch(obj, ctx);
  await ctx.objects.update(obj);
  return [uidNode(uid)];
};
