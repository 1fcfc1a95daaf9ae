/**
 * Locate (1.4 §4.9, 2.1 §6.1.28): the caller's objects that match every attribute of the request.
 * Order: newest first, in every version — 2.x says "descending order of object creation" (2.0/2.1
 * §6.1.28), 1.x says nothing and its 1.4 cases page newest first (TC-OFFSET-*-14). A query for a
 * group's Fresh or Default member treats the group as a pool handed out oldest first (TC_152,
 * TC_153): Group Member Default is the oldest fresh member of the group, else its oldest member.
 * A group with no such member gets a new AES key when kms.locate_creates_fresh is on (TC_151), if
 * the query names only the group.
 * Candidates come from the store index — the query's most selective exact term —
 * and are then matched exactly: a structure on the fields given (a Name by its Name Value alone),
 * two instances of a date attribute as a range, Cryptographic Usage Mask as "has all these bits",
 * Usage Limits as "at least". Storage Status Mask: on-line objects by default; archived ones only
 * with Archival Storage; destroyed ones only with Destroyed Storage (2.x) — 1.x has no such bit,
 * so there a destroyed object is found only by a query that names its State.
 */
import { Enums, Masks, Tag, inVersion, tagByValue } from "../kmip/index.js";
import { KmipError, isKmipError, isV2 } from "../messages/index.js";
import {
  attrsNamed, fieldTermOf, firstAttr, isDestroyed, isIndexed, stateOf, termOf, valueKey, type Attr, type ManagedObject,
} from "../model/index.js";
import { ItemType, integer, type TtlvNode } from "../ttlv/index.js";
import { usageLimitsOf } from "./attribute-edit.js";
import { createFreshGroupKey } from "./create.js";
import { directAttrs, isArchived, uidNode } from "./common.js";
import type { OperationContext, OperationHandler } from "./context.js";

const SSM = Masks.StorageStatusMask;
/** The largest Date-Time: a date attribute set to it stands for "not set" (1.4 §4.9). */
const DATE_MAX = (1n << 63n) - 1n;

interface Criterion {
  /** Index terms every matching object carries; any one of them yields a superset of the matches. */
  readonly terms: readonly string[];
  readonly test: (o: ManagedObject) => boolean;
}

export const locate: OperationHandler = async (p, ctx) => {
  const max = p.optInt(Tag.MaximumItems);
  const offset = p.optInt(Tag.OffsetItems) ?? 0;
  if ((max !== undefined && max < 0) || offset < 0) throw new KmipError("InvalidField", "Maximum Items and Offset Items cannot be negative");
  const limit = Math.min(max ?? ctx.settings.maxLocateItems, ctx.settings.maxLocateItems);
  const mask = p.optInt(Tag.StorageStatusMask) || SSM.OnLineStorage;
  const query = directAttrs(p);
  const criteria = criteriaOf(query);
  const member = p.optEnum(Tag.ObjectGroupMember);
  if (member === Enums.ObjectGroupMember.GroupMemberFresh) {
    criteria.push({ terms: [], test: (o) => isTrue(firstAttr(o, "Fresh")?.value) });
  }
  const wantDestroyed = isV2(ctx.version) ? (mask & SSM.DestroyedStorage) !== 0 : query.some((a) => a.name === "State");
  const stored = (o: ManagedObject): boolean => {
    const destroyed = isDestroyed(stateOf(o));
    if (destroyed && !wantDestroyed) return false;
    if (isArchived(o)) return (mask & SSM.ArchivalStorage) !== 0;
    return destroyed || (mask & SSM.OnLineStorage) !== 0;
  };
  // Located Items is answered when the client pages with Offset Items (1.3+), as the OASIS test cases do.
  const counted = p.has(Tag.OffsetItems) && inVersion(tagByValue(Tag.LocatedItems)?.versions ?? 0, ctx.version);
  const enough = counted ? Number.POSITIVE_INFINITY : offset + limit;
  const newestFirst = member === undefined;
  const defaultMember = member === Enums.ObjectGroupMember.GroupMemberDefault;
  const matched: string[] = [];
  let fresh: string | undefined;
  for (const uid of candidates(criteria, ctx, newestFirst)) {
    if (matched.length >= enough && !(defaultMember && fresh === undefined)) break;
    const o = await loadIfPresent(uid, ctx);
    // the operation policy: another credential's secret objects are not found (1.x Table 81, Locate owner only)
    if (!o || !ctx.objects.permits(o) || !stored(o) || !criteria.every((c) => c.test(o))) continue;
    if (defaultMember && fresh === undefined && isTrue(firstAttr(o, "Fresh")?.value)) fresh = uid;
    if (matched.length < enough) matched.push(uid);
  }
  if (defaultMember) {
    const chosen = fresh ?? matched[0];
    matched.length = 0;
    if (chosen !== undefined) matched.push(chosen);
  }
  const poolGroup = member !== undefined && matched.length === 0 && offset === 0 && ctx.settings.locateCreatesFresh ? onlyGroup(query) : undefined;
  if (poolGroup !== undefined && (mask & SSM.OnLineStorage) !== 0) matched.push(await createFreshGroupKey(ctx, poolGroup));
  const page = matched.slice(offset, offset + limit);
  // ID Placeholder: the one Unique Identifier returned; emptied otherwise so batched operations fail.
  ctx.idPlaceholder = page.length === 1 ? page[0] : undefined;
  ctx.placeholderCleared = page.length !== 1;
  const out: TtlvNode[] = counted ? [integer(Tag.LocatedItems, matched.length)] : [];
  return [...out, ...page.map(uidNode)];
};

