/**
 * The blob format. A DEK whose length is a multiple of 8 is stored as the plain RFC 5649 blob the
 * HSM returns. Other lengths are a problem on SoftHSM 2.6: it zero-pads the key to 8 bytes before
 * wrapping and then unwraps the padded length (stack-check P10), so the true length would be lost.
 * With `padOddLengths`, such a DEK is padded by us, ISO/IEC 7816-4 style (0x80 then zeros), to a
 * multiple of 8 and the blob gets a one-byte FRAMED marker in front. RFC 5649 blobs are always a
 * multiple of 8 long, so the marker makes the two forms impossible to confuse.
 */
import { KeyProviderError } from "../types.js";

export const FRAMED = 0x01;
/** KMIP key material is far below this; it bounds the buffers we allocate. */
export const MAX_DEK_BYTES = 1 << 20;

export interface Framed {
  readonly framed: boolean;
  /** What goes into the HSM: the DEK itself or its padded copy (zero it after use). */
  readonly data: Buffer;
}

export function frameDek(dek: Uint8Array, padOddLengths: boolean): Framed {
  if (dek.length < 1 || dek.length > MAX_DEK_BYTES) throw new KeyProviderError(`a DEK must be 1..${MAX_DEK_BYTES} bytes, got ${dek.length}`);
  if (dek.length % 8 === 0 || !padOddLengths) return { framed: false, data: Buffer.from(dek) };
  const data = Buffer.alloc(dek.length + 8 - (dek.length % 8));
  data.set(dek);
  data[dek.length] = 0x80;
  return { framed: true, data };
}

/** Split a stored blob into its RFC 5649 part and whether it is framed. */
export function parseBlob(blob: Uint8Array): { framed: boolean; wrapped: Buffer } {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const framed = b.length % 8 === 1 && b[0] === FRAMED;
  const wrapped = framed ? b.subarray(1) : b;
  if (wrapped.length < 16 || wrapped.length % 8 !== 0 || wrapped.length > MAX_DEK_BYTES + 16) throw new KeyProviderError(`not a wrapped DEK (${b.length} bytes)`);
  return { framed, wrapped };
}

export function storeBlob(framed: boolean, wrapped: Buffer): Buffer {
  return framed ? Buffer.concat([Buffer.of(FRAMED), wrapped]) : Buffer.from(wrapped);
}

/** Remove our padding; anything malformed is an integrity failure (and the buffer is wiped). */
export function unframeDek(padded: Buffer): Buffer {
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 0x80 || padded.length - end > 8) {
    padded.fill(0);
    throw new KeyProviderError("unwrap failed: integrity check failed (bad padding)");
  }
  const dek = Buffer.from(padded.subarray(0, end));
  padded.fill(0);
  return dek;
}
