/**
 * The KMIP engine as `kmipd serve` runs it: the LMDB store in the data dir, the master key, the
 * directory (tenancy), HSM profiles and KMS keys (the KEK router), the unwrapped-content cache,
 * the object repository and the batch executor. This is the one place the concrete adapters are
 * chosen; the admin plane gets the same service instances from the Engine.
 */
import { catalogConstraintStore } from "./constraint-store.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ChainedAuditLog, JsonlMirror, deriveAuditKey } from "../audit/index.js";
import type { KmipdConfig } from "../config/index.js";
import { CatalogDirectory, DEFAULT_DOMAIN, DEFAULT_ZONE } from "../auth/directory.js";
import { BOOTSTRAP_ADMIN } from "../auth/types.js";
import { CredentialVerifier } from "../auth/credentials.js";
import { createDatabaseKeyProvider } from "../keys/database/index.js";
import type { Pkcs11ProviderOptions } from "../keys/pkcs11/index.js";
import { HsmProfileService, KmsKeyService, UnwrappedCache } from "../kms/index.js";
import { loadMasterKey } from "../keys/master-key.js";
import { INFORMATIONAL_ATTRIBUTES } from "../model/index.js";
import { ObjectRepository } from "../operations/repository.js";
import { RewrapDaemon } from "../rewrap/index.js";
import { openLmdbStore } from "../store/lmdb/index.js";
import { createAuditHook } from "./audit-hook.js";
import { MessageAudit } from "./write-audit.js";
import { createExecutor } from "./executor.js";
import type { MessageHandler } from "./handler.js";
import type { Logger } from "./log.js";
import type { AdminServices, HealthProbe } from "./admin/types.js";
import type { HsmCallObserver, OperationObserver } from "./metrics.js";
import { createObjectInspector } from "./object-inspector.js";
import { DEV_ADMIN_NAME, DEV_CLIENT_NAME, devPkiPaths } from "./pki.js";

export interface Engine {
  readonly handler: MessageHandler;
  /** What the admin API serves (the same service instances as below) and the /healthz probes. */
  readonly admin: AdminServices;
  /** The current probes: the store, and one per HSM profile (reported, not critical). */
  readonly probes: () => readonly HealthProbe[];
  /** Accounts and principal mappings (auth/Directory). */
  readonly directory: CatalogDirectory;
  /** HSM profiles (kms/HsmProfiles), with one provider per profile. */
  readonly profiles: HsmProfileService;
  /** KMS keys (kms/KmsKeys) and the KEK router. */
  readonly kmsKeys: KmsKeyService;
  /** Managed objects, unscoped: `forTenant` for a tenant's view, `load(uid, account)` for the admin plane. */
  readonly objects: ObjectRepository;
  /** The unwrapped-content cache (its size is a metric). */
  readonly cache: UnwrappedCache;
  /** Rotation jobs and the rewrap daemon (docs/REWRAP.md); started by createEngine, stopped by close(). */
  readonly rewrap: RewrapDaemon;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** Observer of every answered batch item (metrics.ts). */
  readonly observe?: OperationObserver;
  /** Observer of every call into an HSM profile's key provider (metrics.ts). */
  readonly hsmCall?: HsmCallObserver;
  /** Tests: PKCS#11 provider options applied to every profile (e.g. wrapModule to break the HSM). */
  readonly pkcs11Overrides?: Partial<Pkcs11ProviderOptions>;
  /** Tests: leave the rewrap daemon's timer off (rewrap run / drain still work). */
  readonly rewrapTimer?: boolean;
}

export const SERVER_VERSION = "0.1.0";

