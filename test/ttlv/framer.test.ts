/**
 * TtlvFramer: whatever the chunking, the same messages come out, in order, byte for byte.
 * Uses the 36 TTLV messages of the KMIP Additional Message Encodings document.
 */
import { expect } from "chai";
import fc from "fast-check";
import { TtlvFramer, bytes, decodeTtlv, encodeTtlv, integer, parseHex, struct, toHex } from "../../src/ttlv/index.js";
import { expectTtlvError, goldenVectors } from "./helpers.js";

const vectors = goldenVectors();
const all = Buffer.concat(vectors.map((v) => v.bytes));

/** Pushes the chunks, returns every message produced, and checks nothing is left over. */
function frameAll(chunks: Uint8Array[], f = new TtlvFramer()): Buffer[] {
  const out: Buffer[] = [];
  for (const c of chunks) out.push(...f.push(c));
  f.end();
  expect(f.pendingBytes).to.equal(0);
  return out;
}

/** Splits buf at the given (sorted, distinct) cut points. */
function cut(buf: Uint8Array, points: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, buf.length]) {
    out.push(buf.subarray(prev, p));
    prev = p;
  }
  return out;
}

const sameMessages = (got: Buffer[], want: Uint8Array[]) => expect(got.map(toHex)).to.deep.equal(want.map(toHex));

describe("ttlv framer: the golden messages", () => {
  it("there are 36 of them, each a Structure that decodes", () => {
    expect(vectors).to.have.length(36);
    for (const v of vectors) decodeTtlv(v.bytes);
  });

  for (const v of vectors) {
    it(`${v.test} ${v.message} (${v.bytes.length} bytes): split in two at every offset gives the message back`, () => {
      for (let i = 0; i <= v.bytes.length; i++) {
        const f = new TtlvFramer();
        const first = f.push(v.bytes.subarray(0, i));
        expect(first, `split at ${i}`).to.have.length(i === v.bytes.length ? 1 : 0);
        expect(f.pendingBytes).to.equal(i === v.bytes.length ? 0 : i);
        const second = f.push(v.bytes.subarray(i));
        f.end();
        sameMessages([...first, ...second], [v.bytes]);
      }
    });
  }

  it("byte at a time, every message", () => {
    for (const v of vectors) sameMessages(frameAll(cut(v.bytes, [...Array(v.bytes.length).keys()].slice(1))), [v.bytes]);
  });

  it("the whole stream byte at a time gives all 36 in order", () => {
    sameMessages(frameAll(cut(all, [...Array(all.length).keys()].slice(1))), vectors.map((v) => v.bytes));
  });

  it("all 36 concatenated in one chunk give 36 messages in order", () => {
    const f = new TtlvFramer();
    const out = f.push(all);
    expect(f.pendingBytes).to.equal(0);
    sameMessages(out, vectors.map((v) => v.bytes));
  });

  it("a message followed by the first bytes of the next: one message now, the next when it completes", () => {
    for (let i = 0; i + 1 < vectors.length; i++) {
      const a = vectors[i]!.bytes;
      const b = vectors[i + 1]!.bytes;
      for (const k of [1, 7, 8, 9, b.length - 1]) {
        const f = new TtlvFramer();
        sameMessages(f.push(Buffer.concat([a, b.subarray(0, k)])), [a]);
        expect(f.pendingBytes).to.equal(k);
        sameMessages(f.push(b.subarray(k)), [b]);
        f.end();
      }
    }
  });

  it("random chunkings of the whole stream give all 36 in order (500 runs)", () => {
    const points = fc.uniqueArray(fc.integer({ min: 1, max: all.length - 1 }), { maxLength: 200 }).map((a) => a.sort((x, y) => x - y));
    fc.assert(
      fc.property(points, (p) => {
        sameMessages(frameAll(cut(all, p)), vectors.map((v) => v.bytes));
      }),
      { numRuns: 500 },
    );
  });

  it("empty chunks change nothing", () => {
    const v = vectors[0]!.bytes;
    sameMessages(frameAll([new Uint8Array(0), v.subarray(0, 3), new Uint8Array(0), v.subarray(3), new Uint8Array(0)]), [v]);
  });

  it("messages are copies: reusing the caller's buffer afterwards does not change them", () => {
    const v = vectors[3]!.bytes;
    const chunk = Buffer.from(v);
    const [msg] = new TtlvFramer().push(chunk);
    chunk.fill(0xee);
    expect(toHex(msg!)).to.equal(toHex(v));
  });

  it("a 1 MiB message trickled a byte at a time frames in linear time (was quadratic: minutes)", function () {
    this.timeout(60_000);
    const msg = encodeTtlv(struct(0x420078, [bytes(0x420001, new Uint8Array((1 << 20) - 16).fill(0x5a))]));
    expect(msg.length).to.equal(1 << 20);
    const f = new TtlvFramer();
    const t0 = performance.now();
    const out: Buffer[] = [];
    for (let i = 0; i < msg.length; i++) out.push(...f.push(msg.subarray(i, i + 1)));
    expect(performance.now() - t0).to.be.below(20_000);
    sameMessages(out, [msg]);
  });

  it("an empty Structure (8 bytes) is a whole message", () => {
    sameMessages(frameAll([parseHex("420078 01 00000000")]), [parseHex("420078 01 00000000")]);
  });
});

