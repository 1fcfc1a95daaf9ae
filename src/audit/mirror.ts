/**
 * The optional JSON-lines mirror of the audit trail (setting audit.jsonl_path): one JSON object
 * per record, appended (O_APPEND, mode 0600) after the record is durable in LMDB, for log
 * shippers. fsync policy: each append is one write(2) before the request is answered, so a
 * process crash loses nothing; the file is fdatasync'ed on close only, so an OS crash or power
 * loss can lose the last lines. LMDB stays the record of truth (`kmipd audit list --json`
 * regenerates the lines, and every line carries its seq, so a gap is visible).
 */
import { open, type FileHandle } from "node:fs/promises";
import type { AuditRecord } from "./types.js";

export class JsonlMirror {
  /** Writes are chained so lines leave in the order appends completed. */
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly fh: FileHandle,
  ) {}

  static async open(path: string): Promise<JsonlMirror> {
    const fh = await open(path, "a", 0o600);
    return new JsonlMirror(path, fh);
  }

  /** Appends one line per record (with its MAC in hex, so a copy can be checked against the chain). */
  write(records: readonly (AuditRecord & { readonly mac: Uint8Array })[]): Promise<void> {
    const text = records.map(({ mac, ...r }) => JSON.stringify({ ...r, mac: Buffer.from(mac).toString("hex") }) + "\n").join("");
    const next = this.tail.then(async () => {
      await this.fh.appendFile(text, "utf8");
    });
    this.tail = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    // Pipes and devices (a FIFO to a shipper, /dev/stdout) cannot be synced: that is no failure.
    await this.fh.datasync().catch(() => undefined);
    await this.fh.close();
  }
}
