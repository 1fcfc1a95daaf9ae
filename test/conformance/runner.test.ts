/**
 * The conformance runner end to end against scripted fake servers: placeholder capture and
 * substitution (FORMAT.md §4 rules 1–4), the data quirks (nested pairs, `#` notes, a doubled
 * </KMIP>), failure reporting, file selection and the unsupported-list verdicts.
 */
import { expect } from "chai";
import { Enums, Tag } from "../../src/kmip/index.js";
import { ItemType, type TtlvNode } from "../../src/ttlv/index.js";
import { planUnits, runUnits } from "../../conformance/fixtures.js";
import { runCase } from "../../conformance/runner.js";
import { classify, globToRegExp } from "../../conformance/selection.js";
import { judge } from "../../conformance/report.js";
import type { CaseFile } from "../../conformance/selection.js";
import { attr1, clock, fakeServer, find, kmipFile, NOW, req, reqBatch, resp, respBatch, uid } from "./helpers.js";

const valueOf = (n: TtlvNode | undefined): unknown => (n && n.type !== ItemType.Structure ? n.value : undefined);
const textAt = (r: TtlvNode, tag: number): unknown => valueOf(find(r, tag));

const createFile = kmipFile(
  req("Create", '<ObjectType type="Enumeration" value="SymmetricKey"/>'),
  resp("Create", `<ObjectType type="Enumeration" value="SymmetricKey"/>${uid("$UNIQUE_IDENTIFIER_0")}`),
  req("GetAttributes", `${uid("$UNIQUE_IDENTIFIER_0")}<AttributeName type="TextString" value="State"/>`),
  resp("GetAttributes", uid("$UNIQUE_IDENTIFIER_0") + attr1("State", "Enumeration", "PreActive")),
  req("Destroy", uid("$UNIQUE_IDENTIFIER_0")),
  resp("Destroy", uid("$UNIQUE_IDENTIFIER_0")),
);

const created = (id: string) => (): string => resp("Create", `<ObjectType type="Enumeration" value="SymmetricKey"/>${uid(id)}`);
const state = (id: string, s: string) => (): string => resp("GetAttributes", uid(id) + attr1("State", "Enumeration", s));
const destroyed = (id: string) => (): string => resp("Destroy", uid(id));

