/** Every transport limit, hit on purpose: what closes, what is logged, what keeps working. */
import { expect } from "chai";
import { connect as tcpConnect, type Socket } from "node:net";
import type { MessageHandler } from "../../src/server/handler.js";
import { closed, connectClient, message, readerOf, roundTrip, sleep, startTestServer, testPki, waitUntil, type TestPki } from "./helpers.js";

function tcp(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = tcpConnect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
  });
}

describe("server: limits", function () {
  this.timeout(20000);
  let p: TestPki;
  before(async () => (p = await testPki()));

  it("a header claiming 4 GiB closes that connection after 8 bytes; another connection is still served", async () => {
    const srv = await startTestServer({ limits: { maxMessageSize: 4096 } });
    try {
      const good = await connectClient(srv.port, p.client);
      expect(await roundTrip(good, 1)).to.deep.equal(message(1));
      const bad = await connectClient(srv.port, p.client);
      let answered = false;
      bad.on("data", () => (answered = true));
      const t0 = Date.now();
      bad.write(Buffer.from([0x42, 0x00, 0x78, 0x01, 0xff, 0xff, 0xff, 0xf8]));
      await closed(bad);
      expect(Date.now() - t0).to.be.below(1000); // closed at once, not after the grace period or a timeout
      expect(answered).to.equal(false);
      const line = await srv.logs.waitFor((l) => l.msg.startsWith("framing error"));
      expect(line.level).to.equal("warn");
      expect(line["code"]).to.equal("MESSAGE_TOO_LARGE");
      expect(JSON.stringify(line)).to.not.match(/ff ?ff ?ff|FFFFFF/i); // no payload bytes in logs
      expect(srv.listener.stats().closedByReason.framing_error).to.equal(1);
      expect(await roundTrip(good, 2)).to.deep.equal(message(2));
      good.destroy();
    } finally {
      await srv.listener.close(500);
    }
  });

  it("a message of exactly max_message_size is served; 8 bytes more closes the connection", async () => {
    const srv = await startTestServer({ limits: { maxMessageSize: 4096 } });
    try {
      const s = await connectClient(srv.port, p.client);
      const r = readerOf(s);
      s.write(message(1, 4096 - 8));
      expect((await r.next()).length).to.equal(4096);
      s.write(message(2, 4096));
      await closed(s);
      expect((await srv.logs.waitFor((l) => l.msg.startsWith("framing error")))["code"]).to.equal("MESSAGE_TOO_LARGE");
    } finally {
      await srv.listener.close(500);
    }
  });

  it("garbage framing (a root that is not a Structure) closes the connection with the error code logged", async () => {
    const srv = await startTestServer();
    try {
      const s = await connectClient(srv.port, p.client);
      s.write(Buffer.from([0x42, 0x00, 0x78, 0x02, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0]));
      await closed(s);
      expect((await srv.logs.waitFor((l) => l.msg.startsWith("framing error")))["code"]).to.equal("UNKNOWN_TYPE");
    } finally {
      await srv.listener.close(500);
    }
  });

  it("a truncated message followed by silence is closed by the idle timeout", async () => {
    const srv = await startTestServer({ limits: { idleTimeoutMs: 300 } });
    try {
      const s = await connectClient(srv.port, p.client);
      const t0 = Date.now();
      s.write(message(1, 64).subarray(0, 30));
      await closed(s);
      const took = Date.now() - t0;
      expect(took).to.be.within(250, 2000);
      const line = await srv.logs.waitFor((l) => l.msg.startsWith("idle timeout"));
      expect(line["pendingBytes"]).to.equal(30);
      expect(srv.listener.stats().closedByReason.idle_timeout).to.equal(1);
    } finally {
      await srv.listener.close(500);
    }
  });

  it("the idle timeout does not cut a request the handler is still working on", async () => {
    const srv = await startTestServer({ limits: { idleTimeoutMs: 150, requestTimeoutMs: 2000 }, handler: async (r) => (await sleep(500), r) });
    try {
      const s = await connectClient(srv.port, p.client);
      expect(await roundTrip(s, 5)).to.deep.equal(message(5));
      await closed(s); // and then, idle, it is closed
    } finally {
      await srv.listener.close(500);
    }
  });

  it("the handshake timeout closes a TCP connection that never starts TLS", async () => {
    const srv = await startTestServer({ limits: { handshakeTimeoutMs: 200 } });
    try {
      const s = await tcp(srv.port);
      const t0 = Date.now();
      expect(srv.listener.stats().connectionsOpen).to.equal(1);
      await closed(s);
      expect(Date.now() - t0).to.be.within(150, 2000);
      const line = await srv.logs.waitFor((l) => l["rejected"] === "tls_handshake");
      expect(line["code"]).to.equal("ERR_TLS_HANDSHAKE_TIMEOUT");
      await waitUntil(() => srv.listener.stats().connectionsOpen === 0);
    } finally {
      await srv.listener.close(500);
    }
  });

  it("max_connections: one more is closed at accept and logged; a free slot is usable again", async () => {
    const srv = await startTestServer({ limits: { maxConnections: 3 } });
    try {
      const open = [await connectClient(srv.port, p.client), await connectClient(srv.port, p.client2), await tcp(srv.port)];
      const extra = await tcp(srv.port);
      await closed(extra);
      const line = await srv.logs.waitFor((l) => l["rejected"] === "max_connections");
      expect(line.level).to.equal("warn");
      expect(line["peer"]).to.match(/^127\.0\.0\.1:\d+$/);
      const st = srv.listener.stats();
      expect(st.rejectedByReason.max_connections).to.equal(1);
      expect(st.connectionsOpen).to.equal(3);
      open[2]!.destroy();
      await waitUntil(() => srv.listener.stats().connectionsOpen === 2);
      const again = await connectClient(srv.port, p.client);
      expect(await roundTrip(again, 1)).to.deep.equal(message(1));
      for (const s of [...open, again]) s.destroy();
    } finally {
      await srv.listener.close(500);
    }
  });

  it("max_connections_per_client: one more from the same identity is refused; other identities are not", async () => {
    const srv = await startTestServer({ limits: { maxConnectionsPerClient: 2 } });
    try {
      const a = [await connectClient(srv.port, p.client), await connectClient(srv.port, p.client)];
      for (const s of a) await roundTrip(s, 1);
      const third = await connectClient(srv.port, p.client);
      await closed(third);
      const line = await srv.logs.waitFor((l) => l["rejected"] === "max_connections_per_client");
      expect(line["principal"]).to.equal("kmip-client");
      const other = await connectClient(srv.port, p.client2);
      expect(await roundTrip(other, 2)).to.deep.equal(message(2));
      a[0]!.destroy();
      await waitUntil(() => srv.listener.stats().connectionsEstablished === 2);
      const fourth = await connectClient(srv.port, p.client);
      expect(await roundTrip(fourth, 3)).to.deep.equal(message(3));
      for (const s of [a[1]!, other, fourth]) s.destroy();
    } finally {
      await srv.listener.close(500);
    }
  });

  it("a request not answered within request_timeout_ms closes its connection", async () => {
    const never: MessageHandler = () => new Promise(() => undefined);
    const srv = await startTestServer({ limits: { requestTimeoutMs: 200 }, handler: never });
    try {
      const s = await connectClient(srv.port, p.client);
      const t0 = Date.now();
      s.write(message(1));
      await closed(s);
      expect(Date.now() - t0).to.be.within(150, 2000);
      await srv.logs.waitFor((l) => l.msg.startsWith("request not answered in time"));
      const st = srv.listener.stats();
      expect(st.closedByReason.request_timeout).to.equal(1);
      expect(st.requestsFailed).to.equal(1);
      await waitUntil(() => srv.listener.stats().requestsInFlight === 0);
    } finally {
      await srv.listener.close(500);
    }
  });

  it("a handler rejection closes that connection only (after the answers already given)", async () => {
    const handler: MessageHandler = async (req) => {
      if (req.readUInt32BE(8) === 666) throw new Error("cannot form a response");
      return req;
    };
    const srv = await startTestServer({ handler });
    try {
      const other = await connectClient(srv.port, p.client2);
      const s = await connectClient(srv.port, p.client);
      const r = readerOf(s);
      s.write(Buffer.concat([message(1), message(666), message(2)]));
      expect(await r.next()).to.deep.equal(message(1));
      await closed(s);
      await r.next().then(
        () => expect.fail("answered after the failure"),
        () => undefined,
      );
      const line = await srv.logs.waitFor((l) => l.msg.startsWith("request handler failed"));
      expect(line.level).to.equal("error");
      expect(line["error"]).to.equal("cannot form a response");
      expect(await roundTrip(other, 3)).to.deep.equal(message(3));
      other.destroy();
    } finally {
      await srv.listener.close(500);
    }
  });
});
