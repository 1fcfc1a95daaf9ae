/**
 * `kmipd audit list|verify`: reads the audit trail in the data dir's LMDB store (settings from the
 * same --config / --data-dir defaults as `serve`; lmdb-js lets this run beside a running server)
 * with the master key the server uses (KMIPD_MASTER_KEY, else <data-dir>/master.key — never
 * created here). `verify` exits 0 when the chain is intact and 1 naming the first bad record.
 */
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { ChainedAuditLog, deriveAuditKey, type AuditFilter, type AuditRecord } from "../../audit/index.js";
import { loadConfig } from "../../config/index.js";
import { MASTER_KEY_ENV, MASTER_KEY_FILE, loadMasterKey } from "../../keys/master-key.js";
import { pathExists } from "../../server/paths.js";
import { openLmdbStore } from "../../store/lmdb/index.js";
import { CliError, type CliIo } from "../io.js";
import { DEFAULT_CONFIG_FILE } from "./serve.js";

interface DirArgs {
  config?: string;
  "data-dir"?: string;
  json?: boolean;
}

interface ListArgs extends DirArgs {
  since?: string;
  until?: string;
  principal?: string;
  object?: string;
  operation?: string;
  limit?: number;
  desc?: boolean;
}

export function auditCommand(io: CliIo, setStatus: (code: number) => void, env: Readonly<Record<string, string | undefined>> = process.env): CommandModule {
  const common = (y: Argv) =>
    y
      .option("config", { alias: "c", type: "string", describe: `TOML settings file (default: ./${DEFAULT_CONFIG_FILE} if present)` })
      .option("data-dir", { type: "string", describe: "data directory (server.data_dir)" })
      .option("json", { type: "boolean", default: false, describe: "print JSON" });
  return {
    command: "audit <action>",
    describe: "read and check the audit trail in the data directory",
    builder: (y) =>
      common(y)
        .command({
          command: "list",
          describe: "print audit records, oldest first",
          builder: (b: Argv) =>
            b
              .option("since", { type: "string", describe: "only records at or after this time (ISO 8601)" })
              .option("until", { type: "string", describe: "only records at or before this time (ISO 8601)" })
              .option("principal", { type: "string" })
              .option("object", { type: "string", describe: "only records naming this Unique Identifier" })
              .option("operation", { type: "string", describe: "operation name, e.g. Get (case-insensitive)" })
              .option("limit", { type: "number", describe: "at most this many records" })
              .option("desc", { type: "boolean", default: false, describe: "newest first" }),
          handler: async (parsed: unknown) => {
            const a = parsed as ListArgs;
            const filter: AuditFilter = {
              ...(a.since === undefined ? {} : { since: isoTime(a.since, "--since") }),
              ...(a.until === undefined ? {} : { until: isoTime(a.until, "--until") }),
              ...(a.principal === undefined ? {} : { principal: a.principal }),
              ...(a.object === undefined ? {} : { objectId: a.object }),
              ...(a.operation === undefined ? {} : { operation: a.operation }),
              ...(a.limit === undefined ? {} : { limit: checkLimit(a.limit) }),
              order: a.desc ? "desc" : "asc",
            };
            const records = await withAuditLog(a, env, (log) => log.list(filter));
            io.stdout(a.json ? JSON.stringify(records.map(toJson), null, 2) + "\n" : records.map(toLine).join(""));
            setStatus(0);
          },
        })
        .command({
          command: "verify",
          describe: "walk the hash chain; exit 1 naming the first altered, missing, reordered or truncated record",
          handler: async (parsed: unknown) => {
            const a = parsed as DirArgs;
            const v = await withAuditLog(a, env, (log) => log.verify());
            if (a.json) io.stdout(JSON.stringify(v, null, 2) + "\n");
            else if (v.ok) io.stdout(`audit trail intact: ${v.checked} records verified\n`);
            else io.stdout(`audit trail damaged: record ${v.firstBad!.seq} ${v.firstBad!.problem}: ${v.firstBad!.detail} (${v.checked} records verified before it)\n`);
            setStatus(v.ok ? 0 : 1);
          },
        })
        .demandCommand(1, "name an action: list or verify"),
    handler: () => undefined,
  };
}

async function withAuditLog<T>(a: DirArgs, env: Readonly<Record<string, string | undefined>>, fn: (log: ChainedAuditLog) => T): Promise<T> {
  let file = a.config;
  if (file === undefined && (await pathExists(DEFAULT_CONFIG_FILE))) file = DEFAULT_CONFIG_FILE;
  const config = await loadConfig({ ...(file === undefined ? {} : { file }), overrides: { "server.data_dir": a["data-dir"] } }).catch((e: unknown) => {
    throw new CliError(e instanceof Error ? e.message : String(e));
  });
  const dataDir = config.server.dataDir;
  const storeDir = join(dataDir, "store");
  if (!(await pathExists(storeDir))) throw new CliError(`no store in ${dataDir} (nothing to read)`);
  // Reading must never invent a master key: only an existing one can check the chain.
  if (env[MASTER_KEY_ENV] === undefined && !(await pathExists(join(dataDir, MASTER_KEY_FILE)))) {
    throw new CliError(`no master key: set ${MASTER_KEY_ENV} or restore ${join(dataDir, MASTER_KEY_FILE)}`);
  }
  const store = await openLmdbStore(storeDir);
  try {
    const master = await loadMasterKey({ dataDir, env, store }).catch((e: unknown) => {
      throw new CliError(e instanceof Error ? e.message : String(e));
    });
    return fn(new ChainedAuditLog({ storage: store.audit, key: deriveAuditKey(master.key) }));
  } finally {
    await store.close();
  }
}

function isoTime(s: string, flag: string): number {
  const t = Date.parse(s);
  if (Number.isNaN(t)) throw new CliError(`${flag} must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z`);
  return t;
}

function checkLimit(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new CliError("--limit must be a positive integer");
  return n;
}

function toJson(r: AuditRecord): object {
  return { ...r, time: new Date(r.time).toISOString(), account: r.account ?? null };
}

function toLine(r: AuditRecord): string {
  const ids = r.objectIds.length === 0 ? "-" : r.objectIds.join(",");
  const why = [r.reason, r.message].filter((x) => x !== undefined).join(": ");
  return `${r.seq}\t${new Date(r.time).toISOString()}\t${r.principal}\t${r.account ?? "-"}\t${r.clientAddress}\t${r.operation}\t${ids}\t${r.result}${why ? `\t${why}` : ""}\n`;
}
