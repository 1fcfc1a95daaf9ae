/**
 * npm run conformance -- --host H --port P --cert C --key K --ca CA [--versions 1.4,2.1]
 *   [--profiles BL,SKLC,SKFF,OMOS] [--include-optional] [--files GLOB[,GLOB]] [--report FILE.md]
 *   [--json FILE] [--unsupported FILE] [--write-unsupported FILE] [--cases DIR] [--servername NAME]
 *   [--timeout MS] [--skew S] [--no-cleanup] [--verbose] [--policy NAME] [--policies FILE]
 *
 * Replays the OASIS KMIP XML test cases against a running server over mutual TLS and prints a
 * profile × version table. Exit status: 0 without regressions (failing cases not listed in the
 * unsupported file), 1 with regressions, 2 on usage or connection errors.
 *
 * Files that need a server policy other than the default (policies.json) are left out unless
 * --policy NAME says the server is configured with that policy: then only its files run.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { runCase } from "./runner.js";
import { judge, jsonReport, markdownReport, tableText, tabulate, type CaseOutcome, type Judged, type UnsupportedList } from "./report.js";
import { planUnits, runUnits } from "./fixtures.js";
import { loadPolicies, reportedBy, selectForRun, settingsText, type PolicyRun, type ServerPolicy } from "./policies.js";
import { discoverCases, RUNNER_VERSIONS, type CaseFile } from "./selection.js";
import { checkReachable, endpointFromFiles, senderFor } from "./transport.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "..");

const USAGE = `usage: npm run conformance -- --host H --port P --cert C --key K --ca CA
  [--versions 1.4,2.1] [--profiles BL,SKLC,SKFF,OMOS|TC] [--include-optional] [--files GLOB,...]
  [--report docs/CONFORMANCE.md] [--json out.json] [--unsupported conformance/unsupported.json]
  [--write-unsupported FILE] [--cases DIR] [--servername NAME] [--timeout MS] [--skew S]
  [--no-cleanup] [--https] [--verbose] [--policy NAME] [--policies conformance/policies.json]`;

function fail(msg: string): never {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

const list = (s: string | undefined): string[] | undefined => s?.split(",").map((x) => x.trim()).filter((x) => x.length > 0);

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        host: { type: "string", default: "127.0.0.1" },
        port: { type: "string", default: "5696" },
        cert: { type: "string" },
        key: { type: "string" },
        ca: { type: "string" },
        servername: { type: "string" },
        versions: { type: "string" },
        profiles: { type: "string" },
        "include-optional": { type: "boolean", default: false },
        files: { type: "string" },
        report: { type: "string" },
        json: { type: "string" },
        unsupported: { type: "string", default: resolve(HERE, "unsupported.json") },
        "write-unsupported": { type: "string" },
        cases: { type: "string" },
        timeout: { type: "string", default: "30000" },
        skew: { type: "string", default: "300" },
        "no-cleanup": { type: "boolean", default: false },
        https: { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
        policy: { type: "string" },
        policies: { type: "string", default: resolve(HERE, "policies.json") },
        help: { type: "boolean", default: false },
      },
      strict: true,
    });
  } catch (e) {
    fail((e as Error).message);
  }
  const o = parsed.values;
  if (o.help) {
    console.log(USAGE);
    return 0;
  }
  if (!o.cert || !o.key || !o.ca) fail("--cert, --key and --ca are required");
  const port = Number(o.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) fail(`bad --port ${o.port}`);
  const versions = list(o.versions) ?? [...RUNNER_VERSIONS];
  for (const v of versions) if (!(RUNNER_VERSIONS as readonly string[]).includes(v)) fail(`--versions: ${v} is not one of ${RUNNER_VERSIONS.join(", ")}`);
  const casesDir = resolve(o.cases ?? resolve(REPO, process.env.KMIP_SHARED_DIR ?? "../shared", "kmip-testcases"));
  const profiles = list(o.profiles);
  const files = list(o.files);
  let policies: ServerPolicy[] = [];
  try {
    policies = loadPolicies(o.policies);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") fail(`cannot read ${o.policies}: ${(e as Error).message}`);
  }
  let run: PolicyRun;
  try {
    run = selectForRun(casesDir, { versions, includeOptional: o["include-optional"], ...(profiles ? { profiles } : {}), ...(files ? { files } : {}) }, policies, o.policy);
  } catch (e) {
    fail(`${(e as Error).message} (${o.policies})`);
  }
  const { cases, policy } = run;
  if (policy) console.log(`policy ${policy.name}: the server must run with ${settingsText(policy.settings)} (${policy.reason})`);
  for (const g of run.leftOut) {
    console.log(`leaving out ${g.files.length} file(s) of server policy ${g.policy.name} (${settingsText(g.policy.settings)}): run them with --policy ${g.policy.name} against a server configured so`);
  }
  if (cases.length === 0) fail(`no test-case files selected under ${casesDir}${run.leftOut.length ? " (all of them need a server policy: use --policy)" : ""}`);
  let unsupported: UnsupportedList = {};
  try {
    unsupported = JSON.parse(readFileSync(o.unsupported, "utf8")) as UnsupportedList;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") fail(`cannot read ${o.unsupported}: ${(e as Error).message}`);
  }

  const endpoint = endpointFromFiles(o.host, port, { cert: o.cert, key: o.key, ca: o.ca }, {
    responseTimeoutMs: Number(o.timeout),
    ...(o.servername ? { servername: o.servername } : {}),
  });
  try {
    await checkReachable(endpoint);
  } catch (e) {
    console.error(`cannot reach the server: ${(e as Error).message}`);
    return 2;
  }

  console.log(`replaying ${cases.length} case files against ${o.host}:${port}`);
  // SETUP/CLEANUP fixtures of a family anywhere under the cases folder (conformance/fixtures.ts)
  const fixturesOf = (base: string): CaseFile[] =>
    discoverCases(casesDir, { versions: [...RUNNER_VERSIONS], includeOptional: true, files: [`${base}-SETUP-*`, `${base}-CLEANUP-*`] });
  const outcomes: CaseOutcome[] = [];
  const ran = await runUnits(planUnits(cases, fixturesOf), async (file) => {
    const sender = senderFor(file.family, endpoint, o.https);
    const result = await runCase(readFileSync(file.path, "utf8"), sender.send, { skew: Number(o.skew), cleanup: !o["no-cleanup"] });
    sender.close();
    const tag = result.status.toUpperCase().padEnd(5);
    console.log(`${tag} ${file.rel} (${result.ms} ms)${result.difference && o.verbose ? `\n      ${result.difference}` : ""}`);
    if (o.verbose) for (const n of result.notes) console.log(`      note: ${n}`);
    return result;
  });
  // each file once: a policy run reports its own files, a default run every file no policy takes
  outcomes.push(...ran.filter((r) => reportedBy(r.file, policy, policies)).map((r) => (policy ? { ...r, policy: policy.name } : r)));

  const judged = judge(outcomes, unsupported);
  printSummary(judged);
  const meta = { server: `${o.host}:${port}`, date: new Date().toISOString(), command: `npm run conformance -- ${process.argv.slice(2).join(" ")}`, unsupportedFile: o.unsupported.replace(`${REPO}/`, ""), policies: run.notes };
  if (o.report) write(o.report, markdownReport(judged, meta));
  if (o.json) write(o.json, `${JSON.stringify(jsonReport(judged, meta), null, 2)}\n`);
  if (o["write-unsupported"]) {
    const out: Record<string, string> = {};
    for (const j of judged) if (j.verdict === "regression" || j.verdict === "known-failure") out[j.file.rel] = j.listed ?? shorten(j.result.difference ?? j.result.status);
    write(o["write-unsupported"], `${JSON.stringify(out, null, 2)}\n`);
  }
  return judged.some((j) => j.verdict === "regression") ? 1 : 0;
}

const shorten = (s: string): string => (s.length > 300 ? `${s.slice(0, 297)}...` : s);

function write(path: string, text: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  writeFileSync(path, text);
  console.log(`wrote ${path}`);
}

function printSummary(judged: readonly Judged[]): void {
  console.log(`\n${tableText(tabulate(judged))}\n`);
  const show = (title: string, items: readonly Judged[]): void => {
    if (items.length === 0) return;
    console.log(`${title} (${items.length}):`);
    for (const j of items) console.log(`  ${j.file.rel}\n      ${j.result.difference ?? j.result.status}`);
    console.log("");
  };
  show("REGRESSIONS — failing and not listed as unsupported", judged.filter((j) => j.verdict === "regression"));
  show("known failures (listed as unsupported)", judged.filter((j) => j.verdict === "known-failure"));
  const up = judged.filter((j) => j.verdict === "unexpected-pass");
  if (up.length) console.log(`UNEXPECTED PASSES — listed as unsupported but passing (${up.length}):\n${up.map((j) => `  ${j.file.rel}`).join("\n")}\n`);
  show("skipped (defective test data)", judged.filter((j) => j.verdict === "skip"));
  const count = (v: string): number => judged.filter((j) => j.verdict === v).length;
  console.log(`${count("pass")} passed, ${count("regression")} regressions, ${count("known-failure")} known failures, ${count("unexpected-pass")} unexpected passes, ${count("skip")} skipped`);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(2);
  },
);
