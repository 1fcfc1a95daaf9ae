/**
 * Long fuzz run of the TTLV codec: random and mutated inputs (seeded from the golden hex vectors)
 * against decodeTtlv (default and small limits) and TtlvFramer (random chunking).
 *
 *   npm run fuzz -- [--seconds N | --runs N] [--seed S] [--input HEX]
 *
 * Every input must give a tree or a TtlvError; a decoded tree must be within the limits and
 * re-encode to something that decodes to the same tree; the framer must return whole prefixes
 * of its stream. Anything else prints the seed and the input hex and exits 1.
 * --input replays one input (hex) through every target.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  HEADER_SIZE,
  ItemType,
  TtlvError,
  TtlvFramer,
  decodeTtlv,
  encodeTtlv,
  integer,
  nodesEqual,
  parseHex,
  struct,
  text,
  toHex,
  type TtlvLimits,
  type TtlvNode,
} from "../src/ttlv/index.js";

// ---- arguments ----------------------------------------------------------------------------

function usage(error?: string): never {
  if (error) console.error(`fuzz: ${error}`);
  console.log("usage: tsx scripts/fuzz.ts [--seconds N (default 60) | --runs N] [--seed S] [--input HEX]");
  process.exit(error ? 2 : 0);
}

function parseArgs(argv: string[]): { seconds: number; runs: number | undefined; seed: number; input: string | undefined } {
  const opts = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") usage();
    const m = /^--(seconds|runs|seed|input)(?:=(.*))?$/.exec(a);
    const value = m?.[2] ?? argv[++i];
    if (!m || value === undefined) usage(m ? `${a} needs a value` : `unknown argument ${a}`);
    opts.set(m[1]!, value);
  }
  const num = (k: string, d: number) => {
    const v = opts.has(k) ? Number(opts.get(k)) : d;
    if (!Number.isFinite(v) || v < 0) usage(`--${k} must be a non-negative number`);
    return v;
  };
  return {
    seconds: num("seconds", 60),
    runs: opts.has("runs") ? num("runs", 0) : undefined,
    seed: opts.has("seed") ? num("seed", 0) >>> 0 : (Date.now() ^ (Math.random() * 2 ** 32)) >>> 0,
    input: opts.get("input"),
  };
}

// ---- seeded random numbers (sfc32, seeded through splitmix32) -----------------------------

function makeRng(seed: number) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const u32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  const int = (n: number) => (n <= 0 ? 0 : Math.floor((u32() / 2 ** 32) * n)); // 0 ≤ x < n
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { u32, int, pick, bytes, chance: (p: number) => u32() / 2 ** 32 < p };
}
type Rng = ReturnType<typeof makeRng>;

// ---- the corpus -----------------------------------------------------------------------------

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SHARED = resolve(REPO, process.env.KMIP_SHARED_DIR ?? "../shared");

function loadCorpus(): Buffer[] {
  const file = resolve(SHARED, "kmip-testcases/ttlv-hex/MSGENC-xml-ttlv-pairs-1.0-1.2.json");
  const doc = JSON.parse(readFileSync(file, "utf8")) as { vectors: { ttlv_hex: string }[] };
  const spec = [
    "420020 02 00000004 00000008 00000000",
    "420020 03 00000008 01B69B4BA5749200",
    "420020 04 00000010 0000000003FD35EB 6BC2DF4618080000",
    "420020 06 00000008 0000000000000001",
    "420020 07 0000000B 48656C6C6F20576F726C64 0000000000",
    "420020 08 00000003 010203 0000000000",
    "420020 09 00000008 0000000047DA67F8",
    "420020 0A 00000004 000D2F00 00000000",
    "420020 01 00000020 420004 05 00000004 000000FE 00000000 420005 02 00000004 000000FF 00000000",
    "420020 0B 00000008 FFFFFFFFFFF0BDBF",
  ];
  // shapes that reach the item and depth limits
  const wide = struct(0x420078, Array.from({ length: 150 }, (_, i) => integer(0x420001, i)));
  let deep: TtlvNode = text(0x420001, "x");
  for (let i = 0; i < 66; i++) deep = struct(0x420002, [deep]);
  return [...doc.vectors.map((v) => parseHex(v.ttlv_hex)), ...spec.map(parseHex), encodeTtlv(wide), encodeTtlv(deep)];
}

// ---- mutations ----------------------------------------------------------------------------

const INTERESTING_BYTES = [0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x7f, 0x80, 0xfe, 0xff];
const INTERESTING_LENGTHS = [0, 1, 4, 7, 8, 9, 15, 16, 0x7fffffff, 0x80000000, 0xfffffff8, 0xffffffff];

/** An offset where an item header may start (items are 8-aligned) inside buf. */
const alignedOffset = (r: Rng, buf: Buffer) => (buf.length < HEADER_SIZE ? -1 : 8 * r.int(Math.floor(buf.length / 8)));