describe("conformance runner: placeholders and replay", () => {
  it("binds $UNIQUE_IDENTIFIER_0 from the Create response and sends it in the later requests", async () => {
    const srv = fakeServer([created("obj-77"), state("obj-77", "PreActive"), destroyed("obj-77")]);
    const r = await runCase(createFile, srv.send, { clock });
    expect(r.status, r.difference).to.equal("pass");
    expect(srv.requests.map((q) => textAt(q, Tag.UniqueIdentifier))).to.deep.equal([undefined, "obj-77", "obj-77"]);
    expect(r.steps.map((s) => s.operations)).to.deep.equal(["Create", "GetAttributes", "Destroy"]);
  });

  it("a later response must repeat the bound value: a different id fails", async () => {
    const srv = fakeServer([created("obj-77"), state("obj-78", "PreActive"), destroyed("obj-77")]);
    const r = await runCase(createFile, srv.send, { clock });
    expect(r.status).to.equal("fail");
    expect(r.difference).to.equal('step 2 GetAttributes (line 4): BatchItem[0]/ResponsePayload/UniqueIdentifier: expected $UNIQUE_IDENTIFIER_0 = "obj-77", got "obj-78"');
  });

  it("a wrong value fails the case at that step, and the clean-up Destroy is still sent", async () => {
    const srv = fakeServer([created("k1"), state("k1", "Active"), destroyed("k1")]);
    const r = await runCase(createFile, srv.send, { clock });
    expect(r.status).to.equal("fail");
    expect(r.difference).to.match(/^step 2 GetAttributes .*Attribute\[State\]\/AttributeValue: expected PreActive, got Active$/);
    expect(srv.requests).to.have.length(3);
    expect(r.steps).to.have.length(2);
  });

  it("a server that stops answering fails the case", async () => {
    const r = await runCase(createFile, async () => Promise.reject(new Error("connection reset")), { clock });
    expect(r.status).to.equal("fail");
    expect(r.difference).to.equal("step 1 Create (line 2): no response: connection reset");
  });

  it("$NOW±s in a request is the clock's time at sending", async () => {
    const file = kmipFile(req("Activate", `${uid("u")}<ActivationDate type="DateTime" value="$NOW-60"/>`), resp("Activate", uid("u")));
    const srv = fakeServer([() => resp("Activate", uid("u"))]);
    expect((await runCase(file, srv.send, { clock })).status).to.equal("pass");
    expect(textAt(srv.requests[0]!, Tag.ActivationDate)).to.equal(NOW - 60n);
  });

  it("_RANDOM_ placeholders are fresh client values that the server must echo", async () => {
    const file = kmipFile(req("Import", uid("$UNIQUE_IDENTIFIER_RANDOM_0")), resp("Import", uid("$UNIQUE_IDENTIFIER_RANDOM_0")));
    const echo = fakeServer([(q) => resp("Import", uid(String(textAt(q, Tag.UniqueIdentifier))))]);
    expect((await runCase(file, echo.send, { clock })).status).to.equal("pass");
    const sent = String(textAt(echo.requests[0]!, Tag.UniqueIdentifier));
    expect(sent).to.match(/^[0-9a-f-]{36}$/);
    const other = fakeServer([() => resp("Import", uid("server-chose-this"))]);
    expect((await runCase(file, other.send, { clock })).difference).to.match(/expected \$UNIQUE_IDENTIFIER_RANDOM_0 = "[0-9a-f-]+", got "server-chose-this"/);
  });

  it("a placeholder first seen in a request takes the same tag's value from the latest response (rule 3)", async () => {
    const mac = '<MACData type="ByteString" value="$MAC_DATA"/>';
    const file = kmipFile(
      req("MAC", `${uid("k")}<Data type="ByteString" value="0102"/>`),
      resp("MAC", `${uid("k")}<MACData type="ByteString" value="aaaaaaaa"/>`),
      req("MACVerify", `${uid("k")}<Data type="ByteString" value="0102"/>${mac}`),
      resp("MACVerify", `${uid("k")}<ValidityIndicator type="Enumeration" value="Valid"/>`),
    );
    const srv = fakeServer([() => resp("MAC", `${uid("k")}<MACData type="ByteString" value="c0ffee"/>`), () => resp("MACVerify", `${uid("k")}<ValidityIndicator type="Enumeration" value="Valid"/>`)]);
    const r = await runCase(file, srv.send, { clock });
    expect(r.status, r.difference).to.equal("pass");
    expect(Buffer.from(textAt(srv.requests[1]!, Tag.MACData) as Uint8Array).toString("hex")).to.equal("c0ffee");
    expect(r.notes.join("\n")).to.match(/\$MAC_DATA first appears in a request/);
  });

  it("a placeholder bound inside a set (Locate results) is sent in the next request", async () => {
    const file = kmipFile(
      req("Locate", '<Attribute><AttributeName type="TextString" value="Object Type"/><AttributeValue type="Enumeration" value="SymmetricKey"/></Attribute>'),
      resp("Locate", uid("$UNIQUE_IDENTIFIER_3")),
      req("Get", uid("$UNIQUE_IDENTIFIER_3")),
      resp("Get", uid("$UNIQUE_IDENTIFIER_3")),
    );
    const srv = fakeServer([() => resp("Locate", uid("found-1")), () => resp("Get", uid("found-1"))]);
    const r = await runCase(file, srv.send, { clock });
    expect(r.status, r.difference).to.equal("pass");
    expect(textAt(srv.requests[1]!, Tag.UniqueIdentifier)).to.equal("found-1");
    expect(r.notes.join("\n")).not.to.match(/first appears in a request/); // bound by the Locate, not by rule 3
  });

  it("nested pairs (TC-DERIVEKEY-4-10): the inner request is sent first", async () => {
    const file = kmipFile(
      req("Destroy", uid("x")),
      req("Revoke", `${uid("x")}<RevocationReason><RevocationReasonCode type="Enumeration" value="Unspecified"/></RevocationReason>`),
      resp("Revoke", uid("x")),
      resp("Destroy", uid("x")),
    );
    const srv = fakeServer([() => resp("Revoke", uid("x")), () => resp("Destroy", uid("x"))]);
    const r = await runCase(file, srv.send, { clock });
    expect(r.status, r.difference).to.equal("pass");
    expect(r.steps.map((s) => s.operations)).to.deep.equal(["Revoke", "Destroy"]);
  });

  it("ignores # notes between messages and a doubled </KMIP>", async () => {
    const file = `<KMIP>\n# TIME 0\n# [Client-to-Server]\n${req("Destroy", uid("x"))}\n# [Server-to-Client]\n${resp("Destroy", uid("x"))}\n</KMIP>\n\n</KMIP>\n`;
    const r = await runCase(file, fakeServer([destroyed("x")]).send, { clock });
    expect(r.status, r.difference).to.equal("pass");
    expect(r.notes).to.include("ignored text after the first </KMIP>");
  });

  it("multi-item batches are compared item by item", async () => {
    const file = kmipFile(
      reqBatch([{ op: "Create", payload: '<ObjectType type="Enumeration" value="SymmetricKey"/>' }, { op: "Get", payload: "" }]),
      respBatch([{ op: "Create", payload: `<ObjectType type="Enumeration" value="SymmetricKey"/>${uid("$UNIQUE_IDENTIFIER_0")}` }, { op: "Get", status: "OperationFailed", reason: "ItemNotFound" }]),
    );
    const good = () => respBatch([{ op: "Create", payload: `<ObjectType type="Enumeration" value="SymmetricKey"/>${uid("9")}` }, { op: "Get", status: "OperationFailed", reason: "ItemNotFound" }]);
    expect((await runCase(file, fakeServer([good]).send, { clock })).status).to.equal("pass");
    const bad = () => respBatch([{ op: "Create", payload: `<ObjectType type="Enumeration" value="SymmetricKey"/>${uid("9")}` }, { op: "Get", status: "Success", payload: uid("9") }]);
    expect((await runCase(file, fakeServer([bad]).send, { clock })).difference).to.match(/BatchItem\[1\]\/ResultStatus: expected OperationFailed \/ ItemNotFound, got Success/);
  });

  it("test data that is not XML is skipped, not failed", async () => {
    const r = await runCase("<KMIP><RequestMessage></KMIP>", fakeServer([]).send, { clock });
    expect(r.status).to.equal("skip");
    expect(r.difference).to.match(/not well-formed XML/);
  });
});

