/** An admin server over real HTTPS with the dev PKI's certificates and the fakes behind it. */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminClient } from "../../src/cli/admin-client.js";
import { startAdminServer, type AdminServer } from "../../src/server/admin/server.js";
import type { HealthProbe } from "../../src/server/admin/types.js";
import { createLogger } from "../../src/server/log.js";
import { Metrics } from "../../src/server/metrics.js";
import { createDevPki, issueCertificate, loadDevCa, type DevPkiPaths } from "../../src/server/pki.js";
import { fakeServices } from "./fakes.js";

export interface AdminFixture {
  readonly dir: string;
  readonly certs: DevPkiPaths;
  readonly server: AdminServer;
  readonly url: string;
  readonly services: ReturnType<typeof fakeServices>;
  readonly metrics: Metrics;
  readonly logLines: string[];
  readonly state: { kmipUp: boolean; store: "ok" | "unavailable"; hsm: "ok" | "unavailable" };
  /** A client presenting the dev admin certificate, or a fresh certificate for `principal`. */
  client(principal?: string): Promise<AdminClient>;
  stop(): Promise<void>;
}

export async function startAdminFixture(): Promise<AdminFixture> {
  const dir = await mkdtemp(join(tmpdir(), "kmipd-admin-"));
  const certs = await createDevPki(dir);
  const services = fakeServices();
  const metrics = new Metrics();
  const logLines: string[] = [];
  const log = createLogger({ level: "debug", format: "json" }, { write: (s: string) => logLines.push(s) });
  const state = { kmipUp: true, store: "ok" as "ok" | "unavailable", hsm: "ok" as "ok" | "unavailable" };
  const probes: HealthProbe[] = [
    { name: "store", critical: true, check: async () => state.store },
    { name: "hsm:luna", critical: false, check: async () => state.hsm },
  ];
  const server = await startAdminServer({
    host: "127.0.0.1", port: 0,
    tls: { cert: await readFile(certs.serverCert), key: await readFile(certs.serverKey), ca: await readFile(certs.ca), minVersion: "TLSv1.2", identity: "cn", requireClientAuthEku: true },
    services, metrics, kmipUp: () => state.kmipUp, probes, log,
  });
  const url = `https://127.0.0.1:${server.address.port}`;
  const ca = await readFile(certs.ca);
  return {
    dir, certs, server, url, services, metrics, logLines, state,
    async client(principal?: string) {
      if (principal === undefined) return new AdminClient({ url, cert: await readFile(certs.adminCert), key: await readFile(certs.adminKey), ca });
      const pair = await issueCertificate(await loadDevCa(dir), { commonName: principal, usage: "client" });
      return new AdminClient({ url, cert: pair.certPem, key: pair.keyPem, ca });
    },
    async stop() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
