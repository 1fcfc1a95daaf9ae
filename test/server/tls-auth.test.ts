/** Mutual TLS: who gets in, who does not, why the log says so, and which identity a client gets. */
import { expect } from "chai";
import type { TLSSocket } from "node:tls";
import type { RequestContext } from "../../src/server/handler.js";
import type { CertAndKey } from "../../src/server/pki.js";
import { closed, connectClient, lastSession, message, readerOf, roundTrip, startTestServer, testPki, type TestPki, type TestServer } from "./helpers.js";

describe("server: mutual TLS", function () {
  this.timeout(15000);
  let p: TestPki;
  let srv: TestServer;
  const seen: RequestContext[] = [];

  before(async () => {
    p = await testPki();
    srv = await startTestServer({
      handler: async (req, ctx) => {
        seen.push(ctx);
        return req;
      },
    });
  });
  after(() => srv.listener.close(1000));

  for (const v of ["TLSv1.2", "TLSv1.3"] as const) {
    it(`serves a client with the dev PKI's certificate over ${v}`, async () => {
      const s = await connectClient(srv.port, p.client, { minVersion: v, maxVersion: v });
      expect(s.getProtocol()).to.equal(v);
      expect(s.authorized).to.equal(true); // the client checked the server's certificate too
      expect(await roundTrip(s, 7)).to.deep.equal(message(7));
      expect(seen.at(-1)!.principal).to.equal("kmip-client");
      expect(seen.at(-1)!.peer).to.match(/^127\.0\.0\.1:\d+$/);
      const open = await srv.logs.waitFor((l) => l.msg === "connection open" && l["protocol"] === v);
      expect(open["principal"]).to.equal("kmip-client");
      s.end();
      await closed(s);
    });
  }

  it("gives each connection its own number", async () => {
    const a = await connectClient(srv.port, p.client);
    const b = await connectClient(srv.port, p.client2);
    await roundTrip(a, 1);
    const ca = seen.at(-1)!;
    await roundTrip(b, 2);
    const cb = seen.at(-1)!;
    expect(cb.principal).to.equal("kmip-client-2");
    expect(cb.connectionId).to.not.equal(ca.connectionId);
    a.destroy();
    b.destroy();
  });

  const refused: [string, (p: TestPki) => CertAndKey | undefined, RegExp, string][] = [
    ["no certificate", () => undefined, /^NO_CLIENT_CERTIFICATE$/, "unauthenticated"],
    ["a self-signed certificate", (p) => p.selfSigned, /^DEPTH_ZERO_SELF_SIGNED_CERT$/, "unauthenticated"],
    ["a certificate from another CA", (p) => p.foreign, /^UNABLE_TO_VERIFY_LEAF_SIGNATURE$|^UNABLE_TO_GET_ISSUER_CERT/, "unauthenticated"],
    ["an expired certificate", (p) => p.expired, /^CERT_HAS_EXPIRED$/, "unauthenticated"],
    // OpenSSL verifies client certificates for the TLS-client purpose: an EKU without clientAuth fails there
    ["a certificate whose EKU lacks clientAuth", (p) => p.serverEkuOnly, /^INVALID_PURPOSE$/, "unauthenticated"],
  ];
  for (const [what, pick, reason, counter] of refused) {
    for (const v of ["TLSv1.2", "TLSv1.3"] as const) {
      it(`refuses ${what} over ${v}, logging the reason`, async () => {
        const before = srv.listener.stats();
        const mark = srv.logs.lines.length;
        const s = await connectClient(srv.port, pick(p), { minVersion: v, maxVersion: v }).catch((e: Error) => e);
        if (!(s instanceof Error)) {
          s.write(message(1)); // never answered
          let answered = false;
          s.on("data", () => (answered = true));
          await closed(s);
          expect(answered).to.equal(false);
        }
        const line = await srv.logs.waitFor((l) => typeof l["rejected"] === "string", 3000, mark);
        expect(line.level).to.equal("warn");
        expect(line["rejected"]).to.equal(counter);
        expect(String(line["reason"])).to.match(reason);
        expect(line["peer"]).to.match(/^127\.0\.0\.1:\d+$/);
        const after = srv.listener.stats();
        expect(after.connectionsRejected).to.equal(before.connectionsRejected + 1);
      });
    }
  }

  it("accepts a certificate with no EKU extension at all", async () => {
    const s = await connectClient(srv.port, p.noEku);
    expect(await roundTrip(s, 3)).to.deep.equal(message(3));
    expect(seen.at(-1)!.principal).to.equal("no-eku-client");
    s.destroy();
  });

  it("resumes TLS sessions (tickets) and keeps the identity", async () => {
    for (const v of ["TLSv1.2", "TLSv1.3"] as const) {
      const first = await connectClient(srv.port, p.client2, { minVersion: v, maxVersion: v });
      await roundTrip(first, 1); // TLS 1.3 tickets arrive after the handshake, before this answer
      const session = lastSession(first);
      expect(session, v).to.not.equal(undefined);
      first.end();
      await closed(first);
      const again = await connectClient(srv.port, p.client2, { minVersion: v, maxVersion: v, session });
      expect(again.isSessionReused(), v).to.equal(true);
      expect(await roundTrip(again, 9)).to.deep.equal(message(9));
      expect(seen.at(-1)!.principal).to.equal("kmip-client-2");
      const line = await srv.logs.waitFor((l) => l.msg === "connection open" && l["resumed"] === true && l["protocol"] === v);
      expect(line["principal"]).to.equal("kmip-client-2");
      again.destroy();
    }
  });
});

