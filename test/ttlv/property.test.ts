/**
 * Property tests (fast-check) for the TTLV codec: round trips over random trees of all 11 types,
 * and robustness on random and mutated bytes — a tree or a TtlvError, never anything else, never
 * beyond the limits. Set FC_SEED to replay a run; the total number of cases is printed at the end.
 */
import { expect } from "chai";
import fc from "fast-check";
import {
  ItemType,
  TtlvError,
  bigInteger,
  boolean,
  bytes,
  dateTime,
  dateTimeExtended,
  decodeTtlv,
  encodeTtlv,
  enumeration,
  integer,
  interval,
  longInteger,
  nodesEqual,
  struct,
  text,
  toHex,
  type TtlvLimits,
  type TtlvNode,
} from "../../src/ttlv/index.js";
import { countItems, headerOffsets, treeDepth } from "./helpers.js";

// ---- arbitraries ----------------------------------------------------------------------------

const tagArb = fc.integer({ min: 0, max: 0xffffff });
const int64Arb = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const uint32Arb = fc.integer({ min: 0, max: 0xffffffff });
const bigArb = fc.oneof(
  fc.constantFrom(0n, -1n, 127n, 128n, -128n, -129n, 1n << 63n, -(1n << 63n), 1n << 64n, -(1n << 64n)),
  fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }),
  fc.bigInt({ min: -(1n << 2100n), max: 1n << 2100n }),
);
const textArb = fc.oneof(fc.string({ maxLength: 24 }), fc.string({ unit: "binary", maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 8 }));

const leafArb: fc.Arbitrary<TtlvNode> = fc.oneof(
  fc.tuple(tagArb, fc.integer()).map(([t, v]) => integer(t, v)),
  fc.tuple(tagArb, uint32Arb).map(([t, v]) => enumeration(t, v)),
  fc.tuple(tagArb, uint32Arb).map(([t, v]) => interval(t, v)),
  fc.tuple(tagArb, int64Arb).map(([t, v]) => longInteger(t, v)),
  fc.tuple(tagArb, int64Arb).map(([t, v]) => dateTime(t, v)),
  fc.tuple(tagArb, int64Arb).map(([t, v]) => dateTimeExtended(t, v)),
  fc.tuple(tagArb, bigArb).map(([t, v]) => bigInteger(t, v)),
  fc.tuple(tagArb, fc.boolean()).map(([t, v]) => boolean(t, v)),
  fc.tuple(tagArb, textArb).map(([t, v]) => text(t, v)),
  fc.tuple(tagArb, fc.uint8Array({ maxLength: 40 })).map(([t, v]) => bytes(t, v)),
);

/** Random trees of all 11 types; nesting at most maxDepth + 1 deep, at most maxChildren a structure. */
function treeArb(maxDepth: number, maxChildren: number): fc.Arbitrary<TtlvNode> {
  const { node, structure } = fc.letrec<{ node: TtlvNode; structure: TtlvNode }>((tie) => ({
    node: fc.oneof({ maxDepth, depthSize: "small" }, leafArb, tie("structure")),
    structure: fc.tuple(tagArb, fc.array(tie("node"), { maxLength: maxChildren })).map(([t, c]) => struct(t, c)),
  }));
  return fc.oneof({ weight: 4, arbitrary: structure }, { weight: 1, arbitrary: node });
}

const trees = treeArb(5, 5);
const encoded = trees.map((t) => encodeTtlv(t));

