/**
 * Revoke (1.4 §4.20, 2.1 §6.1.47): a compromise reason moves the object to Compromised (with
 * Compromise Date and Compromise Occurrence Date); any other reason deactivates it.
 */
import { Enums, Tag } from "../kmip/index.js";
import { requireState, setServerAttr, stateOf } from "../model/index.js";
import { dateTime, enumeration, struct, text, type TtlvNode } from "../ttlv/index.js";
import { loadOnline, targetUid, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";

const S = Enums.State;
const COMPROMISE: readonly number[] = [Enums.RevocationReasonCode.KeyCompromise, Enums.RevocationReasonCode.CACompromise];

export const revoke: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const reason = p.struct(Tag.RevocationReason);
  const code = reason.enum(Tag.RevocationReasonCode);
  const message = reason.optText(Tag.RevocationMessage);
  const occurred = p.optDateTime(Tag.CompromiseOccurrenceDate);
  const obj = await loadOnline(uid, ctx);
  const now = ctx.now();
  if (COMPROMISE.includes(code)) {
    requireState(stateOf(obj), [S.PreActive, S.Active, S.Deactivated, S.Compromised], "Revoke");
    setServerAttr(obj, "State", enumeration(0, S.Compromised));
    setServerAttr(obj, "Compromise Date", dateTime(0, now));
    setServerAttr(obj, "Compromise Occurrence Date", dateTime(0, occurred ?? now));
  } else {
    requireState(stateOf(obj), [S.PreActive, S.Active, S.Deactivated], "Revoke");
    setServerAttr(obj, "State", enumeration(0, S.Deactivated));
    setServerAttr(obj, "Deactivation Date", dateTime(0, now));
  }
  const rr: TtlvNode[] = [enumeration(Tag.RevocationReasonCode, code)];
  if (message !== undefined) rr.push(text(Tag.RevocationMessage, message));
  setServerAttr(obj, "Revocation Reason", struct(0, rr));
  touch(obj, ctx);
  await ctx.objects.update(obj);
  return [uidNode(uid)];
};
