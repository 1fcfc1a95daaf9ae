/**
 * Numbered adversarial inputs. Each entry is one `it`, asserting the exact TtlvError code (or that the
 * input is accepted). The same list is the table in docs/ADVERSARIAL.md; the last test keeps them in sync.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect } from "chai";
import {
  TtlvFramer,
  decodeTtlv,
  encodeTtlv,
  integer,
  parseHex,
  struct,
  type TtlvErrorCode,
  type TtlvLimits,
} from "../../src/ttlv/index.js";
import { REPO_ROOT, expectTtlvError, nestedStructures } from "./helpers.js";

type Outcome = TtlvErrorCode | "accepted";
interface Entry {
  readonly id: string;
  readonly title: string;
  readonly expect: Outcome;
  readonly run: () => unknown;
  /** The input, for entries given as hex. */
  readonly hex?: string;
}

const dec = (hex: string, limits?: Partial<TtlvLimits>) => Object.assign(() => decodeTtlv(parseHex(hex), limits), { hex });
const decBuf = (buf: Uint8Array, limits?: Partial<TtlvLimits>) => () => decodeTtlv(buf, limits);
const frame = (hex: string) =>
  Object.assign(() => {
    const f = new TtlvFramer();
    const out = f.push(parseHex(hex));
    f.end();
    return out;
  }, { hex });
const INT8 = "420020 02 00000004 00000008 00000000"; // the spec's Integer 8
const FOUR_GIB = parseHex("420078 01 FFFFFFFF");

/** 72 bytes: a structure of four Integers. */
const MSG72 = encodeTtlv(struct(0x420001, [1, 2, 3, 4].map((v) => integer(0x420002, v))));
/** A root structure holding `n` empty structures: n + 1 items. */
const flat = (n: number) => encodeTtlv(struct(0x420001, Array.from({ length: n }, () => struct(0x420002, []))));

