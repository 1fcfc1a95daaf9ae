/**
 * Issue 6, acceptance 1 end to end: a real `kmipd serve` (debug logging), a real SoftHSM2 token,
 * the admin CLI in-process against the real admin API: `hsm-profile add` masks the PIN in its
 * output, the server log and every file of the data dir; `key create` makes a KEK in the token;
 * a KMIP client's Create naming it (x-kms-key) is wrapped under it, and `kmipd object show` names
 * that KEK and version; Get returns the key bytes before and after a restart, and neither the PIN
 * nor the key bytes appear in any log line, CLI output or data file.
 */
import { expect } from "chai";
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AdminClient } from "../../src/cli/admin-client.js";
import { text } from "../../src/ttlv/index.js";
import { recordKey } from "../support/secrets.js";
import { createSoftHsmToken, type SoftHsmToken } from "../support/softhsm.js";
import { serveSession } from "./serve-support.js";

const PIN = "e2e-pin-51c07d";

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if ((await stat(p)).isFile()) out.push(p);
  }
  return out;
}

describe("issue 6 end to end: SoftHSM profile, KMS key, object show, restart, no secret anywhere", function () {
  this.timeout(120_000);
  let dir: string;
  let token: SoftHsmToken;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kmipd-e2e-"));
    token = createSoftHsmToken("e2e", PIN);
  });
  after(async () => {
    token?.remove();
    await rm(dir, { recursive: true, force: true });
  });

  it("walks the whole path", async () => {
    const { logs, cli, certs, serve, kmipd, client } = serveSession(dir);

    let srv = await serve();
    let uid: string;
    let keyBytes: Uint8Array;
    try {
      const pinFile = join(dir, "pin.txt");
      await writeFile(pinFile, PIN);
      const add = await kmipd(["hsm-profile", "add", "hsm1", "--provider", "pkcs11", "--library", token.library, "--token", token.token, "--pin-file", pinFile, "--system"], srv.adminUrl);
      expect(add.status, add.out).to.equal(0);
      expect(add.out).to.include("****");
      const create = await kmipd(["key", "create", "payroll", "--zone", "default", "--hsm-profile", "hsm1", "--account", "default"], srv.adminUrl);
      expect(create.status, create.out).to.equal(0);
      const shown = await kmipd(["key", "show", "payroll", "--json"], srv.adminUrl);
      const kek = JSON.parse(shown.out) as { id: string; currentVersion: number; hsmProfile: string };
      expect(kek.hsmProfile).to.equal("hsm1");

      const c = await client(srv.kmipPort);
      uid = await c.create({ attributes: [{ name: "x-kms-key", value: text(0, "payroll") }] });
      await c.activate(uid);
      keyBytes = (await c.get(uid)).keyBytes!;
      recordKey(keyBytes);
      expect(keyBytes).to.have.length(32);
      await c.close();

      const obj = await kmipd(["object", "show", uid, "--json"], srv.adminUrl);
      expect(obj.status, obj.out).to.equal(0);
      const view = JSON.parse(obj.out) as { kek?: { id: string; name?: string; version: number }; state: string; ownerAccount: string };
      expect(view.kek).to.deep.equal({ id: kek.id, name: "payroll", version: kek.currentVersion });
      expect([view.state, view.ownerAccount]).to.deep.equal(["Active", "default"]);
      expect(obj.out).to.not.include(Buffer.from(keyBytes).toString("hex"));

      // /metrics counts the calls into the HSM profile's provider (generate, wrap, unwrap)
      const read = (f: string) => readFile(join(certs, f));
      const api = new AdminClient({ url: srv.adminUrl, cert: await read("admin.pem"), key: await read("admin-key.pem"), ca: await read("ca.pem") });
      const metrics = String((await api.call("GET", "/metrics")).body);
      const calls = Number(/^kmipd_hsm_calls_total\{profile="hsm1",result="ok"\} (\d+)$/m.exec(metrics)?.[1]);
      expect(calls, metrics).to.be.greaterThanOrEqual(2);
      expect(metrics).to.match(/^kmipd_objects\{kek="payroll",version="1"\} 1$/m);
    } finally {
      await srv.stop();
    }

    srv = await serve();
    try {
      const c = await client(srv.kmipPort);
      expect(Buffer.from((await c.get(uid)).keyBytes!).equals(Buffer.from(keyBytes))).to.equal(true);
      await c.close();
    } finally {
      await srv.stop();
    }

    const key = Buffer.from(keyBytes);
    const forms = [PIN, key.toString("hex"), key.toString("base64"), key.toString("base64url")];
    const seen = [...logs, ...cli].join("\n");
    expect(logs.join("").length, "debug logging produced output").to.be.greaterThan(1000);
    for (const f of forms) expect(seen.includes(f), `a secret form appears in logs or CLI output`).to.equal(false);
    for (const p of await filesUnder(join(dir, "data"))) {
      const bytes = await readFile(p);
      expect(bytes.includes(Buffer.from(PIN)), `${p} holds the PIN`).to.equal(false);
      expect(bytes.includes(key), `${p} holds the key bytes`).to.equal(false);
    }
  });
});