function mutateOnce(r: Rng, buf: Buffer, corpus: Buffer[]): Buffer {
  const b = Buffer.from(buf);
  const at = r.int(b.length + 1);
  switch (r.int(12)) {
    case 0: // bit flip
      if (b.length) b[r.int(b.length)]! ^= 1 << r.int(8);
      return b;
    case 1: // interesting or random byte
      if (b.length) b[r.int(b.length)] = r.chance(0.5) ? r.pick(INTERESTING_BYTES) : r.int(256);
      return b;
    case 2: { // length field of a (likely) header: small delta, interesting value, or random
      const h = alignedOffset(r, b);
      if (h < 0 || h + 8 > b.length) return b;
      const old = b.readUInt32BE(h + 4);
      const v = r.chance(0.5) ? (old + r.pick([-16, -8, -4, -1, 1, 4, 8, 16])) >>> 0 : r.chance(0.5) ? r.pick(INTERESTING_LENGTHS) : r.u32();
      b.writeUInt32BE(v, h + 4);
      return b;
    }
    case 3: { // type byte of a (likely) header
      const h = alignedOffset(r, b);
      if (h >= 0) b[h + 3] = r.chance(0.8) ? r.int(0x10) : r.int(256);
      return b;
    }
    case 4: // truncate
      return b.subarray(0, at);
    case 5: // insert random bytes (often a whole 8-byte block)
      return Buffer.concat([b.subarray(0, at), r.bytes(r.chance(0.5) ? 8 : 1 + r.int(16)), b.subarray(at)]);
    case 6: // delete a range (often a whole 8-byte block)
      return Buffer.concat([b.subarray(0, at), b.subarray(at + (r.chance(0.5) ? 8 : 1 + r.int(16)))]);
    case 7: { // duplicate an aligned range elsewhere
      const from = alignedOffset(r, b);
      if (from < 0) return b;
      const piece = b.subarray(from, from + 8 * (1 + r.int(4)));
      const to = alignedOffset(r, b);
      return Buffer.concat([b.subarray(0, to), piece, b.subarray(to)]);
    }
    case 8: { // splice: a prefix of this, a suffix of another
      const other = r.pick(corpus);
      return Buffer.concat([b.subarray(0, at), other.subarray(r.int(other.length + 1))]);
    }
    case 9: { // wrap in a structure whose length is right (keeps the root plausible)
      const body = b.subarray(0, b.length - (b.length % 8));
      const h = Buffer.from([0x42, 0x00, r.int(256), ItemType.Structure, 0, 0, 0, 0]);
      h.writeUInt32BE(body.length, 4);
      return Buffer.concat([h, body]);
    }
    case 10: // fill a range with one value (padding, sign extension, lengths)
      if (b.length) b.fill(r.pick(INTERESTING_BYTES), at, Math.min(b.length, at + 1 + r.int(12)));
      return b;
    default: // fresh random bytes, sometimes behind a plausible header
      return r.chance(0.5) ? r.bytes(r.int(512)) : Buffer.concat([Buffer.from([0x42, 0, 0x78, r.int(13), 0, 0, r.int(2), r.int(256)]), r.bytes(r.int(512))]);
  }
}

// ---- targets ------------------------------------------------------------------------------

const DEFAULT: TtlvLimits = { maxMessageSize: 1 << 20, maxItems: 65536, maxDepth: 64 };
const SMALL: TtlvLimits = { maxMessageSize: 4096, maxItems: 100, maxDepth: 8 };

class Finding extends Error {}

const count = (n: TtlvNode): number => (n.type === ItemType.Structure ? 1 + n.children.reduce((s, c) => s + count(c), 0) : 1);
const depth = (n: TtlvNode): number => (n.type === ItemType.Structure ? 1 + n.children.reduce((m, c) => Math.max(m, depth(c)), 0) : 1);

/** decodeTtlv under limits: the outcome's name ("ok" or the code), checking every invariant. */
function decodeTarget(input: Buffer, lim: TtlvLimits): string {
  let tree: TtlvNode;
  try {
    tree = decodeTtlv(input, lim);
  } catch (e) {
    if (e instanceof TtlvError) return e.code;
    throw e;
  }
  if (input.length > lim.maxMessageSize || count(tree) > lim.maxItems || depth(tree) > lim.maxDepth) {
    throw new Finding("decoded a tree beyond the limits");
  }
  if (!nodesEqual(decodeTtlv(encodeTtlv(tree), lim), tree)) throw new Finding("re-encoding changed the tree");
  return "ok";
}

