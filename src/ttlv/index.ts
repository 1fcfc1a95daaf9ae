export * from "./types.js";
export * from "./errors.js";
export * from "./nodes.js";
export { decodeTtlv, readHeader, itemSize, paddedLength, checkRootHeader, type ItemHeader } from "./decode.js";
export { encodeTtlv, bigIntegerBytes } from "./encode.js";
export { TtlvFramer, type FramerOptions } from "./framer.js";
export { parseHex, toHex } from "./hex.js";
