/** Pipelined requests come back in order; a graceful stop answers what it has already received. */
import { expect } from "chai";
import { connect as tcpConnect } from "node:net";
import type { MessageHandler } from "../../src/server/handler.js";
import { closed, connectClient, message, readerOf, roundTrip, sleep, startTestServer, testPki, waitUntil, type TestPki } from "./helpers.js";

describe("server: ordering and graceful stop", function () {
  this.timeout(20000);
  let p: TestPki;
  before(async () => (p = await testPki()));

  it("answers many pipelined requests in order though the handler takes random times", async () => {
    const busy = new Map<number, number>();
    let maxBusy = 0;
    const handler: MessageHandler = async (req, ctx) => {
      const n = (busy.get(ctx.connectionId) ?? 0) + 1;
      busy.set(ctx.connectionId, n);
      maxBusy = Math.max(maxBusy, n);
      await sleep(Math.random() * 4);
      busy.set(ctx.connectionId, n - 1);
      return req;
    };
    const srv = await startTestServer({ handler, maxQueuedPerConnection: 8 });
    try {
      const conns = [await connectClient(srv.port, p.client), await connectClient(srv.port, p.client2)];
      const N = 300;
      await Promise.all(
        conns.map(async (s, k) => {
          const r = readerOf(s);
          // all at once, in odd-sized chunks, so messages straddle TLS records and the queue fills up
          const all = Buffer.concat(Array.from({ length: N }, (_, i) => message(k * 100000 + i, 8 + 8 * (i % 5))));
          for (let off = 0; off < all.length; off += 1000) s.write(all.subarray(off, off + 1000));
          for (let i = 0; i < N; i++) expect((await r.next(5000)).readUInt32BE(8)).to.equal(k * 100000 + i);
        }),
      );
      expect(maxBusy).to.equal(1); // one request in flight per connection
      const st = srv.listener.stats();
      expect(st.requestsTotal).to.equal(2 * N);
      expect(st.requestsInFlight).to.equal(0);
      for (const s of conns) s.destroy();
    } finally {
      await srv.listener.close(500);
    }
  });

  it("stops reading from a client that does not read its answers (bounded memory), and resumes", async () => {
    const srv = await startTestServer({ maxQueuedPerConnection: 4 });
    try {
      const s = await connectClient(srv.port, p.client);
      s.pause(); // reads nothing
      const N = 3000;
      const all = Buffer.concat(Array.from({ length: N }, (_, i) => message(i, 2048)));
      s.write(all);
      await sleep(300);
      const st = srv.listener.stats();
      expect(st.requestsTotal).to.be.below(N); // the server stopped reading
      expect(st.requestsInFlight).to.be.at.most(4 + 1 + 8); // the queue limit, the one in hand, one TLS record's worth
      const r = readerOf(s);
      s.resume();
      for (let i = 0; i < N; i++) expect((await r.next(5000)).readUInt32BE(8)).to.equal(i);
      s.destroy();
    } finally {
      await srv.listener.close(500);
    }
  });

  it("the idle timeout closes a connection whose client stops reading its answers", async () => {
    const srv = await startTestServer({ maxQueuedPerConnection: 4, limits: { idleTimeoutMs: 300 } });
    try {
      const s = await connectClient(srv.port, p.client);
      s.pause();
      s.write(Buffer.concat(Array.from({ length: 3000 }, (_, i) => message(i, 2048))));
      const line = await srv.logs.waitFor((l) => l.msg.startsWith("idle timeout"));
      expect(line["unanswered"]).to.be.above(0);
      await waitUntil(() => srv.listener.stats().connectionsOpen === 0); // cut after the grace period
      s.destroy();
    } finally {
      await srv.listener.close(500);
    }
  });

  it("close() lets an in-flight request finish, then closes; new connections are refused", async () => {
    let started = 0;
    const handler: MessageHandler = async (req) => {
      started++;
      await sleep(800);
      return req;
    };
    const srv = await startTestServer({ handler });
    const s = await connectClient(srv.port, p.client);
    const idle = await connectClient(srv.port, p.client2);
    const r = readerOf(s);
    s.write(message(42));
    await waitUntil(() => started === 1);
    const t0 = Date.now();
    const stopping = srv.listener.close(5000);
    await closed(idle); // idle connections are closed at once, not after the drain
    expect(Date.now() - t0).to.be.below(600);
    expect(await r.next()).to.deep.equal(message(42));
    await closed(s);
    await stopping;
    expect(Date.now() - t0).to.be.below(3000);
    const refused = await new Promise<string>((resolve) => {
      const c = tcpConnect({ host: "127.0.0.1", port: srv.port }, () => resolve("connected"));
      c.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
    });
    expect(refused).to.equal("ECONNREFUSED");
    expect(srv.listener.stats().closedByReason.shutdown).to.be.at.least(2);
  });

  it("close() answers requests already queued behind the in-flight one", async () => {
    const srv = await startTestServer({ handler: async (req) => (await sleep(50), req) });
    const s = await connectClient(srv.port, p.client);
    const r = readerOf(s);
    s.write(Buffer.concat([message(1), message(2), message(3)]));
    await waitUntil(() => srv.listener.stats().requestsTotal === 3);
    const stopping = srv.listener.close(5000);
    for (const n of [1, 2, 3]) expect((await r.next()).readUInt32BE(8)).to.equal(n);
    await closed(s);
    await stopping;
  });

  it("close() cuts what is not answered within the drain timeout", async () => {
    const srv = await startTestServer({ handler: () => new Promise(() => undefined), limits: { requestTimeoutMs: 60000 } });
    const s = await connectClient(srv.port, p.client);
    s.write(message(1));
    await waitUntil(() => srv.listener.stats().requestsInFlight === 1);
    const t0 = Date.now();
    await srv.listener.close(200);
    expect(Date.now() - t0).to.be.within(150, 1500);
    await closed(s);
    await srv.logs.waitFor((l) => l.msg.startsWith("drain timeout"));
  });

  it("close() closes connections still in their TLS handshake", async () => {
    const srv = await startTestServer({ limits: { handshakeTimeoutMs: 60000 } });
    const raw = await new Promise<import("node:net").Socket>((resolve) => {
      const c = tcpConnect({ host: "127.0.0.1", port: srv.port }, () => resolve(c));
    });
    await waitUntil(() => srv.listener.stats().connectionsOpen === 1);
    const t0 = Date.now();
    await srv.listener.close(5000);
    await closed(raw);
    expect(Date.now() - t0).to.be.below(1000);
  });

  it("a connection keeps working across many round trips", async () => {
    const srv = await startTestServer();
    try {
      const s = await connectClient(srv.port, p.client);
      for (let i = 0; i < 200; i++) expect((await roundTrip(s, i)).readUInt32BE(8)).to.equal(i);
      s.destroy();
    } finally {
      await srv.listener.close(500);
    }
  });
});
