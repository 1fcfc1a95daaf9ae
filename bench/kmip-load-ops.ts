/**
 * Helpers for bench/kmip-load.ts: KMIP batch items built by hand (Create, Register), batched object
 * creation over several connections, latency statistics, and the description of the machine.
 */
import { readFileSync } from "node:fs";
import { cpus, release, totalmem } from "node:os";
import { KmipClient, attributesNode, type BatchItemRequest, type ClientAttr } from "../src/client/index.js";
import { Enums, Masks, Tag, type KmipVersion } from "../src/kmip/index.js";
import { ItemType, bytes, enumeration, integer, struct, text, type StructureNode } from "../src/ttlv/index.js";

const Op = Enums.Operation;

/** Create of an AES-256 key (Encrypt|Decrypt), optionally named. */
export function createAesItem(version: KmipVersion, name?: string): BatchItemRequest {
  const attrs: ClientAttr[] = [
    { name: "Cryptographic Algorithm", value: enumeration(0, Enums.CryptographicAlgorithm.AES) },
    { name: "Cryptographic Length", value: integer(0, 256) },
    { name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Encrypt | Masks.CryptographicUsageMask.Decrypt) },
  ];
  if (name !== undefined) attrs.push(nameAttr(name));
  return { operation: Op.Create, payload: [enumeration(Tag.ObjectType, Enums.ObjectType.SymmetricKey), attributesNode(attrs, version)] };
}

/** Register of a 16-byte Secret Data (Password, Opaque format) with a Name. */
export function registerSecretItem(version: KmipVersion, name: string, secret: Uint8Array): BatchItemRequest {
  const content = struct(Tag.SecretData, [
    enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
    struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, secret)])]),
  ]);
  const attrs: ClientAttr[] = [{ name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Verify) }, nameAttr(name)];
  return { operation: Op.Register, payload: [enumeration(Tag.ObjectType, Enums.ObjectType.SecretData), attributesNode(attrs, version), content] };
}

function nameAttr(name: string): ClientAttr {
  return { name: "Name", value: struct(0, [text(Tag.NameValue, name), enumeration(Tag.NameType, Enums.NameType.UninterpretedTextString)]) };
}

export function uidOf(p: StructureNode | undefined): string | undefined {
  const n = p?.children.find((c) => c.tag === Tag.UniqueIdentifier);
  return n?.type === ItemType.TextString ? n.value : undefined;
}

export interface BulkResult {
  /** uids by index (undefined where the item failed). */
  readonly uids: (string | undefined)[];
  readonly errors: number;
  readonly seconds: number;
  readonly firstError?: string;
}

/**
 * Sends `count` items, `batchSize` per request message, from every client at once (one request in
 * flight per client). `item(i)` builds item i; a failed item is counted, not retried.
 */
export async function bulk(clients: readonly KmipClient[], count: number, batchSize: number, item: (i: number) => BatchItemRequest, progress?: (done: number) => void): Promise<BulkResult> {
  const uids: (string | undefined)[] = new Array<string | undefined>(count);
  let next = 0;
  let done = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const worker = async (c: KmipClient): Promise<void> => {
    while (next < count) {
      const from = next;
      const to = Math.min(count, from + batchSize);
      next = to;
      const items: BatchItemRequest[] = [];
      for (let i = from; i < to; i++) items.push(item(i));
      try {
        const results = await c.batch(items);
        for (let i = from; i < to; i++) {
          const r = results[i - from];
          const uid = r?.status === Enums.ResultStatus.Success ? uidOf(r.payload) : undefined;
          if (uid === undefined) {
            errors++;
            firstError ??= r ? `status ${r.status} reason ${r.reason ?? "-"}: ${r.message ?? ""}` : "missing batch item in the response";
          }
          uids[i] = uid;
        }
      } catch (e) {
        errors += to - from;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
      done += to - from;
      progress?.(done);
    }
  };
  await Promise.all(clients.map(worker));
  return { uids, errors, seconds: (performance.now() - started) / 1000, ...(firstError === undefined ? {} : { firstError }) };
}

/** Vendor Identification from Query(Server Information), or undefined when the server gives none. */
export async function serverVendor(c: KmipClient): Promise<string | undefined> {
  try {
    const p = await c.query([Enums.QueryFunction.QueryServerInformation]);
    const v = p.children.find((x) => x.tag === Tag.VendorIdentification);
    return v?.type === ItemType.TextString ? v.value : undefined;
  } catch {
    return undefined;
  }
}

export interface LatencyStats {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

/** Nearest-rank percentiles; sorts `ms` in place. */
export function latencyStats(ms: number[]): LatencyStats {
  if (ms.length === 0) return { p50Ms: NaN, p99Ms: NaN, maxMs: NaN, meanMs: NaN };
  ms.sort((a, b) => a - b);
  const rank = (p: number): number => ms[Math.min(ms.length - 1, Math.max(0, Math.ceil((p / 100) * ms.length) - 1))]!;
  return { p50Ms: rank(50), p99Ms: rank(99), maxMs: ms[ms.length - 1]!, meanMs: ms.reduce((s, x) => s + x, 0) / ms.length };
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly os: string;
}

export function machineInfo(): MachineInfo {
  let os = `Linux ${release()}`;
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
    if (m) os = `${m[1]}, kernel ${release()}`;
  } catch {
    // not Linux, or no os-release: the kernel release is enough
  }
  return { cpuModel: cpus()[0]?.model ?? "unknown", cores: cpus().length, memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10, node: process.version, os };
}

/** CPU seconds (user + system) used so far by process `pid` (Linux /proc), or undefined. */
export function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // after the command: state is field 3, utime 14, stime 15 (1-based in proc(5)) → indexes 11, 12 here
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Fixed-width text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en") : "-");
/** A rate: whole numbers from 100 up, decimals below (PyKMIP's Locate runs at a few per second). */
export const fmtRate = (n: number): string => (!Number.isFinite(n) ? "-" : n >= 100 ? fmtInt(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
export const fmtMs = (n: number): string => (!Number.isFinite(n) ? "-" : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
