/**
 * The "default" operation policy: the decision table (policy.ts), the creator kept beside the
 * attributes (model/object.ts encodeBody), and the executor applying both to header credentials
 * (Undo batches, deferred Locate, Re-key without a credential).
 */
import { expect } from "chai";
import { CredentialVerifier, hashPassword } from "../../src/auth/index.js";
import { authenticationNode, type ClientCredential } from "../../src/client/index.js";
import { Enums, Tag } from "../../src/kmip/index.js";
import { decodeBody, encodeAttrs, encodeBody } from "../../src/model/index.js";
import { allowedToNonOwner, policyAllows } from "../../src/operations/policy.js";
import { boolean, bytes, enumeration, text, type StructureNode } from "../../src/ttlv/index.js";
import { recordPin } from "../support/secrets.js";
import { Op, R, aesAttrs, nameAttr, query, std, template, uidOf, wire } from "./attr-helpers.js";
import { FAILED, OK, engine, result, val } from "./harness.js";

const T = Enums.ObjectType;
const FRED = { username: "fred", password: "unit-fred-pass-1" };
const BARNEY = { username: "barney", password: "unit-barney-pass-2" };
recordPin(FRED.password);
recordPin(BARNEY.password);

describe("operation policy: the default policy's decision", () => {
  it("secret objects and templates are the owner's for every operation", () => {
    for (const type of [T.SymmetricKey, T.PrivateKey, T.SplitKey, T.SecretData, T.OpaqueObject, T.Template]) {
      for (const op of [Op.Get, Op.GetAttributes, Op.GetAttributeList, Op.Locate, Op.Check, Op.Destroy, Op.Activate, Op.Revoke, Op.ReKey, Op.Encrypt, Op.Decrypt, Op.Sign, Op.MAC, Op.DeriveKey, Op.ObtainLease]) {
        expect(allowedToNonOwner(type, op), `${type}/${op}`).to.equal(false);
      }
    }
  });

  it("certificates and public keys: read by all, changed by the owner (Table 82)", () => {
    for (const type of [T.Certificate, T.PublicKey]) {
      for (const op of [Op.Locate, Op.Check, Op.Get, Op.GetAttributes, Op.GetAttributeList, Op.ObtainLease, Op.Validate]) expect(allowedToNonOwner(type, op)).to.equal(true);
      for (const op of [Op.AddAttribute, Op.ModifyAttribute, Op.DeleteAttribute, Op.SetAttribute, Op.Activate, Op.Revoke, Op.Destroy, Op.Archive, Op.Recover]) expect(allowedToNonOwner(type, op)).to.equal(false);
    }
  });

  it("no creator, no requester credential, or the creator itself: allowed; an unknown operation: refused", () => {
    const key = { objectType: T.SymmetricKey, creator: "user:fred" };
    expect(policyAllows({ objectType: T.SymmetricKey }, "user:barney", Op.Get)).to.equal(true);
    expect(policyAllows(key, undefined, Op.Get)).to.equal(true);
    expect(policyAllows(key, "user:fred", Op.Destroy)).to.equal(true);
    expect(policyAllows(key, "user:barney", Op.Get)).to.equal(false);
    expect(policyAllows({ objectType: T.PublicKey, creator: "user:fred" }, "user:barney", undefined)).to.equal(false);
  });

  it("the creator is stored beside the attributes and is not one of them; a body without one reads as before", () => {
    const attrs = aesAttrs();
    const body = encodeBody(attrs, "device:SN-1");
    expect(decodeBody(body)).to.deep.equal({ attrs: decodeBody(encodeAttrs(attrs)).attrs, creator: "device:SN-1" });
    expect(decodeBody(encodeAttrs(attrs))).to.not.have.property("creator");
    expect(Buffer.from(encodeBody(attrs, undefined))).to.deep.equal(Buffer.from(encodeAttrs(attrs)));
  });
});

