import { expect } from "chai";
import { Enums, Masks, Tag } from "../../src/kmip/index.js";
import { bytes, enumeration, struct, type TtlvNode } from "../../src/ttlv/index.js";
import { FAILED, OK, engine } from "./harness.js";
import { Op, R, V, field, hex, register, uidOf, type Engine } from "./crypto-helpers.js";

const M = Masks.CryptographicUsageMask;

/** Secret Data as TC-OTP-SETUP-1/2 register it: Password, Opaque, with or without a Key Value. */
function pad(material?: Uint8Array): TtlvNode {
  const kv = material ? [struct(Tag.KeyValue, [bytes(Tag.KeyMaterial, material)])] : [];
  return struct(Tag.SecretData, [
    enumeration(Tag.SecretDataType, Enums.SecretDataType.Password),
    struct(Tag.KeyBlock, [enumeration(Tag.KeyFormatType, Enums.KeyFormatType.Opaque), ...kv]),
  ]);
}

const otp = (e: Engine, material?: Uint8Array, alg: number = Enums.CryptographicAlgorithm.OneTimePad) =>
  register(e, Enums.ObjectType.SecretData, pad(material), { mask: M.Encrypt | M.Decrypt, extra: [enumeration(Tag.CryptographicAlgorithm, alg)] });

describe("engine: One Time Pad (Secret Data) for Encrypt / Decrypt", () => {
  it("XORs from the pad's first byte, as TC-OTP-1/2 (fc932e1428bd ⊕ 010203040506 = fd912d102dbb)", async () => {
    const e = engine();
    const uid = await otp(e, hex("fc932e1428bd"));
    const enc = await e.op(Op.Encrypt, [uidOf(uid), bytes(Tag.Data, hex("010203040506"))], V);
    expect(enc.status, enc.message).to.equal(OK);
    expect(field(enc, Tag.Data)!.toString("hex")).to.equal("fd912d102dbb");
    const dec = await e.op(Op.Decrypt, [uidOf(uid), bytes(Tag.Data, hex("fd912d102dbb"))], V);
    expect(field(dec, Tag.Data)!.toString("hex")).to.equal("010203040506");
  });

  it("refuses data longer than the pad", async () => {
    const e = engine();
    const uid = await otp(e, hex("fc932e1428bd"));
    const r = await e.op(Op.Encrypt, [uidOf(uid), bytes(Tag.Data, hex("01020304050607"))], V);
    expect([r.status, r.reason]).to.deep.equal([FAILED, R.InvalidField]);
  });

  it("Get of a pad with key material is Permission Denied (TC-OTP-4); one without comes back as registered (TC-OTP-3)", async () => {
    const e = engine();
    const withBytes = await otp(e, hex("fc932e1428bd"));
    const g = await e.op(Op.Get, [uidOf(withBytes)], V);
    expect([g.status, g.reason]).to.deep.equal([FAILED, R.PermissionDenied]);
    const x = await e.op(Op.Export, [uidOf(withBytes)], V);
    expect([x.status, x.reason], "nor by Export").to.deep.equal([FAILED, R.PermissionDenied]);
    const empty = await otp(e);
    const g2 = await e.op(Op.Get, [uidOf(empty)], V);
    expect(g2.status, g2.message).to.equal(OK);
  });

  it("other Secret Data stays unusable for Encrypt, and gettable", async () => {
    const e = engine();
    const uid = await otp(e, hex("fc932e1428bd"), Enums.CryptographicAlgorithm.AES);
    const r = await e.op(Op.Encrypt, [uidOf(uid), bytes(Tag.Data, hex("0102"))], V);
    expect([r.status, r.reason]).to.deep.equal([FAILED, R.PermissionDenied]);
    expect((await e.op(Op.Get, [uidOf(uid)], V)).status).to.equal(OK);
  });
});
