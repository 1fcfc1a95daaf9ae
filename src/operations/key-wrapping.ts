/**
 * Get with a Key Wrapping Specification (1.4 §2.1.5–2.1.6, 2.1 §2.1.5–2.1.6): the key is returned
 * encrypted under a wrapping key the server holds for the same owner. Supported: Wrapping Method
 * Encrypt with AES key wrap — NIST Key Wrap (RFC 3394, the default) or AES Key Wrap with Padding
 * (RFC 5649) — and Encoding Option No Encoding (the key material bytes) or TTLV Encoding (the
 * encoded Key Value, the spec's default).
 */
import { createCipheriv, createDecipheriv } from "node:crypto";
import { Enums, Masks, Tag } from "../kmip/index.js";
import { KmipError, type StructReader } from "../messages/index.js";
import { enumAttr, intAttr, isDestroyed, stateOf } from "../model/index.js";
import { ItemType, bytes, decodeTtlv, encodeTtlv, enumeration, struct, text, type StructureNode, type TtlvNode } from "../ttlv/index.js";
import type { OperationContext } from "./context.js";
import { keyBlockOf, symmetricKeyBytes } from "./key-material.js";

const CIPHERS: Readonly<Record<number, string>> = { 16: "aes128", 24: "aes192", 32: "aes256" };
const RFC3394_IV = Buffer.from("A6A6A6A6A6A6A6A6", "hex");
const RFC5649_IV = Buffer.from("A65959A6", "hex");

/** The object content with its Key Value wrapped as `spec` asks. */
export async function wrapContent(content: StructureNode, spec: StructReader, ctx: OperationContext): Promise<StructureNode> {
  const method = spec.enum(Tag.WrappingMethod);
  if (method !== Enums.WrappingMethod.Encrypt) throw new KmipError("FeatureNotSupported", "only Wrapping Method Encrypt is supported");
  if (spec.has(Tag.MACSignatureKeyInformation)) throw new KmipError("FeatureNotSupported", "MAC/signature key wrapping is not supported");
  const eki = spec.struct(Tag.EncryptionKeyInformation);
  const wrappingUid = eki.text(Tag.UniqueIdentifier);
  const params = eki.optStruct(Tag.CryptographicParameters);
  const mode = params?.optEnum(Tag.BlockCipherMode) ?? Enums.BlockCipherMode.NISTKeyWrap;
  const encoding = spec.optEnum(Tag.EncodingOption) ?? Enums.EncodingOption.TTLVEncoding;

  const kek = await ctx.objects.load(wrappingUid, true).catch(() => {
    throw new KmipError("WrappingObjectNotFound", "the wrapping key was not found");
  });
  if (isDestroyed(stateOf(kek))) throw new KmipError("WrappingObjectDestroyed", "the wrapping key has been destroyed");
  if (stateOf(kek) !== Enums.State.Active) throw new KmipError("WrongKeyLifecycleState", "the wrapping key is not Active");
  const mask = intAttr(kek, "Cryptographic Usage Mask");
  if (mask !== undefined && (mask & Masks.CryptographicUsageMask.WrapKey) === 0) {
    throw new KmipError("IncompatibleCryptographicUsageMask", "the wrapping key may not be used to wrap keys");
  }
  const kekBlock = kek.content && keyBlockOf(kek.content);
  const kekBytes = kekBlock && symmetricKeyBytes(kekBlock);
  if (enumAttr(kek, "Cryptographic Algorithm") !== Enums.CryptographicAlgorithm.AES || !kekBytes || !CIPHERS[kekBytes.length]) {
    throw new KmipError("InvalidField", "the wrapping key must be an AES key");
  }

  let kb = keyBlockOf(content);
  if (!kb) throw new KmipError("InvalidObjectType", "only objects with a Key Block can be wrapped");
  const stored = kb.optStruct(Tag.KeyWrappingData)?.optStruct(Tag.EncryptionKeyInformation)?.optText(Tag.UniqueIdentifier);
  // registered wrapped under the key asked for: returned as registered (TC-WRAP-3-14); under another: re-wrapped
  if (stored === wrappingUid) return content;
  if (stored !== undefined) {
    content = await unwrapContent(content, ctx);
    kb = keyBlockOf(content)!;
  }
  let plain: Uint8Array;
  if (encoding === Enums.EncodingOption.NoEncoding) {
    const kv = kb.req(Tag.KeyValue);
    const km = kv.type === ItemType.Structure ? kv.children.find((c) => c.tag === Tag.KeyMaterial) : undefined;
    if (km?.type !== ItemType.ByteString) throw new KmipError("EncodingOptionError", "No Encoding needs key material that is a byte string");
    plain = km.value;
  } else {
    plain = encodeTtlv(kb.req(Tag.KeyValue));
  }
  const wrapped = aesWrap(kekBytes, plain, mode);

  const keyInfo: TtlvNode[] = [text(Tag.UniqueIdentifier, wrappingUid)];
  if (params) keyInfo.push(params.node);
  const wrappingData: TtlvNode[] = [enumeration(Tag.WrappingMethod, method), struct(Tag.EncryptionKeyInformation, keyInfo)];
  if (spec.has(Tag.EncodingOption)) wrappingData.push(enumeration(Tag.EncodingOption, encoding));
  const rest = kb.children.filter((c) => c.tag !== Tag.KeyFormatType && c.tag !== Tag.KeyValue && c.tag !== Tag.KeyCompressionType);
  const block = struct(Tag.KeyBlock, [
    enumeration(Tag.KeyFormatType, kb.enum(Tag.KeyFormatType)),
    bytes(Tag.KeyValue, wrapped),
    ...rest,
    struct(Tag.KeyWrappingData, wrappingData),
  ]);
  return struct(content.tag, content.children.map((c) => (c.tag === Tag.KeyBlock ? block : c)));
}

