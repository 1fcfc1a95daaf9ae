/** The Split Key object structure (1.4 §2.2.5, 2.1 §2.2.6): building a part, reading one back. */
import { Enums, Tag } from "../../kmip/index.js";
import { KmipError, StructReader } from "../../messages/index.js";
import { ItemType, bytes, enumeration, integer, struct, type StructureNode, type TtlvNode } from "../../ttlv/index.js";
import { keyMaterialOf } from "../key-objects.js";
import { keyBlockOf } from "../key-material.js";

export interface SplitPart {
  parts: number;
  id: number;
  threshold: number;
  method: number;
  material: Uint8Array;
  algorithm?: number;
  length?: number;
}

export function splitKeyContent(p: SplitPart): StructureNode {
  const kb: TtlvNode[] = [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Raw), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, Uint8Array.from(p.material))])];
  if (p.algorithm !== undefined) kb.push(enumeration(Tag.CryptographicAlgorithm, p.algorithm));
  if (p.length !== undefined) kb.push(integer(Tag.CryptographicLength, p.length));
  return struct(Tag.SplitKey, [
    integer(Tag.SplitKeyParts, p.parts),
    integer(Tag.KeyPartIdentifier, p.id),
    integer(Tag.SplitKeyThreshold, p.threshold),
    enumeration(Tag.SplitKeyMethod, p.method),
    struct(Tag.KeyBlock, kb),
  ]);
}

export function readSplitPart(content: TtlvNode): SplitPart {
  if (content.type !== ItemType.Structure || content.tag !== Tag.SplitKey) throw new KmipError("InvalidObjectType", "Join Split Key combines Split Key objects");
  const s = StructReader.of(content);
  const kb = keyBlockOf(content);
  if (!kb || kb.has(Tag.KeyWrappingData)) throw new KmipError("InvalidField", "the split key has no usable key block");
  const km = keyMaterialOf(kb);
  if (km?.type !== ItemType.ByteString) throw new KmipError("KeyFormatTypeNotSupported", "split key material must be a byte string (Raw)");
  return {
    parts: s.int(Tag.SplitKeyParts),
    id: s.int(Tag.KeyPartIdentifier),
    threshold: s.int(Tag.SplitKeyThreshold),
    method: s.enum(Tag.SplitKeyMethod),
    material: km.value,
    algorithm: kb.optEnum(Tag.CryptographicAlgorithm),
    length: kb.optInt(Tag.CryptographicLength),
  };
}
