/**
 * Replays one OASIS KMIP XML test case against a server: each request is built when it is sent
 * (placeholders from the file's bindings, `$NOW±s` from the clock), sent as TTLV through `send`,
 * and the answer compared with the expected response (compare.ts). The first difference fails the
 * case; the remaining Revoke/Destroy requests are still sent (best-effort clean-up) but not judged.
 */
import { nodeToXml, XmlEncodingError } from "../src/encodings/index.js";
import { decodeTtlv, encodeTtlv, type TtlvNode } from "../src/ttlv/index.js";
import { CaseDataError, expectedFrom, loadCase, requestFrom, type CaseStep } from "./case-file.js";
import { compareResponse, formatDifference } from "./compare.js";
import { GENERATING_OPS } from "./rules.js";
import { CaseState, systemClock, type Clock } from "./state.js";

/** Sends one TTLV request and returns the server's one TTLV response. */
export type Sender = (request: Uint8Array) => Promise<Uint8Array>;

export type CaseStatus = "pass" | "fail" | "error" | "skip";

export interface StepResult {
  /** 1-based position in the file's sequence. */
  readonly step: number;
  readonly operations: string;
  /** Line of the request in the file. */
  readonly line: number;
  readonly ok: boolean;
  readonly difference?: string;
  readonly ms: number;
}

export interface CaseResult {
  /** pass; fail (the server's answer differs, or none came); error (the runner could not use the file); skip (defective test data). */
  readonly status: CaseStatus;
  /** `step 3 GetAttributes (line 120): BatchItem[0]/…: expected …, got …` */
  readonly difference?: string;
  /** The server's response at the failing step, as KMIP XML (for --json and debugging). */
  readonly response?: string;
  readonly steps: StepResult[];
  readonly notes: string[];
  readonly ms: number;
}

export interface RunOptions {
  readonly clock?: Clock;
  /** Clock disagreement tolerated for `$NOW` comparisons, seconds (default 300). */
  readonly skew?: number;
  /** Send the remaining Revoke/Destroy requests after a failure (default true). */
  readonly cleanup?: boolean;
}

const CLEANUP_OPS = new Set(["Revoke", "Destroy"]);

function operationsOf(step: CaseStep): string[] {
  return step.request.children
    .filter((c) => c.name === "BatchItem")
    .map((b) => b.children.find((c) => c.name === "Operation")?.attributes["value"]?.trim() ?? "?");
}

export async function runCase(text: string, send: Sender, opts: RunOptions = {}): Promise<CaseResult> {
  const t0 = Date.now();
  let loaded;
  try {
    loaded = loadCase(text);
  } catch (e) {
    if (e instanceof CaseDataError) return { status: "skip", difference: e.message, steps: [], notes: [], ms: Date.now() - t0 };
    throw e;
  }
  const state = new CaseState(opts.clock ?? systemClock, opts.skew ?? 300);
  const notes = [...loaded.notes];
  const steps: StepResult[] = [];
  let failure: Failure | undefined;

  for (const [i, step] of loaded.steps.entries()) {
    const ops = operationsOf(step);
    const label = `step ${i + 1} ${ops.join("+")} (line ${step.request.line})`;
    if (failure) {
      if ((opts.cleanup ?? true) && ops.every((o) => CLEANUP_OPS.has(o))) await cleanupStep(step, state, send);
      continue;
    }
    const s0 = Date.now();
    const outcome = await runStep(step, state, send);
    steps.push({ step: i + 1, operations: ops.join("+"), line: step.request.line, ok: outcome === undefined, ms: Date.now() - s0, ...(outcome ? { difference: outcome.difference } : {}) });
    if (outcome) failure = { ...outcome, difference: `${label}: ${outcome.difference}` };
  }
  notes.push(...state.notes);
  const ms = Date.now() - t0;
  return failure ? { ...failure, steps, notes, ms } : { status: "pass", steps, notes, ms };
}

interface Failure {
  readonly status: CaseStatus;
  readonly difference: string;
  readonly response?: string;
}

async function runStep(step: CaseStep, state: CaseState, send: Sender): Promise<Failure | undefined> {
  let request: TtlvNode;
  let bytes: Uint8Array;
  try {
    request = requestFrom(step.request, state.requestResolver);
    bytes = encodeTtlv(request);
  } catch (e) {
    return { status: "error", difference: `cannot build the request: ${message(e)}` };
  }
  let answer: Uint8Array;
  try {
    answer = await send(bytes);
  } catch (e) {
    return { status: "fail", difference: `no response: ${message(e)}` };
  }
  let actual: TtlvNode;
  try {
    actual = decodeTtlv(answer, { maxMessageSize: Math.max(answer.length, 1024 * 1024) });
  } catch (e) {
    return { status: "fail", difference: `the response is not valid TTLV: ${message(e)}` };
  }
  state.recordSent(request, actual);
  state.recordResponse(actual, GENERATING_OPS);
  if (!step.response) return undefined;
  let expected;
  try {
    expected = expectedFrom(step.response);
  } catch (e) {
    if (e instanceof XmlEncodingError) return { status: "error", difference: `cannot read the expected response: ${e.message}` };
    throw e;
  }
  const d = compareResponse(expected, actual, state, request);
  return d ? { status: "fail", difference: formatDifference(d), response: safeXml(actual) } : undefined;
}

async function cleanupStep(step: CaseStep, state: CaseState, send: Sender): Promise<void> {
  try {
    const request = requestFrom(step.request, state.requestResolver);
    await send(encodeTtlv(request));
  } catch {
    // best effort: an unbound id or a closed connection just leaves the object behind
  }
}

function safeXml(node: TtlvNode): string | undefined {
  try {
    return nodeToXml(node);
  } catch {
    return undefined;
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
