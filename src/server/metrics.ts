/**
 * /metrics: a small Prometheus registry (text exposition format 0.0.4) for kmipd's own series —
 * no client library, since the set is fixed and small. Sources:
 *  - the batch executor's observer (operations by name and result, latency histogram);
 *  - the KMIP listener's counters (connections open, refused by reason), read at scrape time;
 *  - key providers' call hook (HSM calls and errors by profile);
 *  - a callback from the KMS side for objects per KEK version, read at scrape time.
 * Names and meanings: docs/ADMIN.md.
 */
import type { ListenerCounters, RejectReason } from "./counters.js";

/** Latency buckets (seconds): sub-millisecond database-provider work up to HSM calls near a timeout. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** What the executor reports once per answered batch item (executor.ts `observe`). */
export type OperationObserver = (operation: string, result: string, seconds: number) => void;

/**
 * What a key provider calls after each call into an HSM (or the database provider): the profile
 * name and whether it succeeded. src/keys cannot import src/server, so a provider declares a
 * structurally identical option; engine wiring passes `metrics.hsmCall`.
 */
export type HsmCallObserver = (profile: string, result: "ok" | "error") => void;

/** One gauge sample per (KEK, version): objects wrapped under it. Provided by the KMS side. */
export type ObjectCountSource = () => Promise<readonly { readonly kek: string; readonly version: number; readonly objects: number }[]>;

/** Rewrap jobs' progress (src/rewrap): one sample per job and counter. */
export type RewrapJobSource = () => readonly { readonly id: string; readonly key: string; readonly account: string; readonly succeeded: number; readonly failed: number; readonly remaining: number }[];

const REASONS: readonly RejectReason[] = ["max_connections", "max_connections_per_client", "tls_handshake", "unauthenticated", "client_auth_eku", "no_identity", "stopping"];

interface Histogram {
  readonly buckets: number[];
  count: number;
  sum: number;
}

export class Metrics {
  private readonly operations = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly hsmCalls = new Map<string, number>();
  private readonly hsmErrors = new Map<string, number>();
  private listenerStats: (() => ListenerCounters) | undefined;
  private objectCounts: ObjectCountSource | undefined;
  private rewrapJobs: RewrapJobSource | undefined;

  /** Bound, so it can be handed over as a plain function. */
  readonly observeOperation: OperationObserver = (operation, result, seconds) => {
    const key = labels({ operation, result });
    this.operations.set(key, (this.operations.get(key) ?? 0) + 1);
    const hk = labels({ operation });
    let h = this.durations.get(hk);
    if (!h) this.durations.set(hk, (h = { buckets: DURATION_BUCKETS.map(() => 0), count: 0, sum: 0 }));
    h.count++;
    h.sum += seconds;
    DURATION_BUCKETS.forEach((le, i) => {
      if (seconds <= le) h!.buckets[i]!++;
    });
  };

  readonly hsmCall: HsmCallObserver = (profile, result) => {
    const key = labels({ profile, result });
    this.hsmCalls.set(key, (this.hsmCalls.get(key) ?? 0) + 1);
    if (result === "error") {
      const ek = labels({ profile });
      this.hsmErrors.set(ek, (this.hsmErrors.get(ek) ?? 0) + 1);
    }
  };

  /** The KMIP listener whose counters become the connection series (its stats() method). */
  setListener(stats: (() => ListenerCounters) | undefined): void {
    this.listenerStats = stats;
  }

  setObjectCounts(source: ObjectCountSource | undefined): void {
    this.objectCounts = source;
  }

  setRewrapJobs(source: RewrapJobSource | undefined): void {
    this.rewrapJobs = source;
  }

  /** The exposition text. A failing object-count source leaves that gauge out, not the scrape. */
  async render(): Promise<string> {
    const out: string[] = [];
    family(out, "kmipd_operations_total", "counter", "KMIP batch items answered, by operation and result", this.operations);
    out.push("# HELP kmipd_operation_duration_seconds Time to run one KMIP batch item, by operation", "# TYPE kmipd_operation_duration_seconds histogram");
    for (const [k, h] of sorted(this.durations)) {
      DURATION_BUCKETS.forEach((le, i) => out.push(`kmipd_operation_duration_seconds_bucket{${join(k, `le="${le}"`)}} ${h.buckets[i]}`));
      out.push(`kmipd_operation_duration_seconds_bucket{${join(k, 'le="+Inf"')}} ${h.count}`);
      out.push(`kmipd_operation_duration_seconds_sum{${k}} ${h.sum}`, `kmipd_operation_duration_seconds_count{${k}} ${h.count}`);
    }
    const stats = this.listenerStats?.();
    if (stats) {
      out.push("# HELP kmipd_connections_open Authenticated KMIP connections open now", "# TYPE kmipd_connections_open gauge", `kmipd_connections_open ${stats.connectionsEstablished}`);
      const rejected = new Map(REASONS.map((r) => [labels({ reason: r }), stats.rejectedByReason[r]]));
      family(out, "kmipd_connections_rejected_total", "counter", "KMIP connections refused, by reason", rejected);
    }
    family(out, "kmipd_hsm_calls_total", "counter", "Calls into a key provider, by HSM profile and result", this.hsmCalls);
    family(out, "kmipd_hsm_errors_total", "counter", "Failed calls into a key provider, by HSM profile", this.hsmErrors);
    if (this.objectCounts) {
      try {
        const rows = await this.objectCounts();
        const m = new Map(rows.map((r) => [labels({ kek: r.kek, version: String(r.version) }), r.objects]));
        family(out, "kmipd_objects", "gauge", "Objects wrapped under each KEK version", m);
      } catch {
        // the KMS side is unavailable: the other series still matter
      }
    }
    if (this.rewrapJobs) {
      try {
        const jobs = this.rewrapJobs();
        const series = (f: (j: ReturnType<RewrapJobSource>[number]) => number) => new Map(jobs.map((j) => [labels({ job: j.id, key: j.key, account: j.account }), f(j)]));
        family(out, "kmipd_rewrap_succeeded", "gauge", "DEKs a rewrap job has moved", series((j) => j.succeeded));
        family(out, "kmipd_rewrap_failed", "gauge", "DEKs a rewrap job could not move (retried with back-off)", series((j) => j.failed));
        family(out, "kmipd_rewrap_remaining", "gauge", "DEKs still under a rewrap job's old versions", series((j) => j.remaining));
      } catch {
        // the store is closing: the other series still matter
      }
    }
    return out.join("\n") + "\n";
  }
}

function family(out: string[], name: string, type: string, help: string, values: ReadonlyMap<string, number>): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  for (const [k, v] of sorted(values)) out.push(`${name}{${k}} ${v}`);
}

function sorted<T>(m: ReadonlyMap<string, T>): [string, T][] {
  return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function join(a: string, b: string): string {
  return a === "" ? b : `${a},${b}`;
}

/** Label set in a fixed order, values escaped per the exposition format. */
export function labels(l: Record<string, string>): string {
  return Object.entries(l)
    .map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`)
    .join(",");
}
