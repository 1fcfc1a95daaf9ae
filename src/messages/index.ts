export * from "./errors.js";
export * from "./reader.js";
export * from "./protocol.js";
export * from "./request.js";
export * from "./response.js";
