/**
 * Poll (1.4 §4.27, 2.1 §6.1.34): runs the operation that was answered Operation Pending and answers
 * with its result, under its own Operation (as the OASIS async test cases show).
 */
import { Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import type { OperationHandler } from "./context.js";

export const poll: OperationHandler = async (p, ctx) => {
  const pending = ctx.pending.take(ctx.principal, p.bytes(Tag.AsynchronousCorrelationValue));
  if (!pending) throw new KmipError("ItemNotFound", "no pending operation has this Asynchronous Correlation Value");
  ctx.replyAs = pending.operation;
  return pending.run();
};
