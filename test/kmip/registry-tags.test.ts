import { expect } from "chai";
import {
  allTags,
  enumForTag,
  enumValue,
  inVersion,
  KMIP_VERSIONS,
  maskForTag,
  tag,
  Tag,
  tagByName,
  tagByValue,
  tagByXmlName,
  tagType,
  tagTypeIn,
  versionBit,
  type KmipVersion,
} from "../../src/kmip/index.js";
import { ItemType } from "../../src/ttlv/types.js";

/**
 * kmip-spec/README.md "Sanity check of the tag tables": single 42xxxx rows per version, the
 * "(Reserved)" ones among them, and the last tag. In 2.0/2.1 one more reserved row is written
 * without brackets ("Reserved | 420137"), so a version names rows − 19 − 1 tags there.
 */
const TAG_TABLES: readonly { version: KmipVersion; rows: number; bracketedReserved: number; bareReserved: number; last: number }[] = [
  { version: "1.0", rows: 161, bracketedReserved: 0, bareReserved: 0, last: 0x4200a1 },
  { version: "1.1", rows: 183, bracketedReserved: 0, bareReserved: 0, last: 0x4200b7 },
  { version: "1.2", rows: 211, bracketedReserved: 0, bareReserved: 0, last: 0x4200d3 },
  { version: "1.3", rows: 247, bracketedReserved: 0, bareReserved: 0, last: 0x4200f7 },
  { version: "1.4", rows: 292, bracketedReserved: 0, bareReserved: 0, last: 0x420124 },
  { version: "2.0", rows: 357, bracketedReserved: 19, bareReserved: 1, last: 0x420165 },
  { version: "2.1", rows: 374, bracketedReserved: 19, bareReserved: 1, last: 0x420176 },
];

