/**
 * The real admin API (HTTPS, mutual TLS, dev PKI) over a tenancy test server's engine services,
 * and the admin CLI run in-process against it: what `kmipd serve` would expose, without a child.
 */
import { readFile } from "node:fs/promises";
import { PassThrough } from "node:stream";
import { AdminClient } from "../../src/cli/admin-client.js";
import { main } from "../../src/cli/main.js";
import { startAdminServer } from "../../src/server/admin/server.js";
import { createLogger } from "../../src/server/log.js";
import { Metrics } from "../../src/server/metrics.js";
import type { TenancyKmipd } from "../integration/tenancy-support.js";
import { recordOutput } from "../support/secrets.js";

export interface AdminOver {
  /** A client presenting the dev admin certificate (root admin). */
  readonly api: AdminClient;
  /** Admin log lines and CLI output, scanned for secrets at the end of the suite. */
  readonly output: string[];
  /** `kmipd ARGS --server URL --certs-dir DIR` in-process. */
  cli(args: readonly string[]): Promise<{ status: number; out: string; err: string }>;
  close(): Promise<void>;
}

export async function adminOver(srv: TenancyKmipd): Promise<AdminOver> {
  const output: string[] = [];
  recordOutput(output);
  const read = (p: string) => readFile(p);
  const admin = await startAdminServer({
    host: "127.0.0.1", port: 0,
    tls: { cert: await read(srv.certs.serverCert), key: await read(srv.certs.serverKey), ca: await read(srv.certs.ca), minVersion: "TLSv1.2", identity: "cn", requireClientAuthEku: true },
    services: srv.engine.admin, metrics: new Metrics(), kmipUp: () => true, probes: [],
    log: createLogger({ level: "debug", format: "json" }, { write: (s: string) => output.push(s) }),
  });
  const url = `https://127.0.0.1:${admin.address.port}`;
  return {
    api: new AdminClient({ url, cert: await read(srv.certs.adminCert), key: await read(srv.certs.adminKey), ca: await read(srv.certs.ca) }),
    output,
    async cli(args) {
      const out: string[] = [];
      const err: string[] = [];
      const io = { stdin: new PassThrough(), stdout: (s: string | Uint8Array) => out.push(String(s)), stderr: (s: string) => err.push(s) };
      const status = await main([...args, "--server", url, "--certs-dir", srv.certsDir], io, {});
      output.push(out.join(""), err.join(""));
      return { status, out: out.join(""), err: err.join("") };
    },
    close: () => admin.close(),
  };
}
