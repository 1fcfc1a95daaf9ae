/**
 * Acceptance: no plaintext at rest, and durability across SIGKILL — with the real kmipd process,
 * real LMDB files and real TLS.
 */
import { expect } from "chai";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, stat } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KmipClient } from "../../src/client/index.js";
import { Enums } from "../../src/kmip/index.js";
import { startKmipd } from "./harness.js";
import { spawnKmipd } from "./child-process.js";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/** Every file's bytes searched for each secret raw, as hex (both cases) and as base64. */
async function hitsInDir(dir: string, secrets: Buffer[]): Promise<string[]> {
  const hits: string[] = [];
  for (const f of await filesUnder(dir)) {
    const data = await readFile(f);
    const asText = data.toString("latin1");
    for (const s of secrets) {
      const needles = [s, Buffer.from(s.toString("hex")), Buffer.from(s.toString("hex").toUpperCase()), Buffer.from(s.toString("base64"))];
      for (const n of needles) if (data.includes(n)) hits.push(`${f}: ${n.length} bytes`);
      if (asText.includes(s.toString("base64url"))) hits.push(`${f}: base64url`);
    }
  }
  return hits;
}

describe("integration: no plaintext key byte at rest", function () {
  this.timeout(60_000);
  it("keys created and registered with known bytes appear nowhere in the data dir", async () => {
    const srv = await startKmipd();
    const secrets: Buffer[] = [];
    let someUid = "";
    try {
      const c = await srv.client("1.4");
      const known = Buffer.from("6b6d6970642d6b6e6f776e2d6b65792d6279746573212121212121212121212a", "hex");
      secrets.push(known);
      someUid = await c.registerSymmetricKey(known, Enums.CryptographicAlgorithm.AES);
      const password = Buffer.from("hunter2-but-longer-than-that-0123456789");
      secrets.push(password);
      await c.registerSecretData(password);
      for (let i = 0; i < 5; i++) secrets.push(Buffer.from((await c.get(await c.create())).keyBytes!));
      const c2 = await srv.client("2.1");
      secrets.push(Buffer.from((await c2.get(await c2.create())).keyBytes!));
    } finally {
      await srv.stop(true);
    }
    const files = await filesUnder(srv.dataDir);
    expect(files.some((f) => f.endsWith("data.mdb")), "the LMDB data file was scanned").to.equal(true);
    expect(files.some((f) => f.endsWith("lock.mdb")), "the LMDB lock file was scanned").to.equal(true);
    expect(await hitsInDir(srv.dataDir, secrets)).to.deep.equal([]);
    // the scan does find what is stored in the clear (metadata), so a miss above means something
    expect(await hitsInDir(srv.dataDir, [Buffer.from(someUid)])).to.not.deep.equal([]);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function startProcess(port: number, dataDir: string, certsDir: string): Promise<ChildProcess> {
  return spawnKmipd(["--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir, "--certs-dir", certsDir]);
}

describe("integration: durability across SIGKILL", function () {
  this.timeout(120_000);
  it("every acknowledged Create survives a SIGKILL of the server, with identical bytes", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "kmipd-durable-"));
    const certsDir = await mkdtemp(join(tmpdir(), "kmipd-durable-certs-"));
    const port = await freePort();
    let proc = await startProcess(port, dataDir, certsDir);
    const connect = async () =>
      KmipClient.connect({
        host: "127.0.0.1",
        port,
        servername: "localhost",
        cert: await readFile(join(certsDir, "client.pem")),
        key: await readFile(join(certsDir, "client-key.pem")),
        ca: await readFile(join(certsDir, "ca.pem")),
        version: "1.4",
      });
    const keys = new Map<string, Buffer>();
    try {
      const c = await connect();
      const N = 100;
      const uids = await Promise.all(Array.from({ length: N }, () => c.create()));
      for (const uid of uids) keys.set(uid, Buffer.from((await c.get(uid)).keyBytes!));
      proc.kill("SIGKILL");
      await new Promise((r) => proc.once("exit", r));
      await c.close().catch(() => undefined);

      proc = await startProcess(port, dataDir, certsDir);
      const c2 = await connect();
      for (const [uid, bytes] of keys) expect(Buffer.from((await c2.get(uid)).keyBytes!).equals(bytes), uid).to.equal(true);
      expect(keys.size).to.equal(N);
      await c2.close();
    } finally {
      proc.kill("SIGTERM");
      await new Promise((r) => (proc.exitCode !== null ? r(undefined) : proc.once("exit", r)));
    }
    expect((await stat(join(dataDir, "master.key"))).mode & 0o077).to.equal(0);
  });
});
