/**
 * Strict TTLV decoder: bytes → generic tree. Every length is checked against its container
 * before anything is read or allocated; every malformation throws a TtlvError.
 */
import { TtlvError } from "./errors.js";
import { DEFAULT_LIMITS, HEADER_SIZE, ItemType, isItemType, type TtlvLimits, type TtlvNode } from "./types.js";

export interface ItemHeader {
  readonly tag: number;
  readonly type: number;
  /** Value length as on the wire, without padding. */
  readonly length: number;
}

export const paddedLength = (length: number): number => Math.ceil(length / 8) * 8;

export function readHeader(buf: Uint8Array, offset = 0): ItemHeader {
  if (buf.length - offset < HEADER_SIZE) throw new TtlvError("TRUNCATED_HEADER", "need 8 bytes for an item header", offset);
  const tag = (buf[offset]! << 16) | (buf[offset + 1]! << 8) | buf[offset + 2]!;
  const type = buf[offset + 3]!;
  const length = ((buf[offset + 4]! << 24) >>> 0) + (buf[offset + 5]! << 16) + (buf[offset + 6]! << 8) + buf[offset + 7]!;
  return { tag, type, length };
}

/** Size on the wire of the whole item that starts with this header (header + padded value). */
export function itemSize(h: ItemHeader): number {
  return HEADER_SIZE + paddedLength(h.length);
}

const FIXED_LENGTH: Partial<Record<ItemType, number>> = {
  [ItemType.Integer]: 4,
  [ItemType.Enumeration]: 4,
  [ItemType.Interval]: 4,
  [ItemType.LongInteger]: 8,
  [ItemType.Boolean]: 8,
  [ItemType.DateTime]: 8,
  [ItemType.DateTimeExtended]: 8,
};

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Checks the root header alone: the first thing done with a message, before reading its body. */
export function checkRootHeader(h: ItemHeader, limits: TtlvLimits = DEFAULT_LIMITS): void {
  if (!isItemType(h.type)) throw new TtlvError("UNKNOWN_TYPE", `type byte 0x${h.type.toString(16).padStart(2, "0")}`, 3);
  const size = HEADER_SIZE + paddedLength(h.length);
  if (size > limits.maxMessageSize) {
    throw new TtlvError("MESSAGE_TOO_LARGE", `header claims ${size} bytes; the limit is ${limits.maxMessageSize}`, 4);
  }
}

/** Decodes exactly one item that must span the whole buffer. */
export function decodeTtlv(buf: Uint8Array, limits: Partial<TtlvLimits> = {}): TtlvNode {
  const lim: TtlvLimits = { ...DEFAULT_LIMITS, ...limits };
  if (buf.length > lim.maxMessageSize) {
    throw new TtlvError("MESSAGE_TOO_LARGE", `${buf.length} bytes; the limit is ${lim.maxMessageSize}`, 0);
  }
  const root = readHeader(buf, 0);
  checkRootHeader(root, lim);
  const end = itemSize(root);
  if (end > buf.length) throw new TtlvError("TRUNCATED_VALUE", `root needs ${end} bytes, message has ${buf.length}`, 4);
  if (lim.maxDepth > MAX_DEPTH_CEILING) {
    throw new RangeError(`maxDepth ${lim.maxDepth} is above the decoder's ceiling of ${MAX_DEPTH_CEILING}`);
  }
  const ctx: DecodeContext = { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), lim, items: 0 };
  const [node] = decodeItem(ctx, 0, end, 1);
  if (end < buf.length) throw new TtlvError("TRAILING_BYTES", `${buf.length - end} bytes after the root item`, end);
  return node;
}

/**
 * The decoder recurses once per nesting level; this ceiling on the configurable maxDepth keeps a
 * misconfiguration from turning deep input into a stack overflow instead of a TtlvError.
 */
export const MAX_DEPTH_CEILING = 1024;

interface DecodeContext {
  readonly buf: Uint8Array;
  readonly view: DataView;
  readonly lim: TtlvLimits;
  items: number;
}

