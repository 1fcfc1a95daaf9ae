/** RNG Retrieve (1.3+ §4.35, 2.1 §6.1.49): Data Length random bytes from OpenSSL's CSPRNG (CTR_DRBG). */
import { randomBytes } from "node:crypto";
import { Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { bytes } from "../ttlv/index.js";
import type { OperationHandler } from "./context.js";

/** The most one request may ask for; larger requests are refused rather than truncated. */
export const MAX_RNG_BYTES = 64 * 1024;

export const rngRetrieve: OperationHandler = async (p) => {
  const n = p.int(Tag.DataLength);
  if (n <= 0 || n > MAX_RNG_BYTES) throw new KmipError("InvalidField", `Data Length must be between 1 and ${MAX_RNG_BYTES}`);
  return [bytes(Tag.Data, randomBytes(n))];
};
