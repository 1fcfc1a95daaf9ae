/**
 * Unique Identifiers in the UUIDv7 layout (RFC 9562 §5.7), text form "xxxxxxxx-xxxx-7xxx-yxxx-…":
 *
 *   48 bits Unix milliseconds · 4 bits version 7 · 12 bits counter · 2 bits variant · 62 bits random
 *
 * The 12-bit field is a per-millisecond counter (RFC 9562 §6.2 method 1) that starts at a random
 * value below 2048 each new millisecond, so ids made by one process are strictly increasing; when
 * the counter runs out, or the clock steps back, the timestamp is carried forward instead. Ids of
 * different processes or runs are kept apart by the 62 random bits. Lower-case hex text of a
 * UUIDv7 sorts like its timestamp, so LMDB inserts of new objects land at the end of the B-tree.
 */
import { randomFillSync } from "node:crypto";

const POOL_SIZE = 4096;

export class UidGenerator {
  private lastMs = -1;
  private counter = 0;
  private readonly pool = Buffer.alloc(POOL_SIZE);
  private poolPos = POOL_SIZE;

  constructor(private readonly now: () => number = Date.now) {}

  next(): string {
    let ms = Math.max(Math.floor(this.now()), 0);
    if (ms > this.lastMs) {
      this.lastMs = ms;
      this.counter = this.random(2) & 0x7ff;
    } else {
      ms = this.lastMs;
      this.counter++;
      if (this.counter > 0xfff) {
        ms = ++this.lastMs;
        this.counter = this.random(2) & 0x7ff;
      }
    }
    const b = Buffer.allocUnsafe(16);
    b.writeUIntBE(ms, 0, 6);
    b.writeUInt16BE(0x7000 | this.counter, 6);
    this.randomInto(b, 8, 8);
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = b.toString("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  private random(n: number): number {
    this.refill(n);
    const v = this.pool.readUIntBE(this.poolPos, n);
    this.poolPos += n;
    return v;
  }

  private randomInto(target: Buffer, at: number, n: number): void {
    this.refill(n);
    this.pool.copy(target, at, this.poolPos, this.poolPos + n);
    this.pool.fill(0, this.poolPos, this.poolPos + n);
    this.poolPos += n;
  }

  private refill(n: number): void {
    if (this.poolPos + n > POOL_SIZE) {
      randomFillSync(this.pool);
      this.poolPos = 0;
    }
  }
}

/** The millisecond timestamp a uid of this layout carries (for tests and diagnostics). */
export function uidTimestamp(uid: string): number {
  return parseInt(uid.slice(0, 8) + uid.slice(9, 13), 16);
}
