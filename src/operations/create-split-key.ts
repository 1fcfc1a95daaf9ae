/**
 * Create Split Key (1.4 §4.38, 2.1 §6.1.12): splits an existing key (or a new one generated from
 * the template) into Split Key Parts objects, any Split Key Threshold of which rebuild it. Methods:
 * XOR (threshold = parts) and Polynomial Sharing GF(2^8); the GF(2^16) and prime-field methods are
 * not supported. The existing key's algorithm and length take precedence over the template's; a
 * Sensitive or non-Extractable key is not split (its parts would carry the material out).
 * Links: each part → Parent (the key split), the key → Child (each part), parts chained by
 * Previous / Next in Key Part Identifier order. The ID Placeholder is part 1.
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { addClientAttrs, enumAttr, intAttr, objectTypeOf, setServerAttr, type Attr, type ManagedObject } from "../model/index.js";
import { ItemType, enumeration, integer, type TtlvNode } from "../ttlv/index.js";
import { digestAttr, initialAttrs, keyObjectAttrs, loadOnline, requestAttrsWithTemplates, touch, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { baseBytes } from "./derivation/params.js";
import { generateSymmetric } from "./key-material.js";
import { link } from "./links.js";
import type { LoadedObject } from "./repository.js";
import { splitKeyContent } from "./split/content.js";
import { gf256Split, xorSplit, type Share } from "./split/sharing.js";

const M = Enums.SplitKeyMethod;
const L = Enums.LinkType;

export function checkSplitShape(parts: number, threshold: number, method: number): void {
  if (!(parts >= 1 && parts <= 255)) throw new KmipError("InvalidField", "Split Key Parts must be between 1 and 255");
  if (!(threshold >= 1 && threshold <= parts)) throw new KmipError("InvalidField", "Split Key Threshold must be between 1 and Split Key Parts");
  if (method === M.XOR && threshold !== parts) throw new KmipError("InvalidField", "an XOR split needs every part: Split Key Threshold must equal Split Key Parts");
  if (method !== M.XOR && method !== M.PolynomialSharingGF2_8) throw new KmipError("FeatureNotSupported", "supported Split Key Methods: XOR, Polynomial Sharing GF(2^8)");
}

export const createSplitKey: OperationHandler = async (p, ctx) => {
  if (p.enum(Tag.ObjectType) !== Enums.ObjectType.SplitKey) throw new KmipError("InvalidField", "Create Split Key makes Split Key objects");
  const parts = p.int(Tag.SplitKeyParts);
  const threshold = p.int(Tag.SplitKeyThreshold);
  const method = p.enum(Tag.SplitKeyMethod);
  checkSplitShape(parts, threshold, method);
  const template: Attr[] = await requestAttrsWithTemplates(p, ctx);
  const probe: ManagedObject = { uid: "", owner: ctx.objects.owner, attrs: [], revision: 0 };
  addClientAttrs(probe, template);

  const uid = p.optText(Tag.UniqueIdentifier);
  let base: LoadedObject | undefined;
  let secret: Uint8Array;
  let alg = enumAttr(probe, "Cryptographic Algorithm");
  let bits = intAttr(probe, "Cryptographic Length");
  if (uid !== undefined) {
    base = await loadOnline(uid, ctx, true);
    const t = objectTypeOf(base);
    if (t !== Enums.ObjectType.SymmetricKey && t !== Enums.ObjectType.SecretData) throw new KmipError("InvalidObjectType", "only Symmetric Keys and Secret Data can be split");
    if (!base.content) throw new KmipError("KeyValueNotPresent", "the key has no key material");
    // The parts are handed out and joined into an ordinary key: splitting must not launder a key
    // whose material may never leave the server.
    const flag = (n: string) => base!.attrs.find((a) => a.name === n)?.value;
    const sensitive = flag("Sensitive");
    const extractable = flag("Extractable");
    if (sensitive?.type === ItemType.Boolean && sensitive.value) throw new KmipError("Sensitive", "a sensitive key cannot be split");
    if (extractable?.type === ItemType.Boolean && !extractable.value) throw new KmipError("PermissionDenied", "a non-extractable key cannot be split");
    secret = Uint8Array.from(baseBytes(base.content));
    alg = enumAttr(base, "Cryptographic Algorithm") ?? alg;
    bits = intAttr(base, "Cryptographic Length") ?? bits;
  } else {
    if (alg === undefined || bits === undefined) throw new KmipError("InvalidField", "without a key to split, Cryptographic Algorithm and Length are required");
    secret = generateSymmetric(alg, bits);
  }

  let shares: Share[] = [];
  const objs: ManagedObject[] = [];
  try {
    shares = method === M.XOR ? xorSplit(secret, parts) : gf256Split(secret, parts, threshold);
    for (const s of shares) {
      const o: ManagedObject = { uid: ctx.objects.newUid(), owner: ctx.objects.owner, attrs: [], revision: 0 };
      addClientAttrs(o, template.filter((a) => a.name !== "Cryptographic Algorithm" && a.name !== "Cryptographic Length"));
      if (alg !== undefined) setServerAttr(o, "Cryptographic Algorithm", enumeration(0, alg));
      if (bits !== undefined) setServerAttr(o, "Cryptographic Length", integer(0, bits));
      o.content = splitKeyContent({ parts, id: s.x, threshold, method, material: s.y, algorithm: alg, length: bits });
      initialAttrs(o, Enums.ObjectType.SplitKey, ctx);
      o.attrs.push({ name: "Digest", value: digestAttr(s.y, Enums.KeyFormatType.Raw) });
      keyObjectAttrs(o, Enums.KeyFormatType.Raw, base === undefined, ctx.settings.leaseTimeSec);
      if (base) o.attrs.push(link(L.ParentLink, base.uid));
      objs.push(o);
    }
    objs.forEach((o, i) => {
      if (i > 0) o.attrs.push(link(L.PreviousLink, objs[i - 1]!.uid));
      if (i < objs.length - 1) o.attrs.push(link(L.NextLink, objs[i + 1]!.uid));
    });
    if (base) {
      base.content = undefined; // not re-wrapped: the stored material is kept
      for (const o of objs) base.attrs.push(link(L.ChildLink, o.uid));
      touch(base, ctx);
    }
    // The parts and the key's Child links in one commit (and one audit record): a Child link
    // never names a part that was not stored, and no part is stored without its record.
    await ctx.objects.writeAll(base ? [base] : [], objs);
  } finally {
    secret.fill(0);
    for (const s of shares) s.y.fill(0);
  }
  ctx.idPlaceholder = objs[0]!.uid;
  return objs.map((o): TtlvNode => uidNode(o.uid));
};
