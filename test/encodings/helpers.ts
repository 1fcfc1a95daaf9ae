/** Tree comparison with readable differences, for the encoding acceptance tests. */
import { tagByValue } from "../../src/kmip/index.js";
import { ItemType, nodesEqual, type TtlvNode } from "../../src/ttlv/index.js";

const label = (tag: number): string => tagByValue(tag)?.xmlName ?? `0x${tag.toString(16)}`;

const show = (n: TtlvNode): string =>
  n.type === ItemType.Structure ? `Structure(${n.children.length})` : n.type === ItemType.ByteString ? Buffer.from(n.value).toString("hex") : String(n.value);

/** Paths (by tag name) where two trees differ; [] when equal. */
export function diffPaths(a: TtlvNode, b: TtlvNode, path = ""): string[] {
  const here = `${path}/${label(a.tag)}`;
  if (a.tag !== b.tag || a.type !== b.type) return [`${here}: ${label(a.tag)}/${a.type} vs ${label(b.tag)}/${b.type}`];
  if (a.type === ItemType.Structure && b.type === ItemType.Structure) {
    if (a.children.length !== b.children.length) return [`${here}: ${a.children.length} vs ${b.children.length} children`];
    return a.children.flatMap((c, i) => diffPaths(c, b.children[i]!, here));
  }
  return nodesEqual(a, b) ? [] : [`${here}: ${show(a)} vs ${show(b)}`];
}
