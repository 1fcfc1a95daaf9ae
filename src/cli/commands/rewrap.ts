/**
 * `kmipd rewrap status|run` over the admin API (docs/REWRAP.md). `run` asks the server's daemon
 * to drain every pending job now, polls its progress onto stderr, and exits 0 only when every job
 * is done (no DEK left under an old version, none failing).
 */
import type { Argv, CommandModule } from "yargs";
import type { JobStatus } from "../../rewrap/index.js";
import type { CliIo } from "../io.js";
import { connectOptions, group, printJson, printObject, printTable, type AdminArgs } from "./admin-common.js";
import { adminClientFrom } from "../admin-client.js";

interface StatusBody {
  readonly drain: { readonly running: boolean; readonly complete?: boolean };
  readonly jobs: readonly JobStatus[];
}

const COLUMNS: readonly [string, (r: Record<string, unknown>) => unknown][] = [
  ["KEY", (r) => r.key], ["ACCOUNT", (r) => r.account], ["FROM", (r) => (r.from as number[]).join(",")], ["TO", (r) => r.to], ["STATE", (r) => r.state],
  ["PROCESSED", (r) => r.processed], ["SUCCEEDED", (r) => r.succeeded], ["FAILED", (r) => r.failed], ["REMAINING", (r) => r.remaining],
  ["RATE/s", (r) => r.rate], ["ETA", (r) => (r.etaSec === null ? "?" : `${r.etaSec}s`)],
];

function printStatus(io: CliIo, a: AdminArgs, jobs: readonly JobStatus[]): void {
  printTable(io, a, jobs, COLUMNS);
  if (a.json) return;
  for (const j of jobs) if (j.source) io.stdout(`migration ${j.id}: from ${j.source} to ${j.key} v${j.to}${j.zone === undefined ? "" : `, zone ${j.zone}`}\n`);
  for (const j of jobs) for (const f of j.failures) io.stdout(`failed ${f.id} (key ${j.key}, ${f.attempts} attempt(s), next retry ${new Date(f.nextRetryAt).toISOString()}): ${f.reason}\n`);
}

/** `kmipd migrate --to-key NAME (--zone Z | --account A | --domain D | --ids ID,…)`: legacy objects under a KMS key, as a background job. */
export function migrateCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  return {
    command: "migrate",
    describe: "move legacy (database-provider, db-kek) objects under a KMS key, in the background (kmipd rewrap status)",
    builder: (y: Argv) =>
      connectOptions(y)
        .option("to-key", { type: "string", demandOption: true, describe: "the KMS key (name or id) to move them under" })
        .option("key-account", { type: "string", describe: "the account of that key, when its name is ambiguous" })
        .option("account", { type: "string", describe: "only objects of this account" })
        .option("domain", { type: "string", describe: "only objects of this domain's accounts" })
        .option("ids", { type: "string", describe: "only these object ids, comma-separated" })
        .option("zone", { type: "string", describe: "only objects of the accounts all of whose principals work in this zone (the key must be of this zone)" })
        .check((a) => {
          if ([a.account, a.domain, a.ids, a.zone].filter((x) => x !== undefined).length !== 1) throw new Error("name exactly one of --zone, --account, --domain or --ids");
          return true;
        }),
    handler: async (parsed: unknown) => {
      const a = parsed as AdminArgs;
      const c = await adminClientFrom(a);
      const body = {
        toKey: a["to-key"], ...(a["key-account"] === undefined ? {} : { keyAccount: a["key-account"] }),
        ...(a.account === undefined ? {} : { account: a.account }), ...(a.domain === undefined ? {} : { domain: a.domain }), ...(a.zone === undefined ? {} : { zone: a.zone }),
        ...(a.ids === undefined ? {} : { ids: String(a.ids).split(",").map((s) => s.trim()).filter(Boolean) }),
      };
      printObject(io, a, await c.ok("POST", "/v1/migrate", body));
      setStatus(0);
    },
  };
}

const pending = (jobs: readonly JobStatus[]) => jobs.filter((j) => j.state === "pending" || j.state === "running");

export function rewrapCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  const handler = (run: (a: AdminArgs) => Promise<number>) => async (parsed: unknown) => setStatus(await run(parsed as AdminArgs));
  return group("rewrap", "rewrap jobs: move DEKs to their key's current version (docs/REWRAP.md)", [
    {
      command: "status",
      describe: "per job: key, from/to version, processed, succeeded, failed (with ids and reasons), remaining, rate, ETA",
      builder: (y: Argv) => y,
      handler: handler(async (a) => {
        const body = (await (await adminClientFrom(a)).ok("GET", "/v1/rewrap")) as StatusBody;
        printStatus(io, a, body.jobs);
        return 0;
      }),
    },
    {
      command: "run",
      describe: "drain every pending job now (progress on stderr); exit 0 only if every DEK moved",
      builder: (y: Argv) => y.option("poll-ms", { type: "number", default: 500, describe: "how often progress is read" }),
      handler: handler(async (a) => {
        const c = await adminClientFrom(a);
        await c.ok("POST", "/v1/rewrap/run");
        let body: StatusBody;
        for (;;) {
          body = (await c.ok("GET", "/v1/rewrap")) as StatusBody;
          const open = pending(body.jobs);
          const left = open.reduce((s, j) => s + j.remaining, 0);
          const done = open.reduce((s, j) => s + j.succeeded, 0);
          io.stderr(`rewrap: ${open.length} job(s) open, ${done} moved, ${left} remaining, ${open.reduce((s, j) => s + j.failed, 0)} failing\n`);
          if (!body.drain.running) break;
          await new Promise((r) => setTimeout(r, Number(a["poll-ms"]) || 500));
        }
        const complete = body.drain.complete === true && pending(body.jobs).length === 0;
        if (a.json) printJson(io, { complete, jobs: body.jobs });
        else printStatus(io, a, body.jobs);
        return complete ? 0 : 1;
      }),
    },
  ]);
}
