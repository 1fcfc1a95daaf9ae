/**
 * Exact encodings: the spec's own TTLV examples (KMIP 1.4 §9.1.2, listed in FORMAT.md §3.2),
 * the edges of every numeric type, UTF-8 lengths, padding, and the encoder's range checks.
 */
import { expect } from "chai";
import {
  ItemType,
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
  parseHex,
  struct,
  text,
  toHex,
  type TtlvNode,
} from "../../src/ttlv/index.js";
import { expectTtlvError, goldenVectors } from "./helpers.js";

const T = 0x420020; // the tag the spec's examples use

/** encode(node) must be exactly `hex`, and decoding `hex` must give node back. */
function exact(node: TtlvNode, hex: string): void {
  const want = parseHex(hex);
  expect(toHex(encodeTtlv(node))).to.equal(toHex(want));
  const back = decodeTtlv(want);
  expect(nodesEqual(back, node), `decoded ${JSON.stringify(back, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`).to.equal(true);
}

const unixSeconds = (iso: string): bigint => BigInt(Date.parse(iso) / 1000);

describe("ttlv golden: the spec's examples (KMIP 1.4 §9.1.2)", () => {
  it("Integer 8", () => exact(integer(T, 8), "420020 | 02 | 00000004 | 00000008 00000000"));
  it("Long Integer 123456789000000000", () => exact(longInteger(T, 123456789000000000n), "420020 | 03 | 00000008 | 01B69B4BA5749200"));
  it("Big Integer 1234567890000000000000000000", () =>
    exact(bigInteger(T, 1234567890000000000000000000n), "420020 | 04 | 00000010 | 0000000003FD35EB 6BC2DF4618080000"));
  it("Enumeration 255", () => exact(enumeration(T, 255), "420020 | 05 | 00000004 | 000000FF 00000000"));
  it("Boolean true", () => exact(boolean(T, true), "420020 | 06 | 00000008 | 0000000000000001"));
  it('Text String "Hello World"', () => exact(text(T, "Hello World"), "420020 | 07 | 0000000B | 48656C6C6F20576F726C64 0000000000"));
  it("Byte String 01 02 03", () => exact(bytes(T, Uint8Array.of(1, 2, 3)), "420020 | 08 | 00000003 | 010203 0000000000"));
  it("Date-Time Friday, March 14, 2008, 11:56:40 GMT", () => {
    expect(unixSeconds("2008-03-14T11:56:40Z")).to.equal(0x47da67f8n);
    exact(dateTime(T, unixSeconds("2008-03-14T11:56:40Z")), "420020 | 09 | 00000008 | 0000000047DA67F8");
  });
  it("Interval 10 days", () => exact(interval(T, 10 * 86400), "420020 | 0A | 00000004 | 000D2F00 00000000"));
  it("Structure of Enumeration 254 (420004) and Integer 255 (420005)", () =>
    exact(
      struct(T, [enumeration(0x420004, 254), integer(0x420005, 255)]),
      "420020 | 01 | 00000020 | 420004 | 05 | 00000004 | 000000FE 00000000 | 420005 | 02 | 00000004 | 000000FF 00000000",
    ));
  it("Boolean false", () => exact(boolean(T, false), "420020 | 06 | 00000008 | 0000000000000000"));
  it("empty Structure", () => exact(struct(T, []), "420020 | 01 | 00000000"));
});

describe("ttlv golden: the 36 Additional Message Encodings vectors", () => {
  for (const v of goldenVectors()) {
    it(`${v.test} ${v.message}: decode then encode gives the same bytes`, () => {
      const tree = decodeTtlv(v.bytes);
      expect(tree.type).to.equal(ItemType.Structure);
      expect(toHex(encodeTtlv(tree))).to.equal(toHex(v.bytes));
    });
  }
});

describe("ttlv golden: 32-bit numbers", () => {
  it("Integer -1 is signed", () => exact(integer(T, -1), "420020 02 00000004 FFFFFFFF 00000000"));
  it("Integer -2^31 is signed", () => exact(integer(T, -(2 ** 31)), "420020 02 00000004 80000000 00000000"));
  it("Integer 2^31-1", () => exact(integer(T, 2 ** 31 - 1), "420020 02 00000004 7FFFFFFF 00000000"));
  it("Enumeration 0xFFFFFFFF is unsigned", () => exact(enumeration(T, 0xffffffff), "420020 05 00000004 FFFFFFFF 00000000"));
  it("Enumeration 0x80000001 (extension value) is unsigned", () => exact(enumeration(T, 0x80000001), "420020 05 00000004 80000001 00000000"));
  it("Interval 0xFFFFFFFF is unsigned", () => exact(interval(T, 0xffffffff), "420020 0A 00000004 FFFFFFFF 00000000"));
  it("Interval 0", () => exact(interval(T, 0), "420020 0A 00000004 00000000 00000000"));
});

