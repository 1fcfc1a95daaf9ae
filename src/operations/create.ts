/** Create (1.4 §4.1, 2.1 §6.1.9): a new symmetric key (or, in 2.x, secret data) generated here. */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { addClientAttrs, enumAttr, intAttr, setServerAttr, type ManagedObject } from "../model/index.js";
import { enumeration, integer } from "../ttlv/index.js";
import { digestAttr, initialAttrs, keyObjectAttrs, requestAttrsWithTemplates, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { generateSymmetric, symmetricKeyContent } from "./key-material.js";

export const create: OperationHandler = async (p, ctx) => {
  const objectType = p.enum(Tag.ObjectType);
  if (objectType !== Enums.ObjectType.SymmetricKey) {
    throw new KmipError("InvalidField", "Create makes symmetric keys; use Create Key Pair or Register for other objects");
  }
  const obj: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.principal, attrs: [], revision: 0 };
  addClientAttrs(obj, await requestAttrsWithTemplates(p, ctx));
  const alg = enumAttr(obj, "Cryptographic Algorithm");
  if (alg === undefined) throw new KmipError("InvalidField", "Cryptographic Algorithm is required");
  const bits = intAttr(obj, "Cryptographic Length") ?? (alg === Enums.CryptographicAlgorithm.AES ? ctx.settings.defaultKeyBits : undefined);
  if (bits === undefined) throw new KmipError("InvalidField", "Cryptographic Length is required for this algorithm");
  const key = generateSymmetric(alg, bits);
  setServerAttr(obj, "Cryptographic Algorithm", enumeration(0, alg));
  setServerAttr(obj, "Cryptographic Length", integer(0, bits));
  obj.content = symmetricKeyContent(key, alg, bits);
  initialAttrs(obj, objectType, ctx);
  obj.attrs.push({ name: "Digest", value: digestAttr(key, Enums.KeyFormatType.Raw) });
  keyObjectAttrs(obj, Enums.KeyFormatType.Raw, true, ctx.settings.leaseTimeSec);
  key.fill(0); // the content node holds its own copy
  await ctx.objects.insert(obj);
  ctx.idPlaceholder = obj.uid;
  return [enumeration(Tag.ObjectType, objectType), uidNode(obj.uid)];
};