/** The framer over random chunks of input (sometimes followed by a good message): returns the outcome's name. */
function framerTarget(r: Rng, input: Buffer, corpus: Buffer[]): { outcome: string; chunks: number[] } {
  const stream = r.chance(0.3) ? Buffer.concat([input, r.pick(corpus)]) : input;
  const chunks: number[] = [];
  for (let left = stream.length; left > 0; ) {
    const n = Math.min(left, r.chance(0.2) ? 1 : 1 + r.int(r.chance(0.5) ? 16 : 256));
    chunks.push(n);
    left -= n;
  }
  const f = new TtlvFramer({ requireStructure: r.chance(0.8) });
  const out: Buffer[] = [];
  let pos = 0;
  try {
    for (const n of chunks) {
      out.push(...f.push(stream.subarray(pos, pos + n)));
      pos += n;
      if (f.pendingBytes > DEFAULT.maxMessageSize + 2 * HEADER_SIZE + 256) throw new Finding(`framer holds ${f.pendingBytes} bytes`);
    }
    f.end();
  } catch (e) {
    if (!(e instanceof TtlvError)) throw e;
    checkFramed(stream, out);
    return { outcome: e.code, chunks };
  }
  checkFramed(stream, out);
  if (Buffer.concat(out).length !== stream.length) throw new Finding("framer lost bytes at a clean end");
  for (const m of out) decodeTarget(m, DEFAULT);
  return { outcome: "ok", chunks };
}

function checkFramed(stream: Buffer, out: Buffer[]): void {
  let at = 0;
  for (const m of out) {
    if (!m.equals(stream.subarray(at, at + m.length))) throw new Finding("a framed message is not the next slice of the stream");
    at += m.length;
  }
}

// ---- main ---------------------------------------------------------------------------------

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const corpus = loadCorpus();
  const golden = corpus.length;
  const r = makeRng(args.seed);
  const hist = { decode: new Map<string, number>(), small: new Map<string, number>(), framer: new Map<string, number>() };
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  let peakRss = 0;
  let peakHeap = 0;
  const sampleMemory = () => {
    const mem = process.memoryUsage();
    peakRss = Math.max(peakRss, mem.rss);
    peakHeap = Math.max(peakHeap, mem.heapUsed);
  };

  const limit = args.input !== undefined ? "one given input" : args.runs === undefined ? `${args.seconds} s` : `${args.runs} runs`;
  console.log(`fuzz: seed ${args.seed}, ${limit}, corpus of ${golden} golden inputs`);
  const start = performance.now();
  const deadline = start + args.seconds * 1000;
  let runs = 0;
  let lastReport = start;
  for (;;) {
    if (args.input === undefined && (args.runs !== undefined ? runs >= args.runs : (runs & 63) === 0 && performance.now() >= deadline)) break;
    let input: Buffer;
    if (args.input !== undefined) input = parseHex(args.input);
    else {
      input = r.chance(0.3) ? corpus[r.int(golden)]! : r.pick(corpus);
      for (let k = 1 + r.int(r.chance(0.7) ? 2 : 6); k > 0; k--) input = mutateOnce(r, input, corpus);
    }
    let chunks: number[] = [];
    try {
      const d = decodeTarget(input, DEFAULT);
      bump(hist.decode, d);
      bump(hist.small, decodeTarget(input, SMALL));
      const fr = framerTarget(r, input, corpus);
      chunks = fr.chunks;
      bump(hist.framer, fr.outcome);
      // decoded inputs that are not golden widen the corpus for later mutations
      if (d === "ok" && input.length > 0) {
        if (corpus.length < 4096) corpus.push(input);
        else corpus[golden + r.int(corpus.length - golden)] = input;
      }
    } catch (e) {
      console.error(`\nFUZZ FAILURE after ${runs} runs (seed ${args.seed})`);
      console.error(`input (${input.length} bytes): ${toHex(input)}`);
      if (chunks.length) console.error(`framer chunks: ${chunks.join(",")}`);
      console.error(e instanceof Finding ? `invariant: ${e.message}` : e);
      console.error(`replay: npx tsx scripts/fuzz.ts --input ${toHex(input)}`);
      return 1;
    }
    runs++;
    if (args.input !== undefined) break;
    if ((runs & 255) === 0) {
      sampleMemory();
      const now = performance.now();
      if (now - lastReport > 10_000) {
        lastReport = now;
        console.log(`  ${((now - start) / 1000).toFixed(0)} s: ${runs} runs`);
      }
    }
  }
  sampleMemory();
  const secs = (performance.now() - start) / 1000;
  const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  const show = (name: string, m: Map<string, number>) => {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    const rows = [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v} (${((100 * v) / total).toFixed(1)}%)`);
    console.log(`${name}:\n    ${rows.join("\n    ")}`);
  };
  console.log(`runs: ${runs} in ${secs.toFixed(1)} s = ${Math.round(runs / secs)} runs/s (each run: decode ×2, framer, re-encode when decoded)`);
  console.log(`corpus: ${corpus.length} inputs (${golden} golden, ${corpus.length - golden} decoded mutants)`);
  show("decodeTtlv, default limits", hist.decode);
  show("decodeTtlv, small limits (4096 bytes, 100 items, depth 8)", hist.small);
  show("TtlvFramer, random chunking", hist.framer);
  console.log(`peak RSS ${mib(Math.max(peakRss, process.resourceUsage().maxRSS * 1024))}, peak heap used ${mib(peakHeap)}`);
  console.log("no exception other than TtlvError; no invariant broken");
  return 0;
}

process.exitCode = main();
