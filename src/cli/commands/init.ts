/**
 * `kmipd init`: a development PKI in the certs directory (refusing to overwrite one without
 * --force) and a starter settings file, if there is none yet.
 */
import { writeFile } from "node:fs/promises";
import type { CommandModule } from "yargs";
import { defaultConfig } from "../../config/index.js";
import { createDevPki, describeDevPki } from "../../server/pki.js";
import { CliError, type CliIo } from "../io.js";
import { DEFAULT_CONFIG_FILE } from "./serve.js";

export interface InitArgs {
  "certs-dir"?: string;
  force?: boolean;
  config?: string;
}

export function initCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  return {
    command: "init",
    describe: "create a development PKI (CA, server and client certificates) and a starter kmipd.toml",
    builder: (y) =>
      y
        .option("certs-dir", { type: "string", describe: `where the certificates go (default ${defaultConfig().server.certsDir})` })
        .option("force", { type: "boolean", default: false, describe: "overwrite an existing development PKI" })
        .option("config", { alias: "c", type: "string", default: DEFAULT_CONFIG_FILE, describe: "starter settings file to write if absent" }),
    handler: async (a) => setStatus(await runInit(a as InitArgs, io)),
  };
}

export async function runInit(args: InitArgs, io: CliIo): Promise<number> {
  const certsDir = args["certs-dir"] ?? defaultConfig().server.certsDir;
  let paths;
  try {
    paths = await createDevPki(certsDir, { force: args.force ?? false });
  } catch (e) {
    throw new CliError(e instanceof Error ? e.message : String(e));
  }
  io.stderr(describeDevPki(paths));
  const file = args.config ?? DEFAULT_CONFIG_FILE;
  try {
    await writeFile(file, starterConfig(certsDir), { flag: "wx" });
    io.stderr(`wrote ${file} (every setting and its default: config.example.toml)\n`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new CliError(`cannot write ${file}: ${(e as Error).message}`);
    io.stderr(`${file} exists; left as it is\n`);
  }
  return 0;
}

/** A short settings file; `kmipd serve` reads ./kmipd.toml when no --config is given. */
export function starterConfig(certsDir: string): string {
  const d = defaultConfig();
  return `# kmipd settings, written by \`kmipd init\`. Every setting and its default: config.example.toml.

[server]
host = ${JSON.stringify(d.server.host)}
port = ${d.server.port}
data_dir = ${JSON.stringify(d.server.dataDir)}
certs_dir = ${JSON.stringify(certsDir)}

[tls]
min_version = ${JSON.stringify(d.tls.minVersion)}
identity = ${JSON.stringify(d.tls.identity)}

[logging]
level = ${JSON.stringify(d.logging.level)}
format = ${JSON.stringify(d.logging.format)}
`;
}
