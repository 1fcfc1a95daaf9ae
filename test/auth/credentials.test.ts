/**
 * Header credential verification (auth/credentials.ts) and the `[[tenancy.credentials]]` settings:
 * salted scrypt hashes, per-account enforcement, device field matching, refusals that name no
 * secret, and the settings check.
 */
import { expect } from "chai";
import { CredentialVerifier, hashPassword, parsePasswordHash, verifyPassword } from "../../src/auth/index.js";
import { ConfigError, configFrom } from "../../src/config/index.js";
import { main } from "../../src/cli/main.js";
import { Readable } from "node:stream";
import { recordPin } from "../support/secrets.js";

const PW = "auth-unit-pass-6620";
const DEV_PW = "auth-device-pass-3391";
recordPin(PW);
recordPin(DEV_PW);

describe("auth: header credentials", function () {
  this.timeout(30_000);
  let hash: string;
  let devHash: string;
  before(async () => {
    hash = await hashPassword(PW);
    devHash = await hashPassword(DEV_PW);
  });

  it("hashes are salted scrypt, checked in constant time, and never contain the password", async () => {
    expect(hash).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(hash).to.not.include(PW);
    expect(await hashPassword(PW)).to.not.equal(hash);
    expect(await verifyPassword(PW, hash)).to.equal(true);
    expect(await verifyPassword(PW + "x", hash)).to.equal(false);
    expect(await verifyPassword(PW, "plain")).to.equal(false);
    expect(parsePasswordHash("scrypt$3$8$1$AAAAAAAAAAA=$AAAAAAAAAAAAAAAAAAAAAA==")).to.equal(undefined); // N not a power of two
  });

  it("verifies users of an account; refuses unknown users, wrong or missing passwords, and users of another account", async () => {
    const v = new CredentialVerifier([{ type: "password", account: "acme", username: "fred", passwordHash: hash }]);
    expect(v.enforces("acme")).to.equal(true);
    expect(v.enforces("other")).to.equal(false);
    expect(await v.verify("acme", { type: "password", username: "fred", password: PW })).to.deep.equal({ identity: "user:fred" });
    expect(await v.verify("acme", { type: "password", username: "fred", password: "nope-nope" })).to.deep.equal({ refused: "wrong password" });
    expect(await v.verify("acme", { type: "password", username: "fred" })).to.deep.equal({ refused: "no password" });
    expect(await v.verify("acme", { type: "password", username: "wilma", password: PW })).to.deep.equal({ refused: "unknown user" });
    expect(await v.verify("other", { type: "password", username: "fred", password: PW })).to.deep.equal({ refused: "unknown user" });
  });

  it("devices match on the fields configured (others are not compared), with the password when one is set", async () => {
    const v = new CredentialVerifier([
      { type: "device", account: "acme", serialNumber: "SN-1", deviceIdentifier: "dev-1", passwordHash: devHash },
      { type: "device", account: "acme", id: "tape-7", networkIdentifier: "net-7" },
    ]);
    expect(await v.verify("acme", { type: "device", serialNumber: "SN-1", deviceIdentifier: "dev-1", mediaIdentifier: "m", password: DEV_PW })).to.deep.equal({ identity: "device:SN-1" });
    expect(await v.verify("acme", { type: "device", serialNumber: "SN-1", deviceIdentifier: "dev-1" })).to.deep.equal({ refused: "no password" });
    expect(await v.verify("acme", { type: "device", serialNumber: "SN-1", deviceIdentifier: "dev-2", password: DEV_PW })).to.deep.equal({ refused: "unknown device" });
    expect(await v.verify("acme", { type: "device", networkIdentifier: "net-7" })).to.deep.equal({ identity: "device:tape-7" });
  });

  it("a verified credential is remembered (keyed by an HMAC) until its time runs out; a refusal is not", async () => {
    let now = 1_000;
    const v = new CredentialVerifier([{ type: "password", account: "a", username: "u", passwordHash: hash }], { cacheTtlMs: 100, now: () => now });
    const t0 = performance.now();
    await v.verify("a", { type: "password", username: "u", password: PW });
    const first = performance.now() - t0;
    const t1 = performance.now();
    expect(await v.verify("a", { type: "password", username: "u", password: PW })).to.deep.equal({ identity: "user:u" });
    expect(performance.now() - t1).to.be.lessThan(first);
    now += 200;
    expect(await v.verify("a", { type: "password", username: "u", password: "other-pass" })).to.deep.equal({ refused: "wrong password" });
    expect(await v.verify("a", { type: "password", username: "u", password: PW })).to.deep.equal({ identity: "user:u" });
  });

  it("[[tenancy.credentials]]: snake_case tables read into settings; bad tables refused", () => {
    const c = configFrom(
      [
        "[[tenancy.credentials]]",
        'type = "password"', 'account = "acme"', 'username = "fred"', `password_hash = "${hash}"`,
        "[[tenancy.credentials]]",
        'type = "device"', 'account = "acme"', 'serial_number = "SN-1"', 'device_identifier = "dev-1"',
      ].join("\n"),
    );
    expect(c.tenancy.credentials).to.deep.equal([
      { type: "password", account: "acme", username: "fred", passwordHash: hash },
      { type: "device", account: "acme", serialNumber: "SN-1", deviceIdentifier: "dev-1" },
    ]);
    const bad = [
      '[[tenancy.credentials]]\ntype = "password"\naccount = "a"\nusername = "u"\npassword = "plain-text"',
      '[[tenancy.credentials]]\ntype = "password"\naccount = "a"\nusername = "u"\npassword_hash = "abc"',
      '[[tenancy.credentials]]\ntype = "device"\naccount = "a"',
      '[[tenancy.credentials]]\ntype = "kerberos"\naccount = "a"',
      `[[tenancy.credentials]]\ntype = "password"\nusername = "u"\npassword_hash = "${hash}"`,
      `[[tenancy.credentials]]\ntype = "password"\naccount = "a"\nusername = "u"\npassword_hash = "${hash}"\n[[tenancy.credentials]]\ntype = "password"\naccount = "a"\nusername = "u"\npassword_hash = "${hash}"`,
    ];
    for (const b of bad) expect(() => configFrom(b), b).to.throw(ConfigError, /tenancy.credentials/);
  });

  it("`kmipd credential hash` reads the password from stdin and prints a hash that verifies", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdin: Readable.from([Buffer.from(PW + "\n")]), stdout: (s: string | Uint8Array) => out.push(String(s)), stderr: (s: string) => err.push(s) };
    expect(await main(["credential", "hash"], io)).to.equal(0);
    const printed = out.join("").trim();
    expect(await verifyPassword(PW, printed)).to.equal(true);
    expect(out.join("") + err.join("")).to.not.include(PW);
    const empty = { ...io, stdin: Readable.from([Buffer.from("")]) };
    expect(await main(["credential", "hash"], empty)).to.equal(2);
  });
});
