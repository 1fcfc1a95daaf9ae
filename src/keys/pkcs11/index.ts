export { createPkcs11KeyProvider, DEFAULT_WRAP_MECHANISM, type Pkcs11KeyProvider, type Pkcs11ProviderOptions } from "./provider.js";
export { kekObjectId } from "./keks.js";
export type { Pkcs11Api } from "./module.js";
