/** Small pieces several operations share: the target object's uid, dates, attribute replies. */
import { createHash } from "node:crypto";
import { Enums, Masks, Tag, type KmipVersion } from "../kmip/index.js";
import { KmipError, isV2, type StructReader } from "../messages/index.js";
import {
  attrInVersion, attrToV1, attrToV2, fieldTermOf, isCustomName, isV1Attribute, objectTypeOf, readAttributeList, ruleFor, setServerAttr,
  type Attr, type ManagedObject,
} from "../model/index.js";
import { ItemType, boolean, bytes, dateTime, enumeration, integer, interval, struct, text, type TtlvNode } from "../ttlv/index.js";
import type { OperationContext } from "./context.js";
import type { LoadedObject } from "./repository.js";

/** An object Archive has moved to archival storage (until Recover brings it back on-line). */
export const isArchived = (o: ManagedObject): boolean => o.attrs.some((a) => a.name === "Archive Date");

/** The object, refused while archived: it must be recovered first (1.4 §4, 2.1 §6.1.4). */
export async function loadOnline(uid: string, ctx: OperationContext, withContent = false): Promise<LoadedObject> {
  const obj = await ctx.objects.load(uid, withContent);
  if (isArchived(obj)) throw new KmipError("ObjectArchived", "the object is archived; Recover it first");
  return obj;
}

/** The Unique Identifier a request names, or the batch's ID Placeholder when it names none. */
export function targetUid(p: StructReader, ctx: OperationContext): string {
  const uid = p.optText(Tag.UniqueIdentifier) ?? ctx.idPlaceholder;
  // after a Locate that found nothing (or several), the object meant is not there (TC_152)
  if (uid === undefined && ctx.placeholderCleared) throw new KmipError("ObjectNotFound", "the Locate before this item found no single object");
  if (uid === undefined) throw new KmipError("InvalidMessage", "Unique Identifier is required (no ID Placeholder in this batch)");
  return uid;
}

export const uidNode = (uid: string): TtlvNode => text(Tag.UniqueIdentifier, uid);

export function touch(o: ManagedObject, ctx: OperationContext): void {
  setServerAttr(o, "Last Change Date", dateTime(0, ctx.now()));
}

/**
 * Request fields that some clients put in a template as if they were attributes. MySQL's keyring
 * sends Storage Status Mask (a Locate field, meaningless for a new object) in its Create
 * template; it is ignored rather than refused so those clients can create keys.
 */
const TEMPLATE_FIELDS_IGNORED: ReadonlySet<string> = new Set(["Storage Status Mask"]);

function isIgnoredTemplateField(a: TtlvNode): boolean {
  const name = a.type === ItemType.Structure ? a.children.find((c) => c.tag === Tag.AttributeName) : undefined;
  return name?.type === ItemType.TextString && TEMPLATE_FIELDS_IGNORED.has(name.value);
}

/**
 * Client attributes of a Create/Register-style request: the 1.x Template-Attribute (or its
 * Common/Private/Public variants, `holder`) or the 2.x Attributes structure (`v2Holder`), with 1.x
 * templates referenced by Name (1.4 §2.1.8) resolved: each named Template object's attributes
 * come first, and an attribute the request states itself replaces a single-valued one from a
 * template. A template's own Name is its name, not an attribute to copy.
 */
export async function requestAttrsWithTemplates(
  p: StructReader,
  ctx: OperationContext,
  holder: number = Tag.TemplateAttribute,
  v2Holder: number = Tag.Attributes,
): Promise<Attr[]> {
  const fromTemplates: Attr[] = [];
  const explicit: Attr[] = [];
  for (const t of p.structs(holder)) {
    for (const n of t.all(Tag.Name)) fromTemplates.push(...(await templateAttrs(n, ctx)));
    explicit.push(...readAttributeList(t.all(Tag.Attribute).filter((a) => !isIgnoredTemplateField(a))));
  }
  for (const a of p.structs(v2Holder)) explicit.push(...readAttributeList(a.children));
  const stated = new Set(explicit.filter((a) => !ruleFor(a.name, isCustomName(a.name)).multi).map((a) => a.name));
  return [...fromTemplates.filter((a) => a.name !== "Name" && !stated.has(a.name)), ...explicit];
}