export async function createEngine(
  config: KmipdConfig,
  log: Logger,
  env: Readonly<Record<string, string | undefined>> = process.env,
  opts: EngineOptions = {},
): Promise<Engine> {
  const store = await openLmdbStore(join(config.server.dataDir, "store"));
  let audit: ChainedAuditLog | undefined;
  let profiles: HsmProfileService | undefined;
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
    const cache = new UnwrappedCache({ maxEntries: config.kms.cache.maxEntries, ttlSec: config.kms.cache.ttlSec });
    profiles = new HsmProfileService({
      catalog: store.catalog,
      masterKey: master.key,
      database: keys,
      pkcs11: {
        retryCount: config.kms.retry.count,
        retryDelayMs: config.kms.retry.delay.ms,
        operationTimeoutMs: config.kms.operation.timeout.sec * 1000,
        ...(opts.pkcs11Overrides ? { overrides: opts.pkcs11Overrides } : {}),
      },
      ...(opts.hsmCall ? { onProviderCall: opts.hsmCall } : {}),
    });
    const kmsKeys = new KmsKeyService({ catalog: store.catalog, profiles, objects: store, cache });
    const directory = new CatalogDirectory({ catalog: store.catalog, objects: store, autoRegister: config.tenancy.autoRegister });
    directory.addUsageCheck((a) => kmsKeys.accountUsage(a));
    await directory.applyConfig(config.tenancy.principals);
    await mapDevClient(directory, store.catalog, config.server.certsDir, log);
    const objects = new ObjectRepository(store, kmsKeys, cache);
    const rewrap = new RewrapDaemon(
      store,
      kmsKeys,
      { batchSize: config.kms.rewrap.batch.size, intervalMs: config.kms.rewrap.interval.ms, concurrency: config.kms.rewrap.concurrency },
      // Moved objects' plaintext leaves the cache (it would no longer match their blob anyway).
      { onMoved: (uids) => uids.forEach((u) => cache.drop(u)), log: (msg, fields) => log.info(fields, msg) },
    );
    // A version an unfinished rewrap job still moves objects from is not destroyed (key destroy-version).
    kmsKeys.addVersionCheck((id, v) => rewrap.versionBusy(id, v));
    if (opts.rewrapTimer !== false) rewrap.start();
    const trail = audit;
    const handler = createExecutor({
      objects,
      directory,
      constraints: catalogConstraintStore(store.catalog),
      credentials: new CredentialVerifier(config.tenancy.credentials),
      settings: {
        defaultKeyBits: config.kms.dek.size.bits,
        maxLocateItems: 1000,
        leaseTimeSec: config.kms.leaseTimeSec,
        locateCreatesFresh: config.kms.locateCreatesFresh,
        vendorIdentification: "kmipd",
        serverVersion: SERVER_VERSION,
        quietAttributes: config.compat.completeGetAttributes ? new Set() : INFORMATIONAL_ATTRIBUTES,
        rngSeed: { policy: config.kms.rngSeed, maxBytes: config.kms.rngSeedMaxBytes },
      },
      limits: {
        maxMessageSize: config.limits.maxMessageSize,
        maxDepth: config.limits.maxDepth,
        maxItems: config.limits.maxItems,
        maxBatchItems: config.limits.maxBatchItems,
      },
      log,
      audit: createAuditHook(audit, log),
      // Write items' records commit with their writes (one fsync, never a change without its record).
      auditWrites: (rctx, account) => new MessageAudit(trail, log, rctx, account),
      ...(opts.observe ? { observe: opts.observe } : {}),
    });
    const hsm = profiles;
    const storeProbe: HealthProbe = { name: "store", critical: true, check: async () => (readable(() => store.latestKek("kmipd-health")) ? "ok" : "unavailable") };
    return {
      handler,
      admin: { audit, directory, profiles, keys: kmsKeys, objects: createObjectInspector(objects, directory, kmsKeys), rewrap },
      probes: () => [
        storeProbe,
        ...hsm.names().map((name): HealthProbe => ({ name: `hsm-profile:${name}`, critical: false, check: () => hsm.health(name) })),
      ],
      directory,
      profiles,
      kmsKeys,
      objects,
      cache,
      rewrap,
      async close() {
        await rewrap.stop();
        cache.clear();
        await audit?.close();
        await profiles?.close();
        await keys.close();
        await store.close();
      },
    };
  } catch (e) {
    await audit?.close();
    await profiles?.close();
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

const DEV_MAPPED = "dev-client-mapped";

/**
 * The development PKI works out of the box: on the first start that finds it in certs_dir, its
 * client certificate (CN kmip-client) is mapped to account, domain and zone "default", and its
 * admin certificate (CN kmipd-admin) to a root admin there. Done once per data dir, so an admin
 * who later unmaps them is not overruled.
 */
async function mapDevClient(directory: CatalogDirectory, catalog: { catalogGet(t: "catalogmeta", k: string): Uint8Array | undefined; catalogWrite(w: { table: "catalogmeta"; key: string; value: Uint8Array }[]): Promise<void> }, certsDir: string, log: Logger): Promise<void> {
  const pki = devPkiPaths(certsDir);
  if (catalog.catalogGet("catalogmeta", DEV_MAPPED) || !existsSync(pki.clientCert)) return;
  const p = { principal: DEV_CLIENT_NAME, account: "default", domain: DEFAULT_DOMAIN, zone: DEFAULT_ZONE, role: "user" as const };
  if (await directory.ensureMapped(p, "config")) log.info({ principal: DEV_CLIENT_NAME, account: "default", zone: DEFAULT_ZONE }, "mapped the development client certificate");
  if (existsSync(pki.adminCert)) {
    const a = { ...BOOTSTRAP_ADMIN, domain: DEFAULT_DOMAIN };
    if (await directory.ensureMapped(a, "config")) log.info({ principal: DEV_ADMIN_NAME, role: a.role }, "mapped the development admin certificate");
  }
  await catalog.catalogWrite([{ table: "catalogmeta", key: DEV_MAPPED, value: Buffer.of(1) }]);
}
