/**
 * What the attribute operations share (Add, Modify, Delete, Set Attribute: 1.4 §4.14–4.16,
 * 2.1 §6.1.2, 6.1.13, 6.1.34, 6.1.51; Check and Get Usage Allocation for Usage Limits): reading
 * 2.x New / Current Attribute and Attribute Reference, the client-permission rules, the dates a
 * client may change only in some states, Name uniqueness, and the Usage Limits structure.
 */
import { Enums, Tag, attributeByTag, tagByValue, type KmipVersion } from "../kmip/index.js";
import { KmipError, StructReader } from "../messages/index.js";
import {
  attrInVersion, attrsNamed, dateAttr, fieldTermOf, firstAttr, isCustomName, isDestroyed, readAttributeList, ruleFor, setServerAttr, stateOf,
  type Attr, type AttrRule, type ManagedObject,
} from "../model/index.js";
import { ItemType, enumeration, longInteger, struct, type TtlvNode } from "../ttlv/index.js";
import type { OperationContext } from "./context.js";

const S = Enums.State;

export const ruleOf = (name: string): AttrRule => ruleFor(name, isCustomName(name));

/** Refuses an attribute this protocol version does not define (custom attributes exist in all). */
export function requireInVersion(a: Attr, version: KmipVersion): Attr {
  if (!attrInVersion(a, version)) throw new KmipError("InvalidAttribute", `attribute ${a.name} does not exist in KMIP ${version}`);
  return a;
}

/** The one attribute inside a 2.x New Attribute or Current Attribute structure. */
export function innerAttr(s: StructReader, version: KmipVersion): Attr {
  if (s.children.length !== 1) throw new KmipError("InvalidMessage", `${s.path} must hold exactly one attribute`);
  return requireInVersion(readAttributeList(s.children)[0]!, version);
}

/** The attribute a 2.x Attribute Reference names: a Tag enumeration, or {Vendor Identification, Attribute Name}. */
export function referencedName(n: TtlvNode): string {
  if (n.type === ItemType.Enumeration) {
    const row = attributeByTag(n.value);
    if (!row) throw new KmipError("InvalidAttribute", `${tagByValue(n.value)?.xmlName ?? "an unknown tag"} is not an attribute`);
    return row.name;
  }
  if (n.type === ItemType.Structure) {
    const vendor = n.children.find((c) => c.tag === Tag.VendorIdentification);
    const name = n.children.find((c) => c.tag === Tag.AttributeName);
    if (vendor?.type === ItemType.TextString && name?.type === ItemType.TextString) return `${vendor.value}-${name.value}`;
  }
  throw new KmipError("InvalidMessage", "Attribute Reference must be a Tag enumeration or {Vendor Identification, Attribute Name}");
}

/** Positions in `o.attrs` of the instances of `name`, in Attribute Index order. */
export function positionsOf(o: ManagedObject, name: string): number[] {
  const out: number[] = [];
  o.attrs.forEach((a, i) => {
    if (a.name === name) out.push(i);
  });
  return out;
}

/** States in which a client may set or change a date attribute (2.1 §4.1, 4.15, 4.41, 4.43). */
const DATE_STATES: Readonly<Record<string, readonly number[]>> = {
  "Activation Date": [S.PreActive],
  "Process Start Date": [S.PreActive, S.Active],
  "Protect Stop Date": [S.PreActive, S.Active],
  "Deactivation Date": [S.PreActive, S.Active],
};

/**
 * Refuses a client change the attribute's rules forbid (Read Only Attribute for an add,
 * Attribute Read Only for a change or delete), or one the object's state forbids.
 */
export function requireClientMay(o: ManagedObject, name: string, change: "add" | "modify" | "delete"): void {
  const r = ruleOf(name);
  if (change === "add" && !r.clientSet) throw new KmipError("ReadOnlyAttribute", `attribute ${name} is set by the server`);
  if (change === "modify" && !r.clientModify) throw new KmipError("AttributeReadOnly", `attribute ${name} cannot be modified by a client`);
  if (change === "delete" && !r.clientDelete) throw new KmipError("AttributeReadOnly", `attribute ${name} cannot be deleted by a client`);
  const allowed = DATE_STATES[name];
  const state = stateOf(o);
  if (change !== "delete" && allowed && state !== undefined && !allowed.includes(state)) {
    throw new KmipError("WrongKeyLifecycleState", `${name} cannot be changed in the object's current state`);
  }
}

