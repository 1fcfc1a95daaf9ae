/**
 * What Encrypt and Decrypt share: the key checks, the cipher for the key, single-part or by-parts
 * (symmetric only), and the reply. Each operation file is a thin call of runCipher().
 */
import { Enums, Tag, inVersion, tagByValue } from "../../kmip/index.js";
import { KmipError, type StructReader } from "../../messages/index.js";
import { enumAttr } from "../../model/index.js";
import { bytes, type TtlvNode } from "../../ttlv/index.js";
import { targetUid } from "../common.js";
import type { OperationContext } from "../context.js";
import { chooseIv, openCipher, symmetricCipher } from "./ciphers.js";
import { effectiveParams } from "./params.js";
import { isOneTimePad, padXor } from "./one-time-pad.js";
import { isRsa, rsaDecrypt, rsaEncrypt } from "./rsa.js";
import { STREAMS, drive, isSinglePart, readParts, type Job } from "./streams.js";
import { usableKey } from "./usable-key.js";

export async function runCipher(p: StructReader, ctx: OperationContext, decrypt: boolean): Promise<TtlvNode[]> {
  const op = decrypt ? Enums.Operation.Decrypt : Enums.Operation.Encrypt;
  const uid = targetUid(p, ctx);
  const parts = readParts(p);
  if (isSinglePart(parts) && !p.has(Tag.Data)) throw new KmipError("InvalidMessage", "Data is required");
  const { obj, key } = await usableKey(uid, decrypt ? "Decrypt" : "Encrypt", ctx, parts.data.length);
  const reply = { uid, outTag: Tag.Data };
  if (parts.cv) {
    const job = STREAMS.resume(parts.cv, ctx.principal, op, uid, parts.final);
    job.accept?.(p);
    return drive(job, parts, op, ctx.principal, reply);
  }
  if (isOneTimePad(obj)) {
    if (!isSinglePart(parts)) throw new KmipError("FeatureNotSupported", "a one-time pad is applied single-part only");
    return drive(undefined, parts, op, ctx.principal, reply, fixed(padXor(key.export(), parts.data)));
  }
  const params = effectiveParams(p, obj);

  if (key.type !== "secret") {
    if (!isRsa(key)) throw new KmipError("PermissionDenied", "this key type cannot be used for encryption");
    if (!isSinglePart(parts)) throw new KmipError("FeatureNotSupported", "RSA encryption is single-part only");
    const out = decrypt ? rsaDecrypt(key, params, parts.data) : rsaEncrypt(key, params, parts.data);
    return drive(undefined, parts, op, ctx.principal, reply, fixed(out));
  }

  const alg = params.cryptographicAlgorithm ?? enumAttr(obj, "Cryptographic Algorithm") ?? Enums.CryptographicAlgorithm.AES;
  const cipher = symmetricCipher(alg, key.symmetricKeySize ?? 0, params);
  // Authenticated Encryption Tag and Additional Data exist from KMIP 1.4 on: before that an AEAD
  // mode could return no tag, so it is refused rather than answered with a field 1.x ≤ 1.3 lacks.
  if (cipher.tagLength > 0 && !inVersion(tagByValue(Tag.AuthenticatedEncryptionTag)!.versions, ctx.version)) {
    throw new KmipError("FeatureNotSupported", "authenticated encryption (GCM, ChaCha20-Poly1305) needs KMIP 1.4 or later");
  }
  const { iv, generated } = chooseIv(cipher, params, p.optBytes(Tag.IVCounterNonce), decrypt);
  const stream = openCipher(cipher, {
    key, iv, aad: p.optBytes(Tag.AuthenticatedEncryptionAdditionalData), tag: decrypt ? p.optBytes(Tag.AuthenticatedEncryptionTag) : undefined,
  }, decrypt);
  const job: Job = {
    update: (d) => stream.update(d),
    finish: () => {
      const { data, tag } = stream.final();
      return { out: data, extra: tag ? [bytes(Tag.AuthenticatedEncryptionTag, tag)] : [] };
    },
    accept: (r) => {
      const tag = r.optBytes(Tag.AuthenticatedEncryptionTag);
      if (tag) stream.setTag(tag);
    },
  };
  const lead = generated && iv ? [bytes(Tag.IVCounterNonce, iv)] : [];
  return drive(undefined, parts, op, ctx.principal, { ...reply, lead }, job);
}

/** A job whose whole output is already known (single-part RSA). */
const fixed = (out: Buffer): Job => ({ update: () => Buffer.alloc(0), finish: () => ({ out }) });