describe("server: identity settings and the EKU switch", function () {
  this.timeout(15000);
  let p: TestPki;
  before(async () => (p = await testPki()));

  async function principalFor(pair: CertAndKey, identity: "cn" | "san-dns" | "san-email" | "san-uri", requireClientAuthEku = true): Promise<string | Error> {
    let principal: string | undefined;
    const srv = await startTestServer({
      tls: { identity, requireClientAuthEku },
      handler: async (req, ctx) => {
        principal = ctx.principal;
        return req;
      },
    });
    try {
      const s: TLSSocket = await connectClient(srv.port, pair);
      const r = readerOf(s);
      s.write(message(1));
      try {
        await r.next();
      } catch {
        const line = srv.logs.lines.find((l) => typeof l["rejected"] === "string");
        return new Error(`${String(line?.["rejected"])}: ${String(line?.["reason"])}`);
      } finally {
        s.destroy();
      }
      return principal!;
    } finally {
      await srv.listener.close(500);
    }
  }

  it("takes the identity from the subject CN by default", async () => {
    expect(await principalFor(p.sans, "cn")).to.equal("ignored-cn");
  });
  it("takes the first SAN of the configured kind", async () => {
    expect(await principalFor(p.sans, "san-dns")).to.equal("array-7.example.net");
    expect(await principalFor(p.sans, "san-email")).to.equal("ops@example.net");
    expect(await principalFor(p.sans, "san-uri")).to.equal("spiffe://example.net/backup");
  });
  it("refuses a certificate without a SAN of the configured kind", async () => {
    const r = await principalFor(p.client, "san-uri");
    expect(r).to.be.instanceOf(Error);
    expect((r as Error).message).to.equal("no_identity: certificate has no SAN uri");
  });
  it("require_client_auth_eku = false cannot relax OpenSSL's own purpose check", async () => {
    // node:tls (OpenSSL) verifies a client certificate for the TLS-client purpose: an EKU without
    // clientAuth fails there (INVALID_PURPOSE) whatever the setting. docs/SERVER.md says so.
    const r = await principalFor(p.serverEkuOnly, "cn", false);
    expect(r).to.be.instanceOf(Error);
    expect((r as Error).message).to.equal("unauthenticated: INVALID_PURPOSE");
    expect(await principalFor(p.noEku, "cn", false)).to.equal("no-eku-client");
  });
});