/**
 * Dates that have arrived take effect at once: an Activation Date not in the future activates a
 * Pre-Active object, a Deactivation Date not in the future deactivates a Pre-Active or Active one.
 */
export function settleDates(o: ManagedObject, now: bigint): void {
  const activation = dateAttr(o, "Activation Date");
  const deactivation = dateAttr(o, "Deactivation Date");
  if (stateOf(o) === S.PreActive && activation !== undefined && activation <= now) setServerAttr(o, "State", enumeration(0, S.Active));
  const state = stateOf(o);
  if ((state === S.PreActive || state === S.Active) && deactivation !== undefined && deactivation <= now) {
    setServerAttr(o, "State", enumeration(0, S.Deactivated));
  }
}

/**
 * Names are unique among the caller's objects that are not destroyed (1.4 §3.2, 2.1 §4.37).
 * `o` is checked in memory, without `replacing` (the instance a Modify or Set overwrites).
 */
export async function requireUniqueName(o: ManagedObject, a: Attr, ctx: OperationContext, replacing?: Attr): Promise<void> {
  if (a.name !== "Name" || a.value.type !== ItemType.Structure) return;
  const nameValue = a.value.children.find((c) => c.tag === Tag.NameValue);
  if (nameValue?.type !== ItemType.TextString) return;
  const same = (x: ManagedObject, skip?: Attr): boolean =>
    attrsNamed(x, "Name").some(
      (n) => n !== skip && n.value.type === ItemType.Structure && n.value.children.some((c) => c.tag === Tag.NameValue && c.type === ItemType.TextString && c.value === nameValue.value),
    );
  if (same(o, replacing)) throw new KmipError("NonUniqueNameAttribute", `the object already has the name ${nameValue.value}`);
  for (const uid of [...ctx.objects.findByTerm(fieldTermOf("Name", nameValue))]) {
    if (uid === o.uid) continue;
    const other = await ctx.objects.peek(uid); // every name counts, whoever's object it is
    if (!isDestroyed(stateOf(other)) && same(other)) throw new KmipError("NonUniqueNameAttribute", `another object is named ${nameValue.value}`);
  }
}

export interface UsageLimits {
  readonly total: bigint;
  /** Units still available; equal to the total until Get Usage Allocation takes some. */
  readonly count: bigint;
  readonly unit?: number;
}

export function usageLimitsOf(o: ManagedObject): UsageLimits | undefined {
  const v = firstAttr(o, "Usage Limits")?.value;
  if (v?.type !== ItemType.Structure) return undefined;
  const r = StructReader.of(v);
  const total = r.optLong(Tag.UsageLimitsTotal);
  if (total === undefined) return undefined;
  return { total, count: r.optLong(Tag.UsageLimitsCount) ?? total, unit: r.optEnum(Tag.UsageLimitsUnit) };
}

export function usageLimitsNode(u: UsageLimits): TtlvNode {
  const c: TtlvNode[] = [longInteger(Tag.UsageLimitsTotal, u.total), longInteger(Tag.UsageLimitsCount, u.count)];
  if (u.unit !== undefined) c.push(enumeration(Tag.UsageLimitsUnit, u.unit));
  return struct(Tag.UsageLimits, c);
}

/**
 * A client-supplied attribute as stored: a client never sets the Usage Limits Count — it starts
 * at the Total (1.4 §3.21, 2.1 §4.59).
 */
export function asStored(a: Attr): Attr {
  if (a.name !== "Usage Limits" || a.value.type !== ItemType.Structure) return a;
  const r = StructReader.of(a.value);
  const total = r.optLong(Tag.UsageLimitsTotal);
  if (total === undefined) throw new KmipError("InvalidAttributeValue", "Usage Limits needs a Usage Limits Total");
  return { name: a.name, value: usageLimitsNode({ total, count: total, unit: r.optEnum(Tag.UsageLimitsUnit) }) };
}
