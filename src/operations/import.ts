/**
 * Import (1.4 §4.41, 2.1 §6.1.25): stores an object under the Unique Identifier the client
 * gives, with exactly the attributes supplied — "Initially set by" and "When implicitly set" are
 * not enforced (2.1 §6.1.25); the server fills only what is missing (Unique Identifier, Object
 * Type, dates, State, Digest). With Replace Existing the caller's object of that id is replaced
 * (attributes and content); without it an existing id is Object Already Exists. Ids are one
 * namespace: an id another principal holds is Object Already Exists too, and is never replaced.
 * A key wrapped by the client is stored as provided unless Key Wrap Type asks for Not Wrapped,
 * which is not supported (the server would need the client's wrapping key).
 */
import { Enums, Tag } from "../kmip/index.js";
import { KmipError } from "../messages/index.js";
import { enumAttr, firstAttr, removeAttr, setServerAttr, type ManagedObject } from "../model/index.js";
import { ItemType, dateTime, enumeration, text } from "../ttlv/index.js";
import { requireUniqueName, ruleOf } from "./attribute-edit.js";
import { digestAttr, directAttrs, uidNode } from "./common.js";
import type { OperationHandler } from "./context.js";
import { digestInput, keyBlockOf } from "./key-material.js";

const O = Enums.ObjectType;
/** Object type ⇄ the tag of its structure. */
const CONTENT: ReadonlyMap<number, number> = new Map([
  [O.SymmetricKey, Tag.SymmetricKey], [O.SecretData, Tag.SecretData], [O.OpaqueObject, Tag.OpaqueObject], [O.Certificate, Tag.Certificate],
  [O.PublicKey, Tag.PublicKey], [O.PrivateKey, Tag.PrivateKey], [O.SplitKey, Tag.SplitKey],
]);

export const importObject: OperationHandler = async (p, ctx) => {
  const uid = p.text(Tag.UniqueIdentifier);
  if (uid.length === 0 || uid.length > 256) throw new KmipError("InvalidField", "the Unique Identifier must be 1 to 256 characters");
  const present = [...CONTENT].filter(([, tag]) => p.has(tag));
  if (present.length !== 1) throw new KmipError("InvalidMessage", "Import carries exactly one object");
  const [inferred, contentTag] = present[0]!;
  const objectType = p.optEnum(Tag.ObjectType) ?? inferred;
  if (objectType !== inferred) throw new KmipError("InvalidField", "Object Type does not match the object");
  const content = p.req(contentTag);
  const kb = keyBlockOf(content);
  if (kb?.has(Tag.KeyWrappingData) && p.optEnum(Tag.KeyWrapType) === Enums.KeyWrapType.NotWrapped) {
    throw new KmipError("FeatureNotSupported", "unwrapping an imported key is not supported; import it as registered");
  }

  const replace = p.optBool(Tag.ReplaceExisting) ?? false;
  const mine = ctx.objects.exists(uid);
  if (mine && !replace) throw new KmipError("ObjectAlreadyExists", "an object with this Unique Identifier exists");
  const existing = mine ? await ctx.objects.load(uid) : undefined;

  const obj: ManagedObject = { uid, owner: ctx.objects.owner, attrs: [], revision: existing?.revision ?? 0, ...(existing?.creator !== undefined ? { creator: existing.creator } : {}) };
  for (const a of directAttrs(p)) {
    if (!ruleOf(a.name).multi && obj.attrs.some((x) => x.name === a.name)) throw new KmipError("AttributeSingleValued", `attribute ${a.name} allows a single instance`);
    await requireUniqueName(obj, a, ctx);
    obj.attrs.push(a);
  }
  const named = firstAttr(obj, "Unique Identifier")?.value;
  if (named?.type === ItemType.TextString && named.value !== uid) throw new KmipError("InvalidField", "the Unique Identifier attribute differs from the request's");
  if (enumAttr(obj, "Object Type") !== undefined && enumAttr(obj, "Object Type") !== objectType) throw new KmipError("InvalidField", "the Object Type attribute differs from the object");
  fillMissing(obj, objectType, ctx.now());
  obj.content = content;
  const d = digestInput(content);
  if (d && !firstAttr(obj, "Digest")) obj.attrs.push({ name: "Digest", value: digestAttr(d.value, d.format) });

  try {
    if (existing) await ctx.objects.update(obj, true);
    else await ctx.objects.insert(obj);
  } catch (e) {
    // Another principal's object holds this id: the store refuses the duplicate.
    if (e instanceof Error && e.name === "DuplicateUidError") throw new KmipError("ObjectAlreadyExists", "an object with this Unique Identifier exists");
    throw e;
  }
  ctx.idPlaceholder = uid;
  return [uidNode(uid)];
};

/** The attributes every object has, where the import did not supply them. */
function fillMissing(o: ManagedObject, objectType: number, now: bigint): void {
  removeAttr(o, "Unique Identifier");
  setServerAttr(o, "Unique Identifier", text(0, o.uid));
  if (enumAttr(o, "Object Type") === undefined) setServerAttr(o, "Object Type", enumeration(0, objectType));
  for (const d of ["Initial Date", "Last Change Date"]) if (!firstAttr(o, d)) setServerAttr(o, d, dateTime(0, now));
  if (!firstAttr(o, "State")) {
    const act = firstAttr(o, "Activation Date")?.value;
    const active = act?.type === ItemType.DateTime && act.value <= now;
    setServerAttr(o, "State", enumeration(0, active ? Enums.State.Active : Enums.State.PreActive));
  }
}
