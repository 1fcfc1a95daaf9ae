/**
 * One real `kmipd serve` run in a test's directory (config file with debug logging, port 0, the
 * admin API on port 0): its ports, its log lines in `logs`, and a graceful stop that must exit 0.
 */
import { expect } from "chai";
import { EventEmitter } from "node:events";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { runServe } from "../../src/cli/commands/serve.js";
import type { AdminServer } from "../../src/server/admin/server.js";
import type { KmipListener } from "../../src/server/listener.js";
import { waitUntil } from "../server/helpers.js";

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
