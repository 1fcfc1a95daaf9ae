/**
 * RNG Retrieve (1.3+ §4.35, 2.1 §6.1.49): Data Length bytes from the server's HMAC_DRBG (SHA-256,
 * SP 800-90A; crypto/hmac-drbg.ts), seeded from the OS and fed by RNG Seed.
 */
import { Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { bytes } from "../ttlv/index.js";
import { MAX_BYTES_PER_REQUEST } from "./crypto/hmac-drbg.js";
import type { OperationHandler } from "./context.js";

/** The most one request may ask for (the DRBG's 2^19 bits per request); larger requests are refused rather than truncated. */
export const MAX_RNG_BYTES = MAX_BYTES_PER_REQUEST;

export const rngRetrieve: OperationHandler = async (p, ctx) => {
  const n = p.int(Tag.DataLength);
  if (n <= 0 || n > MAX_RNG_BYTES) throw new KmipError("InvalidField", `Data Length must be between 1 and ${MAX_RNG_BYTES}`);
  return [bytes(Tag.Data, ctx.rng.generate(n))];
};
