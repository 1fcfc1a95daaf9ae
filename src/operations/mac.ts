/** MAC (1.4 §4.33, 2.1 §6.1.32): HMAC or AES-CMAC under a symmetric key, single-part or by parts. */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { enumAttr } from "../model/index.js";
import { targetUid } from "./common.js";
import type { OperationHandler } from "./context.js";
import { macFor } from "./crypto/macs.js";
import { effectiveParams } from "./crypto/params.js";
import { STREAMS, drive, isSinglePart, readParts } from "./crypto/streams.js";
import { usableKey } from "./crypto/usable-key.js";

const OP = Enums.Operation.MAC;

export const mac: OperationHandler = async (p, ctx) => {
  const uid = targetUid(p, ctx);
  const parts = readParts(p);
  if (isSinglePart(parts) && !p.has(Tag.Data)) throw new KmipError("InvalidMessage", "Data is required");
  const { obj, key } = await usableKey(uid, "MACGenerate", ctx, parts.data.length);
  const reply = { uid, outTag: Tag.MACData };
  if (parts.cv) return drive(STREAMS.resume(parts.cv, ctx.principal, OP, uid, parts.final), parts, OP, ctx.principal, reply);
  const m = macFor(key, enumAttr(obj, "Cryptographic Algorithm"), effectiveParams(p, obj));
  const job = {
    update: (d: Uint8Array) => {
      m.update(d);
      return Buffer.alloc(0);
    },
    finish: () => ({ out: m.digest() }),
  };
  return drive(undefined, parts, OP, ctx.principal, reply, job);
};
