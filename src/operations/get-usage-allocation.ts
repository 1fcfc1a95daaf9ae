/**
 * Get Usage Allocation (1.4 §4.18, 2.1 §6.1.23): takes units from the Usage Limits Count of a key
 * that applies protection (a symmetric or private key), while protection is enabled — Active and
 * before its Protect Stop Date. An object without Usage Limits cannot be allocated from.
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { dateAttr, objectTypeOf, requireState, setServerAttr, stateOf } from "../model/index.js";
import { usageLimitsNode, usageLimitsOf } from "./attribute-edit.js";
import { loadOnline, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

const PROTECTING: readonly number[] = [Enums.ObjectType.SymmetricKey, Enums.ObjectType.PrivateKey];

export const getUsageAllocation: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const want = p.optLong(Tag.UsageLimitsCount);
  if (want === undefined) throw new KmipError("InvalidMessage", "Usage Limits Count is required");
  if (want <= 0n) throw new KmipError("InvalidField", "Usage Limits Count must be positive");
  const obj = await loadOnline(uid, ctx);
  if (!PROTECTING.includes(objectTypeOf(obj))) throw new KmipError("InvalidObjectType", "only keys that apply cryptographic protection have usage allocations");
  requireState(stateOf(obj), [Enums.State.Active], "Get Usage Allocation");
  const protectStop = dateAttr(obj, "Protect Stop Date");
  if (protectStop !== undefined && protectStop <= ctx.now()) throw new KmipError("WrongKeyLifecycleState", "the object's Protect Stop Date has passed");
  const limits = usageLimitsOf(obj);
  if (!limits) throw new KmipError("AttributeNotFound", "the object has no Usage Limits");
  if (want > limits.count) throw new KmipError("UsageLimitExceeded", "fewer Usage Limits units remain than asked for");
  setServerAttr(obj, "Usage Limits", usageLimitsNode({ ...limits, count: limits.count - want }));
  touch(obj, ctx);
  await ctx.objects.update(obj);
  return [uidNode(uid)];
};
