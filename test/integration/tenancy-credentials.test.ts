/**
 * Header credentials over real TLS (docs/TENANCY.md, "Header credentials"): users and devices of
 * one client certificate told apart by the request header's Credential, and the 1.x "default"
 * operation policy keeping an object to the credential that created it. Within the account a
 * refusal is Permission Denied; another account still gets Item Not Found; a credential that does
 * not verify refuses the whole message; no password reaches the log.
 */
import { expect } from "chai";
import { hashPassword } from "../../src/auth/index.js";
import type { KmipClient } from "../../src/client/index.js";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { encodeTtlv, enumeration, integer, text } from "../../src/ttlv/index.js";
import { recordPin } from "../support/secrets.js";
import { requestFailure as failure, startTenancyKmipd, type TenancyKmipd } from "./tenancy-support.js";

const FRED = { username: "fred", password: "fred-pass-8812-x" };
const BARNEY = { username: "barney", password: "barney-pass-4471-y" };
const OLGA = { username: "olga", password: "olga-pass-9034-z" };
const WRONG = "not-freds-pass-5531";
const DEV_A = { serialNumber: "SN-A-1", deviceIdentifier: "dev-a", password: "device-a-pass-7781" };
const DEV_B = { serialNumber: "SN-B-2", deviceIdentifier: "dev-b" };
for (const p of [FRED.password, BARNEY.password, OLGA.password, WRONG, DEV_A.password]) recordPin(p);

const R = Enums.ResultReason;
const policy = { name: "Operation Policy Name", value: text(0, "default") };

