/** Sign (1.4 §4.31, 2.1 §6.1.55): a signature by a private key, single-part or by parts. */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { bytes } from "../ttlv/index.js";
import { targetUid, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { effectiveParams } from "./crypto/params.js";
import { schemeFor, signDigest, signer } from "./crypto/signatures.js";
import { STREAMS, drive, isSinglePart, readParts, type Job } from "./crypto/streams.js";
import { usableKey } from "./crypto/usable-key.js";

const OP = Enums.Operation.Sign;

export const sign: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const parts = readParts(p);
  const digested = p.optBytes(Tag.DigestedData);
  if (isSinglePart(parts) && !p.has(Tag.Data) && !digested) throw new KmipError("InvalidMessage", "Data or Digested Data is required");
  const { obj, key } = await usableKey(uid, "Sign", ctx, digested?.length ?? parts.data.length);
  const reply = { uid, outTag: Tag.SignatureData };
  if (parts.cv) return drive(STREAMS.resume(parts.cv, ctx.principal, OP, uid, parts.final), parts, OP, ctx.principal, reply);
  const scheme = schemeFor(key, effectiveParams(p, obj));
  if (digested) {
    if (!isSinglePart(parts)) throw new KmipError("InvalidMessage", "Digested Data is single-part");
    return [uidNode(uid), bytes(Tag.SignatureData, signDigest(key, scheme, digested))];
  }
  const s = signer(key, scheme);
  const job: Job = {
    update: (d) => {
      s.update(d);
      return Buffer.alloc(0);
    },
    finish: () => ({ out: s.sign() }),
  };
  return drive(undefined, parts, OP, ctx.principal, reply, job);
};
