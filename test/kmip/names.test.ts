import { expect } from "chai";
import { normalizeName } from "../../src/kmip/index.js";

describe("kmip normalizeName (FORMAT.md §3.1; Profiles 2.1 §5.4.1.1)", () => {
  const cases: [string, string][] = [
    // the examples of kmip-testcases/FORMAT.md §3.1
    ["3DES", "DES3"],
    ["SHA-256", "SHA_256"],
    ["PKCS#1", "PKCS_1"],
    ["X.509", "X_509"],
    ["HMAC-SHA256", "HMAC_SHA256"],
    ["Symmetric Key", "SymmetricKey"],
    ["Symmetric Key Lifecycle Server KMIP v1.2", "SymmetricKeyLifecycleServerKMIPV1_2"],
    // tag and value names of the spec as the test files spell them
    ["Unique Identifier", "UniqueIdentifier"],
    ["IV/Counter/Nonce", "IVCounterNonce"],
    ["MAC/Signature Key Information", "MACSignatureKeyInformation"],
    ["Common Template-Attribute", "CommonTemplateAttribute"],
    ["PKCS#12 Friendly Name", "PKCS_12FriendlyName"],
    ["On-line storage", "OnLineStorage"],
    ["RSAES-OAEP", "RSAES_OAEP"],
    ["Re-key Key Pair", "ReKeyKeyPair"],
    ["P-256", "P_256"],
    ["SHA-512/224", "SHA_512_224"],
    ["Polynomial Sharing GF (2^8)", "PolynomialSharingGF2_8"],
    ["EC Public Key Type X9.62 Compressed Prime", "ECPublicKeyTypeX9_62CompressedPrime"],
    ["MAC/sign then encrypt", "MACSignThenEncrypt"],
    ["Content Commitment (Non Repudiation)", "ContentCommitmentNonRepudiation"],
  ];
  for (const [display, xml] of cases) {
    it(`${JSON.stringify(display)} → ${xml}`, () => expect(normalizeName(display)).to.equal(xml));
  }

  it("only round brackets become spaces (rule 1); other non-word characters are underscores", () => {
    expect(normalizeName("a [b]")).to.equal("A_b_");
    expect(normalizeName("(Reserved)")).to.equal("Reserved");
  });

  it("digits move only from the first word, and only when letters follow them", () => {
    expect(normalizeName("3DES Key")).to.equal("DES3Key");
    expect(normalizeName("Key 3DES")).to.equal("Key3DES");
    expect(normalizeName("128")).to.equal("128");
    expect(normalizeName("")).to.equal("");
  });
});
