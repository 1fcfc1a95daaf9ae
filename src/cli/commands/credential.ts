/**
 * `kmipd credential hash`: the password_hash of a `[[tenancy.credentials]]` table. The password
 * is read from stdin (one line; a trailing newline is dropped), never from the command line where
 * `ps` and shell history would keep it, and it is never printed.
 */
import type { CommandModule } from "yargs";
import { hashPassword } from "../../auth/index.js";
import { CliError, readAll, type CliIo } from "../io.js";

export function credentialCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  return {
    command: "credential <action>",
    describe: "header credentials (docs/TENANCY.md)",
    builder: (y) =>
      y
        .command({
          command: "hash",
          describe: "print the password_hash of a password read from stdin, for [[tenancy.credentials]]",
          handler: async () => {
            const raw = (await readAll(io.stdin, 4096)).toString("utf8");
            const password = raw.replace(/\r?\n$/, "");
            if (password.length === 0) throw new CliError("no password on stdin (e.g. `read -rs P && printf %s \"$P\" | kmipd credential hash`)");
            if (/[\r\n]/.test(password)) throw new CliError("the password must be one line");
            io.stdout(`${await hashPassword(password)}\n`);
            setStatus(0);
          },
        })
        .demandCommand(1, "credential needs an action: hash"),
    handler: () => undefined,
  };
}
