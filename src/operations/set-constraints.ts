/**
 * Set Constraints (2.1 §6.1.52): replaces the caller's account's constraints. An empty Constraints
 * structure clears them, and so does a request without one (the table calls it required, but the
 * 2.1 test case TC-MD-24 clears with an empty payload). See constraints.ts.
 */
import { Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { ItemType } from "../ttlv/index.js";
import { rulesOf } from "./constraints.js";
import type { OperationHandler } from "./context.js";

export const setConstraints: OperationHandler = async (p, ctx) => {
  if (!ctx.constraints) throw new KmipError("OperationNotSupported", "constraints are not kept by this server");
  const c = p.opt(Tag.Constraints);
  if (c === undefined) {
    await ctx.constraints.set(ctx.tenant.account, undefined);
    return [];
  }
  if (c.type !== ItemType.Structure) throw new KmipError("InvalidMessage", "Constraints must be a Structure");
  rulesOf(c); // refuse what cannot be applied before storing it
  await ctx.constraints.set(ctx.tenant.account, c.children.length === 0 ? undefined : c);
  return [];
};
