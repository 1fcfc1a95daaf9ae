/** Decrypt (1.4 §4.30, 2.1 §6.1.14): data under a managed key; see crypto/encryption.ts. */
import type { OperationHandler } from "./context.js";
import { runCipher } from "./crypto/encryption.js";

export const decrypt: OperationHandler = (p, ctx) => runCipher(p, ctx, true);
