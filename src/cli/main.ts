/** kmipd's command line: yargs commands, each in its own module under commands/. */
import yargs from "yargs";
import { auditCommand } from "./commands/audit.js";
import { clientCommand } from "./commands/client.js";
import { credentialCommand } from "./commands/credential.js";
import { accountCommand } from "./commands/account.js";
import { hsmProfileCommand } from "./commands/hsm-profile.js";
import { initCommand } from "./commands/init.js";
import { keyCommand } from "./commands/key.js";
import { objectCommand } from "./commands/object.js";
import { principalCommand } from "./commands/principal.js";
import { migrateCommand, rewrapCommand } from "./commands/rewrap.js";
import { serveCommand } from "./commands/serve.js";
import { ttlvCommand } from "./commands/ttlv.js";
import { CliError, type CliIo } from "./io.js";

/** `env` is where commands read KMIPD_MASTER_KEY and KMIPD_HSM_PIN (tests pass their own). */
export async function main(argv: string[], io: CliIo, env: Readonly<Record<string, string | undefined>> = process.env): Promise<number> {
  let status = 0;
  const parser = yargs(argv)
    .scriptName("kmipd")
    .usage("$0 <command> [options]")
    .command(ttlvCommand(io, (code) => (status = code)))
    .command(serveCommand(io, (code) => (status = code)))
    .command(initCommand(io, (code) => (status = code)))
    .command(clientCommand(io, (code) => (status = code)))
    .command(auditCommand(io, (code) => (status = code), env))
    .command(hsmProfileCommand(io, (code) => (status = code), env))
    .command(keyCommand(io, (code) => (status = code)))
    .command(accountCommand(io, (code) => (status = code)))
    .command(principalCommand(io, (code) => (status = code)))
    .command(credentialCommand(io, (code) => (status = code)))
    .command(objectCommand(io, (code) => (status = code)))
    .command(rewrapCommand(io, (code) => (status = code)))
    .command(migrateCommand(io, (code) => (status = code)))
    .demandCommand(1, "name a command; see --help")
    .strict()
    .help()
    .alias("h", "help")
    .version(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      throw err ?? new CliError(msg);
    })
    .exitProcess(false);
  try {
    await parser.parseAsync();
    return status;
  } catch (e) {
    io.stderr(`kmipd: ${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
