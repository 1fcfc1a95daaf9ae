/** Create (1.4 §4.1, 2.1 §6.1.9): a new symmetric key or secret data, generated here. */
import { randomBytes } from "node:crypto";
import { Enums, Masks, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { addClientAttrs, enumAttr, firstAttr, intAttr, setServerAttr, type ManagedObject } from "../model/index.js";
import { ItemType, bytes, enumeration, integer, struct, text, type StructureNode } from "../ttlv/index.js";
import { digestAttr, initialAttrs, keyObjectAttrs, requestAttrsWithTemplates, uidNode } from "./common.js";
import type { OperationContext, OperationHandler } from "./context.js";
import { generateSymmetric, symmetricKeyContent } from "./key-material.js";

const O = Enums.ObjectType;
/** Longest secret Create makes (bits): a password or seed, not bulk data. */
const MAX_SECRET_BITS = 4096;
/** Symmetric keys below this length do not keep 128-bit security against Grover's algorithm. */
const QUANTUM_SAFE_BITS = 256;

export const create: OperationHandler = async (p, ctx) => {
  const objectType = p.enum(Tag.ObjectType);
  if (objectType !== O.SymmetricKey && objectType !== O.SecretData) {
    throw new KmipError("InvalidField", "Create makes symmetric keys and secret data; use Create Key Pair or Register for other objects");
  }
  const obj: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: [], revision: 0 };
  addClientAttrs(obj, await requestAttrsWithTemplates(p, ctx));
  await generateAndStore(obj, objectType, ctx);
  return [enumeration(Tag.ObjectType, objectType), uidNode(obj.uid)];
};

/**
 * A new AES key of the default size (kms.dek.size.bits), usable for Encrypt and Decrypt, in
 * `group`: what Locate makes on the fly for a group with no fresh member when
 * kms.locate_creates_fresh is on (1.1+ §Object Group Member: "the server MAY create a new object").
 */
export async function createFreshGroupKey(ctx: OperationContext, group: string): Promise<string> {
  const obj: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: [], revision: 0 };
  const M = Masks.CryptographicUsageMask;
  addClientAttrs(obj, [
    { name: "Cryptographic Algorithm", value: enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES) },
    { name: "Cryptographic Usage Mask", value: integer(Tag.CryptographicUsageMask, M.Encrypt | M.Decrypt) },
    { name: "Object Group", value: text(Tag.ObjectGroup, group) },
  ]);
  await generateAndStore(obj, Enums.ObjectType.SymmetricKey, ctx);
  return obj.uid;
}

/** Generates the material for an object whose client attributes are set, fills in the server's attributes and stores it. */
async function generateAndStore(obj: ManagedObject, objectType: number, ctx: OperationContext): Promise<void> {
  const material = objectType === O.SecretData ? secretData(obj) : symmetricKey(obj, ctx);
  // Quantum Safe requested (2.1 §4.47): refuse a key that is not (QS-M-2: "NOT_SAFE", General Failure).
  const qs = firstAttr(obj, "Quantum Safe")?.value;
  if (qs?.type === ItemType.Boolean && qs.value && material.bits < QUANTUM_SAFE_BITS) {
    material.key.fill(0);
    throw new KmipError("GeneralFailure", `not quantum safe: symmetric material needs ${QUANTUM_SAFE_BITS} bits`);
  }
  obj.content = material.content;
  initialAttrs(obj, objectType, ctx);
  obj.attrs.push({ name: "Digest", value: digestAttr(material.key, material.format) });
  keyObjectAttrs(obj, material.format, true, ctx.settings.leaseTimeSec);
  material.key.fill(0); // the content node holds its own copy
  await ctx.objects.insert(obj);
  ctx.idPlaceholder = obj.uid;
}

interface Material {
  readonly key: Uint8Array;
  readonly bits: number;
  readonly format: number;
  readonly content: StructureNode;
}

function symmetricKey(obj: ManagedObject, ctx: OperationContext): Material {
  const alg = enumAttr(obj, "Cryptographic Algorithm");
  if (alg === undefined) throw new KmipError("InvalidField", "Cryptographic Algorithm is required");
  const bits = intAttr(obj, "Cryptographic Length") ?? (alg === Enums.CryptographicAlgorithm.AES ? ctx.settings.defaultKeyBits : undefined);
  if (bits === undefined) throw new KmipError("InvalidField", "Cryptographic Length is required for this algorithm");
  const key = generateSymmetric(alg, bits);
  setServerAttr(obj, "Cryptographic Algorithm", enumeration(0, alg));
  setServerAttr(obj, "Cryptographic Length", integer(0, bits));
  return { key, bits, format: Enums.KeyFormatType.Raw, content: symmetricKeyContent(key, alg, bits) };
}

/** Random secret data of the Cryptographic Length asked for, as a Password (Opaque key block). */
function secretData(obj: ManagedObject): Material {
  const bits = intAttr(obj, "Cryptographic Length");
  if (bits === undefined || bits <= 0 || bits % 8 !== 0 || bits > MAX_SECRET_BITS) {
    throw new KmipError("InvalidField", `Cryptographic Length (a multiple of 8, at most ${MAX_SECRET_BITS}) is required for secret data`);
  }
  const key = randomBytes(bits / 8);
  const content = struct(Tag.SecretData, [
    enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
    struct(Tag.KeyBlock, [
      enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque),
      struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, key)]),
    ]),
  ]);
  return { key, bits, format: Enums.KeyFormatType.Opaque, content };
}