describe("ttlv golden: 64-bit numbers and date-times", () => {
  it("Long Integer -1", () => exact(longInteger(T, -1n), "420020 03 00000008 FFFFFFFFFFFFFFFF"));
  it("Long Integer 2^63-1", () => exact(longInteger(T, (1n << 63n) - 1n), "420020 03 00000008 7FFFFFFFFFFFFFFF"));
  it("Long Integer -2^63", () => exact(longInteger(T, -(1n << 63n)), "420020 03 00000008 8000000000000000"));
  it("Date-Time before 1970 (1969-07-20T20:17:40Z)", () => {
    expect(unixSeconds("1969-07-20T20:17:40Z")).to.equal(-14182940n);
    exact(dateTime(T, -14182940n), "420020 09 00000008 FFFFFFFFFF2795E4");
  });
  it("Date-Time one second before the epoch", () => exact(dateTime(T, -1n), "420020 09 00000008 FFFFFFFFFFFFFFFF"));
  it("Date-Time after 2038 (2038-01-19T03:14:08Z = 2^31)", () => {
    expect(unixSeconds("2038-01-19T03:14:08Z")).to.equal(2n ** 31n);
    exact(dateTime(T, 2n ** 31n), "420020 09 00000008 0000000080000000");
  });
  it("Date-Time beyond 2^32 seconds (2106-02-07T06:28:16Z and later)", () => {
    expect(unixSeconds("2106-02-07T06:28:16Z")).to.equal(2n ** 32n);
    exact(dateTime(T, 2n ** 32n + 1n), "420020 09 00000008 0000000100000001");
  });
  it("Date-Time Extended in microseconds, negative", () => exact(dateTimeExtended(T, -1_000_001n), "420020 0B 00000008 FFFFFFFFFFF0BDBF"));
  it("Date-Time Extended 2^62", () => exact(dateTimeExtended(T, 1n << 62n), "420020 0B 00000008 4000000000000000"));
});

describe("ttlv golden: Big Integer, minimal two's complement sign-extended to a multiple of 8", () => {
  const cases: [string, bigint, string][] = [
    ["0", 0n, "00000008 0000000000000000"],
    ["-1", -1n, "00000008 FFFFFFFFFFFFFFFF"],
    ["127", 127n, "00000008 000000000000007F"],
    ["128", 128n, "00000008 0000000000000080"],
    ["-128", -128n, "00000008 FFFFFFFFFFFFFF80"],
    ["-129", -129n, "00000008 FFFFFFFFFFFFFF7F"],
    ["2^63-1", (1n << 63n) - 1n, "00000008 7FFFFFFFFFFFFFFF"],
    ["2^63 (needs a 9th byte, so 16)", 1n << 63n, "00000010 0000000000000000 8000000000000000"],
    ["-2^63", -(1n << 63n), "00000008 8000000000000000"],
    ["-2^63-1", -(1n << 63n) - 1n, "00000010 FFFFFFFFFFFFFFFF 7FFFFFFFFFFFFFFF"],
    ["2^64", 1n << 64n, "00000010 0000000000000001 0000000000000000"],
    ["-2^64", -(1n << 64n), "00000010 FFFFFFFFFFFFFFFF 0000000000000000"],
  ];
  for (const [name, value, rest] of cases) it(name, () => exact(bigInteger(T, value), `420020 04 ${rest}`));

  it("a 2048-bit RSA-like modulus with the top bit set: a leading 00 byte, padded to 264 bytes", () => {
    const modHex = "C5" + "3A".repeat(254) + "E7"; // 256 bytes, top bit set, odd
    const modulus = BigInt("0x" + modHex);
    expect(modulus >> 2047n).to.equal(1n);
    exact(bigInteger(T, modulus), `420020 04 00000108 ${"00".repeat(8)}${modHex}`);
    exact(bigInteger(T, -modulus), `420020 04 00000108 ${toHex(Buffer.from(((1n << 2112n) - modulus).toString(16), "hex"))}`);
  });

  it("decoding is two's complement at every width", () => {
    const dec = (hex: string) => (decodeTtlv(parseHex(`420020 04 ${hex}`)) as { value: bigint }).value;
    expect(dec("00000010 FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF")).to.equal(-1n); // not minimal, still accepted (docs/ADVERSARIAL.md)
    expect(dec("00000010 0000000000000000 00000000000000FF")).to.equal(255n);
    expect(dec("00000008 8000000000000000")).to.equal(-(1n << 63n));
  });
});

