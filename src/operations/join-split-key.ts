/**
 * Join Split Key (1.4 §4.39, 2.1 §6.1.28): rebuilds a Symmetric Key or Secret Data from Split
 * Key objects. The parts must agree on Split Key Parts, Threshold and Method and have distinct
 * Key Part Identifiers; fewer than the threshold is a Cryptographic Failure (as the OASIS TC-SJ
 * cases expect), since the secret cannot be computed. Algorithm and length come from the template,
 * else from the parts' key blocks. The new object is a fresh key (Pre-Active unless the template
 * dates it); the ID Placeholder is set to it.
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { addClientAttrs, enumAttr, intAttr, setServerAttr, type ManagedObject } from "../model/index.js";
import { ItemType, bytes, enumeration, integer, struct } from "../ttlv/index.js";
import { digestAttr, initialAttrs, keyObjectAttrs, loadOnline, requestAttrsWithTemplates, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { generateSymmetric, symmetricKeyContent } from "./key-material.js";
import { readSplitPart, type SplitPart } from "./split/content.js";
import { gf256Join, xorJoin } from "./split/sharing.js";

const O = Enums.ObjectType;

/** The secret the parts encode, or a Cryptographic Failure when they cannot give it. */
export function joinParts(parts: readonly SplitPart[]): Uint8Array {
  const first = parts[0]!;
  for (const p of parts) {
    if (p.parts !== first.parts || p.threshold !== first.threshold || p.method !== first.method || p.material.length !== first.material.length) {
      throw new KmipError("InvalidField", "the split keys do not belong to the same split");
    }
  }
  if (new Set(parts.map((p) => p.id)).size !== parts.length) throw new KmipError("InvalidField", "a Key Part Identifier appears twice");
  if (parts.length < first.threshold) throw new KmipError("CryptographicFailure", "fewer split keys than the Split Key Threshold");
  const shares = parts.map((p) => ({ x: p.id, y: p.material }));
  if (first.method === Enums.SplitKeyMethod.XOR) return xorJoin(shares);
  if (first.method === Enums.SplitKeyMethod.PolynomialSharingGF2_8) return gf256Join(shares.slice(0, first.threshold));
  throw new KmipError("FeatureNotSupported", "supported Split Key Methods: XOR, Polynomial Sharing GF(2^8)");
}

export const joinSplitKey: OperationHandler = async (p, ctx) => {
  const objectType = p.enum(Tag.ObjectType);
  if (objectType !== O.SymmetricKey && objectType !== O.SecretData) throw new KmipError("InvalidField", "Join Split Key makes Symmetric Keys or Secret Data");
  const uids = p.all(Tag.UniqueIdentifier).map((n) => (n.type === ItemType.TextString ? n.value : ""));
  if (uids.length === 0 || uids.includes("")) throw new KmipError("InvalidMessage", "Join Split Key needs the Unique Identifiers of the split keys");
  if (new Set(uids).size !== uids.length) throw new KmipError("InvalidField", "a split key is named twice");
  const parts: SplitPart[] = [];
  for (const u of uids) {
    const o = await loadOnline(u, ctx, true);
    if (!o.content) throw new KmipError("KeyValueNotPresent", "a split key has no key material");
    parts.push(readSplitPart(o.content));
  }

  const obj: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: [], revision: 0 };
  addClientAttrs(obj, await requestAttrsWithTemplates(p, ctx));
  const secret = joinParts(parts);
  try {
    const bits = intAttr(obj, "Cryptographic Length") ?? parts[0]!.length ?? secret.length * 8;
    if (objectType === O.SymmetricKey) {
      const alg = enumAttr(obj, "Cryptographic Algorithm") ?? parts[0]!.algorithm;
      if (alg === undefined) throw new KmipError("InvalidField", "Cryptographic Algorithm is required");
      // generateSymmetric validates the pair and gives the key size in bytes.
      if (generateSymmetric(alg, bits).fill(0).length !== secret.length) throw new KmipError("InvalidField", "the joined secret does not have the requested length");
      setServerAttr(obj, "Cryptographic Algorithm", enumeration(0, alg));
      obj.content = symmetricKeyContent(secret, alg, bits);
    } else {
      if (bits !== secret.length * 8) throw new KmipError("InvalidField", "the joined secret does not have the requested length");
      const type = p.optEnum(Tag.SecretDataType) ?? Enums.SecretDataType.Seed;
      obj.content = struct(Tag.SecretData, [
        enumeration(Tag.SecretDataType, type),
        struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Uint8Array.from(secret))])]),
      ]);
    }
    setServerAttr(obj, "Cryptographic Length", integer(0, bits));
    initialAttrs(obj, objectType, ctx);
    const format = objectType === O.SymmetricKey ? Enums.KeyFormatType.Raw : Enums.KeyFormatType.Opaque;
    obj.attrs.push({ name: "Digest", value: digestAttr(secret, format) });
    keyObjectAttrs(obj, format, false, ctx.settings.leaseTimeSec);
    await ctx.objects.insert(obj);
  } finally {
    secret.fill(0);
  }
  ctx.idPlaceholder = obj.uid;
  return [uidNode(obj.uid)];
};
