/**
 * Acceptance: bad input over the wire against the real server (engine, LMDB, TLS). Each gets a
 * KMIP error with the right reason, or — for broken framing — a closed connection; other
 * connections keep being served throughout.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { connect, type TLSSocket } from "node:tls";
import { Enums, Tag } from "../../src/kmip/index.js";
import { createCa, issueCertificate } from "../../src/server/pki.js";
import { TtlvFramer, decodeTtlv, encodeTtlv, enumeration, integer, struct, type StructureNode } from "../../src/ttlv/index.js";
import { startKmipd, type RunningKmipd } from "./harness.js";

function rawConnect(srv: RunningKmipd, creds?: { cert: string | Buffer; key: string | Buffer }): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = connect({
      host: "127.0.0.1",
      port: srv.port,
      servername: "localhost",
      ca: readFileSync(srv.certs.ca),
      cert: creds ? creds.cert : readFileSync(srv.certs.clientCert),
      key: creds ? creds.key : readFileSync(srv.certs.clientKey),
    });
    s.once("secureConnect", () => resolve(s));
    s.once("error", reject);
  });
}

/** Resolves when the socket closes, with the bytes received before that. */
function closed(s: TLSSocket, withinMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const t = setTimeout(() => reject(new Error(`still open after ${withinMs} ms`)), withinMs);
    s.on("data", (d: Buffer) => chunks.push(d));
    s.on("error", () => undefined);
    s.once("close", () => {
      clearTimeout(t);
      resolve(Buffer.concat(chunks));
    });
  });
}

function request(major: number, minor: number, operation: number): Buffer {
  return encodeTtlv(
    struct(Tag.RequestMessage, [
      struct(Tag.RequestHeader, [struct(Tag.ProtocolVersion, [integer(Tag.ProtocolVersionMajor, major), integer(Tag.ProtocolVersionMinor, minor)]), integer(Tag.BatchCount, 1)]),
      struct(Tag.BatchItem, [enumeration(Tag.Operation, operation), struct(Tag.RequestPayload, [])]),
    ]),
  );
}

async function roundTrip(s: TLSSocket, bytes: Buffer): Promise<StructureNode> {
  const framer = new TtlvFramer();
  return new Promise((resolve, reject) => {
    s.on("data", (d: Buffer) => {
      const [m] = framer.push(d);
      if (m) resolve(decodeTtlv(m) as StructureNode);
    });
    s.once("error", reject);
    s.write(bytes);
  });
}

const itemOf = (res: StructureNode) => res.children.find((c) => c.tag === Tag.BatchItem) as StructureNode;
const valueOf = (s: StructureNode, tag: number) => (s.children.find((c) => c.tag === tag) as { value: unknown } | undefined)?.value;

describe("integration: bad input over the wire", function () {
  this.timeout(60_000);
  let srv: RunningKmipd;
  before(async () => {
    srv = await startKmipd({ overrides: { "limits.idle_timeout_ms": 800 } });
  });
  after(async () => {
    await srv?.stop();
  });

  it("a 4 GiB length claim closes that connection after the 8-byte header; another connection is still served", async () => {
    const good = await srv.client("1.4");
    const bad = await rawConnect(srv);
    const done = closed(bad, 5000);
    bad.write(Buffer.from("42007801ffffffff", "hex"));
    expect((await done).length).to.equal(0);
    expect(await good.create()).to.be.a("string");
  });

  it("a truncated message then silence is closed by the idle timeout", async () => {
    const s = await rawConnect(srv);
    const done = closed(s, 5000);
    s.write(request(1, 4, Enums.Operation.Query).subarray(0, 20));
    await done;
  });

  it("an unsupported protocol version gets Unsupported Protocol Version, and Discover Versions still negotiates", async () => {
    const s = await rawConnect(srv);
    const res = await roundTrip(s, request(3, 0, Enums.Operation.Query));
    expect(valueOf(itemOf(res), Tag.ResultReason)).to.equal(Enums.ResultReason.UnsupportedProtocolVersion);
    s.destroy();
    const s2 = await rawConnect(srv);
    const dv = await roundTrip(s2, request(3, 0, Enums.Operation.DiscoverVersions));
    expect(valueOf(itemOf(dv), Tag.ResultStatus)).to.equal(Enums.ResultStatus.Success);
    s2.destroy();
  });

  it("a client certificate from another CA is rejected and the reason is logged", async () => {
    const foreign = await issueCertificate(await createCa("not our CA"), { commonName: "intruder", usage: "client" });
    const before = srv.logLines.length;
    const s = await rawConnect(srv, { cert: foreign.certPem, key: foreign.keyPem }).catch(() => undefined);
    if (s) await closed(s, 5000).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const lines = srv.logLines.slice(before).join("\n");
    expect(lines).to.match(/UNABLE_TO_VERIFY|unable to verify|certificate/i);
    expect(await (await srv.client("2.1")).create()).to.be.a("string");
  });
});