describe("ttlv golden: strings and padding", () => {
  it('"é" is 2 bytes of UTF-8', () => exact(text(T, "é"), "420020 07 00000002 C3A9 000000000000"));
  it("an emoji is 4 bytes of UTF-8", () => exact(text(T, "😀"), "420020 07 00000004 F09F9880 00000000"));
  it("CJK text is 3 bytes a character", () => exact(text(T, "日本"), "420020 07 00000006 E697A5E69CAC 0000"));
  it("8 bytes of text need no padding", () => exact(text(T, "ABCDEFGH"), "420020 07 00000008 4142434445464748"));
  it("a BOM and a NUL inside text are kept as they are", () =>
    exact(text(T, "\uFEFFa\u0000b"), "420020 07 00000006 EFBBBF610062 0000"));
  it("empty Text String: length 0, no padding", () => exact(text(T, ""), "420020 07 00000000"));
  it("empty Byte String: length 0, no padding", () => exact(bytes(T, new Uint8Array(0)), "420020 08 00000000"));
  for (let n = 1; n <= 16; n++) {
    it(`Byte String of ${n} byte${n > 1 ? "s" : ""} is padded to ${Math.ceil(n / 8) * 8}`, () => {
      const value = Uint8Array.from({ length: n }, (_, i) => 0xa0 + i);
      const pad = "00".repeat(Math.ceil(n / 8) * 8 - n);
      exact(bytes(T, value), `420020 08 ${n.toString(16).padStart(8, "0")} ${toHex(value)}${pad}`);
    });
  }
  it("a structure of odd-length strings: length counts the children's padding", () =>
    exact(
      struct(T, [text(0x420001, "a"), bytes(0x420002, Uint8Array.of(0xff))]),
      "420020 01 00000020 | 420001 07 00000001 61 00000000000000 | 420002 08 00000001 FF 00000000000000",
    ));
  it("tags 000000 and FFFFFF", () => {
    exact(integer(0, 1), "000000 02 00000004 00000001 00000000");
    exact(integer(0xffffff, 1), "FFFFFF 02 00000004 00000001 00000000");
  });
});

describe("ttlv golden: the encoder refuses what it cannot encode exactly (INVALID_VALUE)", () => {
  const bad = (name: string, node: unknown) => it(name, () => expectTtlvError(() => encodeTtlv(node as TtlvNode), "INVALID_VALUE"));
  bad("Integer 2^31", integer(T, 2 ** 31));
  bad("Integer -2^31-1", integer(T, -(2 ** 31) - 1));
  bad("Integer 1.5", integer(T, 1.5));
  bad("Integer NaN", integer(T, NaN));
  bad("Integer Infinity", integer(T, Infinity));
  bad("Enumeration -1", enumeration(T, -1));
  bad("Enumeration 2^32", enumeration(T, 2 ** 32));
  bad("Enumeration 0.5", enumeration(T, 0.5));
  bad("Interval -1", interval(T, -1));
  bad("Interval 2^32", interval(T, 2 ** 32));
  bad("Long Integer 2^63", longInteger(T, 1n << 63n));
  bad("Long Integer -2^63-1", longInteger(T, -(1n << 63n) - 1n));
  bad("Date-Time 2^63", dateTime(T, 1n << 63n));
  bad("Date-Time given as a number", { tag: T, type: ItemType.DateTime, value: 0 });
  bad("Big Integer given as a number", { tag: T, type: ItemType.BigInteger, value: 5 });
  bad("Boolean given as 1", { tag: T, type: ItemType.Boolean, value: 1 });
  bad("Text String given as bytes", { tag: T, type: ItemType.TextString, value: Uint8Array.of(1) });
  bad("Text String with a lone surrogate (not representable in UTF-8)", text(T, "a\uD800b"));
  bad("Text String with a lone low surrogate", text(T, "\uDC00"));
  bad("Byte String given as a string", { tag: T, type: ItemType.ByteString, value: "01" });
  bad("tag 0x1000000", integer(0x1000000, 1));
  bad("tag -1", integer(-1, 1));
  bad("tag 1.5", integer(1.5, 1));
  bad("unknown item type 0x0C", { tag: T, type: 0x0c, value: 1 });
  bad("a bad value deep inside a structure", struct(T, [struct(T, [integer(T, 2 ** 31)])]));
  it("a surrogate pair (emoji) is still fine", () => expect(toHex(encodeTtlv(text(T, "\uD83D\uDE00")))).to.equal("4200200700000004f09f988000000000"));
});
