/**
 * RNG Seed (1.3+ §4.36, 2.1 §6.1.50). The seed is accepted and not used: node offers no way to
 * mix data into OpenSSL's DRBG (no RAND_add), and OpenSSL reseeds itself from the operating
 * system's entropy source. A client-chosen seed could only weaken a shared generator, never
 * strengthen it. The spec lets the server ignore the seed and say so with Data Length 0
 * (2.1 §6.1.50), which is what this answers.
 */
import { Tag } from "../kmip/index.js";
import { integer } from "../ttlv/index.js";
import type { OperationHandler } from "./context.js";

export const rngSeed: OperationHandler = async (p) => {
  p.req(Tag.Data);
  p.optBytes(Tag.Data); // type check: Data must be a Byte String
  return [integer(Tag.DataLength, 0)];
};
