/**
 * Compares a server's response with the expected response of a test-case file under the permitted
 * variations of FORMAT.md §4 rules 5–6 (tables in rules.ts). Structures are compared in order,
 * except set-like lists (attributes, Locate ids, GetAttributeList names, Query results) which are
 * matched as sets that may hold extras. Placeholders bind on first sight and must stay consistent.
 * The result is the first difference, as a readable path.
 */
import { messageVersion, nowPlaceholderOffset, formatIsoDateTime, type PrimitiveValue } from "../src/encodings/index.js";
import { Operation, Tag, inVersion, tagByValue } from "../src/kmip/index.js";
import { ItemType, type PrimitiveNode, type StructureNode, type TtlvNode } from "../src/ttlv/index.js";
import type { Expected } from "./case-file.js";
import { attributeNameOf, describe, formatValue, join, segment, tagName, typeName } from "./format.js";
import * as R from "./rules.js";
import { hex, sameValue, type CaseState } from "./state.js";

export interface Difference {
  /** Where, below the message: `BatchItem[0]/ResponsePayload/UniqueIdentifier`. */
  readonly path: string;
  /** `expected …, got …` */
  readonly message: string;
}

export const formatDifference = (d: Difference): string => (d.path ? `${d.path}: ${d.message}` : d.message);

interface Ctx {
  readonly state: CaseState;
  /** Working copy of the bindings, shared by the nested contexts; a set-matching trial works on a copy. */
  readonly bindings: Map<string, PrimitiveValue>;
  readonly now: bigint;
  readonly requestItems: readonly TtlvNode[];
  readonly op: number | undefined;
  readonly requestItem: TtlvNode | undefined;
  readonly attrName: string | undefined;
  readonly free: boolean;
}

/**
 * Compares one response message. Bindings made along the way are kept in `state` (also when a
 * difference is found, so clean-up requests can still name the objects).
 */
export function compareResponse(expected: Expected, actual: TtlvNode, state: CaseState, request: TtlvNode | undefined): Difference | undefined {
  const requestItems = request?.type === ItemType.Structure ? request.children.filter((c) => c.tag === Tag.BatchItem) : [];
  const ctx: Ctx = { state, bindings: new Map(state.bindings), now: state.clock(), requestItems, op: undefined, requestItem: undefined, attrName: undefined, free: false };
  const d = statusFirst(expected, actual) ?? compareNode(expected, actual, "", ctx, 0) ?? foreignField(actual);
  for (const [k, v] of ctx.bindings) state.bindings.set(k, v);
  return d;
}

const diff = (path: string, message: string): Difference => ({ path, message });

/**
 * A response must hold only fields its own protocol version defines (a 1.2 client cannot parse a
 * 1.4 field): the first item whose tag the registry gives other versions only is a difference,
 * whatever the file expected.
 */
function foreignField(actual: TtlvNode): Difference | undefined {
  const version = messageVersion(actual);
  if (!version) return undefined;
  const visit = (n: TtlvNode, path: string): Difference | undefined => {
    const row = tagByValue(n.tag);
    if (row && !inVersion(row.versions, version)) return diff(path, `${row.xmlName} is not a field of KMIP ${version}`);
    if (n.type !== ItemType.Structure) return undefined;
    for (const c of n.children) {
      const d = visit(c, join(path, tagName(c.tag)));
      if (d) return d;
    }
    return undefined;
  };
  return visit(actual, "");
}

/** A failed operation explains more than the header it came with: batch-item statuses are checked first. */
function statusFirst(e: Expected, a: TtlvNode): Difference | undefined {
  if (a.type !== ItemType.Structure) return undefined;
  const eb = e.children.filter((c) => c.node.tag === Tag.BatchItem);
  const ab = a.children.filter((c) => c.tag === Tag.BatchItem);
  for (const [i, x] of eb.entries()) {
    const y = ab[i];
    const d = y?.type === ItemType.Structure ? resultStatusMismatch(x, y, `BatchItem[${i}]`) : undefined;
    if (d) return d;
  }
  return undefined;
}