const list: [title: string, expect: Outcome, run: () => unknown][] = [
  // truncation
  ["empty input", "TRUNCATED_HEADER", dec("")],
  ["a 7-byte header", "TRUNCATED_HEADER", dec("420020 02 000000")],
  ["an Integer whose value is cut off (12 of 16 bytes)", "TRUNCATED_VALUE", dec("420020 02 00000004 00000008")],
  ["a Text String \"abc\" without its padding (11 bytes)", "TRUNCATED_VALUE", dec("420020 07 00000003 616263")],
  ["a Structure claiming 32 bytes with 16 present", "TRUNCATED_VALUE", dec(`420001 01 00000020 ${INT8}`)],
  // structure lengths against children
  ["a child longer than its parent (Text String of 20 in a Structure of 16)", "CHILD_OVERRUN",
    dec("420001 01 00000010 | 420020 07 00000014 | 48656C6C6F20576F")],
  ["a Structure length shorter than its children (8, holding a 16-byte Integer)", "CHILD_OVERRUN",
    dec(`420001 01 00000018 | 420002 01 00000008 | ${INT8}`)],
  ["a Structure length longer than its children (32, where its parent has 16 left)", "CHILD_OVERRUN",
    dec(`420001 01 00000018 | 420002 01 00000020 | ${INT8}`)],
  ["a Structure of length 4 that ends inside its child's header", "STRUCTURE_LENGTH_MISMATCH",
    dec("420001 01 00000010 | 420002 01 00000004 | 420020 02 00000004")],
  ["a root Structure of length 12 (not a multiple of 8)", "STRUCTURE_LENGTH_MISMATCH", dec(`420001 01 0000000C ${INT8}`)],
  ["a nested Structure of length 20 whose 'padding' is the next child's length", "STRUCTURE_LENGTH_MISMATCH",
    dec(`420001 01 00000020 | 420002 01 00000014 | ${INT8} | 420020 02 00000004`)],
  // depth
  ["64 nested Structures (depth 64)", "accepted", decBuf(encodeTtlv(nestedStructures(64)))],
  ["65 nested Structures (depth 65)", "DEPTH_EXCEEDED", decBuf(encodeTtlv(nestedStructures(65)))],
  ["64 nested Structures with an Integer inside (depth 65)", "DEPTH_EXCEEDED",
    () => decodeTtlv(encodeTtlv([...Array(64)].reduce((n) => struct(0x420001, [n]), integer(0x420002, 1))))],
  ["9 nested Structures with maxDepth 8", "DEPTH_EXCEEDED", decBuf(encodeTtlv(nestedStructures(9)), { maxDepth: 8 })],
  // item types
  ["type byte 0x00", "UNKNOWN_TYPE", dec("420020 00 00000000")],
  ["type byte 0x0C (KMIP 3.0 Identifier, not supported)", "UNKNOWN_TYPE", dec("420020 0C 00000000")],
  ["type byte 0xFF", "UNKNOWN_TYPE", dec("420020 FF 00000008 0000000000000000")],
  ["type byte 0x0D inside a Structure", "UNKNOWN_TYPE", dec("420001 01 00000008 | 420020 0D 00000000")],
  // fixed lengths
  ["Integer of length 8", "BAD_LENGTH", dec("420020 02 00000008 0000000000000008")],
  ["Integer of length 0", "BAD_LENGTH", dec("420020 02 00000000")],
  ["Enumeration of length 3", "BAD_LENGTH", dec("420020 05 00000003 0000FF 0000000000")],
  ["Interval of length 8", "BAD_LENGTH", dec("420020 0A 00000008 00000000000D2F00")],
  ["Long Integer of length 4", "BAD_LENGTH", dec("420020 03 00000004 00000001 00000000")],
  ["Boolean of length 4", "BAD_LENGTH", dec("420020 06 00000004 00000001 00000000")],
  ["Date-Time of length 16", "BAD_LENGTH", dec("420020 09 00000010 0000000047DA67F8 0000000000000000")],
  ["Date-Time Extended of length 0", "BAD_LENGTH", dec("420020 0B 00000000")],
  ["Big Integer of length 12 (not a multiple of 8)", "BAD_LENGTH", dec("420020 04 0000000C 000000000000000000000001 00000000")],
  ["Big Integer of length 0", "BAD_LENGTH", dec("420020 04 00000000")],
  ["Big Integer of length 4 followed by non-zero bytes (length is checked first)", "BAD_LENGTH",
    dec("420020 04 00000004 00000001 FFFFFFFF")],
  ["Integer of length 0xFFFFFFFF inside a Structure", "CHILD_OVERRUN", dec("420001 01 00000010 | 420020 02 FFFFFFFF | 0000000800000000")],
  // booleans
  ["Boolean 2", "BAD_BOOLEAN", dec("420020 06 00000008 0000000000000002")],
  ["Boolean 0x0100000000000000", "BAD_BOOLEAN", dec("420020 06 00000008 0100000000000000")],
  ["Boolean 0xFFFFFFFFFFFFFFFF", "BAD_BOOLEAN", dec("420020 06 00000008 FFFFFFFFFFFFFFFF")],
  // padding
  ["non-zero padding after an Integer", "NONZERO_PADDING", dec("420020 02 00000004 00000008 00000001")],
  ["non-zero padding after an Enumeration", "NONZERO_PADDING", dec("420020 05 00000004 000000FF 80000000")],
  ["non-zero padding after a Text String", "NONZERO_PADDING", dec("420020 07 0000000B 48656C6C6F20576F726C64 0000000001")],
  ["non-zero padding after a Byte String", "NONZERO_PADDING", dec("420020 08 00000003 010203 0000000080")],
  ["non-zero padding after an Interval inside a Structure", "NONZERO_PADDING",
    dec("420001 01 00000010 | 420020 0A 00000004 000D2F00 00000020")],
  // UTF-8
  ["Text String: a lone continuation byte (80)", "INVALID_UTF8", dec("420020 07 00000003 618062 0000000000")],
  ["Text String: overlong '/' (C0 AF)", "INVALID_UTF8", dec("420020 07 00000002 C0AF 000000000000")],
  ["Text String: overlong 3-byte '/' (E0 80 AF)", "INVALID_UTF8", dec("420020 07 00000003 E080AF 0000000000")],
  ["Text String: a surrogate half U+D800 (ED A0 80)", "INVALID_UTF8", dec("420020 07 00000003 EDA080 0000000000")],
  ["Text String: a sequence truncated at the end (E2 82)", "INVALID_UTF8", dec("420020 07 00000002 E282 000000000000")],
  ["Text String: a truncated sequence followed by ASCII (E2 82 41)", "INVALID_UTF8", dec("420020 07 00000003 E28241 0000000000")],
  ["Text String: a code point above U+10FFFF (F4 90 80 80)", "INVALID_UTF8", dec("420020 07 00000004 F4908080 00000000")],
  ["Text String: byte FF", "INVALID_UTF8", dec("420020 07 00000001 FF 00000000000000")],
  ["Text String starting with a UTF-8 BOM (kept as U+FEFF)", "accepted", dec("420020 07 00000004 EFBBBF61 00000000")],
  // trailing bytes
  ["one byte after the root item", "TRAILING_BYTES", dec(`${INT8} 00`)],
  ["8 zero bytes after the root item", "TRAILING_BYTES", dec(`${INT8} 0000000000000000`)],
  ["a second complete message after the first (decodeTtlv takes exactly one)", "TRAILING_BYTES", dec(`${INT8} ${INT8}`)],
  // sizes and limits
  ["decodeTtlv: a header claiming 0xFFFFFFFF bytes (4 GiB), 8 bytes given", "MESSAGE_TOO_LARGE", decBuf(FOUR_GIB)],
  ["framer: a 4 GiB header pushed byte by byte throws on the 8th push, holding at most 7 bytes", "MESSAGE_TOO_LARGE", () => {
    const f = new TtlvFramer();
    for (let i = 0; i < 7; i++) {
      expect(f.push(FOUR_GIB.subarray(i, i + 1))).to.deep.equal([]);
      expect(f.pendingBytes).to.equal(i + 1);
    }
    try {
      f.push(FOUR_GIB.subarray(7, 8));
    } finally {
      expect(f.pendingBytes).to.equal(0);
    }
  }],
  ["framer: a 4 GiB header and 64 KiB of body in one chunk; the body is not kept", "MESSAGE_TOO_LARGE", () => {
    const f = new TtlvFramer();
    try {
      f.push(Buffer.concat([FOUR_GIB, Buffer.alloc(65536)]));
    } finally {
      expect(f.pendingBytes).to.equal(0);
    }
  }],
  ["decodeTtlv: a 72-byte message with maxMessageSize 64", "MESSAGE_TOO_LARGE", decBuf(MSG72, { maxMessageSize: 64 })],
  ["framer: a 72-byte message with maxMessageSize 64, rejected on its header", "MESSAGE_TOO_LARGE", () => {
    const f = new TtlvFramer({ maxMessageSize: 64 });
    try {
      f.push(MSG72.subarray(0, 8));
    } finally {
      expect(f.pendingBytes).to.equal(0);
    }
  }],
  ["a 72-byte message with maxMessageSize 72 (decodeTtlv and framer)", "accepted", () => {
    decodeTtlv(MSG72, { maxMessageSize: 72 });
    expect(new TtlvFramer({ maxMessageSize: 72 }).push(MSG72)).to.have.length(1);
  }],
  ["decodeTtlv: a 16-byte item followed by junk up to 65 bytes, maxMessageSize 64", "MESSAGE_TOO_LARGE",
    dec(`${INT8} ${"00".repeat(49)}`, { maxMessageSize: 64 })],
  ["a root Byte String claiming 0xFFFFFFF0 bytes, 16 given", "MESSAGE_TOO_LARGE", dec("420020 08 FFFFFFF0 0102030405060708")],
  ["4 items with maxItems 3", "TOO_MANY_ITEMS", decBuf(flat(3), { maxItems: 3 })],
  ["3 items with maxItems 3", "accepted", decBuf(flat(2), { maxItems: 3 })],
  ["65537 items (a Structure of 65536 empty Structures), default limits", "TOO_MANY_ITEMS", decBuf(flat(65536))],
  ["65536 items, default limits", "accepted", decBuf(flat(65535))],
  // framer headers
  ["framer: a root Structure of length 12", "STRUCTURE_LENGTH_MISMATCH", frame(`420001 01 0000000C ${INT8}`)],
  ["framer: a root Integer (requireStructure)", "UNKNOWN_TYPE", frame(INT8)],
  ["framer: type byte 0x0E in the root header", "UNKNOWN_TYPE", frame("420078 0E 00000000")],
  // leniencies, kept on purpose
  ["Big Integer 255 in 16 bytes (sign extension longer than minimal)", "accepted", dec("420020 04 00000010 0000000000000000 00000000000000FF")],
  ["tag 000000 and tag 0xABCDEF (first byte neither 42 nor 54: tags are the registry's business)", "accepted",
    dec("000000 01 00000010 | ABCDEF 02 00000004 00000001 00000000")],
];

export const ENTRIES: readonly Entry[] = list.map(([title, expect, run], i) => ({
  id: `A${String(i + 1).padStart(2, "0")}`,
  title,
  expect,
  run,
  ...("hex" in run && typeof run.hex === "string" ? { hex: run.hex } : {}),
}));

describe("ttlv adversarial inputs (docs/ADVERSARIAL.md)", () => {
  for (const e of ENTRIES) {
    it(`${e.id} ${e.title} → ${e.expect}`, () => {
      if (e.expect === "accepted") e.run();
      else expectTtlvError(e.run, e.expect);
    });
  }

  it("docs/ADVERSARIAL.md lists exactly these entries with the same outcomes", () => {
    const md = readFileSync(resolve(REPO_ROOT, "docs/ADVERSARIAL.md"), "utf8");
    const rows = [...md.matchAll(/^\|\s*(A\d{2,})\s*\|.*\|\s*`?([A-Z0-9_]+|accepted)`?[^|]*\|\s*$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(rows).to.deep.equal(ENTRIES.map((e) => `${e.id} ${e.expect}`));
  });
});
