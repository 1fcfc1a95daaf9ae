/** Hash (1.4 §4.37 (1.3+), 2.1 §6.1.25): the Hashing Algorithm of the Cryptographic Parameters over Data. */
import { createHash } from "node:crypto";
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import type { OperationHandler } from "./context.js";
import { hashName, readParams } from "./crypto/params.js";
import { STREAMS, drive, isSinglePart, readParts } from "./crypto/streams.js";

const OP = Enums.Operation.Hash;

export const hash: OperationHandler = async (p, ctx) => {
  const parts = readParts(p);
  const reply = { outTag: Tag.Data };
  if (parts.cv) return drive(STREAMS.resume(parts.cv, ctx.principal, OP, undefined, parts.final), parts, OP, ctx.principal, reply);
  if (isSinglePart(parts) && !p.has(Tag.Data)) throw new KmipError("InvalidMessage", "Data is required");
  const params = p.optStruct(Tag.CryptographicParameters);
  const alg = params ? readParams(params).hashingAlgorithm : undefined;
  if (alg === undefined) throw new KmipError("InvalidMessage", "Cryptographic Parameters with a Hashing Algorithm are required");
  const h = createHash(hashName(alg));
  const job = {
    update: (d: Uint8Array) => {
      h.update(d);
      return Buffer.alloc(0);
    },
    finish: () => ({ out: h.digest() }),
  };
  return drive(undefined, parts, OP, ctx.principal, reply, job);
};
