/** Get Constraints (2.1 §6.1.22): the constraints applied to the caller's account's new objects, as set (see constraints.ts). */
import { KmipError } from "../messages/index.js";
import { emptyConstraints } from "./constraints.js";
import type { OperationHandler } from "./context.js";

export const getConstraints: OperationHandler = async (_p, ctx) => {
  if (!ctx.constraints) throw new KmipError("OperationNotSupported", "constraints are not kept by this server");
  return [ctx.constraints.get(ctx.tenant.account) ?? emptyConstraints()];
};
