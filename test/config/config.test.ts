import { expect } from "chai";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, SETTINGS, configFrom, defaultConfig, loadConfig } from "../../src/config/index.js";
import { REPO_ROOT } from "../helpers/shared.js";

const EXAMPLE = resolve(REPO_ROOT, "config.example.toml");

describe("config", () => {
  it("has the documented defaults", () => {
    expect(defaultConfig()).to.deep.equal({
      server: { host: "0.0.0.0", port: 5696, dataDir: "./data", certsDir: "./certs", https: false, httpsPath: "/kmip" },
      tls: {
        minVersion: "TLSv1.2",
        cert: join("./certs", "server.pem"),
        key: join("./certs", "server-key.pem"),
        ca: join("./certs", "ca.pem"),
        identity: "cn",
        requireClientAuthEku: true,
      },
      limits: {
        maxMessageSize: 1048576,
        maxDepth: 64,
        maxItems: 65536,
        maxBatchItems: 64,
        maxConnections: 1000,
        maxConnectionsPerClient: 100,
        handshakeTimeoutMs: 10000,
        idleTimeoutMs: 300000,
        requestTimeoutMs: 60000,
      },
      logging: { level: "info", format: "json" },
      compat: { completeGetAttributes: true },
      kms: {
        leaseTimeSec: 3600,
        locateCreatesFresh: false,
        dek: { size: { bits: 256 } },
        retry: { count: 3, delay: { ms: 1000 } },
        operation: { timeout: { sec: 30 } },
        rewrap: { batch: { size: 50 }, interval: { ms: 300000 }, concurrency: 4 },
        cache: { maxEntries: 10000, ttlSec: 300 },
        rngSeed: "accept",
        rngSeedMaxBytes: 64,
      },
      admin: { enabled: true, host: "127.0.0.1", port: 5697 },
      tenancy: { autoRegister: false, principals: [], credentials: [] },
      audit: { jsonlPath: undefined },
    });
  });

  it("config.example.toml parses to exactly the defaults", async () => {
    expect(await loadConfig({ file: EXAMPLE })).to.deep.equal(defaultConfig());
  });

  it("config.example.toml documents every setting", () => {
    const text = readFileSync(EXAMPLE, "utf8");
    for (const s of SETTINGS) {
      // `[kms]` then `retry.delay.ms = …`: the section is the first part, the rest a dotted key.
      const [section, name] = [s.key.slice(0, s.key.indexOf(".")), s.key.slice(s.key.indexOf(".") + 1)];
      expect(text, `[${section}]`).to.include(`[${section}]`);
      expect(text, s.key).to.match(new RegExp(`^#? ?${name.replace(/\./g, "\\.")} = `, "m"));
    }
  });

  it("an empty file gives the defaults; the result is frozen", () => {
    const c = configFrom("");
    expect(c).to.deep.equal(defaultConfig());
    expect(Object.isFrozen(c.limits)).to.equal(true);
  });

  it("file values override defaults; TLS files follow certs_dir unless set", () => {
    const c = configFrom('[server]\ncerts_dir = "/etc/kmipd"\nport = 15696\n[tls]\nca = "/etc/pki/ca.pem"\nidentity = "san-uri"\n');
    expect(c.server.port).to.equal(15696);
    expect(c.tls.cert).to.equal("/etc/kmipd/server.pem");
    expect(c.tls.key).to.equal("/etc/kmipd/server-key.pem");
    expect(c.tls.ca).to.equal("/etc/pki/ca.pem");
    expect(c.tls.identity).to.equal("san-uri");
  });

  it("command-line overrides win over the file; undefined flags are ignored", () => {
    const c = configFrom("[server]\nport = 1000\nhost = \"10.0.0.1\"\n", { overrides: { "server.port": 2000, "server.host": undefined, "server.certs_dir": "/x" } });
    expect(c.server.port).to.equal(2000);
    expect(c.server.host).to.equal("10.0.0.1");
    expect(c.tls.ca).to.equal("/x/ca.pem");
  });

  const bad: [string, RegExp][] = [
    ["[server]\nprot = 1\n", /unknown setting server\.prot/],
    ["[sever]\nport = 1\n", /unknown setting sever/],
    ["port = 1\n", /unknown setting port/],
    ["[limits]\nmax_connections = 0\n", /limits\.max_connections must be an integer from 1 to 1000000, got 0/],
    ["[kms]\nrewrap.concurrency = 0\n", /kms\.rewrap\.concurrency must be an integer from 1 to 64, got 0/],
    ["[kms]\nrewrap.concurrency = 65\n", /kms\.rewrap\.concurrency must be an integer from 1 to 64, got 65/],
    ["[limits]\nmax_message_size = 1.5\n", /limits\.max_message_size must be an integer/],
    ["[limits]\nidle_timeout_ms = \"5s\"\n", /limits\.idle_timeout_ms must be an integer .* got "5s"/],
    ["[server]\nport = 70000\n", /server\.port must be an integer from 0 to 65535/],
    ["[server]\nhost = \"not a host\"\n", /server\.host must be an IP address or a host name/],
    ["[server]\ndata_dir = \"\"\n", /server\.data_dir must be a non-empty path/],
    ["[tls]\nmin_version = \"TLSv1.1\"\n", /tls\.min_version must be one of "TLSv1\.2", "TLSv1\.3"/],
    ["[tls]\nidentity = \"ou\"\n", /tls\.identity must be one of "cn", "san-dns", "san-email", "san-uri"/],
    ["[tls]\nrequire_client_auth_eku = \"yes\"\n", /tls\.require_client_auth_eku must be true or false/],
    ["[logging]\nlevel = \"verbose\"\n", /logging\.level must be one of/],
    ["[logging]\nformat = \"xml\"\n", /logging\.format must be one of "json", "pretty"/],
    ["server = 1\n", /server must be a table/],
    ["[server]\nport = [1]\n", /server\.port must be .* got an array/],
    ["[server\n", /:1:\d+: not valid TOML/],
  ];
  for (const [text, re] of bad) {
    it(`refuses ${JSON.stringify(text.trim())}`, () => {
      expect(() => configFrom(text, { file: "k.toml" }))
        .to.throw(ConfigError)
        .with.property("message")
        .that.matches(re);
    });
  }

  it("refuses unknown and invalid overrides, naming the source", () => {
    expect(() => configFrom(undefined, { overrides: { "server.prot": 1 } })).to.throw(/command line: unknown setting server\.prot/);
    expect(() => configFrom(undefined, { overrides: { "server.port": -1 } })).to.throw(/command line: server\.port must be/);
  });

  it("reads a file and names it in errors; a missing file is an error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kmipd-config-"));
    try {
      const f = join(dir, "k.toml");
      await writeFile(f, "[limits]\nmax_depth = 2\n");
      await loadConfig({ file: f }).then(
        () => expect.fail("accepted"),
        (e: Error) => expect(e.message).to.equal(`${f}: limits.max_depth must be an integer from 4 to 1024, got 2`),
      );
      await loadConfig({ file: join(dir, "none.toml") }).then(
        () => expect.fail("accepted"),
        (e: Error) => expect(e.message).to.match(/cannot read config file .*none\.toml: ENOENT/),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it("kms.* dotted settings and [[tenancy.principals]] tables are read and checked", () => {
    const c = configFrom(
      [
        "[kms]",
        "dek.size.bits = 128",
        "retry.count = 5",
        "operation.timeout.sec = 7",
        "rewrap.concurrency = 16",
        "[tenancy]",
        "auto_register = true",
        "[[tenancy.principals]]",
        'principal = "svc-1"',
        'account = "ops"',
        'zone = "eu"',
        "[[tenancy.principals]]",
        'principal = "root"',
        'account = "ops"',
        'role = "root-admin"',
      ].join("\n"),
    );
    expect(c.kms.dek.size.bits).to.equal(128);
    expect(c.kms.rewrap.concurrency).to.equal(16);
    expect(c.kms.retry).to.deep.equal({ count: 5, delay: { ms: 1000 } });
    expect(c.kms.operation.timeout.sec).to.equal(7);
    expect(c.tenancy).to.deep.equal({ autoRegister: true, principals: [{ principal: "svc-1", account: "ops", zone: "eu" }, { principal: "root", account: "ops", role: "root-admin" }], credentials: [] });
    expect(() => configFrom("[kms]\ndek.size.bits = 100")).to.throw(ConfigError, /kms.dek.size.bits must be 128, 192 or 256/);
    expect(() => configFrom('[[tenancy.principals]]\nprincipal = "x"\naccount = "a"\nrole = "god"')).to.throw(ConfigError, /tenancy.principals/);
    expect(() => configFrom('[[tenancy.principals]]\nprincipal = "x"')).to.throw(ConfigError, /tenancy.principals/);
    expect(() => configFrom('[[tenancy.principals]]\nprincipal = "x"\naccount = "a"\nextra = "y"')).to.throw(ConfigError, /tenancy.principals/);
  });
});
