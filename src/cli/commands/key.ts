/** `kmipd key create|list|show|disable|enable|rotate|destroy-version|delete` over the admin API (docs/ADMIN.md). */
import type { Argv, CommandModule } from "yargs";
import type { CliIo } from "../io.js";
import { action, enc, group, printObject, printTable, type AdminArgs } from "./admin-common.js";

const accountQuery = (a: AdminArgs) => (typeof a.account === "string" ? `?account=${enc(a.account)}` : "");

export function keyCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  const act = (c: string, d: string, b: (y: Argv) => Argv, r: Parameters<typeof action>[4]) => action(setStatus, c, d, b, r);
  const named = (y: Argv) => y.positional("name", { type: "string" }).option("account", { type: "string", describe: "the key's account (default: yours)" });
  return group("key", "manage KMS keys (KEKs) through the admin API", [
    act(
      "create <name>",
      "create a KMS key in an HSM profile",
      (y) =>
        y
          .positional("name", { type: "string" })
          .option("zone", { type: "string", demandOption: true })
          .option("hsm-profile", { type: "string", demandOption: true })
          .option("bits", { type: "number", choices: [128, 192, 256], describe: "AES key size (default 256)" })
          .option("account", { type: "string", describe: "owner account (default: yours)" })
          .option("description", { type: "string" }),
      async (c, a) =>
        printObject(io, a, await c.ok("POST", "/v1/keys", {
          name: a.name, zone: a.zone, hsmProfile: a["hsm-profile"],
          ...(a.bits === undefined ? {} : { bits: a.bits }), ...(a.account === undefined ? {} : { account: a.account }), ...(a.description === undefined ? {} : { description: a.description }),
        })),
    ),
    act(
      "list",
      "list KMS keys you may see",
      (y) => y.option("account", { type: "string" }).option("zone", { type: "string" }),
      async (c, a) => {
        const q = new URLSearchParams();
        if (typeof a.account === "string") q.set("account", a.account);
        if (typeof a.zone === "string") q.set("zone", a.zone);
        printTable(io, a, await c.ok("GET", `/v1/keys${q.size ? `?${q}` : ""}`), [
          ["NAME", (r) => r.name], ["ACCOUNT", (r) => r.account], ["ZONE", (r) => r.zone], ["PROFILE", (r) => r.hsmProfile], ["BITS", (r) => r.bits],
          ["STATE", (r) => r.state], ["VERSION", (r) => r.currentVersion], ["DEFAULT", (r) => (r.isDefault ? "yes" : "no")],
        ]);
      },
    ),
    act("show <name>", "show a KMS key and its versions", named, async (c, a) => printObject(io, a, await c.ok("GET", `/v1/keys/${enc(String(a.name))}${accountQuery(a)}`))),
    act("disable <name>", "stop a KMS key from wrapping new objects", named, async (c, a) => printObject(io, a, await c.ok("POST", `/v1/keys/${enc(String(a.name))}/disable${accountQuery(a)}`))),
    act("enable <name>", "enable a disabled KMS key", named, async (c, a) => printObject(io, a, await c.ok("POST", `/v1/keys/${enc(String(a.name))}/enable${accountQuery(a)}`))),
    act(
      "rotate <name>",
      "make a new version current now; a background job moves older objects to it (kmipd rewrap status)",
      named,
      async (c, a) => printObject(io, a, await c.ok("POST", `/v1/keys/${enc(String(a.name))}/rotate${accountQuery(a)}`)),
    ),
    act(
      "destroy-version <name>",
      "destroy a retired version's key material for good (refused while it is current or wraps objects, or a rewrap job still moves them)",
      (y) => named(y).option("version", { type: "number", demandOption: true, describe: "the version to destroy (kmipd key show: state retired)" }),
      async (c, a) => {
        const v = Number(a.version);
        if (!Number.isSafeInteger(v) || v < 1) throw new Error("--version must be a positive integer");
        printObject(io, a, await c.ok("DELETE", `/v1/keys/${enc(String(a.name))}/versions/${v}${accountQuery(a)}`));
      },
    ),
    act(
      "delete <name>",
      "delete a KMS key; refused while it wraps objects unless --force (they become unrecoverable)",
      (y) => named(y).option("force", { type: "boolean", default: false }),
      async (c, a) => {
        const q = new URLSearchParams();
        if (typeof a.account === "string") q.set("account", a.account);
        if (a.force) q.set("force", "true");
        printObject(io, a, await c.ok("DELETE", `/v1/keys/${enc(String(a.name))}${q.size ? `?${q}` : ""}`));
      },
    ),
  ]);
}