describe("operation policy: header credentials through the executor", function () {
  this.timeout(30_000);
  let e: ReturnType<typeof engine>;
  before(async () => {
    const credentials = new CredentialVerifier([
      { type: "password", account: "alice", username: FRED.username, passwordHash: await hashPassword(FRED.password) },
      { type: "password", account: "alice", username: BARNEY.username, passwordHash: await hashPassword(BARNEY.password) },
    ]);
    e = engine({ credentials });
  });
  const as = (c: ClientCredential | undefined) => (c ? [authenticationNode(c)] : []);
  async function op(who: ClientCredential | undefined, operation: number, payload: Parameters<typeof e.op>[1], version: "1.2" | "2.1" = "1.2") {
    return result((await e.batch([{ operation, payload }], version, "alice", as(who))).children[1] as StructureNode);
  }
  const createFor = async (who: ClientCredential | undefined, name: string, version: "1.2" | "2.1" = "1.2") => {
    const r = await op(who, Op.Create, [enumeration(Tag.ObjectType, T.SymmetricKey), template(version, [...aesAttrs(), nameAttr(name)])], version);
    expect(r.status, r.message).to.equal(OK);
    return uidOf(r);
  };

  it("an object created in an Undo batch records its creator; another credential is denied, in 1.2 and 2.1", async () => {
    const res = await e.batch(
      [{ operation: Op.Create, payload: [enumeration(Tag.ObjectType, T.SymmetricKey), template("1.2", [...aesAttrs(), nameAttr("undo-fred")])] }],
      "1.2",
      "alice",
      [...as(FRED), enumeration(Tag.BatchErrorContinuationOption, Enums.BatchErrorContinuationOption.Undo)],
    );
    const uid = val(result(res.children[1] as StructureNode).payload, Tag.UniqueIdentifier) as string;
    expect((await op(FRED, Op.Get, [text(Tag.UniqueIdentifier, uid)])).status).to.equal(OK);
    const denied = await op(BARNEY, Op.Get, [text(Tag.UniqueIdentifier, uid)]);
    expect([denied.status, denied.reason, denied.message]).to.deep.equal([FAILED, R.PermissionDenied, "Access denied"]);
    const uid21 = await createFor(FRED, "fred-21", "2.1");
    expect((await op(BARNEY, Op.GetAttributes, [text(Tag.UniqueIdentifier, uid21)], "2.1")).reason).to.equal(R.PermissionDenied);
  });

  it("a deferred Locate (Asynchronous Indicator) applies the policy of the request that asked", async () => {
    await createFor(FRED, "async-fred");
    const header = [...as(BARNEY), boolean(Tag.AsynchronousIndicator, true)];
    const res = await e.batch([{ operation: Op.Locate, payload: query("1.2", [nameAttr("async-fred")]) }], "1.2", "alice", header);
    const pending = result(res.children[1] as StructureNode);
    expect(pending.status).to.equal(Enums.ResultStatus.OperationPending);
    const cv = val(pending.node, Tag.AsynchronousCorrelationValue) as Uint8Array;
    await new Promise((r) => setTimeout(r, 50));
    const polled = await op(BARNEY, Op.Poll, [bytes(Tag.AsynchronousCorrelationValue, cv)]);
    expect(polled.status, polled.message).to.equal(OK);
    expect(polled.payload?.children.filter((c) => c.tag === Tag.UniqueIdentifier)).to.deep.equal([]);
  });

  it("Re-key by the client itself (no credential) keeps the replacement the creator's", async () => {
    const uid = await createFor(FRED, "rekey-fred");
    expect((await op(FRED, Op.Activate, [text(Tag.UniqueIdentifier, uid)])).status).to.equal(OK);
    const r = await op(undefined, Op.ReKey, [text(Tag.UniqueIdentifier, uid)]);
    expect(r.status, r.message).to.equal(OK);
    const neu = uidOf(r);
    expect((await op(BARNEY, Op.Get, [text(Tag.UniqueIdentifier, neu)])).reason).to.equal(R.PermissionDenied);
    expect((await op(FRED, Op.Get, [text(Tag.UniqueIdentifier, neu)])).status).to.equal(OK);
  });

  it("Operation Policy Name: \"default\" is accepted, any other name is Invalid Field at Create and Add Attribute", async () => {
    const policy = (v: string) => std("Operation Policy Name", text(0, v));
    const ok = await op(FRED, Op.Create, [enumeration(Tag.ObjectType, T.SymmetricKey), template("1.2", [...aesAttrs(), policy("default")])]);
    expect(ok.status).to.equal(OK);
    const bad = await op(FRED, Op.Create, [enumeration(Tag.ObjectType, T.SymmetricKey), template("1.2", [...aesAttrs(), policy("no-such")])]);
    expect([bad.status, bad.reason]).to.deep.equal([FAILED, R.InvalidField]);
    const uid = await createFor(FRED, "policy-later");
    const add = await op(FRED, Op.AddAttribute, [text(Tag.UniqueIdentifier, uid), wire("1.2", policy("other"))]);
    expect(add.reason).to.equal(R.InvalidField);
  });
});
