/** Hex helpers for fixtures and the CLI: whitespace, `0x` and `|` separators are ignored. */
export function parseHex(text: string): Buffer {
  const clean = text.replace(/0x/gi, "").replace(/[\s|:_-]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error("not a hex string");
  return Buffer.from(clean, "hex");
}

export function toHex(buf: Uint8Array): string {
  return Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString("hex");
}
