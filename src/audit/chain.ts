/**
 * The audit chain: the canonical encoding of a record, its MAC, the head, and the walk that
 * verifies them. Pure functions over bytes; storage is elsewhere.
 *
 *   entry = canonical(record) · mac            mac  = HMAC-SHA256(auditKey, prevMac · canonical(record))
 *   head  = u64 seq · mac(last) · headMac      headMac = HMAC-SHA256(auditKey, "head" · u64 seq · mac(last))
 *
 * prevMac of seq 1 is 32 zero bytes. auditKey = HKDF-SHA256(master key, no salt, "kmipd audit v1"),
 * so without the master key nobody can compute a valid MAC, and the head cannot be moved back to
 * hide a deleted tail (short of replaying an older head, see docs/AUDIT.md).
 */
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from "node:crypto";
import type { AuditEntry } from "../store/types.js";
import type { AuditRecord, AuditResult, VerifyResult } from "./types.js";

export const AUDIT_KDF_INFO = "kmipd audit v1";
const FORMAT = 1;
const MAC_LEN = 32;
export const GENESIS_MAC: Buffer = Buffer.alloc(MAC_LEN);
const RESULTS: readonly AuditResult[] = ["success", "failure", "pending", "undone"];

export function deriveAuditKey(masterKey: KeyObject): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync("sha256", masterKey, Buffer.alloc(0), AUDIT_KDF_INFO, 32)));
}

export class AuditFormatError extends Error {
  override readonly name = "AuditFormatError";
}

/** u8 format · u64 seq · u64 time · str principal · opt account · str address · str operation · u32 n · n×str id · u8 result · opt reason · opt message */
export function encodeRecord(r: AuditRecord): Buffer {
  const parts: Buffer[] = [];
  const u8 = (n: number) => parts.push(Buffer.of(n));
  const u32 = (n: number) => {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(n);
    parts.push(b);
  };
  const u64 = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`audit field must be a non-negative safe integer, got ${n}`);
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(BigInt(n));
    parts.push(b);
  };
  const str = (s: string) => {
    const b = Buffer.from(s, "utf8");
    u32(b.length);
    parts.push(b);
  };
  const opt = (s: string | undefined) => (s === undefined ? u8(0) : (u8(1), str(s)));
  u8(FORMAT);
  u64(r.seq);
  u64(r.time);
  str(r.principal);
  opt(r.account);
  str(r.clientAddress);
  str(r.operation);
  u32(r.objectIds.length);
  for (const id of r.objectIds) str(id);
  const result = RESULTS.indexOf(r.result);
  if (result < 0) throw new RangeError(`unknown audit result ${String(r.result)}`);
  u8(result);
  opt(r.reason);
  opt(r.message);
  return Buffer.concat(parts);
}

/** Reads an entry's record; every length is checked and trailing bytes are refused. */
export function decodeRecord(b: Buffer): AuditRecord {
  let at = 0;
  const need = (n: number) => {
    if (at + n > b.length) throw new AuditFormatError("record ends early");
  };
  const u8 = () => (need(1), b[at++]!);
  const u32 = () => (need(4), (at += 4), b.readUInt32BE(at - 4));
  const u64 = () => {
    need(8);
    at += 8;
    const v = b.readBigUInt64BE(at - 8);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new AuditFormatError("number out of range");
    return Number(v);
  };
  const str = () => {
    const n = u32();
    need(n);
    at += n;
    return b.toString("utf8", at - n, at);
  };
  const opt = () => {
    const f = u8();
    if (f > 1) throw new AuditFormatError("bad optional flag");
    return f === 1 ? str() : undefined;
  };
  if (u8() !== FORMAT) throw new AuditFormatError("unknown record format");
  const seq = u64();
  const time = u64();
  const principal = str();
  const account = opt();
  const clientAddress = str();
  const operation = str();
  const n = u32();
  if (n > b.length) throw new AuditFormatError("bad id count");
  const objectIds: string[] = [];
  for (let i = 0; i < n; i++) objectIds.push(str());
  const result = RESULTS[u8()];
  if (!result) throw new AuditFormatError("unknown result");
  const reason = opt();
  const message = opt();
  if (at !== b.length) throw new AuditFormatError("trailing bytes");
  return {
    seq, time, principal, clientAddress, operation, objectIds, result,
    ...(account === undefined ? {} : { account }),
    ...(reason === undefined ? {} : { reason }),
    ...(message === undefined ? {} : { message }),
  };
}

export function recordMac(key: KeyObject, prevMac: Uint8Array, canonical: Uint8Array): Buffer {
  return createHmac("sha256", key).update(prevMac).update(canonical).digest();
}