describe("kmip registry: tags", () => {
  for (const t of TAG_TABLES) {
    it(`${t.version}: ${t.rows} tag rows (${t.bracketedReserved + t.bareReserved} reserved), last ${t.last.toString(16)}`, () => {
      const named = allTags().filter((r) => inVersion(r.versions, t.version));
      expect(named.length).to.equal(t.rows - t.bracketedReserved - t.bareReserved);
      expect(Math.max(...named.map((r) => r.value))).to.equal(t.last);
      // the values run from 420001 to the last one: each is named or reserved in this version
      const reserved = t.last - 0x420000 - named.length;
      expect(reserved).to.equal(t.bracketedReserved + t.bareReserved);
    });
  }

  it("2.x reserves the tags 1.x deprecated or dropped; 420137 was never named", () => {
    for (const v of [0x420009, 0x420014, 0x42001f, 0x42002d, 0x42005d, 0x420087, 0x420091]) {
      const r = tagByValue(v)!;
      expect(inVersion(r.versions, "1.4"), r.name).to.equal(true);
      expect(inVersion(r.versions, "2.0"), r.name).to.equal(false);
    }
    expect(tagByValue(0x420137)).to.equal(undefined);
    expect(tagByXmlName("CertificateIdentifier")!.deprecated).to.equal(versionBit("1.1") | versionBit("1.2") | versionBit("1.3") | versionBit("1.4"));
    expect(tagByXmlName("OperationPolicyName")!.deprecated).to.equal(versionBit("1.3") | versionBit("1.4"));
  });

  it("spot checks: Unique Identifier, Cryptographic Algorithm, Request Message", () => {
    const uid = tagByXmlName("UniqueIdentifier")!;
    expect(uid.value).to.equal(0x420094);
    expect(uid.type, "Text String in 1.x; Text String, Enumeration or Integer in 2.x").to.equal(undefined);
    expect(uid.types).to.deep.equal({ TextString: 0x7f, Enumeration: 0x60, Integer: 0x60 });
    expect(tagTypeIn(0x420094, "1.4")).to.equal(ItemType.TextString);
    expect(tagTypeIn(0x420094, "2.0")).to.equal(undefined);

    const alg = tagByXmlName("CryptographicAlgorithm")!;
    expect(alg.value).to.equal(0x420028);
    expect(alg.type).to.equal("Enumeration");
    expect(alg.enumeration).to.equal("CryptographicAlgorithm");
    for (const v of KMIP_VERSIONS) expect(enumValue(enumForTag(alg.value)!, "AES", v), v).to.equal(3);

    expect(tag("RequestMessage")).to.equal(0x420078);
    expect(Tag.RequestMessage).to.equal(0x420078);
    expect(tagByName("Request Message")!.type).to.equal("Structure");
    expect(() => tag("NoSuchTag")).to.throw(/unknown KMIP tag/);
  });

  it("every row cites the spec and every 1.x/2.x table it is in", () => {
    for (const r of allTags()) {
      expect(r.section, r.name).to.match(/^(\d\.\d(–\d\.\d)? §[\d.]+)(; \d\.\d(–\d\.\d)? §[\d.]+)*$/);
      if (inVersion(r.versions, "1.0")) expect(r.section, r.name).to.contain("1.0");
      if (inVersion(r.versions, "2.1")) expect(r.section, r.name).to.contain("2.1 §11.56");
    }
    expect(tagByXmlName("ActivationDate")!.section).to.equal("1.0–1.4 §9.1.3.1; 2.0 §11.54; 2.1 §11.56");
  });

  it("types come from the structure tables, per version where they differ", () => {
    expect(tagType(Tag.ActivationDate)).to.equal(ItemType.DateTime);
    expect(tagType(Tag.BatchCount)).to.equal(ItemType.Integer);
    expect(tagType(Tag.Modulus), "Big Integer is one type").to.equal(ItemType.BigInteger);
    expect(tagType(Tag.UsageLimitsTotal)).to.equal(ItemType.LongInteger);
    expect(tagType(Tag.KeyMaterial), "Byte String or Structure").to.equal(undefined);
    expect(tagType(Tag.AttributeValue)).to.equal(undefined);
    expect(tagTypeIn(Tag.AsynchronousIndicator, "1.2")).to.equal(ItemType.Boolean);
    expect(tagTypeIn(Tag.AsynchronousIndicator, "2.1")).to.equal(ItemType.Enumeration);
    expect(tagType(Tag.PKCS_11Function), "the same-named structure row is not the tag's type").to.equal(ItemType.Enumeration);
    expect(tagType(Tag.ReplaceExisting), "'A Boolean.' in the description").to.equal(ItemType.Boolean);
    expect(tagType(Tag.AlwaysSensitive)).to.equal(ItemType.Boolean);
    expect(tagType(Tag.ServerName), "'Server name' row in 2.x §7").to.equal(ItemType.TextString);
  });

  it("Enumeration tags name their enumeration; mask tags their mask", () => {
    const cases: [number, string][] = [
      [Tag.MaskGeneratorHashingAlgorithm, "HashingAlgorithm"],
      [Tag.SplitKeyMethod, "SplitKeyMethod"], // 1.1 §2.2.5 says "see 9.1.3.2.7"; 1.1 Errata 01 §2.3 fixes it
      [Tag.KeyWrapType, "KeyWrapType"],
      [Tag.ExtensionType, "ItemType"], // 2.x "Enumeration (Item Type)"
      [Tag.LinkedObjectIdentifier, "UniqueIdentifier"],
      [Tag.AttributeReference, "Tag"],
      [Tag.ResultReason, "ResultReason"],
    ];
    for (const [t, e] of cases) expect(enumForTag(t)?.xmlName, tagByValue(t)!.name).to.equal(e);
    for (const r of allTags()) {
      if (r.type === "Enumeration") expect(r.enumeration, `${r.name} has no enumeration`).to.be.a("string");
      if (r.enumeration !== undefined) expect(enumForTag(r.value), r.name).to.not.equal(undefined);
    }
    expect(maskForTag(Tag.CryptographicUsageMask)?.xmlName).to.equal("CryptographicUsageMask");
    expect(maskForTag(Tag.StorageStatusMask)?.xmlName).to.equal("StorageStatusMask");
    expect(maskForTag(Tag.ProtectionStorageMask)?.xmlName).to.equal("ProtectionStorageMask");
    expect(maskForTag(Tag.ProtectionStorageMasks), "a structure of masks").to.equal(undefined);
    expect(allTags().filter((r) => r.mask !== undefined).map((r) => r.xmlName)).to.have.members(["CryptographicUsageMask", "StorageStatusMask", "ProtectionStorageMask"]);
  });

  it("Attribute Reference values are tag names (the Tag enumeration)", () => {
    const e = enumForTag(Tag.AttributeReference)!;
    expect(enumValue(e, "State")).to.equal(0x42008d);
    expect(enumValue(e, "CryptographicUsageMask", "2.0")).to.equal(0x42002c);
  });

  it("xmlNames and values are unique", () => {
    const rows = allTags();
    expect(new Set(rows.map((r) => r.xmlName)).size).to.equal(rows.length);
    expect(new Set(rows.map((r) => r.value)).size).to.equal(rows.length);
    expect(Object.keys(Tag)).to.have.length(rows.length);
  });
});