describe("ttlv framer: errors", () => {
  it("end() with part of a header left over throws TRUNCATED_HEADER", () => {
    const f = new TtlvFramer();
    f.push(vectors[0]!.bytes.subarray(0, 5));
    expectTtlvError(() => f.end(), "TRUNCATED_HEADER");
  });

  it("end() with part of a body left over throws TRUNCATED_VALUE", () => {
    const f = new TtlvFramer();
    const v = vectors[0]!.bytes;
    expect(f.push(Buffer.concat([v, v.subarray(0, 20)]))).to.have.length(1);
    expectTtlvError(() => f.end(), "TRUNCATED_VALUE");
  });

  it("end() on a clean boundary is fine, and so is end() before anything arrives", () => {
    new TtlvFramer().end();
    frameAll([all]);
  });

  it("after an error the framer keeps throwing the same error, on push and on end", () => {
    const f = new TtlvFramer();
    const first = expectTtlvError(() => f.push(parseHex("420078 01 FFFFFFFF")), "MESSAGE_TOO_LARGE");
    expect(f.pendingBytes).to.equal(0);
    for (const again of [() => f.push(vectors[0]!.bytes), () => f.push(new Uint8Array(0)), () => f.end()]) {
      expect(expectTtlvError(again, "MESSAGE_TOO_LARGE")).to.equal(first);
    }
    expect(f.pendingBytes).to.equal(0);
  });

  it("an error after good messages: the chunk that carries it throws and its good messages are not returned", () => {
    const f = new TtlvFramer();
    const v = vectors[0]!.bytes;
    sameMessages(f.push(v), [v]);
    expectTtlvError(() => f.push(Buffer.concat([v, parseHex("420078 FF 00000000")])), "UNKNOWN_TYPE");
    expectTtlvError(() => f.push(v), "UNKNOWN_TYPE");
  });

  it("a non-Structure root is refused (requireStructure), on its header alone", () => {
    const msg = encodeTtlv(integer(0x420020, 8));
    const f = new TtlvFramer();
    expect(f.push(msg.subarray(0, 7))).to.deep.equal([]);
    expectTtlvError(() => f.push(msg.subarray(7)), "UNKNOWN_TYPE");
  });

  it("a non-Structure root is framed when requireStructure is false", () => {
    const msg = encodeTtlv(integer(0x420020, 8));
    sameMessages(frameAll([msg, msg.subarray(0, 9), msg.subarray(9)], new TtlvFramer({ requireStructure: false })), [msg, msg]);
  });

  it("maxMessageSize: a message of exactly the limit passes, one byte-of-padding over is refused", () => {
    const msg = encodeTtlv(struct(0x420001, [integer(0x420002, 1)])); // 24 bytes
    sameMessages(frameAll([msg], new TtlvFramer({ maxMessageSize: 24 })), [msg]);
    expectTtlvError(() => new TtlvFramer({ maxMessageSize: 23 }).push(msg.subarray(0, 8)), "MESSAGE_TOO_LARGE");
  });

  it("the framer checks framing only: a body that is malformed inside still comes out whole", () => {
    const bad = parseHex("420078 01 00000010 | 420020 06 00000008 0000000000000002"); // Boolean 2
    sameMessages(frameAll([bad]), [bad]);
    expectTtlvError(() => decodeTtlv(bad), "BAD_BOOLEAN");
  });
});
