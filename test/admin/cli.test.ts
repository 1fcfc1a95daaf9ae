/** The admin CLI commands, run in-process (main() with captured output) against the admin API. */
import { expect } from "chai";
import { X509Certificate } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";
import { recordOutput, recordPin } from "../support/secrets.js";
import { startAdminFixture, type AdminFixture } from "./support.js";

const PIN = "cli-pin-3f9a0b77";
recordPin(PIN);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdin: new PassThrough(), stdout: (s: string | Uint8Array) => out.push(String(s)), stderr: (s: string) => err.push(s) }, out: () => out.join(""), err: () => err.join("") };
}

describe("admin CLI (in-process, against the admin API)", function () {
  this.timeout(20000);
  let f: AdminFixture;
  const all: string[] = [];
  recordOutput(all); // and the suite-wide scan (test/secrets-scan.test.ts)
  beforeEach(async () => (f = await startAdminFixture()));
  afterEach(() => f.stop());

  async function kmipd(args: string[], env: Record<string, string> = {}): Promise<{ status: number; out: string; err: string }> {
    const c = capture();
    const status = await main([...args, "--server", f.url, "--certs-dir", f.dir], c.io, env);
    all.push(c.out(), c.err());
    return { status, out: c.out(), err: c.err() };
  }

  it("hsm-profile add|list|show|delete never prints the PIN, whichever way it is given", async () => {
    const base = ["hsm-profile", "add", "--provider", "pkcs11", "--library", "/usr/lib/softhsm/libsofthsm2.so", "--token", "kmipd", "--vendor", "softhsm"];
    const a = await kmipd([...base.slice(0, 2), "p1", ...base.slice(2), "--pin", PIN, "--zone", "z1", "--mechanism", "4234"]);
    expect(a.status, a.err).to.equal(0);
    expect(a.out).to.include("pin").and.include("****").and.include('"mechanism":"4234"');
    const pinFile = join(f.dir, "pin.txt");
    await writeFile(pinFile, `${PIN}\n`);
    expect((await kmipd([...base.slice(0, 2), "p2", ...base.slice(2), "--pin-file", pinFile])).status).to.equal(0);
    expect((await kmipd([...base.slice(0, 2), "p3", ...base.slice(2), "--account", "acme"], { KMIPD_HSM_PIN: PIN })).status).to.equal(0);
    const missing = await kmipd([...base.slice(0, 2), "p4", ...base.slice(2)]);
    expect(missing.status).to.equal(2);
    expect(missing.err).to.include("KMIPD_HSM_PIN");
    expect(f.services.profiles.stored.get("p2")!.details["pin"]).to.equal(PIN); // sent, once, to the service
    const list = await kmipd(["hsm-profile", "list"]);
    expect(list.out.split("\n")[0]).to.equal("NAME\tPROVIDER\tVENDOR\tSCOPE\tDETAILS");
    expect(list.out).to.include("p1\tpkcs11\tsofthsm\tzone:z1").and.include("account:acme").and.include("system");
    const json = JSON.parse((await kmipd(["hsm-profile", "list", "--json"])).out) as { name: string; details: { pin: string } }[];
    expect(json.map((p) => p.details.pin)).to.deep.equal(["****", "****", "****"]);
    expect((await kmipd(["hsm-profile", "show", "p1"])).out).to.include("name: p1").and.include("scope: zone:z1");
    expect(JSON.parse((await kmipd(["hsm-profile", "show", "p1", "--json"])).out).scope).to.deep.equal({ kind: "zone", zone: "z1" });
    expect((await kmipd(["hsm-profile", "add", "db", "--provider", "database", "--system"])).status).to.equal(0);
    expect((await kmipd(["hsm-profile", "delete", "db"])).status).to.equal(0);
    const dup = await kmipd([...base.slice(0, 2), "p1", ...base.slice(2), "--pin", PIN]);
    expect(dup.status).to.equal(2);
    expect(dup.err).to.include("HSM profile p1 exists (exists) [HTTP 409]");
    expect(all.join("")).not.to.include(PIN);
  });

  it("key create|list|show|disable|enable|delete, account and principal commands, object show", async () => {
    await kmipd(["hsm-profile", "add", "db", "--provider", "database"]);
    const c = await kmipd(["key", "create", "app", "--zone", "z1", "--hsm-profile", "db", "--bits", "128", "--account", "acme", "--description", "app data"]);
    expect(c.status, c.err).to.equal(0);
    expect(c.out).to.include("bits: 128").and.include("account: acme");
    const list = await kmipd(["key", "list", "--account", "acme"]);
    expect(list.out).to.include("app\tacme\tz1\tdb\t128\tenabled\t1\tno");
    expect(JSON.parse((await kmipd(["key", "list", "--json"])).out)).to.have.length(1);
    expect((await kmipd(["key", "disable", "app", "--account", "acme"])).out).to.include("state: disabled");
    expect((await kmipd(["key", "enable", "app", "--account", "acme"])).out).to.include("state: enabled");
    expect((await kmipd(["key", "show", "app", "--account", "acme", "--json"])).out).to.include('"hsmProfile": "db"');
    f.services.keys.wrap("app", 2);
    const refused = await kmipd(["key", "delete", "app", "--account", "acme"]);
    expect(refused.status).to.equal(2);
    expect(refused.err).to.include("2 objects");
    expect((await kmipd(["key", "delete", "app", "--account", "acme", "--force"])).status).to.equal(0);

    expect((await kmipd(["account", "create", "initech", "--domain", "d3"])).status).to.equal(0);
    expect((await kmipd(["account", "list"])).out).to.include("initech\td3");
    expect(JSON.parse((await kmipd(["account", "list", "--json", "--domain", "d3"])).out)).to.have.length(1);
    expect((await kmipd(["principal", "map", "svc-a", "--account", "initech", "--zone", "z3"])).status).to.equal(0);
    expect((await kmipd(["principal", "list", "--account", "initech"])).out).to.include("svc-a\tinitech\tz3\tuser\tadmin");
    const busy = await kmipd(["account", "delete", "initech"]);
    expect(busy.err).to.include("[HTTP 409]");
    expect((await kmipd(["principal", "unmap", "svc-a"])).status).to.equal(0);
    expect((await kmipd(["account", "delete", "initech"])).status).to.equal(0);

    f.services.objects.objects.set("uid-1", { id: "uid-1", objectType: "SymmetricKey", state: "Active", ownerAccount: "acme", kek: { id: "kek-9", name: "app", version: 3 }, dates: { "Initial Date": "2026-01-01T00:00:00.000Z" } });
    const o = await kmipd(["object", "show", "uid-1"]);
    expect(o.out).to.include("kek: app (id kek-9) version 3").and.include("state: Active").and.include("Initial Date: 2026-01-01");
    expect(JSON.parse((await kmipd(["object", "show", "uid-1", "--json"])).out)).to.deep.include({ ownerAccount: "acme" });
    expect((await kmipd(["object", "show", "nope"])).err).to.include("[HTTP 404]");
  });

  it("kmipd init writes admin.pem / admin-key.pem (CN kmipd-admin, clientAuth) beside the other dev PKI files", async () => {
    const c = capture();
    const certs = join(f.dir, "fresh");
    expect(await main(["init", "--certs-dir", certs, "--config", join(f.dir, "k.toml")], c.io, {})).to.equal(0);
    expect(c.err()).to.include(join(certs, "admin.pem")).and.include("CN kmipd-admin");
    const cert = new X509Certificate(await readFile(join(certs, "admin.pem")));
    expect(cert.subject).to.equal("CN=kmipd-admin");
    expect(cert.keyUsage).to.deep.equal(["1.3.6.1.5.5.7.3.2"]);
    expect((await stat(join(certs, "admin-key.pem"))).mode & 0o777).to.equal(0o600);
  });

  it("says where it looked when the admin certificate is missing or the server is not there", async () => {
    const c = capture();
    expect(await main(["key", "list", "--certs-dir", join(f.dir, "none"), "--server", f.url], c.io, {})).to.equal(2);
    expect(c.err()).to.include("admin.pem");
    const d = capture();
    expect(await main(["key", "list", "--certs-dir", f.dir, "--server", "https://127.0.0.1:1"], d.io, {})).to.equal(2);
    expect(d.err()).to.include("cannot reach the admin API at https://127.0.0.1:1");
  });
});