describe("conformance runner: selection and verdicts", () => {
  it("reads profile family and level from OASIS, Cosmian and OVH file names", () => {
    expect(classify("2.1/profiles/mandatory/CS-BC-M-GCM-2-21.xml")).to.include({ family: "CS-BC", level: "M", profile: "CS-BC" });
    expect(classify("1.3/profiles/mandatory/SUITEB_128-M-1-13.xml")).to.include({ family: "SUITEB-128", level: "M" });
    expect(classify("1.0/transcribed-ovh/SASED_M_2_10_storage_array_register.xml")).to.include({ family: "SASED", level: "M" });
    expect(classify("1.4/profiles/optional/SKLC-O-1-14.xml")).to.include({ family: "SKLC", level: "O", profile: "SKLC (optional)" });
    expect(classify("1.4/testcases/TC-SJ-1-14.xml")).to.include({ family: "TC", level: "TC" });
  });

  it("globs match relative paths and file names", () => {
    expect(globToRegExp("1.4/**/SKLC-*.xml").test("1.4/profiles/mandatory/SKLC-M-1-14.xml")).to.equal(true);
    expect(globToRegExp("SKLC-M-?-14.xml").test("SKLC-M-1-14.xml")).to.equal(true);
    expect(globToRegExp("*.xml").test("1.4/profiles/x.xml")).to.equal(false);
  });

  it("judges against unsupported.json: regression, known failure, unexpected pass", () => {
    const file = (id: string): CaseFile => ({ path: `/x/${id}.xml`, rel: `1.4/profiles/mandatory/${id}.xml`, version: "1.4", family: "SKLC", level: "M", profile: "SKLC", id });
    const res = (status: "pass" | "fail") => ({ status, steps: [], notes: [], ms: 1 });
    const j = judge(
      [
        { file: file("SKLC-M-1-14"), result: res("fail") },
        { file: file("SKLC-M-2-14"), result: res("fail") },
        { file: file("SKLC-M-3-14"), result: res("pass") },
        { file: file("OMOS-M-1-14"), result: res("pass") },
      ],
      { "1.4/profiles/mandatory/SKLC-M-2-14.xml": "no Digest yet", "SKLC-M-3-14.xml": "flaky" },
    );
    expect(j.map((x) => x.verdict)).to.deep.equal(["regression", "known-failure", "unexpected-pass", "pass"]);
  });
});

