export * from "./types.js";
export * from "./directory.js";
