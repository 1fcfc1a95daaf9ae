/** Every malformation the codec detects has its own code; callers never see another exception. */
export type TtlvErrorCode =
  | "TRUNCATED_HEADER" // fewer than 8 bytes where a header must be
  | "TRUNCATED_VALUE" // the header promises more bytes than the message holds
  | "MESSAGE_TOO_LARGE" // the header claims more than maxMessageSize
  | "CHILD_OVERRUN" // a child extends past the end of its parent structure
  | "STRUCTURE_LENGTH_MISMATCH" // a structure's length does not end on a child boundary
  | "DEPTH_EXCEEDED" // nesting deeper than maxDepth
  | "TOO_MANY_ITEMS" // more items than maxItems
  | "UNKNOWN_TYPE" // an item type byte the codec does not know
  | "BAD_LENGTH" // a fixed-size type with the wrong length
  | "BAD_BOOLEAN" // a Boolean other than 0 or 1
  | "NONZERO_PADDING" // padding bytes that are not zero
  | "INVALID_UTF8" // a Text String that is not valid UTF-8
  | "TRAILING_BYTES" // bytes after the root item
  | "INVALID_VALUE"; // encoder: a value out of range for its type

export class TtlvError extends Error {
  override readonly name = "TtlvError";
  constructor(
    readonly code: TtlvErrorCode,
    message: string,
    /** Byte offset in the message where the problem was found, when known. */
    readonly offset?: number,
  ) {
    super(offset === undefined ? `${code}: ${message}` : `${code} at byte ${offset}: ${message}`);
  }
}

export function isTtlvError(e: unknown): e is TtlvError {
  return e instanceof TtlvError;
}
