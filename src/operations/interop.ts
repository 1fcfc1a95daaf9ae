/**
 * Interop (2.1 §6.1.27): test-suite bracketing (Begin / End / Reset with a test identifier). The
 * server has no per-test state to set up or clear, so every function simply succeeds.
 */
import { Tag } from "../kmip/index.js";
import type { OperationHandler } from "./context.js";

export const interop: OperationHandler = async (p) => {
  p.enum(Tag.InteropFunction);
  p.optText(Tag.InteropIdentifier);
  return [];
};