type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "set"; at: number; byte: number }
  | { kind: "truncate"; at: number }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "delete"; at: number; count: number }
  | { kind: "length"; header: number; value: number }
  | { kind: "type"; header: number; value: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("set" as const), at: fc.nat(), byte: fc.oneof(fc.constantFrom(0, 1, 0x7f, 0x80, 0xff), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 16 }) }),
  fc.record({
    kind: fc.constant("length" as const),
    header: fc.nat(),
    value: fc.oneof(
      fc.constantFrom(-16, -8, -1, 1, 8, 16),
      fc.integer({ min: -24, max: 24 }),
      fc.constantFrom(0, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff),
      uint32Arb,
    ),
  }),
  fc.record({ kind: fc.constant("type" as const), header: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
);

/** Applies a mutation to a copy; length edits are relative (small values) or absolute, at a real header. */
function mutate(buf: Buffer, m: Mutation, headers: number[]): Buffer {
  const b = Buffer.from(buf);
  const at = b.length === 0 ? 0 : ("at" in m ? m.at % b.length : 0);
  switch (m.kind) {
    case "flip":
      if (b.length > 0) b[at]! ^= 1 << m.bit;
      return b;
    case "set":
      if (b.length > 0) b[at] = m.byte;
      return b;
    case "truncate":
      return b.subarray(0, at);
    case "insert":
      return Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    case "delete":
      return Buffer.concat([b.subarray(0, at), b.subarray(at + m.count)]);
    case "length":
    case "type": {
      const h = headers[m.header % Math.max(1, headers.length)];
      if (h === undefined || h + 8 > b.length) return b;
      if (m.kind === "type") b[h + 3] = m.value;
      else b.writeUInt32BE(Math.abs(m.value) <= 24 ? (b.readUInt32BE(h + 4) + m.value) >>> 0 : m.value, h + 4);
      return b;
    }
  }
}

// ---- running, counting --------------------------------------------------------------------

const SMALL: TtlvLimits = { maxMessageSize: 4096, maxItems: 100, maxDepth: 8 };
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
let totalRuns = 0;
let executed = 0;
let started = 0;

function run<T>(arb: fc.Arbitrary<T>, numRuns: number, predicate: (v: T) => void): void {
  totalRuns += numRuns;
  fc.assert(
    fc.property(arb, (v) => {
      executed++;
      predicate(v);
    }),
    { numRuns, ...(seed === undefined ? {} : { seed }) },
  );
}

/** decodeTtlv either returns a tree within the limits or throws a TtlvError; anything else fails. */
function decodeOrTtlvError(buf: Uint8Array, limits: TtlvLimits): TtlvNode | TtlvError {
  let tree: TtlvNode;
  try {
    tree = decodeTtlv(buf, limits);
  } catch (e) {
    if (e instanceof TtlvError) return e;
    throw new Error(`not a TtlvError on ${toHex(buf)}: ${String(e)}`, { cause: e });
  }
  expect(buf.length).to.be.at.most(limits.maxMessageSize);
  expect(countItems(tree)).to.be.at.most(limits.maxItems);
  expect(treeDepth(tree)).to.be.at.most(limits.maxDepth);
  // What the decoder accepts is the canonical encoding of the tree, byte for byte, except that a
  // Big Integer may carry more sign extension than the minimum (accepted: docs/ADVERSARIAL.md).
  const again = encodeTtlv(tree);
  if (!again.equals(buf)) {
    expect(hasBigInteger(tree), `accepted a non-canonical encoding ${toHex(buf)}`).to.equal(true);
    expect(again.length).to.be.below(buf.length);
  }
  expect(nodesEqual(decodeTtlv(again, limits), tree)).to.equal(true);
  return tree;
}

const hasBigInteger = (n: TtlvNode): boolean =>
  n.type === ItemType.Structure ? n.children.some(hasBigInteger) : n.type === ItemType.BigInteger;

const DEFAULT: TtlvLimits = { maxMessageSize: 1 << 20, maxItems: 65536, maxDepth: 64 };

describe("ttlv properties (fast-check)", function () {
  before(() => {
    started = Date.now();
  });
  after(() => {
    console.log(`      property cases: ${totalRuns} requested, ${executed} executed (shrinking included) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  it("decode(encode(t)) equals t, for random trees of all 11 types (25,000 runs)", () => {
    run(trees, 25_000, (t) => {
      const back = decodeTtlv(encodeTtlv(t));
      expect(nodesEqual(back, t)).to.equal(true);
    });
  });

  it("encode(decode(b)) equals b, for any encoding b (10,000 runs)", () => {
    run(encoded, 10_000, (b) => {
      expect(encodeTtlv(decodeTtlv(b)).equals(b)).to.equal(true);
      expect(b.length % 8).to.equal(0);
    });
  });

  it("random bytes: a tree or a TtlvError, never another exception (30,000 runs)", () => {
    const header = (tag: number, type: number, len: number) => {
      const h = Buffer.alloc(8);
      h.writeUIntBE(tag, 0, 3);
      h[3] = type;
      h.writeUInt32BE(len, 4);
      return h;
    };
    const lengthArb = fc.oneof(fc.integer({ min: 0, max: 64 }), uint32Arb);
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 256 }),
      // a plausible header, random body
      fc.tuple(tagArb, fc.integer({ min: 0, max: 13 }), lengthArb, fc.uint8Array({ maxLength: 128 })).map(([t, ty, l, body]) =>
        Buffer.concat([header(t, ty, l), body]),
      ),
      // a root structure of the right length around random bytes: random children
      fc.uint8Array({ maxLength: 32 * 8 }).map((body) => {
        const b = body.subarray(0, body.length - (body.length % 8));
        return Buffer.concat([header(0x420078, ItemType.Structure, b.length), b]);
      }),
      // a root structure around a soup of plausible headers (small lengths) and bodies of about the right size
      fc.array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.oneof(fc.constantFrom(0, 4, 8, 16), fc.integer({ min: 0, max: 24 })), fc.integer({ min: -9, max: 9 }), fc.nat(255)), { maxLength: 12 })
        .map((items) => {
          const parts = items.map(([type, len, skew, fill]) => {
            const bodyLen = Math.max(0, Math.ceil(len / 8) * 8 + (skew > 5 || skew < -5 ? skew : 0));
            return Buffer.concat([header(0x420000 + fill, type, len), Buffer.alloc(bodyLen, fill % 3 === 0 ? fill : 0)]);
          });
          const body = Buffer.concat(parts);
          return Buffer.concat([header(0x420078, ItemType.Structure, body.length - (body.length % 8)), body]);
        }),
    );
    run(arb, 30_000, (b) => {
      decodeOrTtlvError(b, DEFAULT);
      decodeOrTtlvError(b, SMALL);
    });
  });

  it("mutated encodings (bit flips, truncations, insertions, deletions, length and type edits) (30,000 runs)", () => {
    const arb = fc.tuple(trees, fc.array(mutationArb, { minLength: 1, maxLength: 4 }));
    let failures = 0;
    run(arb, 30_000, ([t, ms]) => {
      let b = encodeTtlv(t);
      const headers = headerOffsets(b);
      for (const m of ms) b = mutate(b, m, headers);
      if (decodeOrTtlvError(b, DEFAULT) instanceof TtlvError) failures++;
      decodeOrTtlvError(b, SMALL);
    });
    expect(failures, "most mutations should break the message").to.be.greaterThan(10_000);
  });

  it("small limits (4096 bytes, 100 items, depth 8): decoded exactly when within them, else the right code (10,000 runs)", () => {
    const arb = fc
      .record({ core: treeArb(4, 4), wraps: fc.integer({ min: 0, max: 10 }), wide: fc.integer({ min: 0, max: 130 }), blob: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: 3800, max: 4400 })) })
      .map(({ core, wraps, wide, blob }) => {
        const kids: TtlvNode[] = [core, ...Array.from({ length: wide }, (_, i) => integer(0x420002, i))];
        if (blob > 0) kids.push(bytes(0x420003, new Uint8Array(blob)));
        let t: TtlvNode = struct(0x420001, kids);
        for (let i = 0; i < wraps; i++) t = struct(0x420001, [t]);
        return t;
      });
    run(arb, 10_000, (t) => {
      const b = encodeTtlv(t);
      const got = decodeOrTtlvError(b, SMALL);
      if (b.length > SMALL.maxMessageSize) {
        expect((got as TtlvError).code).to.equal("MESSAGE_TOO_LARGE");
        return;
      }
      const codes = [
        ...(treeDepth(t) > SMALL.maxDepth ? ["DEPTH_EXCEEDED"] : []),
        ...(countItems(t) > SMALL.maxItems ? ["TOO_MANY_ITEMS"] : []),
      ];
      if (codes.length === 0) expect(nodesEqual(got as TtlvNode, t)).to.equal(true);
      else expect(codes).to.include((got as TtlvError).code);
    });
  });

  it("runs at least 100,000 cases in all", () => {
    expect(totalRuns).to.be.at.least(100_000);
  });
});
