/**
 * Derive Key (1.4 §4.6, 2.1 §6.1.19): a new Symmetric Key or Secret Data computed from objects
 * the server holds. The first Unique Identifier is the derivation key (or, for PBKDF2, the
 * password); a second one, a Secret Data object, may supply the Derivation Data instead of the
 * request. Every object used must be Active and allow Derive Key in its usage mask. Methods:
 * PBKDF2, HASH, HMAC, ENCRYPT, the three NIST SP 800-108 modes (HMAC PRF) and Asymmetric Key
 * ((EC)DH of a Private Key and a Public Key: the shared secret, or its hash when one is named).
 * Cryptographic Parameters come from the request, else the base object's first Cryptographic
 * Parameters (not for Asymmetric Key), else the method's default (PBKDF2: HMAC-SHA-1 as PKCS#5
 * says; HMAC: the HMAC key's own hash).
 * Links: Derivation Base Object on the new object, Derived Key on each base object.
 */
import { Enums, Masks, Tag } from "../kmip/index.js";
import { KmipError, StructReader } from "../messages/index.js";
import {
  addClientAttrs, enumAttr, firstAttr, intAttr, objectTypeOf, setServerAttr, stateOf, type ManagedObject,
} from "../model/index.js";
import { ItemType, bytes, enumeration, integer, struct, type StructureNode } from "../ttlv/index.js";
import { digestAttr, initialAttrs, keyObjectAttrs, loadOnline, requestAttrsWithTemplates, touch, uidNode } from "./common.js";
import type { OperationContext, OperationHandler } from "./context.js";
import {
  encryptDerive, hashDerive, hashSize, hmacDerive, hmacPrf, kbkdfCounter, kbkdfDoublePipeline, kbkdfFeedback, pbkdf2Derive, sp800108Fixed,
} from "./derivation/kdf.js";
import { sharedSecret } from "./derivation/asymmetric.js";
import { baseBytes, cipherName, hashName, hmacKeyHash, readCryptoParams, type CryptoParams } from "./derivation/params.js";
import { generateSymmetric, symmetricKeyContent } from "./key-material.js";
import { link } from "./links.js";
import type { LoadedObject } from "./repository.js";

const D = Enums.DerivationMethod;
const O = Enums.ObjectType;

/** A base object of one of `types`, refused unless it is Active and its mask allows Derive Key. */
async function loadBase(uid: string, types: readonly number[], ctx: OperationContext): Promise<LoadedObject> {
  const o = await loadOnline(uid, ctx, true);
  if (!types.includes(objectTypeOf(o))) throw new KmipError("InvalidObjectType", "this object type cannot be used with this derivation method");
  const mask = intAttr(o, "Cryptographic Usage Mask") ?? 0;
  if ((mask & Masks.CryptographicUsageMask.DeriveKey) === 0) {
    throw new KmipError("IncompatibleCryptographicUsageMask", "the object's Cryptographic Usage Mask does not allow Derive Key");
  }
  if (stateOf(o) !== Enums.State.Active) throw new KmipError("WrongKeyLifecycleState", "only an Active object can be used for derivation");
  if (!o.content) throw new KmipError("KeyValueNotPresent", "the object has no key material");
  return o;
}

/** Base object types per position: (derivation key, data) or, for Asymmetric Key, (private, public). */
const BASE_TYPES = (method: number): [number[], number[]] =>
  method === D.AsymmetricKey ? [[O.PrivateKey], [O.PublicKey]] : [[O.SymmetricKey, O.SecretData], [O.SecretData]];

/** The base object's first Cryptographic Parameters attribute, if any. */
function storedParams(o: ManagedObject): CryptoParams | undefined {
  const v = firstAttr(o, "Cryptographic Parameters")?.value;
  return v ? readCryptoParams(StructReader.of(v)) : undefined;
}

