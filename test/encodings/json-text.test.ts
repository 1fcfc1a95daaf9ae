import { expect } from "chai";
import { JsonEncodingError, jsonToNode, nodeToJson, nodeToText, xmlToNodes } from "../../src/encodings/index.js";
import { tag } from "../../src/kmip/index.js";
import * as n from "../../src/ttlv/index.js";
import { nodesEqual, type TtlvNode } from "../../src/ttlv/index.js";

const header = (minor: number): TtlvNode =>
  n.struct(tag("RequestHeader"), [
    n.struct(tag("ProtocolVersion"), [n.integer(tag("ProtocolVersionMajor"), 1), n.integer(tag("ProtocolVersionMinor"), minor)]),
    n.integer(tag("BatchCount"), 1),
  ]);

const message = (): TtlvNode =>
  n.struct(tag("RequestMessage"), [
    header(4),
    n.struct(tag("BatchItem"), [
      n.enumeration(tag("Operation"), 0x18),
      n.struct(tag("RequestPayload"), [
        n.integer(tag("CryptographicUsageMask"), 12),
        n.dateTime(tag("ActivationDate"), 1335514344n),
        n.bytes(tag("Data"), Uint8Array.of(0xc5, 0x0f, 0x77)),
        n.text(0x540001, "vendor"),
        n.longInteger(tag("UsageLimitsCount"), 1n << 60n),
        n.boolean(tag("BatchOrderOption"), true),
        n.interval(tag("Offset"), 27),
        n.bigInteger(tag("X"), -2n),
      ]),
    ]),
  ]);

describe("encodings/json", () => {
  it("writes the OASIS vector forms: structures without type, 0x-hex numbers, names, ISO dates", () => {
    const j = nodeToJson(message());
    expect(j.tag).to.equal("RequestMessage");
    expect(j).to.not.have.property("type");
    const items = JSON.stringify(j);
    for (const s of [
      `{"tag":"ProtocolVersionMajor","type":"Integer","value":"0x00000001"}`,
      `{"tag":"Operation","type":"Enumeration","value":"Query"}`,
      `{"tag":"CryptographicUsageMask","type":"Integer","value":"Encrypt|Decrypt"}`,
      `{"tag":"ActivationDate","type":"DateTime","value":"2012-04-27T08:12:24+00:00"}`,
      `{"tag":"Data","type":"ByteString","value":"c50f77"}`,
      `{"tag":"0x540001","type":"TextString","value":"vendor"}`,
      `{"tag":"UsageLimitsCount","type":"LongInteger","value":"0x1000000000000000"}`,
      `{"tag":"BatchOrderOption","type":"Boolean","value":true}`,
      `{"tag":"Offset","type":"Interval","value":"0x0000001b"}`,
      `{"tag":"X","type":"BigInteger","value":"0xfffffffffffffffe"}`,
    ]) expect(items).to.contain(s);
  });

  it("reads back what it writes, and the spec's alternative forms", () => {
    const m = message();
    expect(nodesEqual(jsonToNode(JSON.stringify(nodeToJson(m))), m)).to.equal(true);
    const alt = (type: string, value: unknown, t = "0x540001"): TtlvNode => jsonToNode({ tag: t, type, value });
    expect(alt("Integer", 10)).to.deep.include({ value: 10 });
    expect(alt("Integer", "0x0000000A")).to.deep.include({ value: 10 });
    expect(alt("Integer", "CertificateSign|0x0000000c", "CryptographicUsageMask")).to.deep.include({ value: 0x100c });
    expect(alt("LongInteger", -2)).to.deep.include({ value: -2n });
    expect(alt("LongInteger", "0xfffffffffffffffe")).to.deep.include({ value: -2n });
    expect(alt("BigInteger", 0)).to.deep.include({ value: 0n });
    expect(alt("Enumeration", 2, "ObjectType")).to.deep.include({ value: 2 });
    expect(alt("Enumeration", "SymmetricKey", "ObjectType")).to.deep.include({ value: 2 });
    expect(alt("Boolean", "0x0000000000000001")).to.deep.include({ value: true });
    expect(alt("DateTime", "0x000000003a505520")).to.deep.include({ value: 0x3a505520n });
    expect(alt("DateTime", "2001-01-01T10:00:00+10:00")).to.deep.include({ value: 978307200n });
    expect(jsonToNode({ tag: "ProtocolVersion", value: null })).to.deep.include({ children: [] });
  });

  it("names the failing item", () => {
    expect(() => jsonToNode(`{"tag":"RequestMessage","value":[{"tag":"BatchCount","type":"Integer","value":1.5}]}`))
      .to.throw(JsonEncodingError, /whole number.*\/RequestMessage\/BatchCount\[0\]/);
    expect(() => jsonToNode(`{"tag":"NoSuchTag"}`)).to.throw(JsonEncodingError, /unknown tag name/);
    expect(() => jsonToNode(`{`)).to.throw(JsonEncodingError, /not JSON/);
  });
});

describe("encodings/text", () => {
  it("renders one line per item with names, ISO dates and raw numbers", () => {
    const lines = nodeToText(message(), { showSecrets: true }).split("\n");
    expect(lines[0]).to.equal("RequestMessage (Structure)");
    expect(lines).to.include("      ProtocolVersionMajor (Integer) 1");
    expect(lines).to.include("    Operation (Enumeration) Query");
    expect(lines).to.include("      CryptographicUsageMask (Integer) Encrypt|Decrypt (12)");
    expect(lines).to.include("      ActivationDate (DateTime) 2012-04-27T08:12:24+00:00 (1335514344)");
    expect(lines).to.include("      Data (ByteString) c50f77");
    expect(lines).to.include(`      0x540001 (TextString) "vendor"`);
    expect(lines.at(-1)).to.equal("");
    // by default, secret values (here: Data, the plaintext of a crypto operation) are masked
    expect(nodeToText(message()).split("\n")).to.include("      Data (ByteString) **** (3 bytes hidden; --show-secrets to print)");
  });

  it("shortens long byte strings only when asked, and shows unknown enumeration values in hex", () => {
    const long = n.struct(tag("RequestPayload"), [n.bytes(tag("Data"), new Uint8Array(100)), n.enumeration(tag("ObjectType"), 0x80000001)]);
    expect(nodeToText(long, { showSecrets: true })).to.contain(`Data (ByteString) ${"00".repeat(100)}\n`);
    expect(nodeToText(long, { maxBytes: 4, showSecrets: true })).to.contain("Data (ByteString) 00000000… (100 bytes)\n");
    expect(nodeToText(long)).to.contain("ObjectType (Enumeration) 0x80000001\n");
  });

  it("uses the message's own ProtocolVersion for names (a 1.x AttributeValue named by its AttributeName)", () => {
    const xml = `<Attribute><AttributeName type="TextString" value="Cryptographic Algorithm"/><AttributeValue type="Enumeration" value="AES"/></Attribute>`;
    expect(nodeToText(xmlToNodes(xml).messages[0]!)).to.contain("  AttributeValue (Enumeration) AES\n");
  });
});