function compareNode(e: Expected, a: TtlvNode, path: string, ctx: Ctx, index: number): Difference | undefined {
  const en = e.node;
  if (en.tag !== a.tag) return diff(path, `expected ${tagName(en.tag)}, got ${tagName(a.tag)}`);
  if (en.type !== a.type) return diff(path, `expected type ${typeName(en.type)}, got ${typeName(a.type)} (${describe(a)})`);
  if (en.type !== ItemType.Structure) return comparePrimitive(e, en, a as PrimitiveNode, path, ctx);
  if (R.IGNORED_CONTENT.has(en.tag)) return undefined;
  if (en.tag === Tag.AttributeValue && ctx.attrName !== undefined && R.IGNORED_ATTRIBUTE_VALUES.has(ctx.attrName)) return undefined;
  const as = a as StructureNode;
  let sub = ctx;
  if (en.tag === Tag.BatchItem) {
    const st = resultStatusMismatch(e, as, path);
    if (st) return st;
    sub = { ...ctx, op: enumChild(en, Tag.Operation) ?? enumChild(as, Tag.Operation), requestItem: ctx.requestItems[index] };
  } else if (en.tag === Tag.Attribute) {
    sub = { ...ctx, attrName: attributeNameOf(en) };
  } else if (R.FREE_INSIDE.has(en.tag)) {
    sub = { ...ctx, free: true };
  }
  return compareChildren(e.children, as.children, path, sub, en.tag);
}

function enumChild(s: StructureNode, tag: number): number | undefined {
  const c = s.children.find((x) => x.tag === tag);
  return c?.type === ItemType.Enumeration ? c.value : undefined;
}

/** A wrong ResultStatus is reported first, with the server's reason and message. */
function resultStatusMismatch(e: Expected, a: StructureNode, path: string): Difference | undefined {
  const want = e.node.type === ItemType.Structure ? enumChild(e.node, Tag.ResultStatus) : undefined;
  const got = enumChild(a, Tag.ResultStatus);
  if (want === undefined || got === undefined || want === got) return undefined;
  const reason = enumChild(a, Tag.ResultReason);
  const msg = a.children.find((c) => c.tag === Tag.ResultMessage);
  const extra = [
    reason === undefined ? undefined : formatValue(ItemType.Enumeration, reason, Tag.ResultReason),
    msg?.type === ItemType.TextString ? JSON.stringify(msg.value) : undefined,
  ].filter((x) => x !== undefined);
  const wantReason = e.node.type === ItemType.Structure ? enumChild(e.node, Tag.ResultReason) : undefined;
  const wantText = formatValue(ItemType.Enumeration, want, Tag.ResultStatus) + (wantReason === undefined ? "" : ` / ${formatValue(ItemType.Enumeration, wantReason, Tag.ResultReason)}`);
  return diff(join(path, "ResultStatus"), `expected ${wantText}, got ${formatValue(ItemType.Enumeration, got, Tag.ResultStatus)}${extra.length ? ` (${extra.join(": ")})` : ""}`);
}

function isSetMember(tag: number, parentTag: number, ctx: Ctx): boolean {
  if (R.SET_MEMBERS_EVERYWHERE.has(tag) || R.SET_CONTAINERS.has(parentTag)) return true;
  if (parentTag !== Tag.ResponsePayload || ctx.op === undefined) return false;
  // DiscoverVersions may add versions only when the client listed none (else: the intersection, in order)
  if (ctx.op === Operation.DiscoverVersions && requested(ctx.requestItem, Tag.ProtocolVersion)) return false;
  const s = R.SET_MEMBERS_BY_OPERATION.get(ctx.op);
  return s === "all" || (s !== undefined && s.has(tag));
}

function compareChildren(exps: readonly Expected[], acts: readonly TtlvNode[], path: string, ctx: Ctx, parentTag: number): Difference | undefined {
  const own = parentTag === Tag.ResponsePayload && ctx.op !== undefined ? R.SERVER_SPECIFIC_BY_OPERATION.get(ctx.op) : undefined;
  if (own) {
    // server self-description: present if the file shows it, content not compared (rules.ts)
    for (const e of exps) {
      if (own.has(e.node.tag) && !acts.some((a) => a.tag === e.node.tag)) return diff(join(path, tagName(e.node.tag)), `missing: expected ${describe(e.node, ctx.attrName)}`);
    }
    exps = exps.filter((x) => !own.has(x.node.tag));
    acts = acts.filter((x) => !own.has(x.tag));
  }
  const eo = exps.filter((x) => !isSetMember(x.node.tag, parentTag, ctx));
  const es = exps.filter((x) => isSetMember(x.node.tag, parentTag, ctx));
  const ao = acts.filter((x) => !isSetMember(x.tag, parentTag, ctx));
  const as = acts.filter((x) => isSetMember(x.tag, parentTag, ctx));
  return compareOrdered(eo, ao, path, ctx) ?? compareSet(es, as, path, ctx);
}

const count = (nodes: readonly TtlvNode[], tag: number): number => nodes.reduce((k, x) => k + (x.tag === tag ? 1 : 0), 0);

