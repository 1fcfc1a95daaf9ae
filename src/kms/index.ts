export * from "./types.js";
export { UnwrappedCache, type CacheSettings } from "./cache.js";
export { DATABASE_PROFILE, HsmProfileService, type HsmProfileServiceOptions, type Pkcs11Settings } from "./profiles.js";
export { KmsKeyService, LEGACY_KEK_ID, type KmsKeyServiceOptions } from "./keys.js";
export { MASK, PROFILE_SECRETS_INFO, isSecretField } from "./secrets.js";
