/**
 * The KMIP engine as `kmipd serve` runs it: the LMDB store in the data dir, the master key, the
 * database key provider (issue 6 adds PKCS#11), the object repository and the batch executor.
 * This is the one place the concrete adapters are chosen.
 */
import { join } from "node:path";
import { ChainedAuditLog, JsonlMirror, deriveAuditKey } from "../audit/index.js";
import type { KmipdConfig } from "../config/index.js";
import { createDatabaseKeyProvider } from "../keys/database/index.js";
import { loadMasterKey } from "../keys/master-key.js";
import { INFORMATIONAL_ATTRIBUTES } from "../model/index.js";
import { ObjectRepository } from "../operations/repository.js";
import { openLmdbStore } from "../store/lmdb/index.js";
import { createAuditHook } from "./audit-hook.js";
import { createExecutor } from "./executor.js";
import type { MessageHandler } from "./handler.js";
import type { Logger } from "./log.js";
import type { AdminServices, HealthProbe } from "./admin/types.js";
import type { OperationObserver } from "./metrics.js";

export interface Engine {
  readonly handler: MessageHandler;
  /** What the admin API serves from this engine (more as tenancy and KMS land) and /healthz probes. */
  readonly admin: AdminServices;
  readonly probes: readonly HealthProbe[];
  close(): Promise<void>;
}

/** Observers the engine passes to its parts (metrics.ts). */
export interface EngineHooks {
  readonly observe?: OperationObserver;
}

export const SERVER_VERSION = "0.1.0";

export async function createEngine(config: KmipdConfig, log: Logger, env: Readonly<Record<string, string | undefined>> = process.env, hooks: EngineHooks = {}): Promise<Engine> {
  const store = await openLmdbStore(join(config.server.dataDir, "store"));
  let audit: ChainedAuditLog | undefined;
  try {
    const master = await loadMasterKey({ dataDir: config.server.dataDir, env, store });
    if (master.created) log.info({ path: master.path }, "created a new master key file (mode 0600); back it up: without it no key can be recovered");
    const keys = createDatabaseKeyProvider({ store, masterKey: master.key });
    // Fail at startup, not on the first request, if the master key cannot open the stored KEK.
    await keys.unwrap(await keys.currentKek(), await keys.wrap(await keys.currentKek(), new Uint8Array(8)));
    // The audit trail lives in the same LMDB environment, keyed from the master key; a trail
    // whose head does not authenticate is refused here rather than failing every request.
    const mirror = config.audit.jsonlPath === undefined ? undefined : await JsonlMirror.open(config.audit.jsonlPath);
    audit = new ChainedAuditLog({ storage: store.audit, key: deriveAuditKey(master.key), ...(mirror ? { mirror } : {}) });
    audit.checkHead();
    const handler = createExecutor({
      objects: new ObjectRepository(store, keys),
      settings: {
        defaultKeyBits: 256,
        maxLocateItems: 1000,
        leaseTimeSec: config.kms.leaseTimeSec,
        vendorIdentification: "kmipd",
        serverVersion: SERVER_VERSION,
        quietAttributes: config.compat.completeGetAttributes ? new Set() : INFORMATIONAL_ATTRIBUTES,
      },
      limits: {
        maxMessageSize: config.limits.maxMessageSize,
        maxDepth: config.limits.maxDepth,
        maxItems: config.limits.maxItems,
        maxBatchItems: config.limits.maxBatchItems,
      },
      log,
      audit: createAuditHook(audit, log),
      ...(hooks.observe ? { observe: hooks.observe } : {}),
    });
    const storeProbe: HealthProbe = { name: "store", critical: true, check: async () => (readable(() => store.latestKek("kmipd-health")) ? "ok" : "unavailable") };
    return {
      handler,
      admin: { audit },
      probes: [storeProbe],
      async close() {
        await audit?.close();
        await keys.close();
        await store.close();
      },
    };
  } catch (e) {
    await audit?.close();
    await store.close();
    throw e;
  }
}

function readable(read: () => unknown): boolean {
  try {
    read();
    return true;
  } catch {
    return false;
  }
}