describe("conformance runner: server-assigned handles and server-generated keys", () => {
  const data = (hex: string) => `<Data type="ByteString" value="${hex}"/>`;
  const decryptFile = (first: string) =>
    kmipFile(
      req(first, first === "Create" ? '<ObjectType type="Enumeration" value="SymmetricKey"/>' : '<ObjectType type="Enumeration" value="SymmetricKey"/><SymmetricKey/>'),
      resp(first, `${first === "Create" ? '<ObjectType type="Enumeration" value="SymmetricKey"/>' : ""}${uid("$UNIQUE_IDENTIFIER_0")}`),
      req("Decrypt", uid("$UNIQUE_IDENTIFIER_0") + data("fd912d10")),
      resp("Decrypt", uid("$UNIQUE_IDENTIFIER_0") + data("01020304")),
    );
  const answers = (first: string, plain: string) => [
    (): string => resp(first, `${first === "Create" ? '<ObjectType type="Enumeration" value="SymmetricKey"/>' : ""}${uid("k9")}`),
    (): string => resp("Decrypt", uid("k9") + data(plain)),
  ];

  it("Decrypt under a key the server created: the plaintext is not compared (no server could match it)", async () => {
    const r = await runCase(decryptFile("Create"), fakeServer(answers("Create", "aabbccdd")).send, { clock });
    expect(r.status, r.difference).to.equal("pass");
  });

  it("Decrypt under a registered key: the plaintext must match", async () => {
    const r = await runCase(decryptFile("Register"), fakeServer(answers("Register", "aabbccdd")).send, { clock });
    expect(r.status).to.equal("fail");
    expect(r.difference).to.match(/Data: expected 01020304, got aabbccdd/);
  });

  it("a Correlation Value placeholder takes each new stream's value; the next request sends the latest", async () => {
    const cv = (v: string) => `<CorrelationValue type="ByteString" value="${v}"/>`;
    const file = kmipFile(
      req("Encrypt", uid("k1") + data("00") + '<InitIndicator type="Boolean" value="true"/>'),
      resp("Encrypt", uid("k1") + cv("$CORRELATION_VALUE")),
      req("Encrypt", uid("k1") + data("00") + cv("$CORRELATION_VALUE") + '<FinalIndicator type="Boolean" value="true"/>'),
      resp("Encrypt", uid("k1") + data("11")),
      req("Encrypt", uid("k1") + data("00") + '<InitIndicator type="Boolean" value="true"/>'),
      resp("Encrypt", uid("k1") + cv("$CORRELATION_VALUE")),
      req("Encrypt", uid("k1") + data("00") + cv("$CORRELATION_VALUE") + '<FinalIndicator type="Boolean" value="true"/>'),
      resp("Encrypt", uid("k1") + data("11")),
    );
    const srv = fakeServer([
      () => resp("Encrypt", uid("k1") + cv("c1c1")),
      () => resp("Encrypt", uid("k1") + data("22")),
      () => resp("Encrypt", uid("k1") + cv("c2c2")),
      () => resp("Encrypt", uid("k1") + data("22")),
    ]);
    const r = await runCase(file, srv.send, { clock });
    expect(r.status, r.difference).to.equal("pass");
    const sent = srv.requests.map((q) => valueOf(find(q, Tag.CorrelationValue)));
    expect(sent.map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v))).to.deep.equal([undefined, "c1c1", undefined, "c2c2"]);
  });
});

