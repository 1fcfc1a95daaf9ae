/**
 * Acceptance (issue 5): every OASIS test-case file of KMIP 1.0–2.1 — mandatory and optional cases
 * of every profile, and the worked examples of the "Test Cases" notes — replayed by the
 * conformance runner against a real kmipd (TLS, LMDB, KMIP over HTTPS on for the MSGENC cases).
 *
 * - Every case not listed in conformance/unsupported.json must pass, and every listed case must
 *   still fail (so the list stays honest; each entry says why).
 * - Every mandatory case passes, except those whose test data is wrong — listed in unsupported.json
 *   with a reason starting "Test data error", which says what is wrong (and, where one exists,
 *   which copy of the case passes instead) — and those listed with "Not built:", which are printed
 *   as such: while any remain, issue 5's acceptance is not met (none today).
 * - The optional and test-case pass rate is printed (docs/CONFORMANCE.md records it).
 * - Files of a server policy (conformance/policies.json: cases that expect another server policy,
 *   e.g. CS-RNG-O-4's Permission Denied for RNG Seed) run against an extra kmipd started with that
 *   policy's settings; every other file against the default server. Outcomes merge into one table.
 * - CONFORMANCE_REPORT=path writes the markdown report of the whole run (report.ts, as --report),
 *   naming the files each policy ran: docs/CONFORMANCE.md can be regenerated from one run.
 */
import { expect } from "chai";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { judge, markdownReport, tableText, tabulate, type CaseOutcome, type UnsupportedList } from "../../conformance/report.js";
import { planUnits, runUnits } from "../../conformance/fixtures.js";
import { loadPolicies, policyNotes, reportedBy, splitByPolicy, type PolicyGroup, type ServerPolicy } from "../../conformance/policies.js";
import { runCase } from "../../conformance/runner.js";
import { discoverCases, RUNNER_VERSIONS, type CaseFile } from "../../conformance/selection.js";
import { senderFor } from "../../conformance/transport.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { CASES_DIR } from "../helpers/oasis.js";
import { startKmipd, type RunningKmipd } from "../integration/harness.js";
import { CONFORMANCE_CREDENTIALS } from "./credentials.js";

/** Every profile family of the cases folder, and TC (the worked examples of the "Test Cases" notes). */
const FAMILIES = ["BL", "SKLC", "SKFF", "AKLC", "OMOS", "CS-BC", "CS-AC", "CS-RNG", "TL", "SASED", "AX", "QS", "PKCS11", "SUITEB-128", "SUITEB-192", "MSGENC-HTTPS", "MSGENC-JSON", "MSGENC-XML", "TC"];

