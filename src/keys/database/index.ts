export { createDatabaseKeyProvider, DB_KEK_ID, type DatabaseKeyProviderOptions } from "./provider.js";
export { kwpUnwrap, kwpWrap } from "./kwp.js";
