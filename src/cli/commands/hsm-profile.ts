/**
 * `kmipd hsm-profile add|list|show|delete` over the admin API (root admins add and delete).
 * The PIN: --pin-file or the KMIPD_HSM_PIN environment variable are preferred to --pin, which
 * lands in shell history and in `ps` output. The PIN is sent once and never printed: the server
 * answers with it masked ("****").
 */
import { readFile } from "node:fs/promises";
import type { Argv, CommandModule } from "yargs";
import type { ProfileScope } from "../../kms/types.js";
import { CliError, type CliIo } from "../io.js";
import { action, enc, group, printObject, printTable, type AdminArgs } from "./admin-common.js";

export const HSM_PIN_ENV = "KMIPD_HSM_PIN";

export function hsmProfileCommand(io: CliIo, setStatus: (code: number) => void, env: Readonly<Record<string, string | undefined>> = process.env): CommandModule {
  const act = (c: string, d: string, b: (y: Argv) => Argv, r: Parameters<typeof action>[4]) => action(setStatus, c, d, b, r);
  return group("hsm-profile", "manage HSM profiles through the admin API", [
    act(
      "add <name>",
      "register an HSM profile (root admins); it must open a session and log in",
      (y) =>
        y
          .positional("name", { type: "string" })
          .option("provider", { choices: ["pkcs11", "database"], demandOption: true })
          .option("library", { type: "string", describe: "PKCS#11 module path" })
          .option("token", { type: "string", describe: "token label" })
          .option("slot", { type: "string", describe: "slot id (instead of --token)" })
          .option("pin", { type: "string", describe: `user PIN (prefer --pin-file or ${HSM_PIN_ENV}: a PIN on the command line lands in shell history and ps)` })
          .option("pin-file", { type: "string", describe: "file whose first line is the user PIN" })
          .option("vendor", { type: "string" })
          .option("mechanism", { type: "number", describe: "AES key wrap with padding mechanism number, if the HSM's differs" })
          .option("system", { type: "boolean", describe: "scope: every zone and account (the default)" })
          .option("zone", { type: "string", describe: "scope: one zone" })
          .option("account", { type: "string", describe: "scope: one account" })
          .conflicts("system", ["zone", "account"])
          .conflicts("zone", "account")
          .conflicts("pin", "pin-file"),
      async (c, a) => {
        const details: Record<string, string> = {};
        if (a.provider === "pkcs11") {
          if (!a.library || (!a.token && !a.slot)) throw new CliError("--provider pkcs11 needs --library and --token (or --slot)");
          const pin = await pinOf(a, env);
          if (pin === undefined) throw new CliError(`--provider pkcs11 needs the PIN: --pin-file, ${HSM_PIN_ENV}, or --pin`);
          Object.assign(details, { library: a.library, ...(a.token ? { token: a.token } : {}), ...(a.slot ? { slot: a.slot } : {}), pin });
        }
        if (a.mechanism !== undefined) details["mechanism"] = String(a.mechanism);
        const scope: ProfileScope = a.zone ? { kind: "zone", zone: a.zone as string } : a.account ? { kind: "account", account: a.account as string } : { kind: "system" };
        const view = await c.ok("POST", "/v1/hsm-profiles", { name: a.name, provider: a.provider, scope, details, ...(a.vendor ? { vendor: a.vendor } : {}) });
        printObject(io, a, readable(a, view));
      },
    ),
    act("list", "list HSM profiles (secrets shown as ****)", (y) => y, async (c, a) =>
      printTable(io, a, await c.ok("GET", "/v1/hsm-profiles"), [
        ["NAME", (r) => r.name], ["PROVIDER", (r) => r.provider], ["VENDOR", (r) => r.vendor], ["SCOPE", (r) => scopeText(r.scope)], ["DETAILS", (r) => r.details],
      ])),
    act("show <name>", "show one HSM profile", (y) => y.positional("name", { type: "string" }), async (c, a) => printObject(io, a, readable(a, await c.ok("GET", `/v1/hsm-profiles/${enc(String(a.name))}`)))),
    act("delete <name>", "delete an HSM profile no KMS key uses (root admins)", (y) => y.positional("name", { type: "string" }), async (c, a) => {
      printObject(io, a, await c.ok("DELETE", `/v1/hsm-profiles/${enc(String(a.name))}`));
    }),
  ]);
}

async function pinOf(a: AdminArgs, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  if (typeof a["pin-file"] === "string") {
    const text = await readFile(a["pin-file"], "utf8").catch(() => {
      throw new CliError(`cannot read --pin-file ${a["pin-file"]}`);
    });
    return text.split(/\r?\n/)[0];
  }
  if (typeof a.pin === "string") return a.pin;
  return env[HSM_PIN_ENV];
}

/** The text view shows the scope as `system`, `zone:Z` or `account:A`; --json keeps the structure. */
function readable(a: AdminArgs, view: unknown): unknown {
  const v = view as Record<string, unknown>;
  return a.json || typeof v !== "object" || v === null || !("scope" in v) ? view : { ...v, scope: scopeText(v["scope"]) };
}

function scopeText(s: unknown): string {
  const x = s as { kind: string; zone?: string; account?: string };
  return x.kind === "zone" ? `zone:${x.zone}` : x.kind === "account" ? `account:${x.account}` : "system";
}
