import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { Pkcs11Contexts } from "../../src/operations/pkcs11/contexts.js";
import { ckInfo } from "../../src/operations/pkcs11.js";
import { bytes, enumeration, integer, text, type TtlvNode } from "../../src/ttlv/index.js";
import { Op } from "./attr-helpers.js";
import { FAILED, OK, engine, val } from "./harness.js";

const F = Enums.PKCS_11Function;
const RV = Enums.PKCS_11ReturnCode;
const call = (e: ReturnType<typeof engine>, fn: number, more: TtlvNode[] = [], who?: string) =>
  e.op(Op.PKCS_11, [enumeration(Tag.PKCS_11Function, fn), ...more], "2.1", who);

describe("engine: the PKCS#11 operation (2.0/2.1)", () => {
  it("C_Initialize opens a context named by a Correlation Value; C_GetInfo answers CK_INFO; C_Finalize closes it", async () => {
    const e = engine();
    const init = await call(e, F.C_Initialize, [bytes(Tag.PKCS_11InputParameters, Buffer.of(1))]);
    expect(init.status).to.equal(OK);
    expect(val(init.payload, Tag.PKCS_11ReturnCode)).to.equal(RV.OK);
    const cv = val(init.payload, Tag.CorrelationValue) as Uint8Array;
    expect(cv).to.have.length(16);
    const info = await call(e, F.C_GetInfo, [bytes(Tag.CorrelationValue, cv)]);
    expect(val(info.payload, Tag.PKCS_11ReturnCode)).to.equal(RV.OK);
    const out = Buffer.from(val(info.payload, Tag.PKCS_11OutputParameters) as Uint8Array);
    expect(out).to.have.length(76);
    expect([...out.subarray(0, 2)], "Cryptoki 3.0").to.deep.equal([3, 0]);
    expect(out.subarray(2, 34).toString("ascii")).to.equal("kmipd".padEnd(32, " "));
    expect(out.subarray(34, 42).equals(Buffer.alloc(8)), "no flags").to.equal(true);
    expect(out.subarray(42, 74).toString("ascii").trimEnd()).to.equal("kmipd KMIP server");
    expect([...out.subarray(74)], "the server's version").to.deep.equal([...ckInfo("kmipd", "test").subarray(74)]);
    expect(val((await call(e, F.C_Initialize, [bytes(Tag.CorrelationValue, cv)])).payload, Tag.PKCS_11ReturnCode)).to.equal(RV.CRYPTOKI_ALREADY_INITIALIZED);
    expect(val((await call(e, F.C_Finalize, [bytes(Tag.CorrelationValue, cv)])).payload, Tag.PKCS_11ReturnCode)).to.equal(RV.OK);
    expect(val((await call(e, F.C_GetInfo, [bytes(Tag.CorrelationValue, cv)])).payload, Tag.PKCS_11ReturnCode)).to.equal(RV.CRYPTOKI_NOT_INITIALIZED);
    expect(val((await call(e, F.C_Finalize, [bytes(Tag.CorrelationValue, cv)])).payload, Tag.PKCS_11ReturnCode)).to.equal(RV.CRYPTOKI_NOT_INITIALIZED);
  });

  it("a context belongs to the principal that opened it", async () => {
    const e = engine();
    const cv = val((await call(e, F.C_Initialize)).payload, Tag.CorrelationValue) as Uint8Array;
    const other = await call(e, F.C_GetInfo, [bytes(Tag.CorrelationValue, cv)], "mallory");
    expect(val(other.payload, Tag.PKCS_11ReturnCode)).to.equal(RV.CRYPTOKI_NOT_INITIALIZED);
    expect(val(other.payload, Tag.PKCS_11OutputParameters)).to.equal(undefined);
  });

  it("other PKCS#11 functions answer CKR_FUNCTION_NOT_SUPPORTED; unknown functions and interfaces are KMIP errors", async () => {
    const e = engine();
    const slots = await call(e, F.C_GetSlotList);
    expect(slots.status).to.equal(OK);
    expect(val(slots.payload, Tag.PKCS_11ReturnCode)).to.equal(RV.FUNCTION_NOT_SUPPORTED);
    const vendor = await e.op(Op.PKCS_11, [integer(Tag.PKCS_11Function, 0x7f000001)], "2.1");
    expect([vendor.status, vendor.reason]).to.deep.equal([FAILED, Enums.ResultReason.PKCS_11InvalidFunction]);
    const beyond = await e.op(Op.PKCS_11, [enumeration(Tag.PKCS_11Function, 93)], "2.1");
    expect(beyond.reason).to.equal(Enums.ResultReason.PKCS_11InvalidFunction);
    const iface = await call(e, F.C_GetInfo, [text(Tag.PKCS_11Interface, "Vendor XYZ")]);
    expect(iface.reason).to.equal(Enums.ResultReason.PKCS_11InvalidInterface);
    expect(val((await call(e, F.C_GetSlotList, [text(Tag.PKCS_11Interface, "PKCS 11")])).payload, Tag.PKCS_11Interface)).to.equal("PKCS 11");
  });

  it("is not an operation of KMIP 1.x: a 1.4 client gets Operation Not Supported, and no 2.x field", async () => {
    const r = await engine().op(Op.PKCS_11, [enumeration(Tag.PKCS_11Function, F.C_Initialize)], "1.4");
    expect(r.status).to.equal(FAILED);
    expect(r.reason).to.equal(Enums.ResultReason.OperationNotSupported);
    expect(r.payload).to.equal(undefined);
    const constraints = await engine().op(Op.GetConstraints, [], "2.0");
    expect(constraints.reason, "Get Constraints is 2.1's").to.equal(Enums.ResultReason.OperationNotSupported);
  });
});

describe("PKCS#11 contexts", () => {
  it("closes the least recently used beyond the limit, and idle ones", () => {
    let now = 0;
    const c = new Pkcs11Contexts({ max: 2, idleMs: 1000 }, () => now);
    const a = c.open("p");
    const b = c.open("p");
    expect(c.use("p", a)).to.equal(true); // b is now the least recently used
    const d = c.open("p");
    expect([c.use("p", a), c.use("p", b), c.use("p", d)]).to.deep.equal([true, false, true]);
    now = 2000;
    expect(c.use("p", a)).to.equal(false);
    expect(c.size).to.equal(0);
  });
});
