/** The CLI's view of the outside world, so commands can be run in-process by tests. */
import type { Readable } from "node:stream";

export interface CliIo {
  readonly stdin: Readable;
  readonly stdout: (s: string | Uint8Array) => unknown;
  readonly stderr: (s: string) => unknown;
}

/** Reads all of a stream, refusing more than `limit` bytes so a runaway pipe cannot exhaust memory. */
export async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    total += b.length;
    if (total > limit) throw new CliError(`input is larger than ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** An error meant for the operator: printed as `kmipd: <message>`, exit status 2. */
export class CliError extends Error {
  override readonly name = "CliError";
}
