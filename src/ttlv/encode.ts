/**
 * TTLV encoder: tree → bytes. Sizes are computed first so the output is allocated once;
 * values are range-checked so a tree that cannot be encoded exactly is refused, not truncated.
 */
import { TtlvError } from "./errors.js";
import { paddedLength } from "./decode.js";
import { HEADER_SIZE, ItemType, type TtlvNode } from "./types.js";

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const utf8 = new TextEncoder();
/** In a /u regex a surrogate pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /\p{Surrogate}/u;

export function encodeTtlv(node: TtlvNode): Buffer {
  const plan = new Map<TtlvNode, Uint8Array>(); // encoded payloads of strings and big integers
  const size = measure(node, plan);
  const out = Buffer.alloc(size);
  const end = write(node, out, 0, plan);
  if (end !== size) throw new Error(`internal: encoder wrote ${end} of ${size} bytes`);
  return out;
}

/** Bytes of a BigInteger: two's complement, sign-extended to a multiple of 8 (at least 8). */
export function bigIntegerBytes(value: bigint): Uint8Array {
  let bytes = 1;
  // smallest byte count k with -2^(8k-1) <= value < 2^(8k-1)
  while (value >= 1n << BigInt(bytes * 8 - 1) || value < -(1n << BigInt(bytes * 8 - 1))) bytes++;
  const len = paddedLength(bytes);
  const unsigned = value < 0n ? (1n << BigInt(len * 8)) + value : value;
  return Buffer.from(unsigned.toString(16).padStart(len * 2, "0"), "hex");
}

function measure(n: TtlvNode, plan: Map<TtlvNode, Uint8Array>): number {
  checkTag(n.tag);
  switch (n.type) {
    case ItemType.Structure: {
      let sum = 0;
      for (const c of n.children) sum += measure(c, plan);
      return HEADER_SIZE + sum;
    }
    case ItemType.Integer:
      if (!Number.isInteger(n.value) || n.value < INT32_MIN || n.value > INT32_MAX) invalid(n, "not a signed 32-bit integer");
      return 16;
    case ItemType.Enumeration:
    case ItemType.Interval:
      if (!Number.isInteger(n.value) || n.value < 0 || n.value > UINT32_MAX) invalid(n, "not an unsigned 32-bit integer");
      return 16;
    case ItemType.LongInteger:
    case ItemType.DateTime:
    case ItemType.DateTimeExtended:
      if (typeof n.value !== "bigint" || n.value < INT64_MIN || n.value > INT64_MAX) invalid(n, "not a signed 64-bit bigint");
      return 16;
    case ItemType.Boolean:
      if (typeof n.value !== "boolean") invalid(n, "not a boolean");
      return 16;
    case ItemType.BigInteger: {
      if (typeof n.value !== "bigint") invalid(n, "not a bigint");
      const b = bigIntegerBytes(n.value);
      plan.set(n, b);
      return HEADER_SIZE + b.length;
    }
    case ItemType.TextString: {
      if (typeof n.value !== "string") invalid(n, "not a string");
      if (LONE_SURROGATE.test(n.value)) invalid(n, "lone surrogate, not representable in UTF-8");
      const b = utf8.encode(n.value);
      plan.set(n, b);
      return HEADER_SIZE + paddedLength(b.length);
    }
    case ItemType.ByteString:
      if (!(n.value instanceof Uint8Array)) invalid(n, "not a byte array");
      return HEADER_SIZE + paddedLength(n.value.length);
    default:
      throw new TtlvError("INVALID_VALUE", `unknown item type ${(n as { type: unknown }).type}`);
  }
}

function write(n: TtlvNode, out: Buffer, pos: number, plan: Map<TtlvNode, Uint8Array>): number {
  out.writeUIntBE(n.tag, pos, 3);
  out.writeUInt8(n.type, pos + 3);
  const body = pos + HEADER_SIZE;
  switch (n.type) {
    case ItemType.Structure: {
      let p = body;
      for (const c of n.children) p = write(c, out, p, plan);
      out.writeUInt32BE(p - body, pos + 4);
      return p;
    }
    case ItemType.Integer:
      out.writeUInt32BE(4, pos + 4);
      out.writeInt32BE(n.value, body);
      return body + 8;
    case ItemType.Enumeration:
    case ItemType.Interval:
      out.writeUInt32BE(4, pos + 4);
      out.writeUInt32BE(n.value, body);
      return body + 8;
    case ItemType.LongInteger:
    case ItemType.DateTime:
    case ItemType.DateTimeExtended:
      out.writeUInt32BE(8, pos + 4);
      out.writeBigInt64BE(n.value, body);
      return body + 8;
    case ItemType.Boolean:
      out.writeUInt32BE(8, pos + 4);
      out.writeBigUInt64BE(n.value ? 1n : 0n, body);
      return body + 8;
    case ItemType.BigInteger:
    case ItemType.TextString: {
      const b = plan.get(n)!;
      out.writeUInt32BE(b.length, pos + 4);
      out.set(b, body);
      return body + paddedLength(b.length);
    }
    case ItemType.ByteString:
      out.writeUInt32BE(n.value.length, pos + 4);
      out.set(n.value, body);
      return body + paddedLength(n.value.length);
  }
}

function checkTag(tag: number): void {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffff) throw new TtlvError("INVALID_VALUE", `tag ${tag} is not a 3-byte value`);
}

function invalid(n: TtlvNode, why: string): never {
  throw new TtlvError("INVALID_VALUE", `tag 0x${n.tag.toString(16)} ${ItemType[n.type]}: ${why}`);
}
