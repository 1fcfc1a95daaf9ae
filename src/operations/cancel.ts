/**
 * Cancel (1.4 §4.26, 2.1 §6.1.6): a pending operation that has not run yet is dropped (Canceled);
 * one kmipd does not hold — already polled, expired, or never issued — is Unavailable.
 */
import { Enums, Tag } from "../kmip/index.js";
import { bytes, enumeration } from "../ttlv/index.js";
import type { OperationHandler } from "./context.js";

export const cancel: OperationHandler = async (p, ctx) => {
  const value = p.bytes(Tag.AsynchronousCorrelationValue);
  const found = ctx.pending.take(ctx.principal, value);
  const result = found ? Enums.CancellationResult.Canceled : Enums.CancellationResult.Unavailable;
  return [bytes(Tag.AsynchronousCorrelationValue, value), enumeration(Tag.CancellationResult, result)];
};
