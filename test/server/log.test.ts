import { expect } from "chai";
import { createLogger, isSecretName, prettyLine, redact } from "../../src/server/log.js";

describe("server: logging", () => {
  function capture(format: "json" | "pretty" = "json") {
    const lines: string[] = [];
    return { log: createLogger({ level: "info", format }, { write: (s: string) => lines.push(s) }), lines };
  }

  it("writes one JSON object per line with a level name and ISO time", () => {
    const { log, lines } = capture();
    log.info({ peer: "127.0.0.1:5" }, "connection open");
    const rec = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(rec).to.include({ level: "info", msg: "connection open", peer: "127.0.0.1:5" });
    expect(rec["time"]).to.match(/^\d{4}-\d\d-\d\dT/);
  });

  it("redacts anything named pin, password, passphrase, key or secret, at any depth and in child bindings", () => {
    const { log, lines } = capture();
    log.child({ hsmPin: "1234" }).warn({ password: "p", nested: { private_key: "k", list: [{ clientSecret: "s" }], keyId: "kept" }, key: "x", monkey: "kept" }, "m");
    const text = lines.join("");
    for (const secret of ['"1234"', '"p"', '"k"', '"s"', '"x"']) expect(text).to.not.include(secret);
    const rec = JSON.parse(lines[0]!) as Record<string, any>;
    expect(rec["hsmPin"]).to.equal("[redacted]");
    expect(rec["nested"].list[0].clientSecret).to.equal("[redacted]");
    expect(rec["nested"].keyId).to.equal("kept");
    expect(rec["monkey"]).to.equal("kept");
  });

  it("names: the word alone, after _ or -, or capitalised at the end of a camel-case name", () => {
    for (const n of ["pin", "PIN", "password", "passphrase", "key", "keys", "secret", "private_key", "hsm-pin", "hsmPin", "privateKey", "clientSecret"]) expect(isSecretName(n), n).to.equal(true);
    for (const n of ["monkey", "keyId", "keyUsage", "pinned", "principal", "spin"]) expect(isSecretName(n), n).to.equal(false);
  });

  it("leaves errors, buffers and dates to pino's serializers", () => {
    const e = new Error("boom");
    expect((redact({ err: e }) as { err: unknown }).err).to.equal(e);
  });

  it("pretty format: one readable line per record", () => {
    const { log, lines } = capture("pretty");
    log.warn({ code: "MESSAGE_TOO_LARGE", peer: "127.0.0.1:1" }, "framing error");
    expect(lines[0]).to.match(/^\d{4}-\S+ WARN  framing error code=MESSAGE_TOO_LARGE peer=127\.0\.0\.1:1\n$/);
    expect(prettyLine("not json")).to.equal("not json");
  });

  it("drops records below the level", () => {
    const { log, lines } = capture();
    log.debug({}, "quiet");
    expect(lines).to.have.length(0);
  });
});
