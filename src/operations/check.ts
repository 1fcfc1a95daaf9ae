/**
 * Check (1.4 §4.10, 2.1 §6.1.7): whether the object may be used as the client intends — for the
 * Cryptographic Usage Mask given (every bit must be allowed by the object's mask), for a number
 * of Usage Limits units (no more than remain), with a Lease Time (no longer than the object's).
 * A refusal empties the ID Placeholder so the batched operations after it fail.
 */
import { Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { firstAttr, intAttr } from "../model/index.js";
import { ItemType } from "../ttlv/index.js";
import { usageLimitsOf } from "./attribute-edit.js";
import { loadOnline, targetUid, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

export const check: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const count = p.optLong(Tag.UsageLimitsCount);
  const mask = p.optInt(Tag.CryptographicUsageMask);
  const lease = p.optInterval(Tag.LeaseTime);
  const obj = await loadOnline(uid, ctx);
  const refuse = (reason: KmipError["reason"], message: string): KmipError => {
    ctx.idPlaceholder = undefined;
    return new KmipError(reason, message);
  };
  const allowed = intAttr(obj, "Cryptographic Usage Mask");
  if (mask !== undefined && allowed !== undefined && ((allowed & mask) >>> 0) !== mask >>> 0) {
    throw refuse("IncompatibleCryptographicUsageMask", "the object's Cryptographic Usage Mask does not allow this use");
  }
  const limits = usageLimitsOf(obj);
  if (count !== undefined && limits !== undefined && count > limits.count) {
    throw refuse("UsageLimitExceeded", "fewer Usage Limits units remain than asked for");
  }
  const leaseAttr = firstAttr(obj, "Lease Time")?.value;
  const maxLease = leaseAttr?.type === ItemType.Interval ? leaseAttr.value : undefined;
  if (lease !== undefined && maxLease !== undefined && maxLease !== 0 && lease > maxLease) {
    throw refuse("PermissionDenied", "the Lease Time asked for is longer than the object's");
  }
  return [uidNode(uid)];
};