describe("conformance runner: fields of another protocol version", () => {
  const file = kmipFile(
    req("Query", '<QueryFunction type="Enumeration" value="QueryServerInformation"/>'),
    resp("Query", '<VendorIdentification type="TextString" value="x"/><ServerInformation/>'),
  );
  it("a 1.4 response holding a 2.x-only field fails, even where the file's content is free", async () => {
    const srv = fakeServer([() => resp("Query", '<VendorIdentification type="TextString" value="x"/><ServerInformation><ServerName type="TextString" value="s"/></ServerInformation>')]);
    const r = await runCase(file, srv.send, { clock });
    expect(r.status).to.equal("fail");
    expect(r.difference).to.match(/ServerName is not a field of KMIP 1\.4$/);
  });
  it("the same response without it passes", async () => {
    const srv = fakeServer([() => resp("Query", '<VendorIdentification type="TextString" value="x"/><ServerInformation/>')]);
    expect((await runCase(file, srv.send, { clock })).status).to.equal("pass");
  });
});

describe("conformance runner: fixture families (SETUP / CLEANUP files)", () => {
  const cf = (rel: string): CaseFile => ({ path: rel, rel, version: rel.split("/")[0]!, ...classify(rel) });
  const S1 = cf("1.3/testcases/TC-OTP-SETUP-1-13.xml");
  const S2 = cf("1.3/testcases/TC-OTP-SETUP-2-13.xml");
  const C1 = cf("1.3/testcases/TC-OTP-CLEANUP-1-13.xml");
  const M13 = cf("1.3/testcases/TC-OTP-1-13.xml");
  const M14 = cf("1.4/testcases/TC-OTP-1-14.xml");
  const other = cf("1.3/testcases/TC-Q-CAP-1-13.xml");

  it("groups a family where its first file was; a 1.4 member without 1.4 fixtures joins the 1.3 rounds", () => {
    const units = planUnits([M13, C1, S1, S2, other, M14]);
    expect(units.map((u) => (u.kind === "case" ? u.file.id : `${u.setups.map((f) => f.id)}|${u.members.map((f) => f.id)}|${u.cleanups.map((f) => f.id)}`))).to.deep.equal([
      "TC-OTP-SETUP-1-13,TC-OTP-SETUP-2-13|TC-OTP-1-13,TC-OTP-1-14|TC-OTP-CLEANUP-1-13",
      "TC-Q-CAP-1-13",
    ]);
    const only14 = planUnits([M14], (base) => (base === "TC-OTP" ? [S1, S2, C1] : []));
    expect(only14).to.have.length(1);
    expect(only14[0]!.kind === "family" && only14[0]!.setups.map((f) => f.id)).to.deep.equal(["TC-OTP-SETUP-1-13", "TC-OTP-SETUP-2-13"]);
  });

  // A stateful fake server: Register stores the x-pad value, Locate lists the stored objects newest
  // first, GetAttributes returns x-pad, Destroy removes. The member expects the pad SETUP-2 registers.
  const setupFile = (v: string) => kmipFile(req("Register", attr1("x-pad", "TextString", v)), resp("Register", uid("$UNIQUE_IDENTIFIER_0")));
  const locate = req("Locate", attr1("x-pad", "TextString", "any"));
  const memberFile = kmipFile(
    locate, resp("Locate", uid("$UNIQUE_IDENTIFIER_0")),
    req("GetAttributes", uid("$UNIQUE_IDENTIFIER_0")), resp("GetAttributes", uid("$UNIQUE_IDENTIFIER_0") + attr1("x-pad", "TextString", "B")),
  );
  const cleanupFile = kmipFile(locate, resp("Locate", uid("$UNIQUE_IDENTIFIER_0")), req("Destroy", uid("$UNIQUE_IDENTIFIER_0")), resp("Destroy", uid("$UNIQUE_IDENTIFIER_0")));

  it("runs one round per SETUP file, CLEANUP in each; a member's result is its first pass", async () => {
    const store = new Map<string, string>();
    let n = 0;
    const text = (r: TtlvNode, tag: number) => String(textAt(r, tag));
    const send = fakeServer(Array.from({ length: 20 }, () => (r: TtlvNode) => {
      const op = find(r, Tag.Operation)!;
      const opName = ["Register", "Locate", "GetAttributes", "Destroy"].find((o) => (valueOf(op) as number) === (Enums.Operation as Record<string, number>)[o])!;
      if (opName === "Register") {
        const id = `p${++n}`;
        store.set(id, text(r, Tag.AttributeValue));
        return resp("Register", uid(id));
      }
      if (opName === "Locate") return resp("Locate", [...store.keys()].reverse().map(uid).join(""));
      const id = text(r, Tag.UniqueIdentifier);
      if (opName === "Destroy") return store.delete(id) ? resp("Destroy", uid(id)) : resp("Destroy", undefined, { status: "OperationFailed", reason: "ItemNotFound" });
      return resp("GetAttributes", uid(id) + attr1("x-pad", "TextString", store.get(id) ?? "?"));
    })).send;
    const files = new Map([[S1.rel, setupFile("A")], [S2.rel, setupFile("B")], [M13.rel, memberFile], [C1.rel, cleanupFile]]);
    const out = await runUnits(planUnits([M13, C1, S1, S2]), (f) => runCase(files.get(f.rel)!, send, { clock }));
    expect(out.map((o) => [o.file.id, o.result.status])).to.deep.equal([
      ["TC-OTP-SETUP-1-13", "pass"], ["TC-OTP-1-13", "pass"], ["TC-OTP-CLEANUP-1-13", "pass"], ["TC-OTP-SETUP-2-13", "pass"],
    ]);
    expect(out[1]!.result.notes).to.include("ran after fixture TC-OTP-SETUP-2-13");
    expect(store.size, "each round's CLEANUP destroyed its own object").to.equal(0);
  });
});

