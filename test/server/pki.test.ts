/** The development PKI: files, modes, certificate contents, and that other TLS stacks accept it. */
import { expect } from "chai";
import { execFile } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configFrom } from "../../src/config/index.js";
import { createDevPki, devPkiPaths, ensureDevPki, existingDevPkiFiles } from "../../src/server/pki.js";
import { allowsClientAuth, identityOf, inspectCertificate } from "../../src/server/x509.js";
import { message, startTestServer, testPki } from "./helpers.js";

const PYTHON = "/usr/bin/python3";

function der(pem: string): Buffer {
  return Buffer.from(new X509Certificate(pem).raw);
}

describe("server: development PKI", function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "kmipd-devpki-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("writes the CA, server and client files; keys are PKCS#8 PEM of mode 0600", async () => {
    const p = await createDevPki(join(dir, "certs"));
    expect(p).to.deep.equal(devPkiPaths(join(dir, "certs")));
    for (const k of [p.caKey, p.serverKey, p.clientKey]) {
      expect((await stat(k)).mode & 0o777, k).to.equal(0o600);
      expect(await readFile(k, "utf8")).to.match(/^-----BEGIN PRIVATE KEY-----\n/);
    }
    const ca = new X509Certificate(await readFile(p.ca));
    const server = new X509Certificate(await readFile(p.serverCert));
    const client = new X509Certificate(await readFile(p.clientCert));
    expect(ca.ca).to.equal(true);
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).to.equal("prime256v1");
    for (const leaf of [server, client]) {
      expect(leaf.ca).to.equal(false);
      expect(leaf.checkIssued(ca)).to.equal(true);
      expect(leaf.verify(ca.publicKey)).to.equal(true);
    }
    expect(server.subjectAltName).to.equal("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
    expect(server.keyUsage).to.deep.equal(["1.3.6.1.5.5.7.3.1"]); // node calls the EKU "keyUsage"
    expect(server.checkHost("localhost")).to.equal("localhost");
    expect(client.subject).to.equal("CN=kmip-client");
    expect(client.keyUsage).to.deep.equal(["1.3.6.1.5.5.7.3.2"]);
  });

  it("refuses to overwrite without force, and overwrites with it", async () => {
    const p = await createDevPki(dir);
    const before = await readFile(p.ca, "utf8");
    await createDevPki(dir).then(
      () => expect.fail("overwrote"),
      (e: Error) => expect(e.message).to.match(/^refusing to overwrite .*ca\.pem.* \(use --force\)$/),
    );
    expect(await readFile(p.ca, "utf8")).to.equal(before);
    await createDevPki(dir, { force: true });
    expect(await readFile(p.ca, "utf8")).to.not.equal(before);
    expect((await stat(p.caKey)).mode & 0o777).to.equal(0o600);
  });

  it("ensureDevPki creates it only when certs_dir holds none of it, and never overwrites", async () => {
    const config = configFrom(undefined, { overrides: { "server.certs_dir": dir } });
    const made = await ensureDevPki(config);
    expect(made?.serverCert).to.equal(join(dir, "server.pem"));
    expect(await ensureDevPki(config)).to.equal(undefined); // in place
    await unlink(join(dir, "server-key.pem"));
    await ensureDevPki(config).then(
      () => expect.fail("accepted"),
      (e: Error) => expect(e.message).to.match(/missing TLS file\(s\): .*server-key\.pem \(`kmipd init --force`/),
    );
    expect(await existingDevPkiFiles(dir)).to.have.length(7);
    const explicit = configFrom(`[tls]\ncert = ${JSON.stringify(join(dir, "nope.pem"))}\n`, { overrides: { "server.certs_dir": join(dir, "empty") } });
    await ensureDevPki(explicit).then(
      () => expect.fail("accepted"),
      (e: Error) => expect(e.message).to.match(/missing TLS file\(s\): .*nope\.pem/),
    );
    expect(existsSync(join(dir, "empty"))).to.equal(false); // configured files are never generated
  });

  it("reads identity and EKU from certificates", async () => {
    const p = await testPki();
    const sans = inspectCertificate(der(p.sans.certPem));
    expect(sans.commonNames).to.deep.equal(["ignored-cn"]);
    expect(sans.san.dns).to.deep.equal(["array-7.example.net", "second.example.net"]);
    expect(identityOf(sans, "san-email")).to.deep.equal({ ok: true, principal: "ops@example.net" });
    expect(identityOf(sans, "san-uri")).to.deep.equal({ ok: true, principal: "spiffe://example.net/backup" });
    expect(allowsClientAuth(sans)).to.equal(true);
    const srvOnly = inspectCertificate(der(p.serverEkuOnly.certPem));
    expect(srvOnly.extendedKeyUsages).to.deep.equal(["1.3.6.1.5.5.7.3.1"]);
    expect(allowsClientAuth(srvOnly)).to.equal(false);
    const none = inspectCertificate(der(p.noEku.certPem));
    expect(none.extendedKeyUsages).to.equal(undefined);
    expect(allowsClientAuth(none)).to.equal(true);
    expect(identityOf(none, "san-dns")).to.deep.equal({ ok: false, reason: "certificate has no SAN dns" });
  });

  (existsSync(PYTHON) ? it : it.skip)("works with Python's ssl (what PyKMIP uses), strict X.509 checks on, both ways", async () => {
    const p = await testPki();
    const srv = await startTestServer();
    try {
      const files = { ca: join(dir, "ca.pem"), cert: join(dir, "client.pem"), key: join(dir, "client-key.pem"), scert: join(dir, "server.pem"), skey: join(dir, "server-key.pem") };
      await writeFile(files.ca, p.ca.certPem);
      await writeFile(files.cert, p.client.certPem);
      await writeFile(files.key, p.client.keyPem, { mode: 0o600 });
      await writeFile(files.scert, p.server.certPem);
      await writeFile(files.skey, p.server.keyPem, { mode: 0o600 });
      const script = `
import socket, ssl, sys
ca, cert, key, port, msg, scert, skey = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), bytes.fromhex(sys.argv[5]), sys.argv[6], sys.argv[7]
for version in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    ctx.minimum_version = ctx.maximum_version = version
    ctx.load_verify_locations(ca)
    ctx.load_cert_chain(cert, key)
    with socket.create_connection(("127.0.0.1", port)) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as s:
            s.sendall(msg)
            got = b""
            while len(got) < len(msg):
                got += s.recv(len(msg) - len(got))
            print(s.version(), got.hex())
# the server side of the dev PKI, loaded into Python too
srv = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
srv.load_cert_chain(scert, skey)
srv.load_verify_locations(ca)
print("load_cert_chain ok")
`;
      const out = await new Promise<string>((resolve, reject) =>
        execFile(PYTHON, ["-c", script, files.ca, files.cert, files.key, String(srv.port), message(77).toString("hex"), files.scert, files.skey], (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
        ),
      );
      expect(out.trim().split("\n")).to.deep.equal([`TLSv1.2 ${message(77).toString("hex")}`, `TLSv1.3 ${message(77).toString("hex")}`, "load_cert_chain ok"]);
      const opened = srv.logs.lines.filter((l) => l.msg === "connection open");
      expect(opened.map((l) => l["principal"])).to.deep.equal(["kmip-client", "kmip-client"]);
    } finally {
      await srv.listener.close(500);
    }
  });
});
