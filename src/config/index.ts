export * from "./schema.js";
export { ConfigError, configFrom, defaultConfig, loadConfig, type LoadOptions } from "./load.js";
