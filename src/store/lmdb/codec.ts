/**
 * The value formats of the LMDB store: a small explicit binary layout, no msgpack, no TTLV.
 * All integers are big-endian; a "str" is u32 byte length + UTF-8, "bytes" is u32 length + raw.
 *
 * Object record (sub-database "objects", key = uid as UTF-8), format 1:
 *   u8 format=1 · u32 revision · str owner · u32 termCount · termCount × str term · bytes body ·
 *   u8 hasMaterial · [str kekId · u32 kekVersion · str algorithm · bytes blob]
 *
 * KEK record (sub-database "keks"), format 1:
 *   u8 format=1 · str id · u32 version · f64 createdAt · bytes wrapped
 *
 * The store never interprets `body` or `blob`: they are copied in and out as opaque bytes.
 */
import type { KekRecord, ObjectRecord, WrappedMaterial } from "../types.js";

export const RECORD_FORMAT = 1;
export const KEK_FORMAT = 1;

/** Lone UTF-16 surrogates cannot round-trip through UTF-8; such strings are refused. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function utf8Bytes(s: string, what: string): Buffer {
  if (LONE_SURROGATE.test(s)) throw new TypeError(`${what} contains a lone UTF-16 surrogate`);
  return Buffer.from(s, "utf8");
}

function checkU32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`${what} must be an integer in 0..2^32-1, got ${n}`);
  return n;
}

/** Appends to one growing buffer. */
class Writer {
  private buf = Buffer.allocUnsafe(512);
  private pos = 0;
  private room(n: number): number {
    if (this.pos + n > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(n: number): this {
    const at = this.room(1); // grow first: `this.buf` may be replaced
    this.buf[at] = n;
    return this;
  }
  u32(n: number): this {
    const at = this.room(4);
    this.buf.writeUInt32BE(n, at);
    return this;
  }
  f64(n: number): this {
    const at = this.room(8);
    this.buf.writeDoubleBE(n, at);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.u32(b.length);
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  str(s: string, what: string): this {
    return this.bytes(utf8Bytes(s, what));
  }
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class CorruptRecordError extends Error {
  override readonly name = "CorruptRecordError";
}

class Reader {
  private pos = 0;
  private readonly view: DataView;
  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  private need(n: number): number {
    const at = this.pos;
    if (at + n > this.buf.length) throw new CorruptRecordError(`record truncated at byte ${at}`);
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u32(): number {
    return this.view.getUint32(this.need(4));
  }
  f64(): number {
    return this.view.getFloat64(this.need(8));
  }
  /**
   * A copy, as a plain Uint8Array: LMDB's buffer may be reused, or (for large values) map the
   * database file directly, so nothing handed out may point into it.
   */
  bytes(): Uint8Array {
    const len = this.u32();
    const at = this.need(len);
    const out = new Uint8Array(len);
    out.set(this.buf.subarray(at, at + len));
    return out;
  }
  str(): string {
    const len = this.u32();
    const at = this.need(len);
    return Buffer.from(this.buf.buffer, this.buf.byteOffset + at, len).toString("utf8");
  }
  end(): void {
    if (this.pos !== this.buf.length) throw new CorruptRecordError(`${this.buf.length - this.pos} trailing bytes in record`);
  }
}

export function encodeRecord(rec: ObjectRecord): Buffer {
  const w = new Writer().u8(RECORD_FORMAT).u32(checkU32(rec.revision, "revision")).str(rec.owner, "owner");
  w.u32(rec.terms.length);
  for (const t of rec.terms) w.str(t, "term");
  w.bytes(rec.body);
  const m = rec.material;
  if (m) {
    w.u8(1).str(m.kekId, "kekId").u32(checkU32(m.kekVersion, "kekVersion")).str(m.algorithm, "algorithm").bytes(m.blob);
  } else {
    w.u8(0);
  }
  return w.finish();
}

export function decodeRecord(uid: string, buf: Uint8Array): ObjectRecord {
  const r = new Reader(buf);
  const format = r.u8();
  if (format !== RECORD_FORMAT) throw new CorruptRecordError(`object ${uid}: unknown record format ${format}`);
  const revision = r.u32();
  const owner = r.str();
  const n = r.u32();
  if (n > buf.length) throw new CorruptRecordError(`object ${uid}: term count ${n} exceeds record size`);
  const terms: string[] = [];
  for (let i = 0; i < n; i++) terms.push(r.str());
  const body = r.bytes();
  let material: WrappedMaterial | undefined;
  const has = r.u8();
  if (has === 1) {
    const kekId = r.str();
    const kekVersion = r.u32();
    const algorithm = r.str();
    if (algorithm !== "AES-KWP") throw new CorruptRecordError(`object ${uid}: unknown wrapping algorithm`);
    material = { kekId, kekVersion, algorithm, blob: r.bytes() };
  } else if (has !== 0) {
    throw new CorruptRecordError(`object ${uid}: bad material flag ${has}`);
  }
  r.end();
  return material ? { uid, owner, body, material, terms, revision } : { uid, owner, body, terms, revision };
}

export function encodeKek(rec: KekRecord): Buffer {
  return new Writer()
    .u8(KEK_FORMAT)
    .str(rec.id, "KEK id")
    .u32(checkU32(rec.version, "KEK version"))
    .f64(rec.createdAt)
    .bytes(rec.wrapped)
    .finish();
}

export function decodeKek(buf: Uint8Array): KekRecord {
  const r = new Reader(buf);
  const format = r.u8();
  if (format !== KEK_FORMAT) throw new CorruptRecordError(`unknown KEK record format ${format}`);
  const id = r.str();
  const version = r.u32();
  const createdAt = r.f64();
  const wrapped = r.bytes();
  r.end();
  return { id, version, createdAt, wrapped };
}
