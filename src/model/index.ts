export * from "./attributes.js";
export * from "./attribute-rules.js";
export * from "./object.js";
export * from "./state.js";
