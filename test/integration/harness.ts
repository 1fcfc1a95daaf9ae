/**
 * A real kmipd for integration tests: dev PKI on disk, LMDB in a temp data dir, the database key
 * provider, the TLS listener on 127.0.0.1 (port 0), and KmipClient connections to it.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KmipClient } from "../../src/client/index.js";
import { configFrom, type KmipdConfig } from "../../src/config/index.js";
import type { KmipVersion } from "../../src/kmip/index.js";
import { createEngine, type Engine } from "../../src/server/engine.js";
import { listenerOptionsFromConfig, startListener, type KmipListener } from "../../src/server/listener.js";
import { createLogger } from "../../src/server/log.js";
import { createDevPki, type DevPkiPaths } from "../../src/server/pki.js";
import { recordOutput, watchClient } from "../support/secrets.js";

export interface RunningKmipd {
  readonly port: number;
  readonly dataDir: string;
  readonly certs: DevPkiPaths;
  readonly config: KmipdConfig;
  readonly logLines: string[];
  client(version?: KmipVersion): Promise<KmipClient>;
  /** Stops the listener and the engine; `keepData` leaves the data dir for a restart. */
  stop(keepData?: boolean): Promise<void>;
}

export async function startKmipd(o: { dataDir?: string; certsDir?: string; overrides?: Record<string, unknown> } = {}): Promise<RunningKmipd> {
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), "kmipd-data-")));
  const certsDir = o.certsDir ?? (await mkdtemp(join(tmpdir(), "kmipd-certs-")));
  const certs = await createDevPki(certsDir, { force: true }).catch(async () => (await import("../../src/server/pki.js")).devPkiPaths(certsDir));
  const config = configFrom(undefined, {
    overrides: { "server.host": "127.0.0.1", "server.port": 0, "server.data_dir": dataDir, "server.certs_dir": certsDir, "logging.level": "debug", ...o.overrides },
  });
  const logLines: string[] = [];
  recordOutput(logLines); // scanned for secrets at the end of the suite (test/secrets-scan.test.ts)
  const log = createLogger(config.logging, { write: (s: string) => logLines.push(s) });
  const engine: Engine = await createEngine(config, log, {});
  let listener: KmipListener;
  try {
    listener = await startListener(await listenerOptionsFromConfig(config, engine.handler, log));
  } catch (e) {
    await engine.close();
    throw e;
  }
  const clients: KmipClient[] = [];
  return {
    port: listener.address.port,
    dataDir,
    certs,
    config,
    logLines,
    async client(version: KmipVersion = "1.4") {
      const c = watchClient(await KmipClient.connect({
        host: "127.0.0.1",
        port: listener.address.port,
        servername: "localhost",
        cert: await readFile(certs.clientCert),
        key: await readFile(certs.clientKey),
        ca: await readFile(certs.ca),
        version,
      }));
      clients.push(c);
      return c;
    },
    async stop(keepData = false) {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await listener.close(2000);
      await engine.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
