/**
 * Per-file replay state: placeholder bindings (FORMAT.md §4 rules 1–4), the values the client has
 * sent (so echoed key material and dates can be told from server-generated ones), and the
 * responses seen so far (for placeholders first met in a request, rule 3).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { nowPlaceholderOffset, type PlaceholderResolver, type PrimitiveValue } from "../src/encodings/index.js";
import { Enums, Tag, tagByXmlName } from "../src/kmip/index.js";

const UID_TAGS: ReadonlySet<number> = new Set([Tag.UniqueIdentifier, Tag.PrivateKeyUniqueIdentifier, Tag.PublicKeyUniqueIdentifier]);
import { ItemType, type PrimitiveNode, type TtlvNode } from "../src/ttlv/index.js";

export type Clock = () => bigint;
export const systemClock: Clock = () => BigInt(Math.floor(Date.now() / 1000));

export class CaseState {
  /** Placeholder name → the value it stands for in this file. */
  readonly bindings = new Map<string, PrimitiveValue>();
  /** Hex of every ByteString/BigInteger value the client has sent. */
  readonly sentBytes = new Set<string>();
  /** Every DateTime the client has sent (POSIX seconds). */
  readonly sentDates = new Set<bigint>();
  /** Decoded server responses, oldest first. */
  readonly responses: TtlvNode[] = [];
  /** Unique Identifiers of keys the server generated (answers of GENERATING_OPS). */
  readonly generatedUids = new Set<string>();
  /** Bindings made while building the current request by rule 3 (reported in notes). */
  readonly notes: string[] = [];
  readonly startedAt: bigint;

  constructor(
    readonly clock: Clock = systemClock,
    /** Seconds of disagreement tolerated between the server's clock and ours. */
    readonly skew = 300,
  ) {
    this.startedAt = clock();
  }

  /** The resolver used to build a request: `$NOW±s` now, bound values, fresh `_RANDOM_` values, rule 3. */
  readonly requestResolver: PlaceholderResolver = (name, type, tagXmlName) => {
    const offset = nowPlaceholderOffset(name);
    if (offset !== undefined) {
      const t = this.clock() + BigInt(offset);
      if (type === "DateTime") return t;
      return type === "DateTimeExtended" ? t * 1_000_000n : undefined;
    }
    const bound = this.bindings.get(name);
    if (bound !== undefined) return bound;
    if (/_RANDOM(_\d+)?$/.test(name)) {
      const v = randomFor(type, name);
      if (v !== undefined) this.bindings.set(name, v);
      return v;
    }
    const tag = tagByXmlName(tagXmlName)?.value;
    const found = tag === undefined ? undefined : this.latestResponseValue(tag, type);
    if (found !== undefined) {
      this.bindings.set(name, found);
      this.notes.push(`${name} first appears in a request: bound to the ${tagXmlName} of the latest response`);
      return found;
    }
    return undefined;
  };

  /**
   * Records what a request carried (call with the node actually sent). With the server's
   * response, a batch item the server refused is left out: it fixed nothing (FORMAT.md §4 rule 5,
   * dates are variable "unless the request fixed them"), e.g. the Initial Date a refused Import
   * repeats from an Export (TC-IMPEXP-3-20).
   */
  recordSent(node: TtlvNode, response?: TtlvNode): void {
    const refused = refusedItems(node, response);
    const visit = (p: PrimitiveNode): void => {
      if (p.type === ItemType.ByteString) this.sentBytes.add(hex(p.value));
      else if (p.type === ItemType.BigInteger) this.sentBytes.add(p.value.toString(16));
      else if (p.type === ItemType.DateTime) this.sentDates.add(p.value);
    };
    if (node.type !== ItemType.Structure) return walk(node, visit);
    for (const c of node.children) if (!refused.has(c)) walk(c, visit);
  }

  /** Keeps a server response; notes the identifiers of keys it generated. */
  recordResponse(response: TtlvNode, generating: ReadonlySet<number>): void {
    this.responses.push(response);
    if (response.type !== ItemType.Structure) return;
    for (const item of response.children) {
      if (item.type !== ItemType.Structure || item.tag !== Tag.BatchItem) continue;
      const op = item.children.find((c) => c.tag === Tag.Operation);
      if (op?.type !== ItemType.Enumeration || !generating.has(op.value)) continue;
      walk(item, (p) => {
        if (p.type === ItemType.TextString && UID_TAGS.has(p.tag)) this.generatedUids.add(p.value);
      });
    }
  }

  /** The value of the first item with this tag (and a value of this type) in the newest response that has one. */
  latestResponseValue(tag: number, type: string): PrimitiveValue | undefined {
    for (let i = this.responses.length - 1; i >= 0; i--) {
      let found: PrimitiveValue | undefined;
      walk(this.responses[i]!, (p) => {
        if (found === undefined && p.tag === tag && ItemType[p.type] === type) found = p.value;
      });
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

/** The request's Batch Items whose answer (same position) is not Success. */
function refusedItems(request: TtlvNode, response: TtlvNode | undefined): Set<TtlvNode> {
  const out = new Set<TtlvNode>();
  if (!response || request.type !== ItemType.Structure || response.type !== ItemType.Structure) return out;
  const answers = response.children.filter((c) => c.tag === Tag.BatchItem);
  request.children.filter((c) => c.tag === Tag.BatchItem).forEach((item, i) => {
    const a = answers[i];
    const status = a?.type === ItemType.Structure ? a.children.find((c) => c.tag === Tag.ResultStatus) : undefined;
    if (status?.type === ItemType.Enumeration && status.value !== Enums.ResultStatus.Success) out.add(item);
  });
  return out;
}

function randomFor(type: string, name: string): PrimitiveValue | undefined {
  switch (type) {
    case "TextString": return name.includes("SHORT") ? randomBytes(8).toString("hex") : randomUUID();
    case "ByteString": return Uint8Array.from(randomBytes(name.includes("SHORT") ? 8 : 16));
    default: return undefined;
  }
}

export const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

/** Visits every primitive of a tree in document order. */
export function walk(node: TtlvNode, visit: (p: PrimitiveNode) => void): void {
  if (node.type === ItemType.Structure) for (const c of node.children) walk(c, visit);
  else visit(node);
}

/** Equality of two primitive values of the same item type. */
export function sameValue(a: PrimitiveValue, b: PrimitiveValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (typeof a === "number" && typeof b === "number") return a >>> 0 === b >>> 0 || a === b;
  return a === b;
}
