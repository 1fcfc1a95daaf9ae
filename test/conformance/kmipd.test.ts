/**
 * Acceptance: the OASIS mandatory cases of the Baseline, Symmetric Key Lifecycle, Symmetric Key
 * Foundry and Opaque Managed Object Store profiles, 1.0–2.1, replayed by the conformance runner
 * against a real kmipd (TLS, LMDB). Every case not listed in conformance/unsupported.json must
 * pass, and every listed case must still fail (so the list stays honest). Prints the table.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { judge, tableText, tabulate, type CaseOutcome, type UnsupportedList } from "../../conformance/report.js";
import { runCase } from "../../conformance/runner.js";
import { discoverCases, RUNNER_VERSIONS } from "../../conformance/selection.js";
import { connectionSender } from "../../conformance/transport.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { CASES_DIR } from "../helpers/oasis.js";
import { startKmipd, type RunningKmipd } from "../integration/harness.js";

const PROFILES = ["BL", "SKLC", "SKFF", "OMOS"];

describe("conformance: OASIS mandatory cases (BL, SKLC, SKFF, OMOS; 1.0–2.1) against kmipd", function () {
  this.timeout(600_000);
  let srv: RunningKmipd;
  before(async () => {
    srv = await startKmipd();
  });
  after(async () => {
    await srv?.stop();
  });

  it("passes every case not listed as unsupported, and no listed case passes unnoticed", async () => {
    const cases = discoverCases(CASES_DIR, { versions: [...RUNNER_VERSIONS], profiles: PROFILES, includeOptional: false });
    expect(cases.length).to.be.greaterThan(100);
    const endpoint = {
      host: "127.0.0.1",
      port: srv.port,
      servername: "localhost",
      cert: readFileSync(srv.certs.clientCert),
      key: readFileSync(srv.certs.clientKey),
      ca: readFileSync(srv.certs.ca),
    };
    const outcomes: CaseOutcome[] = [];
    for (const file of cases) {
      const sender = connectionSender(endpoint);
      try {
        outcomes.push({ file, result: await runCase(readFileSync(file.path, "utf8"), sender.send) });
      } finally {
        sender.close();
      }
    }
    const unsupported = JSON.parse(readFileSync(join(REPO_ROOT, "conformance/unsupported.json"), "utf8")) as UnsupportedList;
    const judged = judge(outcomes, unsupported);
    console.log(tableText(tabulate(outcomes)).replace(/^/gm, "      "));
    const regressions = judged.filter((j) => j.verdict === "regression").map((j) => `${j.file.rel}: ${j.result.difference ?? j.result.status}`);
    const unexpected = judged.filter((j) => j.verdict === "unexpected-pass").map((j) => j.file.rel);
    const passed = judged.filter((j) => j.verdict === "pass").length;
    console.log(`      ${passed} passed, ${judged.length - passed} listed in conformance/unsupported.json`);
    expect(regressions, "failing cases not listed in unsupported.json").to.deep.equal([]);
    expect(unexpected, "listed cases that now pass: remove them from unsupported.json").to.deep.equal([]);
  });
});