/** The attributes a Template object holds, found by its Name (the caller's templates only). */
async function templateAttrs(name: TtlvNode, ctx: OperationContext): Promise<Attr[]> {
  const value = name.type === ItemType.Structure ? name.children.find((c) => c.tag === Tag.NameValue) : undefined;
  if (value?.type !== ItemType.TextString) throw new KmipError("InvalidMessage", "a template Name needs a Name Value");
  for (const uid of ctx.objects.findByTerm(fieldTermOf("Name", value))) {
    const o = await ctx.objects.load(uid, true);
    if (objectTypeOf(o) !== Enums.ObjectType.Template || o.content?.type !== ItemType.Structure) continue;
    return readAttributeList(o.content.children.filter((c) => c.tag === Tag.Attribute))
      .filter((a) => ruleFor(a.name, isCustomName(a.name)).clientSet);
  }
  throw new KmipError("ItemNotFound", `no template named ${value.value}`);
}

/** Attributes of a 1.x Locate request (direct Attribute children) or 2.x (Attributes). */
export function directAttrs(p: StructReader): Attr[] {
  const v1 = p.all(Tag.Attribute).filter(isV1Attribute);
  return [...readAttributeList(v1), ...p.structs(Tag.Attributes).flatMap((a) => readAttributeList(a.children))];
}

/** The reply form of a list of attributes: 1.x Attribute structures, or one 2.x Attributes structure. */
export function attributesReply(attrs: readonly Attr[], version: KmipVersion): TtlvNode[] {
  const visible = attrs.filter((a) => attrInVersion(a, version)).map((a) => forVersion(a, version));
  if (isV2(version)) return [struct(Tag.Attributes, visible.map(attrToV2))];
  const seen = new Map<string, number>();
  return visible.map((a) => {
    const i = seen.get(a.name) ?? 0;
    seen.set(a.name, i + 1);
    return attrToV1(a, i);
  });
}

/** An attribute's value as the version defines it: KMIP 1.0's Digest has no Key Format Type field. */
export function forVersion(a: Attr, version: KmipVersion): Attr {
  if (version !== "1.0" || a.name !== "Digest" || a.value.type !== ItemType.Structure) return a;
  return { name: a.name, value: struct(a.value.tag, a.value.children.filter((c) => c.tag !== Tag.KeyFormatType)) };
}

/** SHA-256 digest attribute over the key material (or value bytes), as the spec recommends. */
export function digestAttr(valueBytes: Uint8Array, keyFormatType: number | undefined): TtlvNode {
  const c: TtlvNode[] = [
    enumeration(Tag.HashingAlgorithm, Enums.HashingAlgorithm.SHA_256),
    bytes(Tag.DigestValue, createHash("sha256").update(valueBytes).digest()),
  ];
  if (keyFormatType !== undefined) c.push(enumeration(Tag.KeyFormatType, keyFormatType));
  return struct(Tag.Digest, c);
}

/** Standard attributes the server sets on every new object. */
export function initialAttrs(o: ManagedObject, objectType: number, ctx: OperationContext, withState = true): void {
  setServerAttr(o, "Unique Identifier", text(0, o.uid));
  setServerAttr(o, "Object Type", enumeration(0, objectType));
  const now = ctx.now();
  setServerAttr(o, "Initial Date", dateTime(0, now));
  setServerAttr(o, "Last Change Date", dateTime(0, now));
  if (withState) {
    const activation = o.attrs.find((a) => a.name === "Activation Date")?.value;
    const active = activation?.type === ItemType.DateTime && activation.value <= now;
    setServerAttr(o, "State", enumeration(0, active ? Enums.State.Active : Enums.State.PreActive));
  }
  if (!o.attrs.some((a) => a.name === "Original Creation Date")) setServerAttr(o, "Original Creation Date", dateTime(0, now));
  // An object the client puts in no group is in the server's default group, "default" (1.4 §3.33).
  if (!o.attrs.some((a) => a.name === "Object Group")) o.attrs.push({ name: "Object Group", value: text(Tag.ObjectGroup, DEFAULT_GROUP) });
}

