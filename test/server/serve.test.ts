/** `kmipd serve` and `kmipd init`: a process that starts, says what it did, and stops cleanly. */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type TLSSocket } from "node:tls";
import { PassThrough } from "node:stream";
import { runServe } from "../../src/cli/commands/serve.js";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config/index.js";
import type { KmipListener } from "../../src/server/listener.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { closed, message, readerOf, waitUntil } from "./helpers.js";

function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdin: new PassThrough(), stdout: (s: string | Uint8Array) => out.push(String(s)), stderr: (s: string) => err.push(s) },
    out: () => out.join(""),
    err: () => err.join(""),
  };
}

async function clientFrom(certsDir: string, port: number): Promise<TLSSocket> {
  const [ca, cert, key] = await Promise.all(["ca.pem", "client.pem", "client-key.pem"].map((f) => readFile(join(certsDir, f))));
  return new Promise((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port, servername: "localhost", ca, cert, key }, () => resolve(s));
    s.once("error", reject);
  });
}

describe("cli: kmipd serve and kmipd init", function () {
  this.timeout(30000);
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "kmipd-serve-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  async function writeConfig(extra = ""): Promise<string> {
    const file = join(dir, "kmipd.toml");
    await writeFile(file, `[server]\nhost = "127.0.0.1"\nport = 0\ncerts_dir = ${JSON.stringify(join(dir, "certs"))}\n[admin]\nport = 0\n[logging]\nlevel = "debug"\n${extra}`);
    return file;
  }

  it("init creates the development PKI and a starter kmipd.toml, and refuses to overwrite without --force", async () => {
    const certs = join(dir, "certs");
    const cfg = join(dir, "kmipd.toml");
    const a = captureIo();
    expect(await main(["init", "--certs-dir", certs, "--config", cfg], a.io)).to.equal(0);
    expect(a.err()).to.include(join(certs, "ca.pem")).and.include(join(certs, "client-key.pem")).and.include("for development only");
    expect((await stat(join(certs, "server-key.pem"))).mode & 0o777).to.equal(0o600);
    const config = await loadConfig({ file: cfg });
    expect(config.server.certsDir).to.equal(certs);
    expect(config.tls.ca).to.equal(join(certs, "ca.pem"));

    const b = captureIo();
    expect(await main(["init", "--certs-dir", certs, "--config", cfg], b.io)).to.equal(2);
    expect(b.err()).to.match(/kmipd: refusing to overwrite .*ca\.pem.*\(use --force\)/);

    await writeFile(cfg, "# mine\n");
    const c = captureIo();
    expect(await main(["init", "--certs-dir", certs, "--config", cfg, "--force"], c.io)).to.equal(0);
    expect(c.err()).to.include("exists; left as it is");
    expect(await readFile(cfg, "utf8")).to.equal("# mine\n");
  });

  it("serve refuses a bad config with a message naming the key", async () => {
    const a = captureIo();
    expect(await main(["serve", "--config", await writeConfig("[limits]\nmax_conections = 5\n")], a.io)).to.equal(2);
    expect(a.err()).to.match(/kmipd: .*kmipd\.toml: unknown setting limits\.max_conections/);
    const b = captureIo();
    expect(await main(["serve", "--config", join(dir, "none.toml")], b.io)).to.equal(2);
    expect(b.err()).to.match(/cannot read config file .*none\.toml: ENOENT/);
  });

  it("serve (in-process): creates the dev PKI and says so, serves, drains and stops on SIGTERM", async () => {
    const signals = new EventEmitter();
    const a = captureIo();
    let listener: KmipListener | undefined;
    let closedRuntime = false;
    const done = runServe({ config: await writeConfig(), port: 0 }, a.io, {
      signals,
      onListening: (l) => (listener = l),
      createRuntime: async () => ({ handler: async (r) => (await new Promise((ok) => setTimeout(ok, 300)), r), close: async () => void (closedRuntime = true) }),
    });
    await waitUntil(() => listener, 10000);
    expect(a.err()).to.include("created a development PKI").and.include("for development only").and.include(join(dir, "certs", "ca-key.pem"));
    expect(a.err()).to.match(/kmipd: listening on 127\.0\.0\.1:\d+/);
    const s = await clientFrom(join(dir, "certs"), listener!.address.port);
    const r = readerOf(s);
    s.write(message(5));
    await waitUntil(() => listener!.stats().requestsInFlight === 1);
    signals.emit("SIGTERM");
    expect(await r.next()).to.deep.equal(message(5));
    await closed(s);
    expect(await done).to.equal(0);
    expect(closedRuntime).to.equal(true);
    const logs = a.out().trim().split("\n").map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).to.include.members(["listening", "stop requested", "stopped"]);
  });

  it("serve (a real process) exits with status 0 on SIGTERM after answering the request in flight", async () => {
    const cfg = await writeConfig();
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "test/server/fixtures/serve-echo.ts"), cfg, "400"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const port = Number((await waitUntil(() => /listening on 127\.0\.0\.1:(\d+)/.exec(stderr) ?? undefined, 20000, () => `the address in: ${stderr}`))[1]);
      expect(stderr).to.include("for development only");
      const s = await clientFrom(join(dir, "certs"), port);
      const r = readerOf(s);
      s.write(message(9));
      await waitUntil(() => stderr.includes("handling a request"), 5000); // with the (slow) handler now
      child.kill("SIGTERM");
      expect(await r.next(5000)).to.deep.equal(message(9));
      await closed(s);
      expect(await exited).to.equal(0);
      expect(stderr).to.include("runtime closed").and.include("kmipd: stopped");
      expect(stdout).to.include('"msg":"stop requested"');
    } finally {
      child.kill("SIGKILL");
    }
  });
});