interface Inputs {
  method: number;
  key: Uint8Array;
  keyAlgorithm?: number;
  params?: CryptoParams;
  data?: Uint8Array;
  iv?: Uint8Array;
  salt?: Uint8Array;
  iterations?: number;
}

/** Runs the method; `len` is in bytes. */
export async function derive(i: Inputs, len: number): Promise<Buffer> {
  const need = (d: Uint8Array | undefined, what: string): Uint8Array => {
    if (d === undefined) throw new KmipError("InvalidField", `${what} is required for this derivation method`);
    return d;
  };
  const hash = (fallback?: string): string => {
    if (i.params?.hash !== undefined) return hashName(i.params.hash);
    if (fallback) return fallback;
    throw new KmipError("InvalidField", "Cryptographic Parameters must name a Hashing Algorithm for this method");
  };
  const hmacHash = (): string => hash(hmacKeyHash(i.keyAlgorithm));
  switch (i.method) {
    case D.PBKDF2:
      return pbkdf2Derive(hash("sha1"), i.key, need(i.salt, "Salt"), i.iterations ?? 0, len);
    case D.HASH:
      return hashDerive(hash(), i.data ?? i.key, len);
    case D.HMAC:
      return hmacDerive(hmacHash(), i.key, need(i.data, "Derivation Data"), len);
    case D.ENCRYPT:
      return encryptDerive(cipherName(i.params?.algorithm ?? i.keyAlgorithm, i.params?.mode, i.key.length), i.key, ivFor(i), need(i.data, "Derivation Data"), len);
    case D.NIST800_108_C:
    case D.NIST800_108_F:
    case D.NIST800_108_DPI: {
      const h = hmacHash();
      const prf = hmacPrf(h);
      const fixed = sp800108Fixed(need(i.data, "Derivation Data"), len);
      if (i.method === D.NIST800_108_C) return kbkdfCounter(prf, hashSize(h), i.key, fixed, len);
      if (i.method === D.NIST800_108_F) return kbkdfFeedback(prf, hashSize(h), i.key, i.iv ?? new Uint8Array(0), fixed, len);
      return kbkdfDoublePipeline(prf, hashSize(h), i.key, fixed, len);
    }
    default:
      throw new KmipError("InvalidField", "this Derivation Method is not supported");
  }
}

/** ECB takes no IV; other modes use the request's, or zeros ("empty IV is assumed"). */
function ivFor(i: Inputs): Uint8Array | null {
  if (i.params?.mode === Enums.BlockCipherMode.ECB) return null;
  const block = (i.params?.algorithm ?? i.keyAlgorithm) === Enums.CryptographicAlgorithm.DES3 ? 8 : 16;
  return i.iv && i.iv.length > 0 ? i.iv : new Uint8Array(block);
}

