/**
 * Server policies (conformance/policies.json): which files need a server configured otherwise,
 * how a run's selection is split, that each file is reported once when the default and policy
 * runs are merged, and how the report names them.
 */
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { planUnits, runUnits } from "../../conformance/fixtures.js";
import { loadPolicies, parsePolicies, policyFor, reportedBy, selectForRun, splitByPolicy, type ServerPolicy } from "../../conformance/policies.js";
import { judge, markdownReport, totalsLine, type CaseOutcome } from "../../conformance/report.js";
import { runCase } from "../../conformance/runner.js";
import { classify, discoverCases, type CaseFile } from "../../conformance/selection.js";
import { CASES_DIR } from "../helpers/oasis.js";
import { REPO_ROOT } from "../helpers/shared.js";
import { clock, fakeServer, kmipFile, req, resp } from "./helpers.js";

const file = (rel: string): CaseFile => ({ path: `/cases/${rel}`, rel, version: rel.split("/")[0]!, ...classify(rel) });

const POLICIES: ServerPolicy[] = [
  { name: "seed-16", settings: { "kms.rng_seed_max_bytes": 16 }, reason: "expects 16 seed bytes used", files: ["CS-RNG-O-2-*.xml"] },
  { name: "seed-deny", settings: { "kms.rng_seed": "deny" }, reason: "expects Permission Denied", files: ["2.1/**/CS-RNG-O-4-*"] },
];

describe("conformance server policies: parsing", () => {
  it("reads name, settings, reason and files", () => {
    const p = parsePolicies([{ name: "a", settings: { "kms.x": 1 }, reason: "why", files: ["X-*.xml"] }]);
    expect(p).to.deep.equal([{ name: "a", settings: { "kms.x": 1 }, reason: "why", files: ["X-*.xml"] }]);
  });

  it("refuses duplicate names, empty settings or files, a missing reason, unknown fields", () => {
    const ok = { name: "a", settings: { "kms.x": 1 }, reason: "why", files: ["X-*"] };
    expect(() => parsePolicies({})).to.throw(/expected an array/);
    expect(() => parsePolicies([ok, ok])).to.throw(/policy a appears twice/);
    expect(() => parsePolicies([{ ...ok, settings: {} }])).to.throw(/settings must be a non-empty object/);
    expect(() => parsePolicies([{ ...ok, files: [] }])).to.throw(/files must be a non-empty array/);
    expect(() => parsePolicies([{ ...ok, reason: "" }])).to.throw(/reason must be/);
    expect(() => parsePolicies([{ ...ok, extra: 1 }])).to.throw(/unknown field extra/);
    expect(() => parsePolicies([{ ...ok, name: "has space" }])).to.throw(/name must be/);
  });
});

describe("conformance server policies: which server a file needs", () => {
  it("matches a glob against the bare file name or the path below the cases folder", () => {
    expect(policyFor(file("1.4/profiles/optional/CS-RNG-O-2-14.xml"), POLICIES)?.name).to.equal("seed-16");
    expect(policyFor(file("2.1/profiles/optional/CS-RNG-O-4-21.xml"), POLICIES)?.name).to.equal("seed-deny");
    expect(policyFor(file("1.4/profiles/optional/CS-RNG-O-4-14.xml"), POLICIES), "the glob names 2.1 only").to.equal(undefined);
    expect(policyFor(file("1.4/profiles/optional/CS-RNG-O-1-14.xml"), POLICIES)).to.equal(undefined);
  });

  it("a file two policies claim is an error, not a silent choice", () => {
    const both = [...POLICIES, { name: "other", settings: { "kms.x": 1 }, reason: "r", files: ["CS-RNG-O-2-14.xml"] }];
    expect(() => policyFor(file("1.4/profiles/optional/CS-RNG-O-2-14.xml"), both)).to.throw(/claimed by policies seed-16 and other/);
  });

  it("splits a selection: default-server files in order, one group per policy in policies.json order", () => {
    const cases = ["2.1/profiles/optional/CS-RNG-O-4-21.xml", "1.4/profiles/optional/CS-RNG-O-1-14.xml", "1.4/profiles/optional/CS-RNG-O-2-14.xml", "2.1/profiles/optional/CS-RNG-O-2-21.xml", "2.1/profiles/optional/CS-RNG-O-3-21.xml"].map(file);
    const { plain, groups } = splitByPolicy(cases, POLICIES);
    expect(plain.map((c) => c.id)).to.deep.equal(["CS-RNG-O-1-14", "CS-RNG-O-3-21"]);
    expect(groups.map((g) => [g.policy.name, g.files.map((f) => f.id)])).to.deep.equal([
      ["seed-16", ["CS-RNG-O-2-14", "CS-RNG-O-2-21"]],
      ["seed-deny", ["CS-RNG-O-4-21"]],
    ]);
    expect(splitByPolicy(cases.slice(1, 2), POLICIES).groups, "a policy with no selected file has no group").to.deep.equal([]);
  });

  it("each file is reported by exactly one run: its policy's, else the default server's", () => {
    const f = file("1.4/profiles/optional/CS-RNG-O-2-14.xml"), g = file("1.4/profiles/optional/CS-RNG-O-1-14.xml");
    expect([reportedBy(f, undefined, POLICIES), reportedBy(f, POLICIES[0], POLICIES), reportedBy(f, POLICIES[1], POLICIES)]).to.deep.equal([false, true, false]);
    expect([reportedBy(g, undefined, POLICIES), reportedBy(g, POLICIES[0], POLICIES)]).to.deep.equal([true, false]);
  });
});