function extraAllowed(a: TtlvNode): boolean {
  if (!R.EXTRA_ALLOWED.has(a.tag)) return false;
  if (a.tag === Tag.AttributeIndex) return a.type === ItemType.Integer && a.value === 0;
  if (a.tag === Tag.MessageExtension && a.type === ItemType.Structure) {
    const c = a.children.find((x) => x.tag === Tag.CriticalityIndicator);
    return !(c?.type === ItemType.Boolean && c.value);
  }
  return true;
}

function optionalExpected(e: Expected): boolean {
  if (!R.OPTIONAL_EXPECTED.has(e.node.tag)) return false;
  return e.node.tag !== Tag.AttributeIndex || (e.node.type === ItemType.Integer && e.node.value === 0);
}

function compareOrdered(exps: readonly Expected[], acts: readonly TtlvNode[], path: string, ctx: Ctx): Difference | undefined {
  const seen = new Map<number, number>();
  const expNodes = exps.map((x) => x.node);
  let j = 0;
  for (const e of exps) {
    const tag = e.node.tag;
    const i = seen.get(tag) ?? 0;
    seen.set(tag, i + 1);
    const seg = segment(e.node, i, count(expNodes, tag) > 1);
    let k = j;
    while (k < acts.length && acts[k]!.tag !== tag && extraAllowed(acts[k]!)) k++;
    if (k < acts.length && acts[k]!.tag === tag) {
      const d = compareNode(e, acts[k]!, join(path, seg), ctx, i);
      if (d) return d;
      j = k + 1;
    } else if (!optionalExpected(e)) {
      const got = acts[j];
      return diff(join(path, seg), `expected ${describe(e.node, ctx.attrName)}, got ${got ? describe(got) : "nothing"}`);
    }
  }
  for (; j < acts.length; j++) {
    if (!extraAllowed(acts[j]!)) return diff(join(path, tagName(acts[j]!.tag)), `unexpected ${describe(acts[j]!)}`);
  }
  return undefined;
}

/** Whether a subtree holds a placeholder that is not bound yet (such items are matched last). */
function hasUnbound(e: Expected, b: Map<string, PrimitiveValue>): boolean {
  if (e.placeholder !== undefined && nowPlaceholderOffset(e.placeholder) === undefined && !b.has(e.placeholder)) return true;
  return e.children.some((c) => hasUnbound(c, b));
}

function compareSet(exps: readonly Expected[], acts: readonly TtlvNode[], path: string, ctx: Ctx): Difference | undefined {
  const used = new Set<number>();
  const ordered = [...exps.filter((e) => !hasUnbound(e, ctx.bindings)), ...exps.filter((e) => hasUnbound(e, ctx.bindings))];
  const expNodes = exps.map((x) => x.node);
  for (const e of ordered) {
    const i = exps.indexOf(e);
    const seg = segment(e.node, expNodes.slice(0, i).filter((x) => x.tag === e.node.tag).length, count(expNodes, e.node.tag) > 1);
    const p = join(path, seg);
    const failures: { k: number; d: Difference }[] = [];
    let matched = false;
    for (let k = 0; k < acts.length && !matched; k++) {
      if (used.has(k) || acts[k]!.tag !== e.node.tag) continue;
      const trial: Ctx = { ...ctx, bindings: new Map(ctx.bindings) };
      const d = compareNode(e, acts[k]!, p, trial, 0);
      if (d) failures.push({ k, d });
      else {
        used.add(k);
        // the same Map object is shared by every context up to the root (or the enclosing trial)
        for (const [name, v] of trial.bindings) ctx.bindings.set(name, v);
        matched = true;
      }
    }
    if (matched) continue;
    const best = closest(e, failures.map((f) => ({ node: acts[f.k]!, d: f.d })), count(expNodes, e.node.tag) === 1);
    if (best) return best;
    const an = attributeNameOf(e.node);
    if (an !== undefined) return diff(p, `missing: the response has no attribute "${an}" (expected ${describe(e.node)})`);
    return diff(p, `missing: expected ${describe(e.node, ctx.attrName)}${failures.length ? ` (none of ${failures.length} ${tagName(e.node.tag)} items matches)` : ""}`);
  }
  return undefined;
}

/** The most telling failure: the same-named attribute's, or the only candidate's. */
function closest(e: Expected, failures: { node: TtlvNode; d: Difference }[], uniqueTag: boolean): Difference | undefined {
  const an = attributeNameOf(e.node);
  if (an !== undefined) return failures.find((f) => attributeNameOf(f.node) === an)?.d;
  // a lone candidate explains itself, unless it may belong to another expected item of the same tag
  return failures.length === 1 && (uniqueTag || e.node.type === ItemType.Structure) ? failures[0]!.d : undefined;
}

