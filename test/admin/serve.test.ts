/**
 * The admin server inside a real `kmipd serve` (engine, LMDB, listener): the first serve creates
 * admin.pem; /metrics counts the KMIP operations a client performed; /healthz follows the
 * listener; admin actions land in the real audit trail.
 */
import { expect } from "chai";
import { EventEmitter } from "node:events";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { AdminClient } from "../../src/cli/admin-client.js";
import { runServe } from "../../src/cli/commands/serve.js";
import { KmipClient } from "../../src/client/index.js";
import type { AdminServer } from "../../src/server/admin/server.js";
import type { KmipListener } from "../../src/server/listener.js";
import { waitUntil } from "../server/helpers.js";

describe("admin API inside kmipd serve (real engine)", function () {
  this.timeout(60000);
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "kmipd-admin-serve-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("/metrics matches the operations performed; /healthz; admin actions are audited", async () => {
    const certs = join(dir, "certs");
    const file = join(dir, "kmipd.toml");
    await writeFile(file, `[server]\nhost = "127.0.0.1"\nport = 0\ndata_dir = ${JSON.stringify(join(dir, "data"))}\ncerts_dir = ${JSON.stringify(certs)}\n`);
    const err: string[] = [];
    const io = { stdin: new PassThrough(), stdout: () => undefined, stderr: (s: string) => err.push(s) };
    const signals = new EventEmitter();
    let listener: KmipListener | undefined;
    let admin: AdminServer | undefined;
    const done = runServe({ config: file, "admin-port": 0 }, io, { signals, onListening: (l) => (listener = l), onAdminListening: (a) => (admin = a) });
    await waitUntil(() => listener && admin, 20000, () => err.join(""));
    try {
      expect(err.join("")).to.include("admin.pem").and.include("admin API on https://127.0.0.1:");
      const read = (f: string) => readFile(join(certs, f));
      const client = await KmipClient.connect({ host: "127.0.0.1", port: listener!.address.port, servername: "localhost", cert: await read("client.pem"), key: await read("client-key.pem"), ca: await read("ca.pem"), version: "1.4" });
      const N = 5;
      const uids: string[] = [];
      for (let i = 0; i < N; i++) uids.push(await client.create({ name: `m-${i}` }));
      for (const u of uids.slice(0, 3)) await client.get(u);
      await client.get("no-such-object").catch(() => undefined);

      const api = new AdminClient({ url: `https://127.0.0.1:${admin!.address.port}`, cert: await read("admin.pem"), key: await read("admin-key.pem"), ca: await read("ca.pem") });
      const m = await api.call("GET", "/metrics");
      expect(m.status).to.equal(200);
      const text = m.body as string;
      const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}+.]/g, "\\$&")} (\\S+)$`, "m").exec(text)?.[1]);
      expect(value('kmipd_operations_total{operation="Create",result="success"}')).to.equal(N);
      expect(value('kmipd_operations_total{operation="Get",result="success"}')).to.equal(3);
      expect(value('kmipd_operations_total{operation="Get",result="failure"}')).to.equal(1);
      expect(value('kmipd_operation_duration_seconds_count{operation="Create"}')).to.equal(N);
      expect(value('kmipd_operation_duration_seconds_bucket{operation="Create",le="+Inf"}')).to.equal(N);
      expect(value("kmipd_connections_open")).to.equal(1);
      // the N keys are wrapped under version 1 of the account's default key (database provider)
      expect(value('kmipd_objects{kek="kmip/default",version="1"}')).to.equal(N);
      expect(value('kmipd_connections_rejected_total{reason="unauthenticated"}')).to.equal(0);
      await client.close();

      expect(await api.call("GET", "/healthz")).to.deep.include({ status: 200, body: { status: "ok", kmip: "ok", checks: { store: "ok" } } });
      // the real directory: the dev admin (root) lists the default account, and that is audited
      const accounts = await api.call("GET", "/v1/accounts");
      expect(accounts.status).to.equal(200);
      expect((accounts.body as { name: string }[]).map((a) => a.name)).to.include("default");
      const recs = (await api.call("GET", "/v1/audit?operation=admin:account.list")).body as { principal: string; result: string }[];
      expect(recs).to.have.length(1);
      expect(recs[0]).to.deep.include({ principal: "kmipd-admin", result: "success" });
      expect((await api.call("GET", "/v1/audit/verify")).body).to.deep.include({ ok: true });
      expect(((await api.call("GET", "/v1/audit?operation=Create")).body as unknown[]).length).to.equal(N);
    } finally {
      signals.emit("SIGTERM");
      expect(await done).to.equal(0);
    }
  });
});
