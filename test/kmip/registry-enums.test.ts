import { expect } from "chai";
import {
  allEnums,
  allMasks,
  CryptographicUsageMask,
  enumByXmlName,
  enumConst,
  enumName,
  Enums,
  enumValue,
  inVersion,
  KMIP_VERSIONS,
  maskByXmlName,
  maskFromNames,
  Masks,
  maskToNames,
  ResultReason,
  versionBit,
} from "../../src/kmip/index.js";
import { ITEM_TYPE_NAMES, ItemType } from "../../src/ttlv/types.js";

describe("kmip registry: enumerations and masks", () => {
  it("Item Type (1.x §9.1.1.2, 2.x §11.23) equals ItemType in src/ttlv/types.ts", () => {
    const e = enumByXmlName("ItemType")!;
    const fromSpec = Object.fromEntries(e.values.map((v) => [v.xmlName, v.value]));
    const fromCodec = Object.fromEntries(Object.entries(ITEM_TYPE_NAMES).map(([byte, name]) => [name, Number(byte)]));
    expect(fromSpec).to.deep.equal(fromCodec);
    expect(enumValue(e, "DateTimeExtended")).to.equal(ItemType.DateTimeExtended);
    expect(inVersion(e.values.find((v) => v.xmlName === "DateTimeExtended")!.versions, "1.4")).to.equal(false);
    for (const v of KMIP_VERSIONS) expect(enumValue(e, "Interval", v)).to.equal(ItemType.Interval);
  });

  it("Result Reason values", () => {
    const e = enumByXmlName("ResultReason")!;
    expect(e.section).to.equal("1.0 §9.1.3.2.28; 1.1–1.4 §9.1.3.2.29; 2.0 §11.45; 2.1 §11.46");
    const expected: [string, number][] = [
      ["ItemNotFound", 0x01], ["ResponseTooLarge", 0x02], ["AuthenticationNotSuccessful", 0x03], ["InvalidMessage", 0x04],
      ["OperationNotSupported", 0x05], ["MissingData", 0x06], ["InvalidField", 0x07], ["FeatureNotSupported", 0x08],
      ["OperationCanceledByRequester", 0x09], ["CryptographicFailure", 0x0a], ["PermissionDenied", 0x0c],
      ["ObjectArchived", 0x0d], ["ApplicationNamespaceNotSupported", 0x0f], ["KeyFormatTypeNotSupported", 0x10],
      ["KeyCompressionTypeNotSupported", 0x11], ["GeneralFailure", 0x100],
    ];
    for (const [name, value] of expected) {
      for (const v of KMIP_VERSIONS) expect(enumValue(e, name, v), `${name} ${v}`).to.equal(value);
    }
    // Illegal Operation and Index Out of Bounds are 1.x only; 2.0 reserves their values
    const illegal = e.values.find((v) => v.xmlName === "IllegalOperation")!;
    expect(illegal.value).to.equal(0x0b);
    expect(inVersion(illegal.versions, "1.4")).to.equal(true);
    expect(inVersion(illegal.versions, "2.0")).to.equal(false);
    expect(enumName(e, 0x19, "2.0")).to.equal("InvalidTicket");
    expect(ResultReason.ItemNotFound).to.equal(1);
    expect(Enums.ResultReason.GeneralFailure).to.equal(0x100);
    expect(enumConst("ResultReason", "PermissionDenied")).to.equal(0x0c);
  });

  it("Cryptographic Usage Mask bits, per version", () => {
    const m = maskByXmlName("CryptographicUsageMask")!;
    const bits: [string, number][] = [
      ["Sign", 0x1], ["Verify", 0x2], ["Encrypt", 0x4], ["Decrypt", 0x8], ["WrapKey", 0x10], ["UnwrapKey", 0x20],
      ["MACGenerate", 0x80], ["MACVerify", 0x100], ["DeriveKey", 0x200], ["KeyAgreement", 0x800],
      ["CertificateSign", 0x1000], ["CRLSign", 0x2000],
    ];
    for (const [name, bit] of bits) {
      const row = m.values.find((v) => v.xmlName === name)!;
      expect(row.value, name).to.equal(bit);
      expect(row.versions, name).to.equal(0x7f);
    }
    const only = (name: string): number => m.values.find((v) => v.xmlName === name)!.versions;
    expect(only("Export"), "reserved in 2.x").to.equal(0x1f);
    expect(only("ContentCommitment")).to.equal(0x1f);
    expect(only("Authenticate"), "added in 2.0").to.equal(versionBit("2.0") | versionBit("2.1"));
    expect(inVersion(only("FPEEncrypt"), "1.0")).to.equal(false);
    expect(only("TranslateEncrypt"), "1.0–1.4 (1.0 §9.1.3.3.1 lists it already)").to.equal(0x1f);
    expect(maskFromNames(m, ["Encrypt", "Decrypt", "MACGenerate", "MACVerify"])).to.equal(0x18c);
    expect(maskFromNames(m, ["ContentCommitmentNonRepudiation"]), "the 1.x cell's second line").to.equal(0x400);
    expect(maskFromNames(m, ["Encrypt", "0x00100000"])).to.equal(0x100004);
    expect(maskFromNames(m, ["Encrypt", "NoSuchBit"])).to.equal(undefined);
    expect(maskToNames(m, 0x10000c, "2.0")).to.deep.equal({ names: ["Encrypt", "Decrypt", "Authenticate"], rest: 0 });
    expect(maskToNames(m, 0x10000c, "1.0")).to.deep.equal({ names: ["Encrypt", "Decrypt"], rest: 0x100000 });
    expect(CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt).to.equal(0xc);
    expect(Masks.StorageStatusMask.DestroyedStorage).to.equal(4);
  });

  it("values added later are absent from earlier versions", () => {
    const alg = enumByXmlName("CryptographicAlgorithm")!;
    const row = (name: string) => alg.values.find((v) => v.xmlName === name)!;
    expect(inVersion(row("ChaCha20").versions, "1.4")).to.equal(true);
    expect(inVersion(row("ChaCha20").versions, "1.3")).to.equal(false);
    expect(inVersion(row("Ed25519").versions, "1.4")).to.equal(false);
    expect(inVersion(row("Ed25519").versions, "2.0")).to.equal(true);
    expect(enumValue(alg, "DES3")).to.equal(2);
    expect(enumValue(alg, "HMAC_SHA256")).to.equal(9);
    expect(enumValue(enumByXmlName("KeyFormatType")!, "PKCS_1")).to.equal(3);
    expect(enumValue(enumByXmlName("PaddingMethod")!, "OAEP")).to.equal(2);
    expect(enumValue(enumByXmlName("CertificateType")!, "X_509")).to.equal(1);
    expect(enumValue(enumByXmlName("SplitKeyMethod")!, "PolynomialSharingGF2_8"), "GF (2<sup>8</sup>)").to.equal(4);
  });

  it("renamed values keep their former names as aliases", () => {
    const dsa = enumByXmlName("DigitalSignatureAlgorithm")!;
    expect(enumValue(dsa, "SHA_256WithRSAEncryption", "1.2")).to.equal(5);
    expect(enumValue(dsa, "SHA_256WithRSAEncryptionPKCS_1V1_5", "1.2"), "the 1.1–1.4 text").to.equal(5);
    const hash = enumByXmlName("HashingAlgorithm")!;
    expect(enumValue(hash, "SHA3_256")).to.equal(0x0f);
    expect(enumValue(hash, "SHA_3_256"), "1.4 spells it SHA-3-256").to.equal(0x0f);
    const mgf = enumByXmlName("MaskGenerator")!;
    expect(enumName(mgf, 1, "2.1")).to.equal("MGF1");
    expect(enumValue(mgf, "MFG1"), "the 2.x text's spelling").to.equal(1);
  });

  it("Profile Name: 1.x values are reserved in 2.x, which numbers its profiles from 0x104", () => {
    const e = enumByXmlName("ProfileName")!;
    const base = e.values.find((v) => v.xmlName === "BaselineServerBasicKMIPV1_2")!;
    expect(base.value).to.equal(1);
    expect(inVersion(base.versions, "1.4")).to.equal(true);
    expect(inVersion(base.versions, "2.0")).to.equal(false);
    expect(e.values.filter((v) => inVersion(v.versions, "2.0")).every((v) => v.value >= 0x104)).to.equal(true);
  });

  it("every enumeration and mask cites its sections; no extension ranges or reserved rows are values", () => {
    for (const e of [...allEnums(), ...allMasks()]) {
      expect(e.section, e.name).to.match(/§/);
      expect(new Set(e.values.map((v) => v.value)).size, e.name).to.equal(e.values.length);
      for (const v of e.values) {
        expect(v.value >>> 0, `${e.name}.${v.name}`).to.be.lessThan(0x80000000);
        expect(v.name, e.name).to.not.match(/^(\(?reserved\)?|extensions)$/i);
        expect(v.versions & ~(e.versions ?? 0x7f), `${e.name}.${v.name}`).to.equal(0);
      }
    }
    // values KMIP defines by reference to PKCS#11 (scripts/registry/external.ts)
    const fn = enumByXmlName("PKCS_11Function")!;
    expect(fn.values, "the 92 functions of CK_FUNCTION_LIST_3_0").to.have.length(92);
    expect(fn.values.find((v) => v.xmlName === "C_Initialize")?.value).to.equal(1);
    expect(fn.values.find((v) => v.xmlName === "C_GetInfo")?.value).to.equal(3);
    expect(fn.values.find((v) => v.xmlName === "C_WaitForSlotEvent")?.value).to.equal(68);
    expect(fn.values.find((v) => v.xmlName === "C_MessageVerifyFinal")?.value).to.equal(92);
    const rv = enumByXmlName("PKCS_11ReturnCode")!;
    expect(rv.values.find((v) => v.xmlName === "OK")?.value).to.equal(0);
    expect(rv.values.find((v) => v.xmlName === "FUNCTION_NOT_SUPPORTED")?.value).to.equal(0x54);
    expect(rv.values.find((v) => v.xmlName === "CRYPTOKI_NOT_INITIALIZED")?.value).to.equal(0x190);
    expect(allEnums().map((e) => e.xmlName)).to.not.include("Tag");
  });
});
