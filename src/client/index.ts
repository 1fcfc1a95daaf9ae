export { KmipClient, KmipRequestError, type BatchItemRequest, type BatchItemResult, type GetResult } from "./client.js";
export { KmipConnection, type ConnectOptions } from "./connection.js";
export { attributesNode, readAttrs, type ClientAttr } from "./attributes.js";
export * from "./credential.js";