describe("conformance: every OASIS case file 1.0–2.1 (mandatory, optional, test cases) against kmipd", function () {
  this.timeout(900_000);
  const outcomes: CaseOutcome[] = [];
  const policies = loadPolicies(join(REPO_ROOT, "conformance/policies.json"));
  let groups: PolicyGroup[] = [];
  const running: RunningKmipd[] = [];

  /** Replays `files` against a fresh kmipd with the policy's settings (none: the default server). */
  async function replay(files: readonly CaseFile[], policy?: ServerPolicy): Promise<void> {
    // every server knows the header credentials the OASIS files send (TC_111/112, TC-CREG)
    const srv = await startKmipd({ overrides: { "server.https": true, "tenancy.credentials": CONFORMANCE_CREDENTIALS, ...policy?.settings } });
    running.push(srv);
    const endpoint = {
      host: "127.0.0.1",
      port: srv.port,
      servername: "localhost",
      cert: readFileSync(srv.certs.clientCert),
      key: readFileSync(srv.certs.clientKey),
      ca: readFileSync(srv.certs.ca),
    };
    // the same plan as `npm run conformance`: a family's SETUP/CLEANUP fixtures around its files
    const fixturesOf = (base: string) => discoverCases(CASES_DIR, { versions: [...RUNNER_VERSIONS], includeOptional: true, files: [`${base}-SETUP-*`, `${base}-CLEANUP-*`] });
    const ran = await runUnits(planUnits(files, fixturesOf), async (file) => {
      const sender = senderFor(file.family, endpoint, true);
      try {
        return await runCase(readFileSync(file.path, "utf8"), sender.send);
      } finally {
        sender.close();
      }
    });
    // each file once: a policy's server reports its files, the default server every other file
    outcomes.push(...ran.filter((r) => reportedBy(r.file, policy, policies)).map((r) => (policy ? { ...r, policy: policy.name } : r)));
    await srv.stop();
    running.splice(running.indexOf(srv), 1);
  }

  before(async () => {
    const cases = discoverCases(CASES_DIR, { versions: [...RUNNER_VERSIONS], includeOptional: true, profiles: FAMILIES });
    const split = splitByPolicy(cases, policies);
    groups = split.groups;
    await replay(split.plain);
    for (const g of groups) await replay(g.files, g.policy);
    const order = new Map(cases.map((c, i) => [c.rel, i]));
    outcomes.sort((a, b) => (order.get(a.file.rel) ?? Infinity) - (order.get(b.file.rel) ?? Infinity));
    console.log(tableText(tabulate(outcomes)).replace(/^/gm, "      "));
    for (const g of groups) console.log(`      policy ${g.policy.name}: ${g.files.length} files against a kmipd with ${JSON.stringify(g.policy.settings)}`);
    const reportPath = process.env["CONFORMANCE_REPORT"];
    if (reportPath) {
      const unsupported = JSON.parse(readFileSync(join(REPO_ROOT, "conformance/unsupported.json"), "utf8")) as UnsupportedList;
      const report = markdownReport(judge(outcomes, unsupported), {
        generator: "`CONFORMANCE_REPORT=… npx mocha --no-config --import=tsx test/conformance/kmipd.test.ts`",
        server: "kmipd (one default server, one per server policy; TLS, LMDB, server.https on)",
        date: new Date().toISOString(),
        command: `CONFORMANCE_REPORT=${reportPath} npx mocha --no-config --import=tsx test/conformance/kmipd.test.ts`,
        unsupportedFile: "conformance/unsupported.json",
        policies: policyNotes(groups, true),
      });
      mkdirSync(dirname(resolve(reportPath)), { recursive: true });
      writeFileSync(reportPath, report);
      console.log(`      wrote ${reportPath}`);
    }
  });
  after(async () => {
    for (const srv of running) await srv.stop();
  });

  it("runs each server policy's files against a kmipd with its settings, and no file twice", () => {
    for (const p of policies) expect(groups.map((g) => g.policy.name), `policy ${p.name} selects no file`).to.include(p.name);
    for (const g of groups) {
      const under = outcomes.filter((o) => o.policy === g.policy.name).map((o) => o.file.rel);
      expect(under).to.have.members(g.files.map((f) => f.rel));
    }
    const rels = outcomes.map((o) => o.file.rel);
    expect(new Set(rels).size).to.equal(rels.length);
  });

  it("replays every file of every profile, optional cases and test cases included", () => {
    expect(outcomes.length).to.be.greaterThan(700);
    const families = new Set(outcomes.map((o) => o.file.family));
    for (const f of FAMILIES) expect(families, f).to.include(f);
    // no file of another family is left out by the list above
    const all = discoverCases(CASES_DIR, { versions: [...RUNNER_VERSIONS], includeOptional: true, files: ["**/*.xml"] }).filter((c) => !c.rel.includes("withdrawn"));
    expect(outcomes.length).to.equal(all.length);
  });

  it("passes every case not listed as unsupported, and no listed case passes unnoticed", () => {
    const unsupported = JSON.parse(readFileSync(join(REPO_ROOT, "conformance/unsupported.json"), "utf8")) as UnsupportedList;
    const judged = judge(outcomes, unsupported);
    const regressions = judged.filter((j) => j.verdict === "regression").map((j) => `${j.file.rel}: ${j.result.difference ?? j.result.status}`);
    const unexpected = judged.filter((j) => j.verdict === "unexpected-pass").map((j) => j.file.rel);
    const passed = judged.filter((j) => j.verdict === "pass").length;
    console.log(`      ${passed} passed, ${judged.length - passed} listed in conformance/unsupported.json`);
    expect(regressions, "failing cases not listed in unsupported.json").to.deep.equal([]);
    expect(unexpected, "listed cases that now pass: remove them from unsupported.json").to.deep.equal([]);
  });

  it("passes every mandatory case whose test data is sound, except those listed as not built", () => {
    const unsupported = JSON.parse(readFileSync(join(REPO_ROOT, "conformance/unsupported.json"), "utf8")) as UnsupportedList;
    const mandatory = outcomes.filter((o) => o.file.level === "M" && o.result.status !== "skip");
    const notPassing = mandatory.filter((o) => o.result.status !== "pass");
    const badData = notPassing.filter((o) => /^Test data error/.test(unsupported[o.file.rel] ?? ""));
    // listed as not built, with the reason: the acceptance of issue 5 is not met while any remain
    const notBuilt = notPassing.filter((o) => /^Not built:/.test(unsupported[o.file.rel] ?? ""));
    const failing = notPassing.filter((o) => !badData.includes(o) && !notBuilt.includes(o)).map((o) => `${o.file.rel}: ${o.result.difference ?? o.result.status}`);
    console.log(`      mandatory: ${mandatory.length - notPassing.length} of ${mandatory.length} pass; bad test data: ${badData.map((o) => o.file.rel).join(", ") || "none"}`);
    console.log(`      mandatory cases NOT BUILT: ${notBuilt.map((o) => o.file.rel).join(", ") || "none"}`);
    const optional = outcomes.filter((o) => o.file.level !== "M" && o.result.status !== "skip");
    const optPassed = optional.filter((o) => o.result.status === "pass").length;
    console.log(`      optional and test cases: ${optPassed} of ${optional.length} pass (${((100 * optPassed) / optional.length).toFixed(1)}%)`);
    expect(failing).to.deep.equal([]);
  });
});
