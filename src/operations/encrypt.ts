/** Encrypt (1.4 §4.29, 2.1 §6.1.17): data under a managed key; see crypto/encryption.ts. */
import type { OperationHandler } from "./context.js";
import { runCipher } from "./crypto/encryption.js";

export const encrypt: OperationHandler = (p, ctx) => runCipher(p, ctx, false);
