/**
 * Binary keys of the LMDB sub-databases. LMDB keys are limited (lmdb-js: 1,978 bytes), so every
 * variable-length string that goes into a key is a bounded "component":
 *
 *   literal (≤ 256 UTF-8 bytes):  0x00 · u16 length · bytes
 *   hashed  (>  256 UTF-8 bytes):  0x01 · u16 length (=256) · first 224 bytes · SHA-256(all bytes)
 *
 * The tag byte keeps a hashed component from ever equalling a literal one, and the length prefix
 * makes a concatenation of components parse one way only, so "all keys starting with
 * component(owner) · component(term)" are exactly that owner's entries for that term.
 * Uids are appended raw (UTF-8, at most MAX_UID_BYTES); valid UTF-8 never contains 0xFF, so
 * `prefix · 0xFF` is an upper bound for a prefix range.
 */
import { createHash } from "node:crypto";
import { utf8Bytes } from "./codec.js";

export const LITERAL_MAX = 256;
const HASHED_PREFIX = 224;
export const MAX_UID_BYTES = 512;

function component(s: string, what: string): Buffer {
  const bytes = utf8Bytes(s, what);
  if (bytes.length <= LITERAL_MAX) {
    const out = Buffer.allocUnsafe(3 + bytes.length);
    out[0] = 0x00;
    out.writeUInt16BE(bytes.length, 1);
    out.set(bytes, 3);
    return out;
  }
  const digest = createHash("sha256").update(bytes).digest();
  const out = Buffer.allocUnsafe(3 + HASHED_PREFIX + digest.length);
  out[0] = 0x01;
  out.writeUInt16BE(HASHED_PREFIX + digest.length, 1);
  out.set(bytes.subarray(0, HASHED_PREFIX), 3);
  out.set(digest, 3 + HASHED_PREFIX);
  return out;
}

/** The primary key of an object; undefined when the uid cannot be one (too long, ill-formed). */
export function uidKeyOrUndefined(uid: string): Buffer | undefined {
  try {
    return uidKey(uid);
  } catch {
    return undefined;
  }
}

export function uidKey(uid: string): Buffer {
  const bytes = utf8Bytes(uid, "uid");
  if (bytes.length === 0 || bytes.length > MAX_UID_BYTES) throw new RangeError(`uid must be 1..${MAX_UID_BYTES} UTF-8 bytes, got ${bytes.length}`);
  return bytes;
}

/** component(owner) · component(term): the key of a term counter, the prefix of term entries. */
export function termPrefix(owner: string, term: string): Buffer {
  return Buffer.concat([component(owner, "owner"), component(term, "term")]);
}

export function ownerPrefix(owner: string): Buffer {
  return component(owner, "owner");
}

export function withUid(prefix: Buffer, uid: Buffer): Buffer {
  return Buffer.concat([prefix, uid]);
}

/** Range bounds for "keys under `prefix`, after `afterUid`" (exclusive start). */
export function prefixRange(prefix: Buffer, afterUid?: string): { start: Buffer; end: Buffer; exclusiveStart: boolean } {
  const end = Buffer.concat([prefix, Buffer.of(0xff)]);
  if (afterUid === undefined) return { start: prefix, end, exclusiveStart: false };
  // A uid key is at most MAX_UID_BYTES long, so cutting `afterUid` to one byte more keeps
  // "uid > afterUid" unchanged for every stored uid while bounding the key size.
  const after = utf8Bytes(afterUid, "afterUid").subarray(0, MAX_UID_BYTES + 1);
  return { start: Buffer.concat([prefix, after]), end, exclusiveStart: true };
}

export function uidFromKey(key: Buffer, prefixLength: number): string {
  return key.toString("utf8", prefixLength);
}

export function kekPrefix(id: string): Buffer {
  return component(id, "KEK id");
}

export function kekKey(id: string, version: number): Buffer {
  const v = Buffer.allocUnsafe(4);
  v.writeUInt32BE(version);
  return Buffer.concat([kekPrefix(id), v]);
}

export function encodeCount(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n);
  return b;
}

export function decodeCount(b: Uint8Array | undefined): number {
  if (!b || b.length !== 4) return 0;
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
}
