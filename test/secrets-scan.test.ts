/**
 * Issue 6, acceptance 6: after the whole suite has run (the integration harnesses log at debug
 * level), no server log line and no captured CLI output holds a test PIN or the bytes of a key a
 * test handled — raw, hex, base64 or base64url. A root-level after() hook: it runs once, last.
 */
import { expect } from "chai";
import { findSecrets, scanForSecrets } from "./support/secrets.js";

after("no PIN or key bytes in any log or CLI output of the suite", function () {
  const r = scanForSecrets();
  console.log(`      secrets scan: ${r.secrets} PINs and ${r.keys} keys looked for in ${r.scannedBytes} bytes of logs and CLI output`);
  expect(r.hits).to.deep.equal([]);
});

describe("secrets scan: the check finds what it looks for", () => {
  const key = Buffer.from("00112233445566778899aabbccddeeff", "hex");
  it("finds a PIN and a key in hex, base64 and base64url, and nothing in clean output", () => {
    expect(findSecrets([["pin=pin-4f00dd1e"]], ["pin-4f00dd1e"], [])).to.deep.equal(["a PIN in output #0"]);
    expect(findSecrets([[`x ${key.toString("hex")}`]], [], [key])).to.deep.equal(["key #0 (hex) in output #0"]);
    expect(findSecrets([[key.toString("base64")]], [], [key])).to.include("key #0 (base64) in output #0");
    expect(findSecrets([["", key.toString("base64url")]], [], [key])).to.include("key #0 (base64url) in output #0");
    expect(findSecrets([['{"msg":"key created","uid":"01a2"}']], ["pin-4f00dd1e"], [key])).to.deep.equal([]);
  });
});
