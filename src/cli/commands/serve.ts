/**
 * `kmipd serve`: settings (file, then flags), the development PKI on a first run, the engine
 * (createServerRuntime), the TLS listener, the admin API (admin.enabled; docs/ADMIN.md); a
 * graceful stop on SIGTERM or SIGINT.
 *
 * Logs go to stdout (JSON lines, or pretty); notices for the operator (PKI created, address)
 * go to stderr.
 */
import type { CommandModule } from "yargs";
import { loadConfig, type KmipdConfig } from "../../config/index.js";
import { bootstrapDirectory } from "../../server/admin/bootstrap.js";
import { startAdminServer, type AdminServer } from "../../server/admin/server.js";
import type { EngineOptions } from "../../server/engine.js";
import { listenerOptionsFromConfig, startListener, type KmipListener, type ListenerOptions } from "../../server/listener.js";
import { createLogger, type Logger } from "../../server/log.js";
import { Metrics } from "../../server/metrics.js";
import { DEV_ADMIN_NAME, describeDevPki, ensureAdminCert, ensureDevPki } from "../../server/pki.js";
import { createServerRuntime, type ServerRuntime } from "../../server/runtime.js";
import { CliError, type CliIo } from "../io.js";
import { pathExists } from "../../server/paths.js";

export interface ServeArgs {
  config?: string;
  host?: string;
  port?: number;
  "data-dir"?: string;
  "certs-dir"?: string;
  "admin-port"?: number;
}

/** Config read when --config is not given, if it exists (what `kmipd init` writes). */
export const DEFAULT_CONFIG_FILE = "kmipd.toml";

/** What tests replace: the engine, and where stop signals come from. */
export interface ServeDeps {
  readonly createRuntime?: (config: KmipdConfig, log: Logger, hooks: EngineOptions) => Promise<ServerRuntime>;
  readonly signals?: Pick<NodeJS.EventEmitter, "on" | "off">;
  readonly onListening?: (listener: KmipListener) => void;
  readonly onAdminListening?: (admin: AdminServer) => void;
}

export function serveCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  return {
    command: "serve",
    describe: "run the KMIP server (mutual TLS on port 5696 by default)",
    builder: (y) =>
      y
        .option("config", { alias: "c", type: "string", describe: `TOML settings file (default: ./${DEFAULT_CONFIG_FILE} if present)` })
        .option("host", { type: "string", describe: "listen address (server.host)" })
        .option("port", { type: "number", describe: "listen port (server.port)" })
        .option("data-dir", { type: "string", describe: "data directory (server.data_dir)" })
        .option("certs-dir", { type: "string", describe: "TLS files directory (server.certs_dir)" })
        .option("admin-port", { type: "number", describe: "admin API port (admin.port, default 5697)" }),
    handler: async (a) => setStatus(await runServe(a as ServeArgs, io)),
  };
}

/** Runs the server until a stop signal; returns the exit status. */
export async function runServe(args: ServeArgs, io: CliIo, deps: ServeDeps = {}): Promise<number> {
  let file = args.config;
  if (file === undefined && (await pathExists(DEFAULT_CONFIG_FILE))) file = DEFAULT_CONFIG_FILE;
  const config = await loadConfig({
    ...(file === undefined ? {} : { file }),
    overrides: { "server.host": args.host, "server.port": args.port, "server.data_dir": args["data-dir"], "server.certs_dir": args["certs-dir"], "admin.port": args["admin-port"] },
  }).catch((e: unknown) => {
    throw new CliError(e instanceof Error ? e.message : String(e));
  });
  const log = createLogger(config.logging, { write: (s: string) => io.stdout(s) });
  if (file !== undefined) log.info({ file }, "settings read");

  let created;
  try {
    created = await ensureDevPki(config);
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  if (created) {
    io.stderr(describeDevPki(created));
    log.warn({ files: Object.values(created) }, "created a development PKI; for development only");
  } else {
    const adminCert = await ensureAdminCert(config.server.certsDir).catch(() => undefined);
    if (adminCert) io.stderr(`created ${adminCert} (admin CLI certificate, CN ${DEV_ADMIN_NAME}) from the development CA\n`);
  }
  const metrics = new Metrics();

  let runtime: ServerRuntime;
  try {
    runtime = await (deps.createRuntime ?? createServerRuntime)(config, log, { observe: metrics.observeOperation, hsmCall: metrics.hsmCall });
  } catch (e) {
    log.error({ error: e instanceof Error ? e.message : String(e) }, "cannot start the engine");
    io.stderr(`kmipd: cannot start the engine: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }

  let listener: KmipListener;
  let options: ListenerOptions;
  try {
    options = await listenerOptionsFromConfig(config, runtime.handler, log);
    listener = await startListener(options);
  } catch (e) {
    await runtime.close();
    io.stderr(`kmipd: cannot listen on ${config.server.host}:${config.server.port}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const { host, port } = listener.address;
  io.stderr(`kmipd: listening on ${host}:${port} (KMIP over mutual TLS)\n`);
  deps.onListening?.(listener);
  metrics.setListener(() => listener.stats());
  // objects per KEK version, from the KMS keys' exact (index) counts
  const keys = runtime.admin?.keys;
  if (keys) metrics.setObjectCounts(async () => (await keys.list()).flatMap((k) => k.versions.map((v) => ({ kek: k.name, version: v.version, objects: v.objects }))));
  const rewrap = runtime.admin?.rewrap;
  if (rewrap) metrics.setRewrapJobs(() => rewrap.status());

  let admin: AdminServer | undefined;
  if (config.admin.enabled) {
    const services = { directory: bootstrapDirectory(), ...runtime.admin };
    try {
      admin = await startAdminServer({
        host: config.admin.host, port: config.admin.port, tls: options.tls, services, metrics,
        kmipUp: () => listener.listening, probes: runtime.probes ?? [], log,
      });
    } catch (e) {
      await listener.close();
      await runtime.close();
      io.stderr(`kmipd: cannot listen on ${config.admin.host}:${config.admin.port} (admin API): ${e instanceof Error ? e.message : String(e)}\n`);
      return 1;
    }
    io.stderr(`kmipd: admin API on https://${admin.address.host}:${admin.address.port} (mutual TLS)\n`);
    deps.onAdminListening?.(admin);
  }

  const signals = deps.signals ?? process;
  const signal = await new Promise<string>((resolve) => {
    const stop = (sig: string) => () => {
      signals.off("SIGTERM", onTerm);
      signals.off("SIGINT", onInt);
      resolve(sig);
    };
    const onTerm = stop("SIGTERM");
    const onInt = stop("SIGINT");
    signals.on("SIGTERM", onTerm);
    signals.on("SIGINT", onInt);
  });
  log.info({ signal }, "stop requested");
  // a second signal while draining stops at once
  const force = () => {
    log.warn({}, "second stop signal; closing every connection now");
    process.exit(130);
  };
  signals.on("SIGTERM", force);
  signals.on("SIGINT", force);
  try {
    await admin?.close();
    await listener.close();
    await runtime.close();
  } finally {
    signals.off("SIGTERM", force);
    signals.off("SIGINT", force);
  }
  io.stderr("kmipd: stopped\n");
  return 0;
}

