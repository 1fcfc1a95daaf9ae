/**
 * The runner over every OASIS case file (1.0–2.1) against an "ideal" fake server that answers each
 * request with the file's own expected response (placeholders given stable stand-in values): the
 * runner must load, build and accept them all — except the few listed below, where the stand-in
 * server cannot behave like a real one or the registry lacks the names. A server that answers
 * with a different protocol version must fail every case.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { xmlElementToNode } from "../../src/encodings/index.js";
import { encodeTtlv, ItemType, type TtlvNode } from "../../src/ttlv/index.js";
import { Tag } from "../../src/kmip/index.js";
import * as n from "../../src/ttlv/index.js";
import { loadCase, normalizeAttributeNames } from "../../conformance/case-file.js";
import { runCase, type Sender } from "../../conformance/runner.js";
import { discoverCases, RUNNER_VERSIONS, type CaseFile } from "../../conformance/selection.js";
import { CASES_DIR, deterministicPlaceholders } from "../helpers/oasis.js";
import { clock } from "./helpers.js";

/** Cases an echo of the expected responses cannot pass, and why. */
const NOT_BY_ECHO: Readonly<Record<string, string>> = {
  "1.3/testcases/TC-RNG-ATTR-2-13.xml": "uses $UNIQUE_IDENTIFIER_0 before any response binds it; a real server repeats the Create id (_1), the stand-ins do not",
  "2.0/testcases/TC-IMPEXP-5-20.xml": "the server must echo the client's random id; the stand-in server answers a fixed one",
  "2.0/testcases/TC-DLOGIN-2-20.xml": "its expected ResultReason NotAuthorized is not a name in the registry",
};

function allCases(): CaseFile[] {
  return discoverCases(CASES_DIR, { versions: [...RUNNER_VERSIONS], includeOptional: true, files: ["**"] });
}

/** Answers step i with the file's expected response i, optionally altered. */
function echoServer(text: string, alter: (m: TtlvNode) => TtlvNode = (m) => m): Sender {
  let steps: ReturnType<typeof loadCase>["steps"] = [];
  try {
    steps = loadCase(text).steps;
  } catch {
    // defective data: runCase reports it as skipped before sending anything
  }
  let i = 0;
  return async () => {
    const step = steps[i++];
    if (!step?.response) throw new Error("the file shows no response here");
    return encodeTtlv(alter(normalizeAttributeNames(xmlElementToNode(step.response, { placeholders: deterministicPlaceholders }))));
  };
}

/** The message with ProtocolVersionMinor in its header replaced. */
function withMinor(m: TtlvNode, minor: number): TtlvNode {
  if (m.type !== ItemType.Structure) return m;
  const swap = (x: TtlvNode): TtlvNode => {
    if (x.tag === Tag.ProtocolVersionMinor && x.type === ItemType.Integer) return n.integer(x.tag, minor);
    return x.type === ItemType.Structure && x.tag !== Tag.BatchItem ? n.struct(x.tag, x.children.map(swap)) : x;
  };
  return n.struct(m.tag, m.children.map((c) => (c.tag === Tag.ResponseHeader ? swap(c) : c)));
}

describe("conformance runner: every OASIS case against an echo of its expected responses", function () {
  this.timeout(120_000);
  const cases = allCases();

  it("finds the case files", () => {
    expect(cases.length).to.be.greaterThan(700);
  });

  it("accepts the file's own expected responses", async () => {
    const unexpected: string[] = [];
    for (const c of cases) {
      const text = readFileSync(c.path, "utf8");
      const r = await runCase(text, echoServer(text), { clock });
      const listed = NOT_BY_ECHO[c.rel] !== undefined;
      if ((r.status === "pass") === listed) unexpected.push(`${c.rel}: ${r.status}${r.difference ? ` — ${r.difference}` : ""}${listed ? " (listed)" : ""}`);
    }
    expect(unexpected, unexpected.join("\n")).to.deep.equal([]);
  });

  it("fails every case when the server answers with another protocol version", async () => {
    const passed: string[] = [];
    for (const c of cases) {
      if (NOT_BY_ECHO[c.rel] !== undefined) continue;
      const text = readFileSync(c.path, "utf8");
      const r = await runCase(text, echoServer(text, (m) => withMinor(m, 7)), { clock, cleanup: false });
      if (r.status !== "fail" || !/ProtocolVersionMinor: expected \d, got 7/.test(r.difference ?? "")) passed.push(`${c.rel}: ${r.status} ${r.difference ?? ""}`);
    }
    expect(passed, passed.join("\n")).to.deep.equal([]);
  });
});
