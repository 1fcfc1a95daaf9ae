/** Shared setup for the crypto-operation tests: registering keys in KMIP 2.1 and reading replies. */
import { Enums, Tag } from "../../src/kmip/index.js";
import { bytes, dateTime, enumeration, integer, struct, text, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { OK, engine, val, type BatchResult } from "./harness.js";

export const Op = Enums.Operation;
export const R = Enums.ResultReason;
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ""), "hex");
export const V = "2.1" as const;

export type Engine = ReturnType<typeof engine>;

export interface KeyOptions {
  mask: number;
  /** Omit to leave the key Pre-Active. */
  active?: boolean;
  params?: TtlvNode[];
  extra?: TtlvNode[];
}

/** Registers an object in 2.1 and returns its Unique Identifier. */
export async function register(e: Engine, objectType: number, content: TtlvNode, o: KeyOptions): Promise<string> {
  const attrs: TtlvNode[] = [integer(Tag.CryptographicUsageMask, o.mask)];
  if (o.active !== false) attrs.push(dateTime(Tag.ActivationDate, BigInt(Math.floor(Date.now() / 1000) - 3600)));
  if (o.params) attrs.push(struct(Tag.CryptographicParameters, o.params));
  attrs.push(...(o.extra ?? []));
  const r = await e.op(Op.Register, [enumeration(Tag.ObjectType, objectType), struct(Tag.Attributes, attrs), content], V);
  if (r.status !== OK) throw new Error(`register failed: ${r.message}`);
  return val(r.payload, Tag.UniqueIdentifier) as string;
}

export function symmetric(key: Uint8Array, alg: number = Enums.CryptographicAlgorithm.AES): TtlvNode {
  return struct(Tag.SymmetricKey, [
    struct(Tag.KeyBlock, [
      enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw),
      struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, key)]),
      enumeration(Tag.CryptographicAlgorithm, alg),
      integer(Tag.CryptographicLength, key.length * 8),
    ]),
  ]);
}

export function asymmetric(tag: number, format: number, der: Uint8Array, alg: number, bits: number): TtlvNode {
  return struct(tag, [
    struct(Tag.KeyBlock, [
      enumeration(Tag.KeyFormatType, format),
      struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, der)]),
      enumeration(Tag.CryptographicAlgorithm, alg),
      integer(Tag.CryptographicLength, bits),
    ]),
  ]);
}

export const params = (...c: TtlvNode[]): TtlvNode => struct(Tag.CryptographicParameters, c);
export const uidOf = (uid: string): TtlvNode => text(Tag.UniqueIdentifier, uid);

/** A ByteString field of a reply payload. */
export function field(r: BatchResult, tag: number): Buffer | undefined {
  const v = val(r.payload as StructureNode | undefined, tag);
  return v instanceof Uint8Array ? Buffer.from(v) : undefined;
}
