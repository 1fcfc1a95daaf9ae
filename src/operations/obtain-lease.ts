/**
 * Obtain Lease (1.4 §4.17, 2.1 §6.1.33): the object's Lease Time (the server's lease,
 * kms.lease_time_sec) and its Last Change Date. No lease is given on a compromised or destroyed
 * object: its material must not be used any more.
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { dateAttr, firstAttr, stateOf } from "../model/index.js";
import { ItemType, dateTime, interval } from "../ttlv/index.js";
import { loadOnline, targetUid, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

const S = Enums.State;

export const obtainLease: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const obj = await loadOnline(uid, ctx);
  const state = stateOf(obj);
  if (state === S.Compromised || state === S.Destroyed || state === S.DestroyedCompromised) {
    throw new KmipError("WrongKeyLifecycleState", "no lease is given on a compromised or destroyed object");
  }
  const lease = firstAttr(obj, "Lease Time")?.value;
  const seconds = lease?.type === ItemType.Interval ? lease.value : ctx.settings.leaseTimeSec;
  return [uidNode(uid), interval(Tag.LeaseTime, seconds), dateTime(Tag.LastChangeDate, dateAttr(obj, "Last Change Date") ?? ctx.now())];
};
