/**
 * A real kmipd for integration tests: dev PKI on disk, LMDB in a temp data dir, the database key
 * provider (HSM profiles can be added through `engine`), the TLS listener on 127.0.0.1 (port 0),
 * and KmipClient connections to it — with the dev client certificate, or one issued from the dev
 * CA for any principal name.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KmipClient } from "../../src/client/index.js";
import { configFrom, type KmipdConfig } from "../../src/config/index.js";
import type { KmipVersion } from "../../src/kmip/index.js";
import type { Pkcs11ProviderOptions } from "../../src/keys/pkcs11/index.js";
import { createEngine, type Engine } from "../../src/server/engine.js";
import { listenerOptionsFromConfig, startListener, type KmipListener } from "../../src/server/listener.js";
import { createLogger } from "../../src/server/log.js";
import { createDevPki, devPkiPaths, issueCertificate, loadDevCa, type DevPkiPaths } from "../../src/server/pki.js";
import { recordOutput, watchClient } from "../support/secrets.js";

export interface RunningKmipd {
  readonly port: number;
  readonly dataDir: string;
  readonly certsDir: string;
  readonly certs: DevPkiPaths;
  readonly config: KmipdConfig;
  readonly engine: Engine;
  readonly logLines: string[];
  /** A client with the dev certificate (principal kmip-client), or one issued for `principal`. */
  client(o?: KmipVersion | { principal?: string; version?: KmipVersion }): Promise<KmipClient>;
  /** Stops the listener and the engine; `keepData` leaves the data dir (and certificates) for a restart. */
  stop(keepData?: boolean): Promise<void>;
}

export interface StartOptions {
  /** An existing data dir (a restart), else a new temp dir. */
  readonly dataDir?: string;
  /** An existing certificates dir (its dev PKI is used; created if empty), else a new temp dir. */
  readonly certsDir?: string;
  readonly overrides?: Record<string, unknown>;
  readonly pkcs11Overrides?: Partial<Pkcs11ProviderOptions>;
}

/** Client certificates issued per certificates dir and principal, reused across clients. */
const issued = new Map<string, { certPem: string; keyPem: string }>();

export async function startKmipd(o: StartOptions = {}): Promise<RunningKmipd> {
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), "kmipd-data-")));
  const certsDir = o.certsDir ?? (await mkdtemp(join(tmpdir(), "kmipd-certs-")));
  const certs = existsSync(devPkiPaths(certsDir).ca) ? devPkiPaths(certsDir) : await createDevPki(certsDir, { force: true });
  const config = configFrom(undefined, {
    overrides: { "server.host": "127.0.0.1", "server.port": 0, "server.data_dir": dataDir, "server.certs_dir": certsDir, "logging.level": "debug", ...o.overrides },
  });
  const logLines: string[] = [];
  recordOutput(logLines); // scanned for secrets at the end of the suite (test/secrets-scan.test.ts)
  const log = createLogger(config.logging, { write: (s: string) => logLines.push(s) });
  const engine = await createEngine(config, log, {}, o.pkcs11Overrides ? { pkcs11Overrides: o.pkcs11Overrides } : {});
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
    certsDir,
    certs,
    config,
    engine,
    logLines,
    async client(opt = {}) {
      const { principal, version = "1.4" } = typeof opt === "string" ? { principal: undefined, version: opt } : opt;
      let cert: string | Buffer = await readFile(certs.clientCert);
      let key: string | Buffer = await readFile(certs.clientKey);
      if (principal !== undefined) {
        const slot = `${certsDir}\0${principal}`;
        let pair = issued.get(slot);
        if (!pair) {
          pair = await issueCertificate(await loadDevCa(certsDir), { commonName: principal, usage: "client" });
          issued.set(slot, pair);
        }
        cert = pair.certPem;
        key = pair.keyPem;
      }
      const c = watchClient(await KmipClient.connect({ host: "127.0.0.1", port: listener.address.port, servername: "localhost", cert, key, ca: await readFile(certs.ca), version }));
      clients.push(c);
      return c;
    },
    async stop(keepData = false) {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await listener.close(2000);
      await engine.close();
      if (keepData) return;
      await rm(dataDir, { recursive: true, force: true });
      if (!o.certsDir) await rm(certsDir, { recursive: true, force: true });
    },
  };
}
