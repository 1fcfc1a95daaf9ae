/** Log (2.1 §6.1.30): a client asks the server to record a message. It is accepted (and not echoed). */
import { Tag } from "../kmip/index.js";
import type { OperationHandler } from "./context.js";

export const log: OperationHandler = async (p) => {
  p.text(Tag.LogMessage);
  return [];
};
