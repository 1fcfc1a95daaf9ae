import { expect } from "chai";
import { XmlEncodingError, nodeToXml, nodesToXmlDocument, nowPlaceholders, xmlToNodes, type PlaceholderResolver } from "../../src/encodings/index.js";
import { tag } from "../../src/kmip/index.js";
import { ItemType, encodeTtlv, nodesEqual, toHex, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import * as n from "../../src/ttlv/index.js";

/** The single item of a document whose root is that item. */
const one = (xml: string, placeholders?: PlaceholderResolver): TtlvNode => xmlToNodes(xml, { placeholders }).messages[0]!;
/** The first child of a generic <TTLV tag="0x540000"> wrapper, so a test can hold one value. */
const child = (inner: string, placeholders?: PlaceholderResolver): TtlvNode =>
  (one(`<TTLV tag="0x540000">${inner}</TTLV>`, placeholders) as StructureNode).children[0]!;
const valueOf = (type: string, value: string, t = "0x540001"): TtlvNode => child(`<TTLV tag="${t}" type="${type}" value="${value}"/>`);

function xmlError(f: () => unknown): XmlEncodingError {
  try {
    f();
  } catch (e) {
    expect(e).to.be.instanceOf(XmlEncodingError);
    return e as XmlEncodingError;
  }
  expect.fail("expected an XmlEncodingError");
}

/** XML → tree → XML → tree must give the same tree. */
function roundTrips(node: TtlvNode): void {
  const back = one(nodeToXml(node));
  expect(nodesEqual(back, node), nodeToXml(node)).to.equal(true);
}

describe("encodings/xml: document forms", () => {
  it("reads a <KMIP> file with comments, # notes, whitespace and spaced attributes", () => {
    const xml = `<?xml version="1.0"?>\n<!-- header comment -->\n<KMIP> # TIME 0\n  <!-- test 4 -->\n` +
      `  <TTLV tag= "0x540001"> <TTLV tag="0x540002" type= "Integer" value= "7" /> </TTLV>\n# TIME 1\n` +
      `  <TTLV tag="0x540003"/>\n</KMIP>\n`;
    const r = xmlToNodes(xml);
    expect(r.root).to.equal("KMIP");
    expect(r.lines).to.deep.equal([5, 7]);
    expect(nodesEqual(r.messages[0]!, n.struct(0x540001, [n.integer(0x540002, 7)]))).to.equal(true);
    expect(nodesEqual(r.messages[1]!, n.struct(0x540003, []))).to.equal(true);
  });

  it("reads a <KmipTestCase> root and a bare item root", () => {
    expect(xmlToNodes(`<KmipTestCase><TTLV tag="0x540001"/><TTLV tag="0x540002"/></KmipTestCase>`).messages).to.have.length(2);
    const r = xmlToNodes(`<RequestMessage><RequestHeader/></RequestMessage>`);
    expect(r.messages).to.have.length(1);
    expect(r.messages[0]!.tag).to.equal(tag("RequestMessage"));
  });

  it("maps element names through the registry, and the generic and x540001 forms to hex tags", () => {
    const s = one(`<RequestMessage><TTLV tag="0x540001" name="Ext" type="TextString" value="na"/><x540002 type="Integer" value="1"/></RequestMessage>`) as StructureNode;
    expect(s.tag).to.equal(0x420078);
    expect(s.children.map((c) => c.tag)).to.deep.equal([0x540001, 0x540002]);
  });

  it("writes names for known tags, the generic form for others, and omits type= for structures", () => {
    const xml = nodeToXml(n.struct(tag("RequestMessage"), [n.text(0x540001, "na"), n.struct(0x540002, [])]));
    expect(xml).to.equal(`<RequestMessage>\n  <TTLV tag="0x540001" type="TextString" value="na"/>\n  <TTLV tag="0x540002"/>\n</RequestMessage>\n`);
    expect(nodesToXmlDocument([n.struct(0x540001, [])])).to.equal(`<KMIP>\n  <TTLV tag="0x540001"/>\n</KMIP>\n`);
  });
});

describe("encodings/xml: values", () => {
  it("Integer: decimal and 0x-hex, range-checked", () => {
    expect(valueOf("Integer", "-2147483648")).to.deep.include({ type: ItemType.Integer, value: -2147483648 });
    expect(valueOf("Integer", "0xffffffff")).to.deep.include({ value: -1 });
    expect(xmlError(() => valueOf("Integer", "2147483648")).message).to.match(/out of range/);
    expect(xmlError(() => valueOf("Integer", "12abc")).message).to.match(/not a decimal/);
  });

  it("Integer masks: names, repeated spaces, 0x components, decimal; written back as names", () => {
    const cum = tag("CryptographicUsageMask");
    const mask = (v: string): TtlvNode => child(`<CryptographicUsageMask type="Integer" value="${v}"/>`);
    expect(mask("Encrypt Decrypt")).to.deep.include({ tag: cum, value: 12 });
    expect(mask("Decrypt   Encrypt")).to.deep.include({ value: 12 });
    expect(mask("CertificateSign 0x00000004 0x0000008")).to.deep.include({ value: 0x100c });
    expect(mask("0x0000100c")).to.deep.include({ value: 0x100c });
    expect(mask("12")).to.deep.include({ value: 12 });
    expect(xmlError(() => mask("Encrypt Frobnicate")).message).to.match(/Frobnicate/);
    expect(nodeToXml(n.integer(cum, 12))).to.equal(`<CryptographicUsageMask type="Integer" value="Encrypt Decrypt"/>\n`);
    expect(nodeToXml(n.integer(cum, 0x40000004 | 0))).to.match(/value="Encrypt 0x40000000"/);
    roundTrips(n.integer(cum, -1));
    roundTrips(n.integer(cum, 0));
  });

  it("1.x AttributeValue is named by the preceding AttributeName (mask and enumeration)", () => {
    const attr = (name: string, type: string, value: string): StructureNode =>
      one(`<Attribute><AttributeName type="TextString" value="${name}"/><AttributeValue type="${type}" value="${value}"/></Attribute>`) as StructureNode;
    expect(attr("Cryptographic Usage Mask", "Integer", "Decrypt Encrypt").children[1]).to.deep.include({ value: 12 });
    expect(attr("Cryptographic Algorithm", "Enumeration", "AES").children[1]).to.deep.include({ value: 3 });
    expect(attr("Object Type", "Enumeration", "SymmetricKey").children[1]).to.deep.include({ value: 2 });
    expect(attr("x-Custom", "Enumeration", "0x00000005").children[1]).to.deep.include({ value: 5 });
    expect(xmlError(() => attr("x-Custom", "Enumeration", "AES")).message).to.match(/no enumeration/);
    const xml = nodeToXml(attr("Cryptographic Usage Mask", "Integer", "Encrypt Decrypt"));
    expect(xml).to.contain(`<AttributeValue type="Integer" value="Encrypt Decrypt"/>`);
    expect(nodeToXml(attr("Cryptographic Algorithm", "Enumeration", "AES"))).to.contain(`value="AES"`);
  });

  it("2.x AttributeReference holds a tag, written as the tag's name", () => {
    const r = child(`<AttributeReference type="Enumeration" value="State"/>`);
    expect(r).to.deep.include({ type: ItemType.Enumeration, value: 0x0042008d });
    expect(nodeToXml(r)).to.equal(`<AttributeReference type="Enumeration" value="State"/>\n`);
    expect(nodeToXml(n.enumeration(tag("AttributeReference"), 0x80000001))).to.contain(`value="0x80000001"`);
  });

  it("Enumeration: names of the tag's enumeration or 0x + 8 hex digits; unknown values written as 0x%08X", () => {
    expect(child(`<Operation type="Enumeration" value="Query"/>`)).to.deep.include({ value: 0x18 });
    expect(child(`<ObjectType type="Enumeration" value="0x80123456"/>`)).to.deep.include({ value: 0x80123456 });
    expect(xmlError(() => child(`<Operation type="Enumeration" value="SymmetricKey"/>`)).message).to.match(/not a value of the enumeration/);
    expect(nodeToXml(n.enumeration(tag("ObjectType"), 0x80000001))).to.contain(`value="0x80000001"`);
    expect(nodeToXml(n.enumeration(0x540001, 2))).to.contain(`value="0x00000002"`);
  });

  it("LongInteger and DateTimeExtended: decimal 64-bit; Interval: unsigned decimal", () => {
    expect(valueOf("LongInteger", "1152921504606846976")).to.deep.include({ value: 1n << 60n });
    expect(valueOf("LongInteger", "-2")).to.deep.include({ value: -2n });
    expect(xmlError(() => valueOf("LongInteger", "9223372036854775808")).message).to.match(/out of range/);
    expect(valueOf("DateTimeExtended", "1335514344123456")).to.deep.include({ type: ItemType.DateTimeExtended, value: 1335514344123456n });
    expect(valueOf("Interval", "864000")).to.deep.include({ type: ItemType.Interval, value: 864000 });
    expect(xmlError(() => valueOf("Interval", "-1")).message).to.match(/out of range/);
  });

  it("BigInteger: hex binary, two's complement by its leading bit, any case", () => {
    expect(valueOf("BigInteger", "0000000000010001")).to.deep.include({ value: 65537n });
    expect(valueOf("BigInteger", "FFFFFFFFFFFFFFFF")).to.deep.include({ value: -1n });
    expect(valueOf("BigInteger", "ff")).to.deep.include({ value: -1n });
    expect(valueOf("BigInteger", "00ff")).to.deep.include({ value: 255n });
    expect(valueOf("BigInteger", "0000000000000000a1dd")).to.deep.include({ value: 0xa1ddn });
    expect(xmlError(() => valueOf("BigInteger", "123")).message).to.match(/even number/);
    expect(nodeToXml(n.bigInteger(0x540001, -1n))).to.contain(`value="ffffffffffffffff"`);
    expect(nodeToXml(n.bigInteger(0x540001, 1n << 63n))).to.contain(`value="00000000000000008000000000000000"`);
  });

  it("Boolean: true, false, 1, 0", () => {
    expect(valueOf("Boolean", "true")).to.deep.include({ value: true });
    expect(valueOf("Boolean", "0")).to.deep.include({ value: false });
    expect(xmlError(() => valueOf("Boolean", "yes")).message).to.match(/not a Boolean/);
  });

  it("TextString: literal, escapes survive a round trip; characters XML cannot carry are refused", () => {
    expect(valueOf("TextString", "a&lt;b&gt; &amp; &quot;q&quot; &#10;x")).to.deep.include({ value: `a<b> & "q" \nx` });
    roundTrips(n.text(0x540001, "tab\there\r\nnew line \"quoted\" <&> ünïcødé 🔑"));
    expect(xmlError(() => nodeToXml(n.text(0x540001, "bell\u0007"))).message).to.match(/U\+0007/);
  });

  it("ByteString: hex of either case, empty allowed", () => {
    expect(toHex((valueOf("ByteString", "C50F77") as n.BytesNode).value)).to.equal("c50f77");
    expect((valueOf("ByteString", "") as n.BytesNode).value).to.have.length(0);
    expect(xmlError(() => valueOf("ByteString", "abc")).message).to.match(/hex binary/);
    expect(xmlError(() => valueOf("ByteString", "zz")).message).to.match(/hex binary/);
  });

  it("DateTime: ISO 8601 with Z or any offset → POSIX seconds; written as +00:00", () => {
    const t = 1335514344n; // 2012-04-27T08:12:24Z
    expect(valueOf("DateTime", "2012-04-27T08:12:24+00:00")).to.deep.include({ value: t });
    expect(valueOf("DateTime", "2012-04-27T08:12:24Z")).to.deep.include({ value: t });
    expect(valueOf("DateTime", "2012-04-27T18:12:24+10:00")).to.deep.include({ value: t });
    expect(valueOf("DateTime", "2012-04-27T02:42:24-05:30")).to.deep.include({ value: t });
    expect(valueOf("DateTime", "2012-04-27T08:12:24.999+00:00")).to.deep.include({ value: t });
    expect(valueOf("DateTime", "1969-12-31T23:59:59Z")).to.deep.include({ value: -1n });
    expect(xmlError(() => valueOf("DateTime", "2012-04-27T08:12:24")).message).to.match(/no time zone/);
    expect(xmlError(() => valueOf("DateTime", "2013-02-29T00:00:00Z")).message).to.match(/not a valid date/);
    expect(nodeToXml(n.dateTime(0x540001, t))).to.contain(`value="2012-04-27T08:12:24+00:00"`);
    expect(nodeToXml(n.dateTime(0x540001, -1n))).to.contain(`value="1969-12-31T23:59:59+00:00"`);
    for (const s of [0n, 951782400n, 4102444800n, -62135596800n, 253402300799n]) roundTrips(n.dateTime(0x540001, s));
  });
});

describe("encodings/xml: placeholders", () => {
  const resolver: PlaceholderResolver = (name, type) => {
    if (name.startsWith("$NOW")) return 1000n;
    if (type === "ByteString") return Uint8Array.of(1, 2);
    if (name === "$NUMBER") return "not a number";
    return undefined;
  };

  it("are substituted through the resolver with the element's type", () => {
    expect(child(`<ActivationDate type="DateTime" value="$NOW-60"/>`, resolver)).to.deep.include({ value: 1000n });
    expect(toHex((child(`<Data type="ByteString" value="$DATA_0"/>`, resolver) as n.BytesNode).value)).to.equal("0102");
  });

  it("nowPlaceholders resolves $NOW±s only", () => {
    const r = nowPlaceholders(1000n);
    expect(child(`<ActivationDate type="DateTime" value="$NOW-60"/>`, r)).to.deep.include({ value: 940n });
    expect(child(`<ActivationDate type="DateTime" value="$NOW+3600"/>`, r)).to.deep.include({ value: 4600n });
    expect(child(`<TimeStamp type="DateTime" value="$NOW"/>`, r)).to.deep.include({ value: 1000n });
    expect(() => child(`<Data type="ByteString" value="$DATA"/>`, r)).to.throw(XmlEncodingError, /\$DATA has no value/);
  });

  it("without a value leave TextString literal and refuse other types", () => {
    expect(child(`<UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>`)).to.deep.include({ value: "$UNIQUE_IDENTIFIER_0" });
    expect(child(`<UniqueIdentifier type="TextString" value="$UNIQUE_IDENTIFIER_0"/>`, resolver)).to.deep.include({ value: "$UNIQUE_IDENTIFIER_0" });
    const e = xmlError(() => xmlToNodes(`<KMIP>\n<TTLV tag="0x540000">\n<TimeStamp type="DateTime" value="$NOW"/>\n</TTLV></KMIP>`));
    expect(e.message).to.match(/\$NOW has no value/);
    expect(e.line).to.equal(3);
    expect(xmlError(() => child(`<BatchCount type="Integer" value="$NUMBER"/>`, resolver)).message).to.match(/does not fit/);
  });
});

describe("encodings/xml: errors carry the element path and line", () => {
  it("unknown element names, types and attributes", () => {
    const e = xmlError(() => xmlToNodes(`<KMIP>\n<RequestMessage>\n  <NoSuchTag type="Integer" value="1"/>\n</RequestMessage>\n</KMIP>`));
    expect(e.path).to.equal("/KMIP/RequestMessage/NoSuchTag");
    expect(e.line).to.equal(3);
    expect(e.message).to.match(/unknown tag name <NoSuchTag>.*line 3/);
    expect(xmlError(() => valueOf("Float", "1")).message).to.match(/unknown type="Float"/);
    expect(xmlError(() => one(`<TTLV tag="0x540001" colour="red"/>`)).message).to.match(/unexpected attribute colour=/);
    expect(xmlError(() => one(`<TTLV tag="540001"/>`)).message).to.match(/0x \+ 6 hex digits/);
    expect(xmlError(() => one(`<TTLV tag="0x540001" value="x"/>`)).message).to.match(/Structure has no value/);
    expect(xmlError(() => one(`<TTLV tag="0x540001" type="Integer"/>`)).message).to.match(/needs a value/);
    expect(xmlError(() => one(`<TTLV tag="0x540001" type="Integer" value="1"><TTLV tag="0x540002"/></TTLV>`)).message).to.match(/cannot hold child/);
  });

  it("a duplicated </KMIP> (TC-ECDSA-SIGN-1-14) and mismatched tags (OVH files) are malformed XML", () => {
    const dup = xmlError(() => xmlToNodes(`<KMIP>\n<TTLV tag="0x540001"/>\n</KMIP>\n\n</KMIP>\n`));
    expect(dup.message).to.match(/malformed XML: unmatched closing tag: KMIP/);
    expect(dup.line).to.equal(5);
    const mis = xmlError(() => xmlToNodes(`<KMIP>\n<TTLV tag="0x540001">\n<TTLV tag="0x540002">\n</TTLV>\n</KMIP>\n`));
    expect(mis.message).to.match(/closing tag does not match <TTLV> opened on line 2/);
    expect(mis.line).to.equal(5);
    expect(xmlError(() => xmlToNodes(`<KMIP><!DOCTYPE x></KMIP>`)).message).to.match(/malformed XML|DOCTYPE/);
    expect(xmlError(() => xmlToNodes(`<!DOCTYPE KMIP [<!ENTITY a "b">]><KMIP/>`)).message).to.match(/DOCTYPE/);
    expect(xmlError(() => xmlToNodes(``)).message).to.match(/no root|malformed/);
  });
});

describe("encodings/xml: a whole message", () => {
  const xml = `<RequestMessage>
  <RequestHeader>
    <ProtocolVersion>
      <ProtocolVersionMajor type="Integer" value="1"/>
      <ProtocolVersionMinor type="Integer" value="4"/>
    </ProtocolVersion>
    <BatchCount type="Integer" value="1"/>
  </RequestHeader>
  <BatchItem>
    <Operation type="Enumeration" value="Create"/>
    <RequestPayload>
      <ObjectType type="Enumeration" value="SymmetricKey"/>
      <TemplateAttribute>
        <Attribute>
          <AttributeName type="TextString" value="Cryptographic Algorithm"/>
          <AttributeValue type="Enumeration" value="AES"/>
        </Attribute>
        <Attribute>
          <AttributeName type="TextString" value="Cryptographic Usage Mask"/>
          <AttributeValue type="Integer" value="Encrypt Decrypt"/>
        </Attribute>
      </TemplateAttribute>
    </RequestPayload>
  </BatchItem>
</RequestMessage>
`;

  it("is written back exactly as the OASIS form, and encodes to TTLV", () => {
    const m = one(xml);
    expect(nodeToXml(m)).to.equal(xml);
    expect(encodeTtlv(m).length).to.be.greaterThan(100);
  });
});
