/**
 * One real `kmipd serve` run in a test's directory (config file with debug logging, port 0, the
 * admin API on port 0): its ports, its log lines in `logs`, and a graceful stop that must exit 0.
 */
import { expect } from "chai";
import { EventEmitter } from "node:events";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { KmipClient } from "../../src/client/index.js";
import { runServe } from "../../src/cli/commands/serve.js";
import { main } from "../../src/cli/main.js";
import type { AdminServer } from "../../src/server/admin/server.js";
import type { KmipListener } from "../../src/server/listener.js";
import { waitUntil } from "../server/helpers.js";
import { recordOutput } from "../support/secrets.js";

export interface ServeRun {
  readonly kmipPort: number;
  readonly adminUrl: string;
  stop(): Promise<void>;
}

export async function serveIn(dir: string, logs: string[]): Promise<ServeRun> {
  const file = join(dir, "kmipd.toml");
  await writeFile(file, `[server]\nhost = "127.0.0.1"\nport = 0\ndata_dir = ${JSON.stringify(join(dir, "data"))}\ncerts_dir = ${JSON.stringify(join(dir, "certs"))}\n[logging]\nlevel = "debug"\n`);
  const io = { stdin: new PassThrough(), stdout: (s: string | Uint8Array) => logs.push(String(s)), stderr: (s: string) => logs.push(s) };
  const signals = new EventEmitter();
  let listener: KmipListener | undefined;
  let admin: AdminServer | undefined;
  const done = runServe({ config: file, "admin-port": 0 }, io, { signals, onListening: (l) => (listener = l), onAdminListening: (a) => (admin = a) });
  await waitUntil(() => listener && admin, 20_000, () => logs.join(""));
  return {
    kmipPort: listener!.address.port,
    adminUrl: `https://127.0.0.1:${admin!.address.port}`,
    async stop() {
      signals.emit("SIGTERM");
      expect(await done).to.equal(0);
    },
  };
}

/**
 * `kmipd ARGS --server URL --certs-dir CERTS`, in-process: status, stdout and stderr. Every output
 * is also kept in `captured`, which the test hands to the suite's secret scan (recordOutput).
 */
export function cliAgainst(certs: string, captured: string[]): (args: string[], url: string) => Promise<{ status: number; out: string; err: string }> {
  return async (args, url) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdin: new PassThrough(), stdout: (s: string | Uint8Array) => out.push(String(s)), stderr: (s: string) => err.push(s) };
    const status = await main([...args, "--server", url, "--certs-dir", certs], io, {});
    captured.push(out.join(""), err.join(""));
    return { status, out: out.join(""), err: err.join("") };
  };
}

/** A KMIP 1.4 client with the dev client certificate of a `serveIn` run's certificates dir. */
export async function devClient(certs: string, port: number): Promise<KmipClient> {
  const read = (f: string) => readFile(join(certs, f));
  return KmipClient.connect({ host: "127.0.0.1", port, servername: "localhost", cert: await read("client.pem"), key: await read("client-key.pem"), ca: await read("ca.pem"), version: "1.4" });
}

/**
 * What a serve test uses in its directory: `serve()` starts `kmipd serve` there, `kmipd` runs the
 * admin CLI against it, `client` connects with the dev certificate. Server logs and CLI output
 * are recorded for the suite's secret scan.
 */
export function serveSession(dir: string) {
  const logs: string[] = [];
  const cli: string[] = [];
  recordOutput(logs);
  recordOutput(cli);
  const certs = join(dir, "certs");
  return {
    logs,
    cli,
    certs,
    serve: () => serveIn(dir, logs),
    kmipd: cliAgainst(certs, cli),
    client: (port: number) => devClient(certs, port),
  };
}
