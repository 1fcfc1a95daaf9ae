/**
 * Typed reading of a request structure: each accessor checks presence, item type and count, and
 * throws a KmipError (Invalid Message for structural faults) naming the field, so operation
 * handlers read payloads in a line each and never index raw children.
 */
import { tagByValue } from "../kmip/index.js";
import { ItemType, type StructureNode, type TtlvNode } from "../ttlv/index.js";
import { KmipError } from "./errors.js";

const nameOf = (tag: number): string => tagByValue(tag)?.xmlName ?? `0x${tag.toString(16)}`;

export class StructReader {
  constructor(
    readonly node: StructureNode,
    readonly path: string = nameOf(node.tag),
  ) {}

  static of(node: TtlvNode, path?: string): StructReader {
    if (node.type !== ItemType.Structure) throw new KmipError("InvalidMessage", `${path ?? nameOf(node.tag)} must be a Structure`);
    return new StructReader(node, path);
  }

  get children(): readonly TtlvNode[] {
    return this.node.children;
  }

  all(tag: number): TtlvNode[] {
    return this.node.children.filter((c) => c.tag === tag);
  }

  has(tag: number): boolean {
    return this.node.children.some((c) => c.tag === tag);
  }

  opt(tag: number): TtlvNode | undefined {
    const found = this.all(tag);
    if (found.length > 1) throw new KmipError("InvalidMessage", `${this.path}/${nameOf(tag)} appears ${found.length} times`);
    return found[0];
  }

  req(tag: number): TtlvNode {
    const n = this.opt(tag);
    if (!n) throw new KmipError("InvalidMessage", `${this.path}/${nameOf(tag)} is required`);
    return n;
  }

  /** The node's value after checking its item type; structural faults are Invalid Message. */
  private value<V>(n: TtlvNode | undefined, tag: number, type: ItemType): V | undefined {
    if (n === undefined) return undefined;
    if (n.type !== type || n.type === ItemType.Structure) throw new KmipError("InvalidMessage", `${this.path}/${nameOf(tag)} has the wrong item type`);
    return n.value as V;
  }

  optText = (tag: number): string | undefined => this.value<string>(this.opt(tag), tag, ItemType.TextString);
  text = (tag: number): string => this.value<string>(this.req(tag), tag, ItemType.TextString)!;
  optInt = (tag: number): number | undefined => this.value<number>(this.opt(tag), tag, ItemType.Integer);
  int = (tag: number): number => this.value<number>(this.req(tag), tag, ItemType.Integer)!;
  optEnum = (tag: number): number | undefined => this.value<number>(this.opt(tag), tag, ItemType.Enumeration);
  enum = (tag: number): number => this.value<number>(this.req(tag), tag, ItemType.Enumeration)!;
  optBool = (tag: number): boolean | undefined => this.value<boolean>(this.opt(tag), tag, ItemType.Boolean);
  optBytes = (tag: number): Uint8Array | undefined => this.value<Uint8Array>(this.opt(tag), tag, ItemType.ByteString);
  bytes = (tag: number): Uint8Array => this.value<Uint8Array>(this.req(tag), tag, ItemType.ByteString)!;
  optDateTime = (tag: number): bigint | undefined => this.value<bigint>(this.opt(tag), tag, ItemType.DateTime);
  optInterval = (tag: number): number | undefined => this.value<number>(this.opt(tag), tag, ItemType.Interval);
  optLong = (tag: number): bigint | undefined => this.value<bigint>(this.opt(tag), tag, ItemType.LongInteger);

  optStruct(tag: number): StructReader | undefined {
    const n = this.opt(tag);
    return n === undefined ? undefined : StructReader.of(n, `${this.path}/${nameOf(tag)}`);
  }
  struct(tag: number): StructReader {
    return StructReader.of(this.req(tag), `${this.path}/${nameOf(tag)}`);
  }
  structs(tag: number): StructReader[] {
    return this.all(tag).map((n, i) => StructReader.of(n, `${this.path}/${nameOf(tag)}[${i}]`));
  }
}