/** The reserved Object Group name of the default group (1.4 §3.33, 2.1 §4.36). */
export const DEFAULT_GROUP = "default";

/**
 * Attributes the server keeps for objects holding key material (1.4 §3.45–3.51, 2.1 §4): Fresh
 * (until the material is first returned), the sensitivity and extractability flags and their
 * "always/never" history, the Key Format Type, the Short Unique Identifier (SHA-256 of the Unique
 * Identifier), the Protection Storage Mask (software: the database key provider), and — for keys
 * generated here — the Random Number Generator that made them (OpenSSL's CTR_DRBG, AES-256).
 * Each reply shows only those its version defines.
 */
export function keyObjectAttrs(o: ManagedObject, keyFormatType: number | undefined, generated: boolean, leaseTimeSec: number): void {
  const has = (n: string) => o.attrs.some((a) => a.name === n);
  const flag = (n: string) => {
    const v = o.attrs.find((a) => a.name === n)?.value;
    return v?.type === ItemType.Boolean ? v.value : undefined;
  };
  if (!has("Fresh")) setServerAttr(o, "Fresh", boolean(0, true));
  const sensitive = flag("Sensitive") ?? false;
  const extractable = flag("Extractable") ?? true;
  if (!has("Sensitive")) setServerAttr(o, "Sensitive", boolean(0, sensitive));
  if (!has("Extractable")) setServerAttr(o, "Extractable", boolean(0, extractable));
  setServerAttr(o, "Always Sensitive", boolean(0, sensitive));
  setServerAttr(o, "Never Extractable", boolean(0, !extractable));
  if (keyFormatType !== undefined) setServerAttr(o, "Key Format Type", enumeration(0, keyFormatType));
  setServerAttr(o, "Short Unique Identifier", bytes(0, createHash("sha256").update(o.uid).digest()));
  setServerAttr(o, "Protection Storage Mask", integer(0, Masks.ProtectionStorageMask.Software));
  // Lease Time holds "the maximum Lease Time [the server] is able to serve" (1.4 §3.20): the
  // operator's kms.lease_time_sec; Obtain Lease grants it.
  setServerAttr(o, "Lease Time", interval(0, leaseTimeSec));
  if (generated) {
    setServerAttr(o, "Random Number Generator", struct(0, RNG_FIELDS()));
  }
}

/**
 * The generator kmipd makes keys with (node:crypto, i.e. OpenSSL's CTR_DRBG, AES-256), as RNG
 * Parameters fields: the Random Number Generator attribute of generated keys.
 */
export const RNG_FIELDS = (): TtlvNode[] => [
  enumeration(Tag.RNGAlgorithm, Enums.RNGAlgorithm.DRBG),
  enumeration(Tag.DRBGAlgorithm, Enums.DRBGAlgorithm.CTR),
  enumeration(Tag.CryptographicAlgorithm, Enums.CryptographicAlgorithm.AES),
  integer(Tag.CryptographicLength, 256),
];

/**
 * The generator RNG Retrieve draws from and RNG Seed feeds: kmipd's own HMAC_DRBG with SHA-256
 * (crypto/hmac-drbg.ts), without prediction resistance. Fields in RNG Parameters order.
 */
export const RETRIEVE_RNG_FIELDS = (): TtlvNode[] => [
  enumeration(Tag.RNGAlgorithm, Enums.RNGAlgorithm.DRBG),
  enumeration(Tag.HashingAlgorithm, Enums.HashingAlgorithm.SHA_256),
  enumeration(Tag.DRBGAlgorithm, Enums.DRBGAlgorithm.HMAC),
  boolean(Tag.PredictionResistance, false),
];

