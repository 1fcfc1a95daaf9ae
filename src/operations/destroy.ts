/**
 * Destroy (1.4 §4.21, 2.1 §6.1.18): the key material is erased — the stored record keeps only the
 * metadata, with state Destroyed (or Destroyed Compromised) and Destroy Date. An Active object
 * must be revoked first.
 */
import { Enums } from "../kmip/index.js";
import { DESTROYABLE, requireState, setServerAttr, stateOf } from "../model/index.js";
import { dateTime, enumeration } from "../ttlv/index.js";
import { loadOnline, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const destroy: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const obj = await loadOnline(uid, ctx);
  const state = stateOf(obj);
  if (state !== undefined) {
    requireState(state, DESTROYABLE, "Destroy");
    setServerAttr(obj, "State", enumeration(0, state === Enums.State.Compromised ? Enums.State.DestroyedCompromised : Enums.State.Destroyed));
  }
  setServerAttr(obj, "Destroy Date", dateTime(0, ctx.now()));
  touch(obj, ctx);
  obj.content = undefined;
  await ctx.objects.update(obj, true); // contentChanged with no content: the wrapped material is dropped
  return [uidNode(uid)];
};
