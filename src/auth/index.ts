export * from "./types.js";
export * from "./directory.js";
export * from "./credentials.js";