describe("tenancy: header credentials and the default operation policy", function () {
  this.timeout(120_000);
  let srv: TenancyKmipd;
  let c: KmipClient;
  before(async () => {
    const credentials = [
      { type: "password", account: "default", username: FRED.username, password_hash: await hashPassword(FRED.password) },
      { type: "password", account: "default", username: BARNEY.username, password_hash: await hashPassword(BARNEY.password) },
      { type: "device", account: "default", serial_number: DEV_A.serialNumber, device_identifier: DEV_A.deviceIdentifier, password_hash: await hashPassword(DEV_A.password) },
      { type: "device", account: "default", serial_number: DEV_B.serialNumber, device_identifier: DEV_B.deviceIdentifier },
      { type: "password", account: "other", username: OLGA.username, password_hash: await hashPassword(OLGA.password) },
    ];
    srv = await startTenancyKmipd({
      overrides: {
        "tenancy.credentials": credentials,
        "tenancy.principals": [
          { principal: "other-host", account: "other" },
          { principal: "plain-host", account: "plain" },
        ],
      },
    });
    c = await srv.client({ version: "1.2" }); // one TLS connection, one certificate (account "default")
  });
  after(async () => {
    await srv?.stop();
  });
  afterEach(() => {
    c.credential = undefined;
  });

  it("Fred creates and reads; Barney, on the same connection, is denied; Locate hides the key from him", async () => {
    c.credential = FRED;
    const uid = await c.create({ name: "fred-key", attributes: [policy] });
    expect((await c.getAttributes(uid, ["Operation Policy Name"]))[0]?.value).to.deep.include({ value: "default" });
    expect((await c.get(uid)).keyBytes).to.have.length(32);
    expect(await c.locate({ name: "fred-key" })).to.deep.equal([uid]);

    c.credential = BARNEY;
    const items = [Enums.Operation.Get, Enums.Operation.GetAttributeList].map((operation) => ({ operation, payload: [text(Tag.UniqueIdentifier, uid)] }));
    const res = await c.batch(items, [enumeration(Tag.BatchErrorContinuationOption, Enums.BatchErrorContinuationOption.Continue)]);
    expect(res.map((r) => [r.status, r.reason, r.message])).to.deep.equal([
      [Enums.ResultStatus.OperationFailed, R.PermissionDenied, "Access denied"],
      [Enums.ResultStatus.OperationFailed, R.PermissionDenied, "Access denied"],
    ]);
    for (const p of [c.destroy(uid), c.activate(uid), c.addAttribute(uid, { name: "x-note", value: text(0, "b") }), c.encrypt(uid, Buffer.alloc(16))]) {
      expect((await failure(p)).reason).to.equal(R.PermissionDenied);
    }
    expect(await c.locate({ name: "fred-key" })).to.deep.equal([]);

    // the client itself (no credential) keeps its account's access; Fred destroys
    c.credential = undefined;
    expect((await c.get(uid)).keyBytes).to.have.length(32);
    c.credential = FRED;
    await c.destroy(uid);
    expect((await c.getAttributes(uid, ["Destroy Date"])).map((a) => a.name)).to.deep.equal(["Destroy Date"]);
  });

  it("the creator is server-internal: no attribute, listing or response shows it", async () => {
    c.credential = FRED;
    const uid = await c.create({ attributes: [policy] });
    const all = await c.getAttributes(uid);
    const list = await c.getAttributeList(uid);
    const raw = Buffer.concat([...all.map((a) => Buffer.from(encodeTtlv(a.value))), ...list.map((n) => Buffer.from(encodeTtlv(n)))]);
    expect(raw.includes(Buffer.from("user:fred"))).to.equal(false);
    expect(all.map((a) => a.name)).to.not.include("Credential");
    // what the store keeps does carry it
    expect((await srv.engine.objects.load(uid, "default")).creator).to.equal("user:fred");
  });

  it("a wrong password, an unknown user or an unknown device refuses every item of the message, and no password is logged", async () => {
    c.credential = FRED;
    const uid = await c.create();
    const before = srv.logLines.length;
    for (const cred of [{ username: FRED.username, password: WRONG }, { username: "wilma", password: WRONG }, { username: FRED.username }, { device: { serialNumber: "SN-X", deviceIdentifier: "dev-x" } }, { device: { ...DEV_A, password: WRONG } }]) {
      c.credential = cred;
      const res = await c.batch([
        { operation: Enums.Operation.Get, payload: [text(Tag.UniqueIdentifier, uid)] },
        { operation: Enums.Operation.Query, payload: [enumeration(Tag.QueryFunction, Enums.QueryFunction.QueryOperations)] },
      ]);
      expect(res.map((r) => [r.operation, r.status, r.reason])).to.deep.equal([
        [Enums.Operation.Get, Enums.ResultStatus.OperationFailed, R.AuthenticationNotSuccessful],
        [Enums.Operation.Query, Enums.ResultStatus.OperationFailed, R.AuthenticationNotSuccessful],
      ]);
    }
    const logged = srv.logLines.slice(before).filter((l) => l.includes("header credential not accepted"));
    expect(logged).to.have.length(5);
    expect(logged[0]).to.include('"username":"fred"').and.include('"why":"wrong password"');
    expect(logged[1]).to.include('"why":"unknown user"');
    for (const p of [WRONG, FRED.password, DEV_A.password]) expect(srv.logLines.join("\n")).to.not.include(p);
  });

  it("device credentials: the creating device keeps the key; another device is denied", async () => {
    c.credential = { device: DEV_A };
    const uid = await c.create({ attributes: [policy] });
    expect((await c.get(uid)).keyBytes).to.have.length(32);
    c.credential = { device: { ...DEV_B, networkIdentifier: "any" } }; // fields not configured are not compared
    expect((await failure(c.get(uid))).reason).to.equal(R.PermissionDenied);
    c.credential = FRED;
    expect((await failure(c.getAttributeList(uid))).reason).to.equal(R.PermissionDenied);
    expect((await srv.engine.objects.load(uid, "default")).creator).to.equal("device:SN-A-1");
  });

  it("public keys and certificates: anyone of the account may read them, only the owner change them", async () => {
    c.credential = FRED;
    const { privateUid, publicUid } = await c.createKeyPair({
      common: [
        { name: "Cryptographic Algorithm", value: enumeration(0, Enums.CryptographicAlgorithm.RSA) },
        { name: "Cryptographic Length", value: integer(0, 2048) },
        policy,
      ],
      privateAttrs: [{ name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Sign) }],
      publicAttrs: [{ name: "Cryptographic Usage Mask", value: integer(0, Masks.CryptographicUsageMask.Verify) }],
    });
    c.credential = BARNEY;
    expect((await c.get(publicUid)).objectType).to.equal(Enums.ObjectType.PublicKey);
    expect(await c.getAttributeList(publicUid)).to.not.be.empty;
    expect((await failure(c.destroy(publicUid))).reason).to.equal(R.PermissionDenied);
    expect((await failure(c.get(privateUid))).reason).to.equal(R.PermissionDenied);
  });

  it("another account gets Item Not Found, with or without a credential of its own; a credential of another account is refused", async () => {
    c.credential = FRED;
    const uid = await c.create({ attributes: [policy] });
    const other = await srv.client({ principal: "other-host", version: "1.2" });
    expect((await failure(other.get(uid))).reason).to.equal(R.ItemNotFound);
    other.credential = OLGA;
    expect((await failure(other.get(uid))).reason).to.equal(R.ItemNotFound);
    other.credential = FRED; // Fred is a user of account "default", not of "other"
    expect((await failure(other.get(uid))).reason).to.equal(R.AuthenticationNotSuccessful);
  });

  it("an account with no credentials configured ignores header credentials, as before; an unknown policy name is refused", async () => {
    const plain = await srv.client({ principal: "plain-host", version: "1.0" });
    plain.credential = { username: "fortigate", password: "not-checked" };
    const uid = await plain.create();
    plain.credential = undefined;
    expect((await plain.get(uid)).keyBytes).to.have.length(32);
    expect((await srv.engine.objects.load(uid, "plain")).creator).to.equal(undefined);
    const e = await failure(plain.create({ attributes: [{ name: "Operation Policy Name", value: text(0, "strict") }] }));
    expect(e.reason).to.equal(R.InvalidField);
  });
});
