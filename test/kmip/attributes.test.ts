import { expect } from "chai";
import { allAttributes, attributeByName, enumForTag, enumValue, inVersion, maskForTag, tagByValue, Tag } from "../../src/kmip/index.js";

describe("kmip registry: attributes", () => {
  it("maps a 1.x Attribute Name to its tag and type", () => {
    const cases: [string, number, string][] = [
      ["Cryptographic Usage Mask", Tag.CryptographicUsageMask, "Integer"],
      ["Cryptographic Algorithm", Tag.CryptographicAlgorithm, "Enumeration"],
      ["Application Specific Information", Tag.ApplicationSpecificInformation, "Structure"],
      ["Name", Tag.Name, "Structure"],
      ["Link", Tag.Link, "Structure"],
      ["State", Tag.State, "Enumeration"],
      ["Unique Identifier", Tag.UniqueIdentifier, "TextString"],
      ["Lease Time", Tag.LeaseTime, "Interval"],
      ["Random Number Generator", Tag.RandomNumberGenerator, "Structure"],
      ["X.509 Certificate Identifier", Tag.X_509CertificateIdentifier, "Structure"],
      ["Always Sensitive", Tag.AlwaysSensitive, "Boolean"],
    ];
    for (const [name, tag, type] of cases) {
      const a = attributeByName(name)!;
      expect(a, name).to.not.equal(undefined);
      expect(a.tag, name).to.equal(tag);
      expect(a.type, name).to.equal(type);
    }
  });

  it("knows which versions define an attribute", () => {
    expect(attributeByName("Operation Policy Name", "1.4")).to.not.equal(undefined);
    expect(attributeByName("Operation Policy Name", "2.0")).to.equal(undefined);
    expect(attributeByName("Certificate Subject CN", "2.0")!.type).to.equal("TextString");
    expect(attributeByName("Rotate Interval", "2.0")).to.equal(undefined);
    expect(attributeByName("Rotate Interval", "2.1")).to.not.equal(undefined);
  });

  it("holds no custom (x-/y-) attributes and no structure that only groups attributes", () => {
    expect(attributeByName("x-ID")).to.equal(undefined);
    expect(attributeByName("Custom Attribute")).to.equal(undefined);
    expect(attributeByName("Vendor Attribute")).to.equal(undefined);
    expect(attributeByName("Certificate Attributes")).to.equal(undefined);
  });

  it("every attribute's tag exists in the attribute's versions and has the attribute's name", () => {
    for (const a of allAttributes()) {
      const t = tagByValue(a.tag)!;
      expect(t, a.name).to.not.equal(undefined);
      expect(t.name, a.name).to.equal(a.name);
      expect(a.versions & ~t.versions, a.name).to.equal(0);
      expect(a.section, a.name).to.match(/§[34]\.\d+/);
      if (a.type === "Enumeration") expect(enumForTag(a.tag), a.name).to.not.equal(undefined);
    }
  });

  it("a 1.x AttributeValue is read with the attribute's enumeration or mask", () => {
    const alg = attributeByName("Cryptographic Algorithm")!;
    expect(enumValue(enumForTag(alg.tag)!, "AES")).to.equal(3);
    expect(maskForTag(attributeByName("Cryptographic Usage Mask")!.tag)?.xmlName).to.equal("CryptographicUsageMask");
    expect(inVersion(attributeByName("Fresh")!.versions, "1.0")).to.equal(false);
  });
});