describe("conformance server policies: a run's files (the CLI's --policy)", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "policy-cases-"));
    for (const rel of ["1.4/profiles/optional/CS-RNG-O-1-14.xml", "1.4/profiles/optional/CS-RNG-O-2-14.xml", "2.1/profiles/optional/CS-RNG-O-2-21.xml", "2.1/profiles/optional/CS-RNG-O-4-21.xml", "2.1/profiles/mandatory/BL-M-1-21.xml"]) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), "<KMIP/>");
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  const all = { versions: ["1.4", "2.1"], includeOptional: true };

  it("without --policy, the policies' files are left out and named", () => {
    const run = selectForRun(root, all, POLICIES);
    expect(run.policy).to.equal(undefined);
    expect(run.cases.map((c) => c.id)).to.deep.equal(["CS-RNG-O-1-14", "BL-M-1-21"]);
    expect(run.leftOut.map((g) => [g.policy.name, g.files.length])).to.deep.equal([["seed-16", 2], ["seed-deny", 1]]);
    expect(run.notes.every((n) => !n.ran)).to.equal(true);
  });

  it("with --policy, only that policy's files, optional ones included, narrowed by --versions and --files", () => {
    expect(selectForRun(root, { versions: ["1.4", "2.1"], includeOptional: false }, POLICIES, "seed-16").cases.map((c) => c.id)).to.deep.equal(["CS-RNG-O-2-14", "CS-RNG-O-2-21"]);
    expect(selectForRun(root, { versions: ["2.1"], includeOptional: false }, POLICIES, "seed-16").cases.map((c) => c.id)).to.deep.equal(["CS-RNG-O-2-21"]);
    expect(selectForRun(root, { ...all, files: ["1.4/**"] }, POLICIES, "seed-16").cases.map((c) => c.id)).to.deep.equal(["CS-RNG-O-2-14"]);
    const deny = selectForRun(root, all, POLICIES, "seed-deny");
    expect(deny.cases.map((c) => c.id)).to.deep.equal(["CS-RNG-O-4-21"]);
    expect(deny.notes).to.deep.equal([{ name: "seed-deny", settings: 'kms.rng_seed = "deny"', reason: "expects Permission Denied", files: ["2.1/profiles/optional/CS-RNG-O-4-21.xml"], ran: true }]);
  });

  it("an unknown policy name is an error naming the known ones", () => {
    expect(() => selectForRun(root, all, POLICIES, "nope")).to.throw(/unknown policy nope \(known: seed-16, seed-deny\)/);
  });
});

