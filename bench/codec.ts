/**
 * Codec throughput: decode, encode and framing of real and large synthetic KMIP messages.
 * Run: npx tsx bench/codec.ts [--seconds 3]. Figures and the machine go in docs/BENCHMARKS.md.
 */
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { Enums, Tag } from "../src/kmip/index.js";
import { ItemType, TtlvFramer, decodeTtlv, encodeTtlv, parseHex, type TtlvNode } from "../src/ttlv/index.js";

const SECONDS = Number(process.argv[process.argv.indexOf("--seconds") + 1] || 3);
const shared = resolve(import.meta.dirname, "..", process.env.KMIP_SHARED_DIR ?? "../shared");
const vectors = (JSON.parse(readFileSync(resolve(shared, "kmip-testcases/ttlv-hex/MSGENC-xml-ttlv-pairs-1.0-1.2.json"), "utf8")) as {
  vectors: { ttlv_hex: string }[];
}).vectors.map((v) => parseHex(v.ttlv_hex));

/** A tape-library-sized request: 32 batch items, each with 30 custom attributes of 256 characters. */
function bigRequest(): Buffer {
  const s = (tag: number, children: TtlvNode[]): TtlvNode => ({ tag, type: ItemType.Structure, children });
  const t = (tag: number, value: string): TtlvNode => ({ tag, type: ItemType.TextString, value });
  const items: TtlvNode[] = [];
  for (let b = 0; b < 32; b++) {
    const attrs: TtlvNode[] = [];
    for (let a = 0; a < 30; a++) attrs.push(s(Tag.Attribute, [t(Tag.AttributeName, `x-attr-${a}`), t(Tag.AttributeValue, "v".repeat(256))]));
    items.push(s(Tag.BatchItem, [{ tag: Tag.Operation, type: ItemType.Enumeration, value: Enums.Operation.AddAttribute }, s(Tag.RequestPayload, attrs)]));
  }
  return encodeTtlv(s(Tag.RequestMessage, items));
}

function measure(name: string, bytesPerOp: number, op: () => void): void {
  const until = performance.now() + SECONDS * 1000;
  let n = 0;
  for (let i = 0; i < 200; i++) op(); // warm-up
  const start = performance.now();
  while (performance.now() < until) {
    for (let i = 0; i < 50; i++) op();
    n += 50;
  }
  const secs = (performance.now() - start) / 1000;
  const mb = (n * bytesPerOp) / secs / 1e6;
  console.log(`${name.padEnd(44)} ${Math.round(n / secs).toLocaleString("en").padStart(10)} ops/s ${mb.toFixed(1).padStart(8)} MB/s`);
}

const small = vectors[0]!;
const big = bigRequest();
const bigTree = decodeTtlv(big);
const smallTree = decodeTtlv(small);
const avg = vectors.reduce((s, v) => s + v.length, 0) / vectors.length;

console.log(`node ${process.version}, ${cpus()[0]?.model} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
console.log(`small = Query request, ${small.length} B; big = 32 items × 30 attributes × 256 chars, ${big.length} B`);
measure("decode small", small.length, () => decodeTtlv(small));
measure("encode small", small.length, () => encodeTtlv(smallTree));
measure(`decode the 36 MSGENC messages (avg ${Math.round(avg)} B)`, avg * vectors.length, () => vectors.forEach((v) => decodeTtlv(v)));
measure("decode big", big.length, () => decodeTtlv(big));
measure("encode big", big.length, () => encodeTtlv(bigTree));
measure("framer big, 1400-byte chunks", big.length, () => {
  const f = new TtlvFramer();
  for (let i = 0; i < big.length; i += 1400) f.push(big.subarray(i, i + 1400));
});
