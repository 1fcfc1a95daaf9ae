/**
 * KMIP over HTTPS on the KMIP port (server.https): TTLV, XML and JSON bodies through a real TLS
 * listener and LMDB, the HTTP refusals, and the TTLV protocol still served on the same port.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { jsonToNode, nodeToJson, nodeToXml, xmlToNodes } from "../../src/encodings/index.js";
import { Enums, Tag } from "../../src/kmip/index.js";
import { ItemType, decodeTtlv, encodeTtlv, enumeration, integer, struct, type StructureNode, type TtlvNode } from "../../src/ttlv/index.js";
import { startKmipd, type RunningKmipd } from "./harness.js";

interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function queryRequest(minor = 4): StructureNode {
  return struct(Tag.RequestMessage, [
    struct(Tag.RequestHeader, [
      struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, 1), integer(Tag.ProtocolVersionMinor, minor)]),
      integer(Tag.BatchCount, 1),
    ]),
    struct(Tag.BatchItem, [
      enumeration(Tag.Operation, Enums.Operation.Query),
      struct(Tag.RequestPayload, [enumeration(Tag.QueryFunction, Enums.QueryFunction.QueryOperations)]),
    ]),
  ]);
}

function resultStatus(msg: TtlvNode): number | undefined {
  if (msg.type !== ItemType.Structure) return undefined;
  const item = msg.children.find((c) => c.tag === Tag.BatchItem);
  const st = item?.type === ItemType.Structure ? item.children.find((c) => c.tag === Tag.ResultStatus) : undefined;
  return st?.type === ItemType.Enumeration ? st.value : undefined;
}

describe("integration: KMIP over HTTPS on the KMIP port", function () {
  this.timeout(30_000);
  let srv: RunningKmipd;
  let tlsFiles: { cert: Buffer; key: Buffer; ca: Buffer };
  before(async () => {
    srv = await startKmipd({ overrides: { "server.https": true, "limits.max_message_size": 64 * 1024 } });
    tlsFiles = { cert: readFileSync(srv.certs.clientCert), key: readFileSync(srv.certs.clientKey), ca: readFileSync(srv.certs.ca) };
  });
  after(async () => {
    await srv?.stop();
  });

  function post(body: Buffer | string, o: { contentType?: string; method?: string; path?: string; withCert?: boolean } = {}): Promise<HttpAnswer> {
    const payload = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    const cert = o.withCert === false ? {} : { cert: tlsFiles.cert, key: tlsFiles.key };
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1", port: srv.port, servername: "localhost", ca: tlsFiles.ca, ...cert, agent: false,
          method: o.method ?? "POST", path: o.path ?? "/kmip",
          headers: { "Content-Type": o.contentType ?? "application/octet-stream", "Content-Length": payload.length, "Cache-Control": "no-cache" },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  it("answers a TTLV body with HTTP 200, application/octet-stream, Content-Length and no-cache", async () => {
    const r = await post(Buffer.from(encodeTtlv(queryRequest())));
    expect(r.status).to.equal(200);
    expect(r.headers["content-type"]).to.equal("application/octet-stream");
    expect(r.headers["cache-control"]).to.equal("no-cache");
    expect(Number(r.headers["content-length"])).to.equal(r.body.length);
    const msg = decodeTtlv(r.body);
    expect(msg.tag).to.equal(Tag.ResponseMessage);
    expect(resultStatus(msg)).to.equal(Enums.ResultStatus.Success);
  });

  it("answers a KMIP XML body in XML", async () => {
    const r = await post(nodeToXml(queryRequest(3)), { contentType: "text/xml" });
    expect(r.status).to.equal(200);
    expect(r.headers["content-type"]).to.equal("text/xml");
    const [msg] = xmlToNodes(r.body.toString("utf8")).messages;
    expect(msg!.tag).to.equal(Tag.ResponseMessage);
    expect(resultStatus(msg!)).to.equal(Enums.ResultStatus.Success);
    expect(r.body.toString("utf8")).to.include('<Operation type="Enumeration" value="Query"/>');
  });

  it("answers a KMIP JSON body in JSON", async () => {
    const r = await post(JSON.stringify(nodeToJson(queryRequest(4))), { contentType: "application/json; charset=utf-8" });
    expect(r.status).to.equal(200);
    expect(r.headers["content-type"]).to.equal("application/json");
    const msg = jsonToNode(r.body.toString("utf8"));
    expect(msg.tag).to.equal(Tag.ResponseMessage);
    expect(resultStatus(msg)).to.equal(Enums.ResultStatus.Success);
  });

  it("refuses other methods, paths and content types, oversized and malformed bodies", async () => {
    const ttlv = Buffer.from(encodeTtlv(queryRequest()));
    expect((await post(ttlv, { method: "PUT" })).status).to.equal(405);
    expect((await post(ttlv, { path: "/other" })).status).to.equal(404);
    expect((await post(ttlv, { contentType: "text/plain" })).status).to.equal(415);
    expect((await post(Buffer.alloc(70 * 1024, 0x42))).status).to.equal(413);
    expect((await post("<RequestMessage><Nope/>", { contentType: "text/xml" })).status).to.equal(400);
    expect((await post("{not json", { contentType: "application/json" })).status).to.equal(400);
  });

  it("still requires a client certificate", async () => {
    const err = await post(Buffer.from(encodeTtlv(queryRequest())), { withCert: false }).then(() => undefined, (e: Error) => e);
    expect(err, "a request without a client certificate must fail").to.be.instanceOf(Error);
  });

  it("keeps serving TTLV connections on the same port", async () => {
    const c = await srv.client("1.4");
    const uid = await c.create();
    expect((await c.get(uid)).keyBytes?.length).to.equal(32);
  });

  it("answers TTLV with the server's Result Reason when the message is well-formed but wrong", async () => {
    // a request message with a Batch Count that does not match: a KMIP error, not an HTTP one
    const bad = struct(Tag.RequestMessage, [
      struct(Tag.RequestHeader, [struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, 1), integer(Tag.ProtocolVersionMinor, 4)]), integer(Tag.BatchCount, 2)]),
      struct(Tag.BatchItem, [enumeration(Tag.Operation, Enums.Operation.Query), struct(Tag.RequestPayload, [])]),
    ]);
    const r = await post(Buffer.from(encodeTtlv(bad)));
    expect(r.status).to.equal(200);
    expect(resultStatus(decodeTtlv(r.body))).to.equal(Enums.ResultStatus.OperationFailed);
  });
});

describe("integration: HTTP on the KMIP port when server.https is off", function () {
  this.timeout(30_000);
  it("closes the connection (an HTTP request line is broken TTLV framing)", async () => {
    const srv = await startKmipd();
    try {
      const files = { cert: readFileSync(srv.certs.clientCert), key: readFileSync(srv.certs.clientKey), ca: readFileSync(srv.certs.ca) };
      const outcome = await new Promise<string>((resolve) => {
        const req = request({ host: "127.0.0.1", port: srv.port, servername: "localhost", ...files, agent: false, method: "POST", path: "/kmip", headers: { "Content-Type": "application/octet-stream" } }, (res) => resolve(`status ${res.statusCode}`));
        req.on("error", (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
        req.end(Buffer.from(encodeTtlv(queryRequest())));
      });
      expect(outcome).to.match(/^error /);
    } finally {
      await srv.stop();
    }
  });
});