/** The stored entry: canonical record followed by its MAC. */
export function sealEntry(key: KeyObject, prevMac: Uint8Array, r: AuditRecord): { value: Buffer; mac: Buffer } {
  const canonical = encodeRecord(r);
  const mac = recordMac(key, prevMac, canonical);
  return { value: Buffer.concat([canonical, mac]), mac };
}

export function splitEntry(value: Uint8Array): { canonical: Buffer; mac: Buffer } {
  const b = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (b.length <= MAC_LEN) throw new AuditFormatError("entry too short");
  return { canonical: b.subarray(0, b.length - MAC_LEN), mac: b.subarray(b.length - MAC_LEN) };
}

export interface Head {
  readonly seq: number;
  readonly mac: Buffer;
}

function headTag(key: KeyObject, seq: number, mac: Uint8Array): Buffer {
  const s = Buffer.allocUnsafe(8);
  s.writeBigUInt64BE(BigInt(seq));
  return createHmac("sha256", key).update("head").update(s).update(mac).digest();
}

export function encodeHead(key: KeyObject, h: Head): Buffer {
  const s = Buffer.allocUnsafe(8);
  s.writeBigUInt64BE(BigInt(h.seq));
  return Buffer.concat([s, h.mac, headTag(key, h.seq, h.mac)]);
}

/** The head's seq and last MAC; `authentic` is false when its own MAC does not match. */
export function decodeHead(key: KeyObject | undefined, b: Uint8Array): Head & { authentic: boolean } {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length !== 8 + 2 * MAC_LEN) throw new AuditFormatError("bad head");
  const seq = Number(buf.readBigUInt64BE(0));
  const mac = buf.subarray(8, 8 + MAC_LEN);
  const authentic = key === undefined || timingSafeEqual(buf.subarray(8 + MAC_LEN), headTag(key, seq, mac));
  return { seq, mac, authentic };
}

/**
 * Walks entries in key order from seq 1 and names the first problem: an entry that does not
 * decode or whose MAC fails ("altered"), a gap ("missing"), an entry whose own seq is not its
 * position ("reordered"), or a head that says more was written than is there ("truncated").
 */
export function verifyChain(key: KeyObject, entries: Iterable<AuditEntry>, rawHead: Uint8Array | undefined): VerifyResult {
  let expected = 1;
  let prevMac: Uint8Array = GENESIS_MAC;
  let checked = 0;
  let head: (Head & { authentic: boolean }) | undefined;
  try {
    head = rawHead === undefined ? undefined : decodeHead(key, rawHead);
  } catch {
    return { ok: false, checked, firstBad: { seq: 0, problem: "altered", detail: "the head record does not decode" } };
  }
  const headSeq = head?.seq;
  const bad = (seq: number, problem: "altered" | "missing" | "reordered" | "truncated", detail: string): VerifyResult => ({
    ok: false, checked, ...(headSeq === undefined ? {} : { headSeq }), firstBad: { seq, problem, detail },
  });
  for (const e of entries) {
    if (e.seq > expected) return bad(expected, "missing", `record ${expected} is missing (the next one present is ${e.seq})`);
    if (e.seq < expected) return bad(e.seq, "reordered", `an entry with key ${e.seq} is out of place`);
    let rec: AuditRecord;
    let parts: { canonical: Buffer; mac: Buffer };
    try {
      parts = splitEntry(e.value);
      rec = decodeRecord(parts.canonical);
    } catch (err) {
      return bad(e.seq, "altered", `record ${e.seq} does not decode (${err instanceof Error ? err.message : String(err)})`);
    }
    if (rec.seq !== e.seq) return bad(e.seq, "reordered", `the record stored as ${e.seq} says it is ${rec.seq}`);
    if (!timingSafeEqual(recordMac(key, prevMac, parts.canonical), parts.mac)) {
      const hint = e.seq === 1 ? "; or this is not the master key that wrote the trail" : "";
      return bad(e.seq, "altered", `record ${e.seq} does not match its MAC (altered${hint})`);
    }
    checked++;
    prevMac = parts.mac;
    expected++;
  }
  const last = expected - 1;
  if (head === undefined) {
    if (last > 0) return bad(last, "altered", "records exist but the head record is missing");
    return { ok: true, checked };
  }
  if (!head.authentic) return bad(head.seq, "altered", "the head record does not match its MAC");
  if (head.seq > last) return bad(last + 1, "truncated", `the head says ${head.seq} records were written; the chain ends at ${last}`);
  if (head.seq < last) return bad(head.seq + 1, "altered", `records after ${head.seq} are not covered by the head`);
  if (!timingSafeEqual(head.mac, prevMac)) return bad(last, "altered", `record ${last} is not the one the head names`);
  return { ok: true, checked, headSeq: head.seq };
}
