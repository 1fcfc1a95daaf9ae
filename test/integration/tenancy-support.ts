/**
 * A real kmipd for the tenancy tests: like harness.ts (dev PKI, LMDB in a temp dir, TLS on
 * 127.0.0.1), but it exposes the engine's services (directory, HSM profiles, KMS keys) and can
 * connect as any principal, with a client certificate issued from the dev CA for that name.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { KmipClient, KmipRequestError } from "../../src/client/index.js";
import { configFrom, type KmipdConfig } from "../../src/config/index.js";
import type { KmipVersion } from "../../src/kmip/index.js";
import type { Pkcs11ProviderOptions } from "../../src/keys/pkcs11/index.js";
import { createEngine, type Engine } from "../../src/server/engine.js";
import { listenerOptionsFromConfig, startListener, type KmipListener } from "../../src/server/listener.js";
import { createLogger } from "../../src/server/log.js";
import { createDevPki, issueCertificate, loadDevCa, type DevPkiPaths } from "../../src/server/pki.js";
import { recordOutput, watchClient } from "../support/secrets.js";

export interface TenancyKmipd {
  readonly port: number;
  readonly dataDir: string;
  readonly certsDir: string;
  readonly certs: DevPkiPaths;
  readonly engine: Engine;
  readonly logLines: string[];
  /** A client with the dev certificate (principal kmip-client), or one issued for `principal`. */
  client(o?: { principal?: string; version?: KmipVersion }): Promise<KmipClient>;
  stop(keepData?: boolean): Promise<void>;
}

const issued = new Map<string, { certPem: string; keyPem: string }>();

export async function startTenancyKmipd(
  o: { dataDir?: string; certsDir?: string; overrides?: Record<string, unknown>; pkcs11Overrides?: Partial<Pkcs11ProviderOptions> } = {},
): Promise<TenancyKmipd> {
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), "kmipd-tenancy-")));
  const certsDir = o.certsDir ?? (await mkdtemp(join(tmpdir(), "kmipd-tcerts-")));
  const certs = o.certsDir ? (await import("../../src/server/pki.js")).devPkiPaths(certsDir) : await createDevPki(certsDir, { force: true });
  const config: KmipdConfig = configFrom(undefined, {
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
    engine,
    logLines,
    async client({ principal, version = "1.4" } = {}) {
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
      if (!keepData) {
        await rm(dataDir, { recursive: true, force: true });
        await rm(certsDir, { recursive: true, force: true });
      }
    },
  };
}

/** The KMIP error a request was refused with; fails the test if it succeeded or failed otherwise. */
export async function requestFailure(p: Promise<unknown>): Promise<KmipRequestError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).to.be.instanceOf(KmipRequestError);
  return e as KmipRequestError;
}
