export * from "./versions.js";
export * from "./names.js";
export * from "./tables.js";
export * from "./registry.js";
// Typed constants for code: `Tag.RequestMessage`, `ResultReason.ItemNotFound`, `Enums.State.Active`.
export * from "./generated/constants.js";
