/**
 * The audit trail's storage in the LMDB environment (the AuditStorage port of ../types.ts):
 *
 *   audit      u64 seq (big-endian)  → entry bytes (encoded and MACed by src/audit/)
 *   auditmeta  "head"                → head bytes (last seq and MAC, with its own MAC)
 *
 * Big-endian keys make LMDB's byte order the seq order, so a cursor walks the chain. An append is
 * one child transaction that reads the head and writes entries + head; lmdb-js runs transaction
 * callbacks one at a time, so concurrent appends are serialized and never fork the chain.
 */
import type { Database, RootDatabase } from "lmdb";
import type { AuditAppend, AuditEntry, AuditStorage } from "../types.js";

type Db = Database<Buffer, Buffer>;

const HEAD_KEY = Buffer.from("head");

export function seqKey(seq: number): Buffer {
  if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`audit seq must be a positive safe integer, got ${seq}`);
  const k = Buffer.allocUnsafe(8);
  k.writeBigUInt64BE(BigInt(seq));
  return k;
}

function seqFromKey(k: Buffer): number {
  // A key that is not 8 bytes is not ours: report it as seq 0, which verify names as out of place.
  return k.length === 8 ? Number(k.readBigUInt64BE(0)) : 0;
}

export class LmdbAuditStorage implements AuditStorage {
  constructor(
    private readonly root: RootDatabase<Buffer, Buffer>,
    private readonly entries: Db,
    private readonly meta: Db,
  ) {}

  async appendAudit(build: AuditAppend): Promise<void> {
    await this.entries.childTransaction(() => this.appendSync(build));
    await this.root.flushed;
  }

  /**
   * The body of an append, for a caller already inside a write transaction of this environment:
   * what lets the object store commit audit entries with object writes (see docs/AUDIT.md).
   */
  appendSync(build: AuditAppend): void {
    const head = this.meta.get(HEAD_KEY);
    const w = build(head === undefined ? undefined : Buffer.from(head));
    for (const e of w.entries) {
      const key = seqKey(e.seq);
      // Append-only: an existing seq is never overwritten, whatever the caller computed.
      if (this.entries.doesExist(key)) throw new Error(`audit seq ${e.seq} already exists`);
      this.entries.putSync(key, Buffer.from(e.value));
    }
    this.meta.putSync(HEAD_KEY, Buffer.from(w.head));
  }

  auditHead(): Uint8Array | undefined {
    const h = this.meta.get(HEAD_KEY);
    return h === undefined ? undefined : Buffer.from(h);
  }

  auditEntries(opts: { readonly start?: number; readonly reverse?: boolean } = {}): Iterable<AuditEntry> {
    const range = opts.start === undefined ? { reverse: opts.reverse === true } : { start: seqKey(opts.start), reverse: opts.reverse === true };
    // Copies: lmdb-js reuses its read buffer between iterations.
    return this.entries.getRange(range).map(({ key, value }) => ({ seq: seqFromKey(key), value: Buffer.from(value) }));
  }
}
