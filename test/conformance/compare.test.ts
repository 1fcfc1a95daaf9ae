/**
 * The comparison rules of the conformance runner (FORMAT.md §4 rules 5–6), one small expected
 * response against synthetic server responses each: what may differ passes, what may not fails
 * with a readable path.
 */
import { expect } from "chai";
import { compareResponse, formatDifference } from "../../conformance/compare.js";
import { actual, attr1, expectation, newState, req, resp, uid } from "./helpers.js";
import { xmlToNodes } from "../../src/encodings/index.js";
import type { CaseState } from "../../conformance/state.js";

/** Compares; returns the formatted first difference or "" when the response passes. */
function check(expectedXml: string, actualXml: string, state: CaseState = newState(), requestXml?: string): string {
  const request = requestXml === undefined ? undefined : xmlToNodes(requestXml).messages[0];
  const d = compareResponse(expectation(expectedXml), actual(actualXml), state, request);
  return d ? formatDifference(d) : "";
}

const getAttrs = (attrs: string): string => resp("GetAttributes", uid("$UNIQUE_IDENTIFIER_0") + attrs);
const realAttrs = (attrs: string): string => resp("GetAttributes", uid("42") + attrs);

describe("conformance runner: comparison rules", () => {
  it("a wrong value fails, naming the path, the expected and the actual value", () => {
    const d = check(getAttrs(attr1("Cryptographic Length", "Integer", "256")), realAttrs(attr1("Cryptographic Length", "Integer", "128")));
    expect(d).to.equal("BatchItem[0]/ResponsePayload/Attribute[Cryptographic Length]/AttributeValue: expected 256, got 128");
  });

  it("a wrong enumeration fails with names", () => {
    const d = check(getAttrs(attr1("State", "Enumeration", "Active")), realAttrs(attr1("State", "Enumeration", "PreActive")));
    expect(d).to.equal("BatchItem[0]/ResponsePayload/Attribute[State]/AttributeValue: expected Active, got PreActive");
  });

  it("ignores TimeStamp, ResultMessage text and an absent ResultMessage", () => {
    const exp = resp("Get", undefined, { status: "OperationFailed", reason: "ItemNotFound", message: "DENIED" }).replace('value="$NOW"', 'value="2012-04-27T08:12:24+00:00"');
    expect(check(exp, resp("Get", undefined, { status: "OperationFailed", reason: "ItemNotFound", message: "no such object" }))).to.equal("");
    expect(check(exp, resp("Get", undefined, { status: "OperationFailed", reason: "ItemNotFound" }))).to.equal("");
  });

  it("reports a wrong ResultStatus first, with the server's reason and message", () => {
    const d = check(resp("Create", uid("$UNIQUE_IDENTIFIER_0")), resp("Create", undefined, { status: "OperationFailed", reason: "InvalidField", message: "bad length" }, 0));
    expect(d).to.equal('BatchItem[0]/ResultStatus: expected Success, got OperationFailed (InvalidField: "bad length")');
  });

  it("compares enumerations numerically: a file's 0x00000001 is the server's ItemNotFound", () => {
    const exp = resp("Get", undefined, { status: "OperationFailed", reason: "0x00000001" });
    expect(check(exp, resp("Get", undefined, { status: "OperationFailed", reason: "ItemNotFound" }))).to.equal("");
    expect(check(exp, resp("Get", undefined, { status: "OperationFailed", reason: "PermissionDenied" }))).to.match(/ResultReason: expected ItemNotFound, got PermissionDenied/);
    // 2.x has a separate Object Not Found (0x37): answering a 2.1 case with 1.x's Item Not Found is a difference
    const exp21 = resp("Get", undefined, { status: "OperationFailed", reason: "ObjectNotFound" }, 11);
    expect(check(exp21, resp("Get", undefined, { status: "OperationFailed", reason: "ItemNotFound" }, 11))).to.match(/expected ObjectNotFound, got ItemNotFound/);
  });

  it("accepts any Random Number Generator the server reports (Profiles 2.1 §4.1.2 item 7), but not its absence", () => {
    const rng = (alg: string, extra = "") =>
      `<Attribute><AttributeName type="TextString" value="Random Number Generator"/><AttributeValue><RNGAlgorithm type="Enumeration" value="${alg}"/>${extra}</AttributeValue></Attribute>`;
    const exp = getAttrs(rng("ANSIX9_31", '<CryptographicAlgorithm type="Enumeration" value="AES"/>'));
    expect(check(exp, realAttrs(rng("DRBG", '<DRBGAlgorithm type="Enumeration" value="CTR"/>')))).to.equal("");
    expect(check(exp, realAttrs(attr1("State", "Enumeration", "Active")))).to.match(/Random Number Generator/);
  });

  it("compares masks as bit sets, whatever the order of the names", () => {
    const exp = getAttrs(attr1("Cryptographic Usage Mask", "Integer", "Decrypt   Encrypt"));
    expect(check(exp, realAttrs(attr1("Cryptographic Usage Mask", "Integer", "Encrypt Decrypt")))).to.equal("");
    expect(check(exp, realAttrs(attr1("Cryptographic Usage Mask", "Integer", "Encrypt")))).to.match(/expected Encrypt\|Decrypt \(12\), got Encrypt \(4\)/);
  });

  it("treats 1.x attributes as a set: any order, extras allowed, a missing one fails", () => {
    const exp = getAttrs(attr1("State", "Enumeration", "PreActive") + attr1("Object Type", "Enumeration", "SymmetricKey"));
    const got = realAttrs(attr1("x-vendor", "TextString", "v") + attr1("Object Type", "Enumeration", "SymmetricKey") + attr1("State", "Enumeration", "PreActive"));
    expect(check(exp, got)).to.equal("");
    expect(check(exp, realAttrs(attr1("Object Type", "Enumeration", "SymmetricKey")))).to.equal('BatchItem[0]/ResponsePayload/Attribute[State]: missing: the response has no attribute "State" (expected Attribute "State" = PreActive)');
  });

  it("treats 2.x Attributes children as a set with extras", () => {
    const attrs = (inner: string): string => resp("GetAttributes", `${uid("$UNIQUE_IDENTIFIER_0")}<Attributes>${inner}</Attributes>`, {}, 11);
    const exp = attrs('<State type="Enumeration" value="Active"/><CryptographicLength type="Integer" value="256"/>');
    expect(check(exp, attrs('<CryptographicLength type="Integer" value="256"/><ObjectGroup type="TextString" value="g"/><State type="Enumeration" value="Active"/>').replace("$UNIQUE_IDENTIFIER_0", "7"))).to.equal("");
    expect(check(exp, attrs('<CryptographicLength type="Integer" value="256"/><State type="Enumeration" value="Deactivated"/>').replace("$UNIQUE_IDENTIFIER_0", "7"))).to.equal(
      "BatchItem[0]/ResponsePayload/Attributes/State: expected Active, got Deactivated",
    );
  });

  it("treats Locate results as a set that may hold other objects, and GetAttributeList names likewise", () => {
    const st = newState();
    st.bindings.set("$UNIQUE_IDENTIFIER_0", "a");
    st.bindings.set("$UNIQUE_IDENTIFIER_1", "b");
    const exp = resp("Locate", uid("$UNIQUE_IDENTIFIER_0") + uid("$UNIQUE_IDENTIFIER_1"));
    expect(check(exp, resp("Locate", uid("zz") + uid("b") + uid("a")), st)).to.equal("");
    expect(check(exp, resp("Locate", uid("a")), st)).to.match(/^BatchItem\[0\]\/ResponsePayload\/UniqueIdentifier\[1\]: missing/);
    const names = (...n: string[]): string => resp("GetAttributeList", uid("$UNIQUE_IDENTIFIER_0") + n.map((x) => `<AttributeName type="TextString" value="${x}"/>`).join(""));
    expect(check(names("State", "Name"), names("Name", "Digest", "State").replace("$UNIQUE_IDENTIFIER_0", "a"), st)).to.equal("");
    expect(check(names("State", "Name"), names("Name").replace("$UNIQUE_IDENTIFIER_0", "a"), st)).to.match(/missing: expected AttributeName "State"/);
  });

  it("a literal identifier in the file accepts any server id; dates only have to be plausible", () => {
    const exp = getAttrs(attr1("Initial Date", "DateTime", "2012-04-27T08:12:24+00:00")).replace("$UNIQUE_IDENTIFIER_0", "1");
    expect(check(exp, realAttrs(attr1("Initial Date", "DateTime", "$NOW")))).to.equal("");
    expect(check(exp, realAttrs(attr1("Initial Date", "DateTime", "1999-01-01T00:00:00+00:00")))).to.match(/Attribute\[Initial Date\]\/AttributeValue: expected 2012-04-27T08:12:24\+00:00 or a date during the run, got 1999/);
  });

  it("$NOW±s in a response is checked against the clock with a tolerance", () => {
    const exp = getAttrs(attr1("Activation Date", "DateTime", "$NOW-3600"));
    expect(check(exp, realAttrs(attr1("Activation Date", "DateTime", "$NOW-3590")))).to.equal("");
    expect(check(exp, realAttrs(attr1("Activation Date", "DateTime", "$NOW")))).to.match(/expected \$NOW-3600 ≈ 2023-11-14T21:13:20\+00:00, got 2023-11-14T22:13:20\+00:00/);
  });

  it("key material the client registered must come back identically; server-generated key material may differ", () => {
    const key = (hex: string): string =>
      resp("Get", `<ObjectType type="Enumeration" value="SymmetricKey"/>${uid("$UNIQUE_IDENTIFIER_0")}<SymmetricKey><KeyBlock><KeyFormatType type="Enumeration" value="Raw"/><KeyValue><KeyMaterial type="ByteString" value="${hex}"/></KeyValue></KeyBlock></SymmetricKey>`);
    const exp = key("00112233445566778899aabbccddeeff");
    expect(check(exp, key("ffeeddccbbaa99887766554433221100").replace("$UNIQUE_IDENTIFIER_0", "1"))).to.equal("");
    const st = newState();
    st.recordSent(xmlToNodes(req("Register", '<KeyMaterial type="ByteString" value="00112233445566778899aabbccddeeff"/>')).messages[0]!);
    expect(check(exp, key("ffeeddccbbaa99887766554433221100").replace("$UNIQUE_IDENTIFIER_0", "1"), st)).to.match(/KeyValue\/KeyMaterial: expected 00112233445566778899aabbccddeeff, got ffeedd/);
  });

  it("crypto outputs: Encrypt output may differ, Decrypt must return the expected plaintext", () => {
    const data = (op: string, hex: string): string => resp(op, `${uid("$UNIQUE_IDENTIFIER_0")}<Data type="ByteString" value="${hex}"/>`);
    expect(check(data("Encrypt", "0102"), data("Encrypt", "0a0b0c0d").replace("$UNIQUE_IDENTIFIER_0", "1"))).to.equal("");
    expect(check(data("Decrypt", "0102"), data("Decrypt", "0a0b").replace("$UNIQUE_IDENTIFIER_0", "1"))).to.equal("BatchItem[0]/ResponsePayload/Data: expected 0102, got 0a0b");
  });

  it("test identifiers may carry a vendor prefix", () => {
    const name = (v: string): string => getAttrs(`<Attribute><AttributeName type="TextString" value="Name"/><AttributeValue><NameValue type="TextString" value="${v}"/><NameType type="Enumeration" value="UninterpretedTextString"/></AttributeValue></Attribute>`);
    expect(check(name("SKLC-M-1-14"), name("acme-SKLC-M-1-14").replace("$UNIQUE_IDENTIFIER_0", "1"))).to.equal("");
    expect(check(name("SKLC-M-1-14"), name("SKLC-M-2-14").replace("$UNIQUE_IDENTIFIER_0", "1"))).to.match(/NameValue: expected "SKLC-M-1-14", got "SKLC-M-2-14"/);
  });

  it("an extra non-optional item fails; a missing required item fails", () => {
    expect(check(resp("Activate", uid("$UNIQUE_IDENTIFIER_0")), resp("Activate", `${uid("1")}<State type="Enumeration" value="Active"/>`))).to.equal(
      "BatchItem[0]/ResponsePayload/State: unexpected State Active",
    );
    expect(check(resp("Activate", uid("$UNIQUE_IDENTIFIER_0")), resp("Activate", ""))).to.equal('BatchItem[0]/ResponsePayload/UniqueIdentifier: expected UniqueIdentifier "$UNIQUE_IDENTIFIER_0", got nothing');
    expect(check(resp("Activate", uid("$UNIQUE_IDENTIFIER_0")), resp("Activate", uid("1"), {}, 3))).to.equal("ResponseHeader/ProtocolVersion/ProtocolVersionMinor: expected 4, got 3");
  });

  it("DiscoverVersions: extras only when the client listed no versions", () => {
    const pv = (minor: number): string => `<ProtocolVersion><ProtocolVersionMajor type="Integer" value="1"/><ProtocolVersionMinor type="Integer" value="${minor}"/></ProtocolVersion>`;
    const exp = resp("DiscoverVersions", pv(2));
    expect(check(exp, resp("DiscoverVersions", pv(4) + pv(2)), newState(), req("DiscoverVersions", ""))).to.equal("");
    expect(check(exp, resp("DiscoverVersions", pv(4) + pv(2)), newState(), req("DiscoverVersions", pv(2)))).to.match(/ProtocolVersion/);
  });
});