describe("conformance runner: values a refused request carried", () => {
  const old = "2018-12-19T09:24:26+00:00";
  const nowIso = new Date(Number(NOW) * 1000).toISOString().replace(".000Z", "+00:00");
  const importReq = req("Import", uid("k1") + attr1("Initial Date", "DateTime", old));
  const getReq = req("GetAttributes", uid("k1"));
  const getResp = (d: string) => (): string => resp("GetAttributes", uid("k1") + attr1("Initial Date", "DateTime", d));
  const refusedFile = kmipFile(
    importReq, resp("Import", undefined, { status: "OperationFailed", reason: "ObjectAlreadyExists" }),
    getReq, resp("GetAttributes", uid("k1") + attr1("Initial Date", "DateTime", old)),
  );
  const acceptedFile = kmipFile(importReq, resp("Import", uid("k1")), getReq, resp("GetAttributes", uid("k1") + attr1("Initial Date", "DateTime", old)));

  it("a date in a refused item fixed nothing: the object's own date during the run passes (TC-IMPEXP-3-20)", async () => {
    const srv = fakeServer([() => resp("Import", undefined, { status: "OperationFailed", reason: "ObjectAlreadyExists" }), getResp(nowIso)]);
    const r = await runCase(refusedFile, srv.send, { clock });
    expect(r.status, r.difference).to.equal("pass");
  });

  it("a date in an accepted item must come back exactly", async () => {
    const srv = fakeServer([() => resp("Import", uid("k1")), getResp(nowIso)]);
    const r = await runCase(acceptedFile, srv.send, { clock });
    expect(r.status).to.equal("fail");
    expect(r.difference).to.match(/Initial Date.*expected 2018-12-19T09:24:26\+00:00/);
  });
});

describe("conformance runner: PKCS#11 C_GetInfo describes the server's library", () => {
  const info = (hex: string) => `<PKCS_11Function type="Enumeration" value="C_GetInfo"/><PKCS_11OutputParameters type="ByteString" value="${hex}"/><PKCS_11ReturnCode type="Enumeration" value="OK"/>`;
  const file = kmipFile(req("PKCS_11", '<PKCS_11Function type="Enumeration" value="C_GetInfo"/>', 11), resp("PKCS_11", info("0228aa"), {}, 11));
  it("another CK_INFO passes; a missing one, or another return code, fails", async () => {
    const ok = fakeServer([() => resp("PKCS_11", info("0300bbbb"), {}, 11)]);
    expect((await runCase(file, ok.send, { clock })).status).to.equal("pass");
    const none = fakeServer([() => resp("PKCS_11", '<PKCS_11Function type="Enumeration" value="C_GetInfo"/><PKCS_11ReturnCode type="Enumeration" value="OK"/>', {}, 11)]);
    expect((await runCase(file, none.send, { clock })).status).to.equal("fail");
    const rv = fakeServer([() => resp("PKCS_11", info("0228aa").replace('value="OK"', 'value="FUNCTION_NOT_SUPPORTED"'), {}, 11)]);
    expect((await runCase(file, rv.send, { clock })).status).to.equal("fail");
  });
});