/** The group a query names when it names nothing else: the only query Locate answers by creating a member. */
function onlyGroup(query: readonly Attr[]): string | undefined {
  const v = query.length === 1 && query[0]!.name === "Object Group" ? query[0]!.value : undefined;
  return v?.type === ItemType.TextString ? v.value : undefined;
}

/** Uids to examine in creation order (or reversed): those carrying the query's rarest term, or all the caller's objects. */
function candidates(criteria: readonly Criterion[], ctx: OperationContext, newestFirst: boolean): string[] {
  let best: string | undefined;
  let bestCount = Number.POSITIVE_INFINITY;
  for (const t of criteria.flatMap((c) => c.terms)) {
    const n = ctx.objects.countByTerm(t);
    if (n === 0) return [];
    if (n < bestCount) [best, bestCount] = [t, n];
  }
  const uids = best === undefined ? [...ctx.objects.list()] : [...ctx.objects.findByTerm(best)];
  return newestFirst ? uids.reverse() : uids; // uids are time-ordered
}

async function loadIfPresent(uid: string, ctx: OperationContext): Promise<ManagedObject | undefined> {
  try {
    return await ctx.objects.peek(uid);
  } catch (e) {
    if (isKmipError(e) && e.reason === "ItemNotFound") return undefined; // removed since the index was read
    throw e;
  }
}

function criteriaOf(query: readonly Attr[]): Criterion[] {
  const byName = new Map<string, Attr[]>();
  for (const a of query) byName.set(a.name, [...(byName.get(a.name) ?? []), a]);
  const out: Criterion[] = [];
  for (const [name, list] of byName) {
    const dates = list.flatMap((a) => dateOf(a.value) ?? []);
    if (dates.length >= 2) {
      const lo = dates.reduce((x, y) => (y < x ? y : x));
      const hi = dates.reduce((x, y) => (y > x ? y : x));
      out.push({ terms: [], test: (o) => attrsNamed(o, name).some((i) => within(dateOf(i.value), lo, hi)) });
      for (const a of list) if (dateOf(a.value) === undefined) out.push(criterion(a));
    } else for (const a of list) out.push(criterion(a));
  }
  return out;
}

function criterion(q: Attr): Criterion {
  const some = (pred: (v: TtlvNode) => boolean) => (o: ManagedObject) => attrsNamed(o, q.name).some((i) => pred(i.value));
  const v = q.value;
  if (q.name === "Cryptographic Usage Mask" && v.type === ItemType.Integer) {
    const want = v.value >>> 0;
    return { terms: [], test: some((i) => i.type === ItemType.Integer && ((i.value & want) >>> 0) === want) };
  }
  if (q.name === "Usage Limits" && v.type === ItemType.Structure) {
    const want = usageLimitsOf({ uid: "", owner: "", attrs: [q], revision: 0 });
    return { terms: [], test: (o) => {
      const have = usageLimitsOf(o);
      return !want || (have !== undefined && have.total >= want.total && have.count >= want.count);
    } };
  }
  if (v.type === ItemType.DateTime && v.value === DATE_MAX) {
    return { terms: [], test: (o) => attrsNamed(o, q.name).every((i) => dateOf(i.value) === DATE_MAX) };
  }
  if (v.type === ItemType.Structure) {
    const terms = isIndexed(q.name, v) ? v.children.filter((f) => isIndexed(q.name, f)).map((f) => fieldTermOf(q.name, f)) : [];
    return { terms, test: some((i) => i.type === ItemType.Structure && hasFields(i.children, v.children)) };
  }
  const key = valueKey(v);
  return { terms: isIndexed(q.name, v) ? [termOf(q)] : [], test: some((i) => valueKey(i) === key) };
}

/** Every field of the query is a field of the instance (structures match on the fields given). */
function hasFields(instance: readonly TtlvNode[], query: readonly TtlvNode[]): boolean {
  return query.every((f) => {
    const key = valueKey(f);
    return instance.some((c) => c.tag === f.tag && valueKey(c) === key);
  });
}

const dateOf = (v: TtlvNode): bigint | undefined => (v.type === ItemType.DateTime ? v.value : undefined);
const within = (d: bigint | undefined, lo: bigint, hi: bigint): boolean => d !== undefined && d >= lo && d <= hi;
const isTrue = (v: TtlvNode | undefined): boolean => v?.type === ItemType.Boolean && v.value;
