/** KMIP XML, JSON and text renderings of TTLV trees (Additional Message Encodings 1.0; Profiles 2.1 §5.4–5.5). */
export { XmlEncodingError, JsonEncodingError } from "./errors.js";
export {
  xmlToNodes, xmlElementToNode, nowPlaceholders, CONTAINER_ROOTS,
  type XmlReadOptions, type XmlReadResult, type PlaceholderResolver, type PrimitiveValue,
} from "./xml-read.js";
export { nodeToXml, nodesToXmlDocument, type XmlWriteOptions } from "./xml-write.js";
export { nodeToJson, jsonToNode, type JsonItem, type JsonValue, type JsonOptions, type JsonReadOptions } from "./json.js";
export { nodeToText, hasSecrets, SECRET_TAGS, type TextOptions } from "./text.js";
export { messageVersion } from "./context.js";
export { formatIsoDateTime, parseIsoDateTime, nowPlaceholderOffset } from "./values.js";
