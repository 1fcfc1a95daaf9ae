export * from "./types.js";
export { AUDIT_KDF_INFO, AuditFormatError, deriveAuditKey, verifyChain } from "./chain.js";
export { ChainedAuditLog, type ChainedAuditLogOptions } from "./log.js";
export { JsonlMirror } from "./mirror.js";
