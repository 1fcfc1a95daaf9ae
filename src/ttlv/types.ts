/**
 * The generic TTLV tree: tag, item type, value — no KMIP knowledge here.
 *
 * Item type bytes are the one set of protocol numbers that live below the registry, because
 * the codec cannot work without them; test/kmip checks them against the spec's Item Type table.
 */
export enum ItemType {
  Structure = 0x01,
  Integer = 0x02,
  LongInteger = 0x03,
  BigInteger = 0x04,
  Enumeration = 0x05,
  Boolean = 0x06,
  TextString = 0x07,
  ByteString = 0x08,
  DateTime = 0x09,
  Interval = 0x0a,
  DateTimeExtended = 0x0b,
}

export const ITEM_TYPE_NAMES: Readonly<Record<ItemType, string>> = {
  [ItemType.Structure]: "Structure",
  [ItemType.Integer]: "Integer",
  [ItemType.LongInteger]: "LongInteger",
  [ItemType.BigInteger]: "BigInteger",
  [ItemType.Enumeration]: "Enumeration",
  [ItemType.Boolean]: "Boolean",
  [ItemType.TextString]: "TextString",
  [ItemType.ByteString]: "ByteString",
  [ItemType.DateTime]: "DateTime",
  [ItemType.Interval]: "Interval",
  [ItemType.DateTimeExtended]: "DateTimeExtended",
};

export function isItemType(byte: number): byte is ItemType {
  return byte >= ItemType.Structure && byte <= ItemType.DateTimeExtended;
}

export function itemTypeByName(name: string): ItemType | undefined {
  for (const [k, v] of Object.entries(ITEM_TYPE_NAMES)) if (v === name) return Number(k) as ItemType;
  return undefined;
}

/** A Structure holds its children in order; every other type holds a value. */
export interface StructureNode {
  readonly tag: number;
  readonly type: ItemType.Structure;
  readonly children: TtlvNode[];
}

/** Integer: signed 32-bit. Enumeration, Interval: unsigned 32-bit. */
export interface NumberNode {
  readonly tag: number;
  readonly type: ItemType.Integer | ItemType.Enumeration | ItemType.Interval;
  readonly value: number;
}

/**
 * LongInteger: signed 64-bit. DateTime: signed 64-bit POSIX seconds.
 * DateTimeExtended: signed 64-bit microseconds. BigInteger: any size, two's complement on the wire.
 */
export interface BigIntNode {
  readonly tag: number;
  readonly type: ItemType.LongInteger | ItemType.BigInteger | ItemType.DateTime | ItemType.DateTimeExtended;
  readonly value: bigint;
}

export interface BooleanNode {
  readonly tag: number;
  readonly type: ItemType.Boolean;
  readonly value: boolean;
}

export interface TextNode {
  readonly tag: number;
  readonly type: ItemType.TextString;
  readonly value: string;
}

export interface BytesNode {
  readonly tag: number;
  readonly type: ItemType.ByteString;
  readonly value: Uint8Array;
}

export type TtlvNode = StructureNode | NumberNode | BigIntNode | BooleanNode | TextNode | BytesNode;
export type PrimitiveNode = Exclude<TtlvNode, StructureNode>;

/** Limits applied while decoding; every one has a safe default (see DEFAULT_LIMITS). */
export interface TtlvLimits {
  /** Largest whole message (header included), checked on the 8-byte header before reading on. */
  readonly maxMessageSize: number;
  /** Deepest nesting; the root item is at depth 1. */
  readonly maxDepth: number;
  /** Most items (structures and primitives) in one message. */
  readonly maxItems: number;
}

export const DEFAULT_LIMITS: TtlvLimits = Object.freeze({
  maxMessageSize: 1024 * 1024,
  maxDepth: 64,
  maxItems: 65536,
});

export const HEADER_SIZE = 8;
