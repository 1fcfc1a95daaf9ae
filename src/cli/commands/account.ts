/** `kmipd account list|create|delete` over the admin API. */
import type { Argv, CommandModule } from "yargs";
import type { CliIo } from "../io.js";
import { action, enc, group, printObject, printTable } from "./admin-common.js";

export function accountCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  const act = (c: string, d: string, b: (y: Argv) => Argv, r: Parameters<typeof action>[4]) => action(setStatus, c, d, b, r);
  return group("account", "manage accounts through the admin API", [
    act("list", "list accounts you may see", (y) => y.option("domain", { type: "string" }), async (c, a) =>
      printTable(io, a, await c.ok("GET", `/v1/accounts${typeof a.domain === "string" ? `?domain=${enc(a.domain)}` : ""}`), [
        ["NAME", (r) => r.name], ["DOMAIN", (r) => r.domain], ["CREATED", (r) => r.createdAt],
      ])),
    act("create <name>", "create an account", (y) => y.positional("name", { type: "string" }).option("domain", { type: "string", describe: "default: yours" }), async (c, a) =>
      printObject(io, a, await c.ok("POST", "/v1/accounts", { name: a.name, ...(a.domain === undefined ? {} : { domain: a.domain }) }))),
    act("delete <name>", "delete an account that owns nothing", (y) => y.positional("name", { type: "string" }), async (c, a) =>
      printObject(io, a, await c.ok("DELETE", `/v1/accounts/${enc(String(a.name))}`))),
  ]);
}