/**
 * A key the client registered wrapped, unwrapped for Get with Key Wrap Type Not Wrapped (1.4
 * §2.1.5, 2.1 §6.1.24): under the wrapping key named in its Key Wrapping Data, which must be an
 * AES key-wrapping key (Wrap Key or Unwrap Key) of the same owner, neither destroyed nor compromised.
 */
export async function unwrapContent(content: StructureNode, ctx: OperationContext): Promise<StructureNode> {
  const kb = keyBlockOf(content);
  const kwd = kb?.optStruct(Tag.KeyWrappingData);
  if (!kb || !kwd) return content;
  if (kwd.enum(Tag.WrappingMethod) !== Enums.WrappingMethod.Encrypt || kwd.has(Tag.MACSignatureKeyInformation)) {
    throw new KmipError("FeatureNotSupported", "only keys wrapped with Wrapping Method Encrypt can be unwrapped");
  }
  const eki = kwd.struct(Tag.EncryptionKeyInformation);
  const mode = eki.optStruct(Tag.CryptographicParameters)?.optEnum(Tag.BlockCipherMode) ?? Enums.BlockCipherMode.NISTKeyWrap;
  const kek = await ctx.objects.load(eki.text(Tag.UniqueIdentifier), true).catch(() => {
    throw new KmipError("WrappingObjectNotFound", "the wrapping key was not found");
  });
  const state = stateOf(kek);
  if (isDestroyed(state) || state === Enums.State.Compromised) throw new KmipError("WrongKeyLifecycleState", "the wrapping key is destroyed or compromised");
  const mask = intAttr(kek, "Cryptographic Usage Mask");
  // the client wrapped this key under it for registration: a Wrap Key or Unwrap Key key will do (TC-WRAP-2-14)
  const wrapping = Masks.CryptographicUsageMask.WrapKey | Masks.CryptographicUsageMask.UnwrapKey;
  if (mask !== undefined && (mask & wrapping) === 0) {
    throw new KmipError("IncompatibleCryptographicUsageMask", "the wrapping key is not a key-wrapping key");
  }
  const kekBlock = kek.content && keyBlockOf(kek.content);
  const kekBytes = kekBlock && symmetricKeyBytes(kekBlock);
  if (enumAttr(kek, "Cryptographic Algorithm") !== Enums.CryptographicAlgorithm.AES || !kekBytes || !CIPHERS[kekBytes.length]) {
    throw new KmipError("InvalidField", "the wrapping key must be an AES key");
  }
  // a Byte String (the spec's form); some 1.x clients send Key Value { Key Material } holding the wrapped bytes
  const kv = kb.req(Tag.KeyValue);
  const km = kv.type === ItemType.Structure ? kv.children.find((c) => c.tag === Tag.KeyMaterial) : kv;
  if (km?.type !== ItemType.ByteString) throw new KmipError("InvalidMessage", "a wrapped Key Value must be a Byte String");
  const wrapped = km.value;
  const plain = aesUnwrap(kekBytes, wrapped, mode);
  const noEncoding = kwd.optEnum(Tag.EncodingOption) === Enums.EncodingOption.NoEncoding;
  const keyValue = noEncoding ? struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, plain)]) : decodeTtlv(plain);
  if (keyValue.tag !== Tag.KeyValue) throw new KmipError("CryptographicFailure", "the unwrapped bytes are not a Key Value");
  const block = struct(Tag.KeyBlock, kb.children.filter((c) => c.tag !== Tag.KeyWrappingData).map((c) => (c.tag === Tag.KeyValue ? keyValue : c)));
  return struct(content.tag, content.children.map((c) => (c.tag === Tag.KeyBlock ? block : c)));
}

function aesUnwrap(kek: Uint8Array, wrapped: Uint8Array, mode: number): Buffer {
  const bits = kek.length * 8;
  const [cipher, iv] =
    mode === Enums.BlockCipherMode.NISTKeyWrap ? [`id-aes${bits}-wrap`, RFC3394_IV]
    : mode === Enums.BlockCipherMode.AESKeyWrapPadding ? [`id-aes${bits}-wrap-pad`, RFC5649_IV]
    : [undefined, undefined];
  if (!cipher) throw new KmipError("UnsupportedCryptographicParameters", "key unwrapping supports NIST Key Wrap and AES Key Wrap with Padding");
  try {
    const d = createDecipheriv(cipher, kek, iv);
    return Buffer.concat([d.update(wrapped), d.final()]);
  } catch {
    throw new KmipError("CryptographicFailure", "the key does not unwrap under its wrapping key");
  }
}

function aesWrap(kek: Uint8Array, plain: Uint8Array, mode: number): Buffer {
  const bits = kek.length * 8;
  if (mode === Enums.BlockCipherMode.NISTKeyWrap) {
    if (plain.length < 16 || plain.length % 8 !== 0) throw new KmipError("InvalidField", "NIST Key Wrap needs at least 16 bytes in multiples of 8; use AES Key Wrap with Padding");
    const c = createCipheriv(`id-aes${bits}-wrap`, kek, RFC3394_IV);
    return Buffer.concat([c.update(plain), c.final()]);
  }
  if (mode === Enums.BlockCipherMode.AESKeyWrapPadding) {
    const c = createCipheriv(`id-aes${bits}-wrap-pad`, kek, RFC5649_IV);
    return Buffer.concat([c.update(plain), c.final()]);
  }
  throw new KmipError("UnsupportedCryptographicParameters", "key wrapping supports NIST Key Wrap and AES Key Wrap with Padding");
}