/** Decodes the item at `offset`; returns it and the offset just past it (padding included). */
function decodeItem(ctx: DecodeContext, offset: number, parentEnd: number, depth: number): [TtlvNode, number] {
  const { buf, lim } = ctx;
  if (depth > lim.maxDepth) throw new TtlvError("DEPTH_EXCEEDED", `nesting deeper than ${lim.maxDepth}`, offset);
  if (++ctx.items > lim.maxItems) throw new TtlvError("TOO_MANY_ITEMS", `more than ${lim.maxItems} items`, offset);
  const h = readHeader(buf, offset);
  const { tag, type, length } = h;
  if (!isItemType(type)) throw new TtlvError("UNKNOWN_TYPE", `type byte 0x${type.toString(16).padStart(2, "0")}`, offset + 3);
  const start = offset + HEADER_SIZE;
  const end = start + paddedLength(length);
  if (end > parentEnd) throw new TtlvError("CHILD_OVERRUN", `item of ${length} bytes runs past its container`, offset + 4);

  const fixed = FIXED_LENGTH[type];
  if (fixed !== undefined && length !== fixed) {
    throw new TtlvError("BAD_LENGTH", `${ItemType[type]} must be ${fixed} bytes, not ${length}`, offset + 4);
  }
  // Lengths that must be multiples of 8 are checked before padding: they have no padding to check.
  if (type === ItemType.Structure && length % 8 !== 0) {
    throw new TtlvError("STRUCTURE_LENGTH_MISMATCH", `structure length ${length} is not a multiple of 8`, offset + 4);
  }
  if (type === ItemType.BigInteger && (length === 0 || length % 8 !== 0)) {
    throw new TtlvError("BAD_LENGTH", `BigInteger length ${length} is not a positive multiple of 8`, offset + 4);
  }
  checkPadding(buf, start + length, end);
  return [decodeValue(ctx, tag, type, start, length, end, depth), end];
}

function decodeValue(ctx: DecodeContext, tag: number, type: ItemType, start: number, length: number, end: number, depth: number): TtlvNode {
  const { buf, view } = ctx;
  switch (type) {
    case ItemType.Structure: {
      const children: TtlvNode[] = [];
      let pos = start;
      while (pos < end) {
        if (end - pos < HEADER_SIZE) throw new TtlvError("STRUCTURE_LENGTH_MISMATCH", "structure ends inside a child header", pos);
        const [child, next] = decodeItem(ctx, pos, end, depth + 1);
        children.push(child);
        pos = next;
      }
      return { tag, type, children };
    }
    case ItemType.Integer:
      return { tag, type, value: view.getInt32(start) };
    case ItemType.Enumeration:
    case ItemType.Interval:
      return { tag, type, value: view.getUint32(start) };
    case ItemType.LongInteger:
    case ItemType.DateTime:
    case ItemType.DateTimeExtended:
      return { tag, type, value: view.getBigInt64(start) };
    case ItemType.BigInteger:
      return { tag, type, value: readTwosComplement(buf, start, length) };
    case ItemType.Boolean: {
      const v = view.getBigUint64(start);
      if (v > 1n) throw new TtlvError("BAD_BOOLEAN", `Boolean value ${v} is neither 0 nor 1`, start);
      return { tag, type, value: v === 1n };
    }
    case ItemType.TextString:
      try {
        return { tag, type, value: utf8.decode(buf.subarray(start, start + length)) };
      } catch {
        throw new TtlvError("INVALID_UTF8", "Text String is not valid UTF-8", start);
      }
    case ItemType.ByteString:
      return { tag, type, value: Uint8Array.prototype.slice.call(buf, start, start + length) };
  }
}

function checkPadding(buf: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    if (buf[i] !== 0) throw new TtlvError("NONZERO_PADDING", "padding bytes must be zero", i);
  }
}

function readTwosComplement(buf: Uint8Array, start: number, length: number): bigint {
  const hex = Buffer.from(buf.buffer, buf.byteOffset + start, length).toString("hex");
  const unsigned = BigInt("0x" + hex);
  return buf[start]! & 0x80 ? unsigned - (1n << BigInt(length * 8)) : unsigned;
}
