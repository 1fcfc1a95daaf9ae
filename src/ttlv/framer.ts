/**
 * Framer: a byte stream in, whole TTLV messages out, whatever the chunking.
 *
 * The 8-byte header is checked against the limits as soon as it is complete — before any of the
 * body is buffered — so a peer claiming a 4 GiB message costs us 8 bytes, not 4 GiB.
 * After an error the framer is poisoned: the connection's byte stream has lost its framing and
 * the only safe thing left is to close it.
 */
import { TtlvError } from "./errors.js";
import { checkRootHeader, itemSize, readHeader } from "./decode.js";
import { DEFAULT_LIMITS, HEADER_SIZE, ItemType } from "./types.js";

/** Chunks are merged while the result stays this small (see coalesceTail). */
const COALESCE_BELOW = 4096;

export interface FramerOptions {
  readonly maxMessageSize: number;
  /** KMIP messages are Structures; anything else at the root is broken framing. */
  readonly requireStructure: boolean;
}

export class TtlvFramer {
  private readonly opts: FramerOptions;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Size of the message whose header has been read, or undefined while waiting for a header. */
  private expected: number | undefined;
  private failed: TtlvError | undefined;

  constructor(opts: Partial<FramerOptions> = {}) {
    this.opts = { maxMessageSize: DEFAULT_LIMITS.maxMessageSize, requireStructure: true, ...opts };
  }

  /** Bytes held while waiting for the rest of a message. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /**
   * Feeds a chunk; returns every message it completes (possibly none, possibly several).
   * Large chunks are kept by reference until their message completes, so the caller must not
   * reuse the chunk's memory (Node sockets hand out a fresh buffer per 'data' event).
   */
  push(chunk: Uint8Array): Buffer[] {
    if (this.failed) throw this.failed;
    if (chunk.length > 0) {
      this.chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
      this.buffered += chunk.length;
      this.coalesceTail();
    }
    const out: Buffer[] = [];
    try {
      for (;;) {
        if (this.expected === undefined) {
          if (this.buffered < HEADER_SIZE) break;
          this.expected = this.checkHeader(this.peek(HEADER_SIZE));
        }
        if (this.buffered < this.expected) break;
        out.push(this.take(this.expected));
        this.expected = undefined;
      }
    } catch (e) {
      this.failed = e instanceof TtlvError ? e : new TtlvError("TRUNCATED_HEADER", String(e));
      this.chunks = [];
      this.buffered = 0;
      throw this.failed;
    }
    return out;
  }

  /** Call at end of stream: a partial message left over is an error. */
  end(): void {
    if (this.failed) throw this.failed;
    if (this.buffered > 0) {
      throw new TtlvError(this.buffered < HEADER_SIZE ? "TRUNCATED_HEADER" : "TRUNCATED_VALUE", `stream ended with ${this.buffered} bytes of an unfinished message`);
    }
  }

  private checkHeader(headerBytes: Buffer): number {
    const h = readHeader(headerBytes, 0);
    checkRootHeader(h, { ...DEFAULT_LIMITS, maxMessageSize: this.opts.maxMessageSize });
    if (this.opts.requireStructure && h.type !== ItemType.Structure) {
      throw new TtlvError("UNKNOWN_TYPE", `a message must be a Structure, got type byte 0x${h.type.toString(16)}`, 3);
    }
    if (h.type === ItemType.Structure && h.length % 8 !== 0) {
      throw new TtlvError("STRUCTURE_LENGTH_MISMATCH", `structure length ${h.length} is not a multiple of 8`, 4);
    }
    return itemSize(h);
  }

  /**
   * Merges small chunks at the tail, binary-counter style, so a peer trickling a message a byte at
   * a time costs O(log n) copies per byte and one Buffer object per ~4 KiB, not one per byte.
   */
  private coalesceTail(): void {
    const c = this.chunks;
    while (c.length > 1) {
      const prev = c[c.length - 2]!;
      const last = c[c.length - 1]!;
      if (prev.length > last.length || prev.length + last.length > COALESCE_BELOW) break;
      c.splice(c.length - 2, 2, Buffer.concat([prev, last]));
    }
  }

  /** The first n buffered bytes, without consuming them. */
  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!.subarray(0, n);
  }

  /** Removes and returns the first n buffered bytes as one buffer of its own. */
  private take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let used = 0; // whole chunks consumed; removed in one splice, as shift() per chunk is quadratic
    while (filled < n) {
      const c = this.chunks[used]!;
      const want = n - filled;
      if (c.length <= want) {
        c.copy(out, filled);
        filled += c.length;
        used++;
      } else {
        c.copy(out, filled, 0, want);
        this.chunks[used] = c.subarray(want);
        filled += want;
      }
    }
    this.chunks.splice(0, used);
    this.buffered -= n;
    return out;
  }
}