function seconds(n: PrimitiveNode): bigint | undefined {
  if (n.type === ItemType.DateTime) return n.value;
  if (n.type === ItemType.DateTimeExtended) return n.value / 1_000_000n;
  return undefined;
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

function comparePrimitive(e: Expected, en: PrimitiveNode, a: PrimitiveNode, path: string, ctx: Ctx): Difference | undefined {
  const show = (v: PrimitiveValue): string => formatValue(a.type, v, a.tag, ctx.attrName);
  if (e.placeholder !== undefined) return comparePlaceholder(e.placeholder, a, path, ctx, show);
  if (R.IGNORED_VALUE.has(en.tag) || ctx.free) return undefined;
  const ev = en.value, av = a.value;
  if (sameValue(ev, av)) return undefined;
  const mismatch = (): Difference => diff(path, `expected ${show(ev)}, got ${show(av)}`);
  if (R.IDENTIFIER.has(en.tag)) return undefined;
  if (en.tag === Tag.AttributeValue && ctx.attrName !== undefined && R.IDENTIFIER_ATTRIBUTE_NAMES.has(ctx.attrName)) return undefined;
  const es = seconds(en), at = seconds(a);
  if (es !== undefined && at !== undefined) {
    // a date the client set must come back exactly; any other date only has to be plausible
    if (ctx.state.sentDates.has(es)) return mismatch();
    if (ctx.state.sentDates.has(at)) return undefined;
    if (at >= ctx.state.startedAt - BigInt(ctx.state.skew) && at <= ctx.now + BigInt(ctx.state.skew)) return undefined;
    return diff(path, `expected ${show(ev)} or a date during the run, got ${show(av)}`);
  }
  if (ev instanceof Uint8Array && R.KEY_MATERIAL.has(en.tag)) return ctx.state.sentBytes.has(hex(ev)) ? mismatch() : undefined;
  if (typeof ev === "bigint" && en.type === ItemType.BigInteger) return ctx.state.sentBytes.has(ev.toString(16)) ? mismatch() : undefined;
  if (R.CRYPTO_OUTPUT.has(en.tag)) return ctx.op !== undefined && R.DETERMINISTIC_OPS.has(ctx.op) && !underGeneratedKey(ctx) ? mismatch() : undefined;
  if (en.tag === Tag.KeyFormatType && !requested(ctx.requestItem, Tag.KeyFormatType)) return undefined;
  if (typeof ev === "string" && typeof av === "string" && suffixCompared(en.tag, ctx)) return av.endsWith(ev) ? undefined : mismatch();
  if (R.AT_LEAST.has(en.tag) && typeof ev === "number" && typeof av === "number") return av >= ev ? undefined : mismatch();
  return mismatch();
}

/** Does the current request item name a key the server generated earlier in the file (GENERATING_OPS)? */
function underGeneratedKey(ctx: Ctx): boolean {
  const item = ctx.requestItem;
  if (!item || item.type !== ItemType.Structure) return false;
  const payload = item.children.find((c) => c.tag === Tag.RequestPayload);
  const uid = payload?.type === ItemType.Structure ? payload.children.find((c) => c.tag === Tag.UniqueIdentifier) : undefined;
  return uid?.type === ItemType.TextString && ctx.state.generatedUids.has(uid.value);
}

function suffixCompared(tag: number, ctx: Ctx): boolean {
  return R.SUFFIX_TEXT.has(tag) || (tag === Tag.AttributeValue && ctx.attrName !== undefined && R.SUFFIX_ATTRIBUTE_NAMES.has(ctx.attrName));
}

function requested(item: TtlvNode | undefined, tag: number): boolean {
  if (!item || item.type !== ItemType.Structure) return false;
  return item.children.some((c) => c.tag === tag || requested(c, tag));
}

function comparePlaceholder(name: string, a: PrimitiveNode, path: string, ctx: Ctx, show: (v: PrimitiveValue) => string): Difference | undefined {
  const offset = nowPlaceholderOffset(name);
  if (offset !== undefined) {
    if (R.IGNORED_VALUE.has(a.tag)) return undefined;
    const at = seconds(a);
    if (at === undefined) return diff(path, `expected a date (${name}), got ${describe(a)}`);
    const want = ctx.now + BigInt(offset);
    if (ctx.state.sentDates.has(at) || abs(at - want) <= BigInt(ctx.state.skew)) return undefined;
    return diff(path, `expected ${name} ≈ ${formatIsoDateTime(want)}, got ${show(a.value)}`);
  }
  const bound = ctx.bindings.get(name);
  if (bound === undefined || R.REBINDABLE.has(a.tag)) {
    ctx.bindings.set(name, a.value);
    return undefined;
  }
  if (sameValue(bound, a.value)) return undefined;
  return diff(path, `expected ${name} = ${show(bound)}, got ${show(a.value)}`);
}
