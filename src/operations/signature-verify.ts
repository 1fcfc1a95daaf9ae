/**
 * Signature Verify (1.4 §4.32, 2.1 §6.1.56): Validity Indicator for a signature under a public
 * key. A malformed signature is Invalid rather than an error; parameters naming another key
 * type give way to the key's own scheme (see schemeFor).
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError, type StructReader } from "../messages/index.js";
import { enumeration, type TtlvNode } from "../ttlv/index.js";
import { targetUid, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { effectiveParams } from "./crypto/params.js";
import { schemeFor, verifier, verifyDigest } from "./crypto/signatures.js";
import { STREAMS, drive, isSinglePart, readParts, type Job } from "./crypto/streams.js";
import { usableKey } from "./crypto/usable-key.js";

const OP = Enums.Operation.SignatureVerify;
const V = Enums.ValidityIndicator;
const validity = (ok: boolean): TtlvNode => enumeration(Tag.ValidityIndicator, ok ? V.Valid : V.Invalid);

export const signatureVerify: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const parts = readParts(p);
  const digested = p.optBytes(Tag.DigestedData);
  const { obj, key } = await usableKey(uid, "Verify", ctx);
  const reply = { uid };
  if (parts.cv) {
    const job = STREAMS.resume(parts.cv, ctx.principal, OP, uid, parts.final);
    job.accept?.(p);
    return drive(job, parts, OP, ctx.principal, reply);
  }
  const scheme = schemeFor(key, effectiveParams(p, obj), true);
  const held = { sig: p.optBytes(Tag.SignatureData) };
  const signature = (): Uint8Array => {
    if (!held.sig) throw new KmipError("InvalidMessage", "Signature Data is required");
    return held.sig;
  };
  if (digested) {
    if (!isSinglePart(parts)) throw new KmipError("InvalidMessage", "Digested Data is single-part");
    return [uidNode(uid), validity(verifyDigest(key, scheme, digested, signature()))];
  }
  if (isSinglePart(parts) && !p.has(Tag.Data)) throw new KmipError("InvalidMessage", "Data or Digested Data is required");
  const v = verifier(key, scheme);
  const job: Job = {
    update: (d) => {
      v.update(d);
      return Buffer.alloc(0);
    },
    finish: () => ({ extra: [validity(v.verify(signature()))] }),
    accept: (r: StructReader) => {
      held.sig = r.optBytes(Tag.SignatureData) ?? held.sig;
    },
  };
  return drive(undefined, parts, OP, ctx.principal, reply, job);
};