describe("conformance server policies: merged runs and the report", () => {
  const seedFile = (used: number): string =>
    kmipFile(req("RNGSeed", '<Data type="ByteString" value="00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"/>'), resp("RNGSeed", `<DataLength type="Integer" value="${used}"/>`));
  const files = [file("1.4/profiles/optional/CS-RNG-O-1-14.xml"), file("1.4/profiles/optional/CS-RNG-O-2-14.xml")];
  const expects: Record<string, number> = { "CS-RNG-O-1-14": 32, "CS-RNG-O-2-14": 16 };

  /** Replays files against a fake server that uses at most `max` seed bytes; returns the outcomes it reports. */
  async function replay(cases: readonly CaseFile[], max: number, policy?: ServerPolicy, all = false): Promise<CaseOutcome[]> {
    const ran = await runUnits(planUnits(cases), async (f) => {
      const srv = fakeServer([() => resp("RNGSeed", `<DataLength type="Integer" value="${Math.min(32, max)}"/>`)]);
      return runCase(seedFile(expects[f.id]!), srv.send, { clock });
    });
    if (all) return ran;
    return ran.filter((r) => reportedBy(r.file, policy, POLICIES)).map((r) => (policy ? { ...r, policy: policy.name } : r));
  }

  it("a file fails against the default server and passes against its policy's; merged, each appears once", async () => {
    const { plain, groups } = splitByPolicy(files, POLICIES);
    const merged = [...(await replay(plain, 64)), ...(await replay(groups[0]!.files, 16, groups[0]!.policy))];
    expect(merged.map((o) => [o.file.id, o.result.status, o.policy])).to.deep.equal([
      ["CS-RNG-O-1-14", "pass", undefined],
      ["CS-RNG-O-2-14", "pass", "seed-16"],
    ]);
    const wrong = await replay(files, 64, undefined, true); // everything against the default server, unfiltered
    expect(wrong.map((o) => o.result.status), "O-2 needs the policy").to.deep.equal(["pass", "fail"]);
    expect((await replay(files, 64)).map((o) => o.file.id), "a default run does not report a policy's file").to.deep.equal(["CS-RNG-O-1-14"]);
  });

  it("the markdown report lists which files ran under which policy and why", () => {
    const outcome = (f: CaseFile, policy?: string): CaseOutcome => ({ file: f, result: { status: "pass", steps: [], notes: [], ms: 1 }, ...(policy ? { policy } : {}) });
    const judged = judge([outcome(files[0]!), outcome(files[1]!, "seed-16")], {});
    const meta = { server: "test", date: "now", command: "cmd" };
    const ran = markdownReport(judged, { ...meta, generator: "the test", policies: [{ name: "seed-16", settings: "kms.rng_seed_max_bytes = 16", reason: "expects 16 seed bytes used", files: [files[1]!.rel], ran: true }] });
    expect(ran).to.include("Generated by the test on now");
    expect(ran).to.include("## Server policies");
    expect(ran).to.include("- **seed-16** (`kms.rng_seed_max_bytes = 16`): expects 16 seed bytes used\n  - `1.4/profiles/optional/CS-RNG-O-2-14.xml`");
    const left = markdownReport(judged, { ...meta, policies: [{ name: "seed-16", settings: "s", reason: "r", files: ["x.xml"], ran: false }] });
    expect(left).to.include("Left out of this run");
    expect(markdownReport(judged, meta)).not.to.include("## Server policies");
  });

  it("states the totals: mandatory, optional and test cases with their rate, all", () => {
    const f = (rel: string, status: "pass" | "fail" | "skip"): CaseOutcome => ({ file: file(rel), result: { status, steps: [], notes: [], ms: 1 } });
    const judged = judge([f("1.4/profiles/mandatory/SKLC-M-1-14.xml", "pass"), f("1.4/profiles/optional/SKLC-O-1-14.xml", "fail"), f("1.4/testcases/TC-Q-1-14.xml", "pass"), f("1.4/testcases/TC-Q-2-14.xml", "skip")], {});
    expect(totalsLine(judged)).to.equal("**Mandatory cases: 1 of 1 pass. Optional and test cases: 1 of 2 pass (50.0%). All: 2 of 3.**");
    expect(markdownReport(judged, { server: "s", date: "d", command: "c" })).to.include(totalsLine(judged));
  });
});

describe("conformance/policies.json", () => {
  it("parses, and its policies take exactly CS-RNG-O-2, -3 and -4 of 1.3–2.1, TC_151 of 1.1/1.2 and TC_95 of 1.1, no file twice", () => {
    const policies = loadPolicies(join(REPO_ROOT, "conformance/policies.json"));
    const cases = discoverCases(CASES_DIR, { versions: ["1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1"], includeOptional: true, files: ["**/*.xml"] }).filter((c) => !c.rel.includes("withdrawn"));
    const { groups } = splitByPolicy(cases, policies);
    const ids = groups.flatMap((g) => g.files.map((f) => f.id)).sort();
    const rng = ["13", "14", "20", "21"].flatMap((v) => ["2", "3", "4"].map((n) => `CS-RNG-O-${n}-${v}`));
    const expected = [...rng, "TC_151_11", "TC_151_12", "TC_95_11"].sort();
    expect(ids.map((id) => id.replace(/^(TC_\d+_\d+)_.*$/, "$1"))).to.deep.equal(expected);
    for (const p of policies) expect(p.reason.length, p.name).to.be.greaterThan(20);
  });
});
