/** Errors of the XML and JSON encodings: every one names where in the input it happened. */

export class XmlEncodingError extends Error {
  override readonly name = "XmlEncodingError";
  constructor(
    readonly reason: string,
    /** Element path, e.g. `/KMIP/RequestMessage[2]/BatchItem/Operation`; "" when unknown. */
    readonly path: string,
    /** 1-based line of the element (or of the parse error) in the input, when reading. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${reason}${path ? ` at ${path}` : ""}${line === undefined ? "" : ` (line ${line}${column === undefined ? "" : `, column ${column}`})`}`);
  }
}

export class JsonEncodingError extends Error {
  override readonly name = "JsonEncodingError";
  constructor(
    readonly reason: string,
    /** Item path, e.g. `/RequestMessage/BatchItem[1]/Operation`. */
    readonly path: string,
  ) {
    super(`${reason}${path ? ` at ${path}` : ""}`);
  }
}

/** A value-level problem; the caller turns it into an XmlEncodingError or JsonEncodingError with its position. */
export class ValueError extends Error {
  override readonly name = "ValueError";
}
