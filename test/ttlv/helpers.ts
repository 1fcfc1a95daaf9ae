/** Shared by the TTLV tests: error assertions, the golden message vectors, tree measurements. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect } from "chai";
import { HEADER_SIZE, ItemType, TtlvError, parseHex, type TtlvErrorCode, type TtlvNode } from "../../src/ttlv/index.js";

import { SHARED_DIR } from "../helpers/shared.js";
export { REPO_ROOT, SHARED_DIR } from "../helpers/shared.js";

/** Runs fn and asserts it throws a TtlvError (not another exception) with exactly this code. */
export function expectTtlvError(fn: () => unknown, code: TtlvErrorCode): TtlvError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, "expected a TtlvError to be thrown").to.not.equal(undefined);
  if (!(thrown instanceof TtlvError)) throw new Error(`expected a TtlvError ${code}, got ${String(thrown)}`, { cause: thrown });
  expect(thrown.code, thrown.message).to.equal(code);
  return thrown;
}

export interface GoldenVector {
  readonly test: string;
  readonly message: string;
  readonly bytes: Buffer;
}

let golden: GoldenVector[] | undefined;

/** The 36 request/response messages of the KMIP Additional Message Encodings document, as TTLV. */
export function goldenVectors(): GoldenVector[] {
  if (!golden) {
    const file = resolve(SHARED_DIR, "kmip-testcases/ttlv-hex/MSGENC-xml-ttlv-pairs-1.0-1.2.json");
    const doc = JSON.parse(readFileSync(file, "utf8")) as { vectors: { test: string; message: string; ttlv_hex: string }[] };
    golden = doc.vectors.map((v) => ({ test: v.test, message: v.message, bytes: parseHex(v.ttlv_hex) }));
  }
  return golden;
}

/** Number of items (structures and primitives) in a tree. */
export function countItems(n: TtlvNode): number {
  return n.type === ItemType.Structure ? 1 + n.children.reduce((s, c) => s + countItems(c), 0) : 1;
}

/** Nesting depth of a tree; the root is at depth 1. */
export function treeDepth(n: TtlvNode): number {
  return n.type === ItemType.Structure ? 1 + n.children.reduce((m, c) => Math.max(m, treeDepth(c)), 0) : 1;
}

/** Offsets of every item header in a VALID encoding (walks structures). */
export function headerOffsets(buf: Uint8Array): number[] {
  const out: number[] = [];
  const walk = (at: number): number => {
    out.push(at);
    const len = ((buf[at + 4]! << 24) >>> 0) + (buf[at + 5]! << 16) + (buf[at + 6]! << 8) + buf[at + 7]!;
    const end = at + HEADER_SIZE + Math.ceil(len / 8) * 8;
    if (buf[at + 3] === ItemType.Structure) for (let p = at + HEADER_SIZE; p < end; ) p = walk(p);
    return end;
  };
  if (buf.length >= HEADER_SIZE) walk(0);
  return out;
}

/** `n` structures nested inside each other (depth n), the innermost empty. */
export function nestedStructures(n: number, tag = 0x420001): TtlvNode {
  let node: TtlvNode = { tag, type: ItemType.Structure, children: [] };
  for (let i = 1; i < n; i++) node = { tag, type: ItemType.Structure, children: [node] };
  return node;
}
