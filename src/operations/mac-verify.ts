/** MAC Verify (1.4 §4.34, 2.1 §6.1.33): Validity Indicator for MAC Data over Data. */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError, type StructReader } from "../messages/index.js";
import { enumAttr } from "../model/index.js";
import { enumeration } from "../ttlv/index.js";
import { targetUid } from "./common.js";
import type { OperationHandler } from "./context.js";
import { macFor, sameMac } from "./crypto/macs.js";
import { effectiveParams } from "./crypto/params.js";
import { STREAMS, drive, isSinglePart, readParts, type Job } from "./crypto/streams.js";
import { usableKey } from "./crypto/usable-key.js";

const OP = Enums.Operation.MACVerify;
const V = Enums.ValidityIndicator;

export const macVerify: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const parts = readParts(p);
  if (isSinglePart(parts) && !p.has(Tag.Data)) throw new KmipError("InvalidMessage", "Data is required");
  const { obj, key } = await usableKey(uid, "MACVerify", ctx);
  const reply = { uid };
  if (parts.cv) {
    const job = STREAMS.resume(parts.cv, ctx.principal, OP, uid, parts.final);
    job.accept?.(p);
    return drive(job, parts, OP, ctx.principal, reply);
  }
  const m = macFor(key, enumAttr(obj, "Cryptographic Algorithm"), effectiveParams(p, obj));
  let expected = p.optBytes(Tag.MACData);
  const job: Job = {
    update: (d) => {
      m.update(d);
      return Buffer.alloc(0);
    },
    finish: () => {
      if (!expected) throw new KmipError("InvalidMessage", "MAC Data is required");
      return { extra: [enumeration(Tag.ValidityIndicator, sameMac(m.digest(), expected) ? V.Valid : V.Invalid)] };
    },
    accept: (r: StructReader) => {
      expected = r.optBytes(Tag.MACData) ?? expected;
    },
  };
  return drive(undefined, parts, OP, ctx.principal, reply, job);
};
