export * from "./versions.js";
export * from "./names.js";
export * from "./tables.js";
export * from "./registry.js";