export const deriveKey: OperationHandler = async (p, ctx) => {
  const objectType = p.enum(Tag.ObjectType);
  if (objectType !== O.SymmetricKey && objectType !== O.SecretData) throw new KmipError("InvalidField", "Derive Key makes Symmetric Keys or Secret Data");
  // The ID Placeholder may not stand in for the base objects (1.4 §4.6).
  const uids = p.all(Tag.UniqueIdentifier).map((n) => (n.type === ItemType.TextString ? n.value : undefined));
  if (uids.length === 0 || uids.some((u) => typeof u !== "string")) throw new KmipError("InvalidMessage", "Derive Key needs the Unique Identifiers of its base objects");
  if (new Set(uids).size !== uids.length) throw new KmipError("InvalidField", "a base object is named twice");
  if (uids.length > 2) throw new KmipError("InvalidField", "Derive Key takes at most two base objects");
  const method = p.enum(Tag.DerivationMethod);
  const dp = p.struct(Tag.DerivationParameters);

  const obj: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: [], revision: 0 };
  addClientAttrs(obj, await requestAttrsWithTemplates(p, ctx));
  const bits = intAttr(obj, "Cryptographic Length");
  if (bits === undefined || bits <= 0 || bits % 8 !== 0) throw new KmipError("InvalidField", "Cryptographic Length (a whole number of bytes) is required");
  const alg = enumAttr(obj, "Cryptographic Algorithm");
  if (objectType === O.SymmetricKey && alg === undefined) throw new KmipError("InvalidField", "Cryptographic Algorithm is required for a symmetric key");
  // generateSymmetric validates the algorithm/length pair and tells the key size in bytes (3DES keeps parity bits).
  const len = objectType === O.SymmetricKey ? generateSymmetric(alg!, bits).fill(0).length : bits / 8;

  const types = BASE_TYPES(method);
  const bases: LoadedObject[] = [];
  for (const [i, u] of (uids as string[]).entries()) bases.push(await loadBase(u, types[i]!, ctx));
  const [base, second] = bases as [LoadedObject, LoadedObject | undefined];
  const requested = readCryptoParams(dp.optStruct(Tag.CryptographicParameters));
  let out: Buffer;
  if (method === D.AsymmetricKey) {
    // Only the request's parameters: a private key's own (e.g. its signature hash) say nothing about derivation.
    const cp = requested;
    if (!second) throw new KmipError("InvalidField", "Asymmetric Key derivation needs a private key and a public key");
    const z = sharedSecret(base.content as StructureNode, second.content as StructureNode);
    try {
      out = cp?.hash !== undefined ? hashDerive(hashName(cp.hash), z, len) : Buffer.from(z.subarray(0, len));
      if (out.length < len) throw new KmipError("InvalidField", "the requested length exceeds the output of the derivation method");
    } finally {
      z.fill(0);
    }
  } else {
    const requestData = dp.optBytes(Tag.DerivationData);
    if (second && requestData) throw new KmipError("InvalidField", "Derivation Data is given both in the request and as a Secret Data object");
    out = await derive({
      method,
      key: baseBytes(base.content!),
      keyAlgorithm: enumAttr(base, "Cryptographic Algorithm"),
      params: requested ?? storedParams(base),
      data: requestData ?? (second ? baseBytes(second.content!) : undefined),
      iv: dp.optBytes(Tag.InitializationVector),
      salt: dp.optBytes(Tag.Salt),
      iterations: dp.optInt(Tag.IterationCount),
    }, len);
  }

  try {
    if (objectType === O.SymmetricKey) {
      setServerAttr(obj, "Cryptographic Algorithm", enumeration(0, alg!));
      obj.content = symmetricKeyContent(out, alg!, bits);
    } else {
      obj.content = secretDataContent(out);
    }
    setServerAttr(obj, "Cryptographic Length", integer(0, bits));
    initialAttrs(obj, objectType, ctx);
    const format = objectType === O.SymmetricKey ? Enums.KeyFormatType.Raw : Enums.KeyFormatType.Opaque;
    obj.attrs.push({ name: "Digest", value: digestAttr(out, format) });
    keyObjectAttrs(obj, format, false, ctx.settings.leaseTimeSec);
    for (const b of bases) {
      obj.attrs.push(link(Enums.LinkType.DerivationBaseObjectLink, b.uid));
      b.content = undefined; // not re-wrapped: the stored material is kept
      b.attrs.push(link(Enums.LinkType.DerivedKeyLink, obj.uid));
      touch(b, ctx);
    }
    // The new object and its bases' links (a second base: the Secret Data holding Derivation
    // Data, or the public key) land in one commit, with one audit record.
    await ctx.objects.writeAll(second ? [base, second] : [base], [obj]);
  } finally {
    out.fill(0);
  }
  ctx.idPlaceholder = obj.uid;
  return [uidNode(obj.uid)];
};

/** Secret Data holding derived bytes: type Seed, Opaque key format. */
function secretDataContent(value: Uint8Array): StructureNode {
  return struct(Tag.SecretData, [
    enumeration(Tag.SecretDataType, Enums.SecretDataType.Seed),
    struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Uint8Array.from(value))])]),
  ]);
}
