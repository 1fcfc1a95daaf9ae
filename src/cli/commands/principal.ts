/** `kmipd principal list|map|unmap`: which certificate identity belongs to which account and role. */
import type { Argv, CommandModule } from "yargs";
import type { CliIo } from "../io.js";
import { action, enc, group, printObject, printTable } from "./admin-common.js";

export function principalCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  const act = (c: string, d: string, b: (y: Argv) => Argv, r: Parameters<typeof action>[4]) => action(setStatus, c, d, b, r);
  return group("principal", "map certificate principals to accounts, zones and roles", [
    act("list", "list principal mappings you may see", (y) => y.option("account", { type: "string" }).option("domain", { type: "string" }), async (c, a) => {
      const q = new URLSearchParams();
      if (typeof a.account === "string") q.set("account", a.account);
      if (typeof a.domain === "string") q.set("domain", a.domain);
      printTable(io, a, await c.ok("GET", `/v1/principals${q.size ? `?${q}` : ""}`), [
        ["PRINCIPAL", (r) => r.principal], ["ACCOUNT", (r) => r.account], ["ZONE", (r) => r.zone], ["ROLE", (r) => r.role], ["SOURCE", (r) => r.source],
      ]);
    }),
    act(
      "map <principal>",
      "map a principal (certificate CN or SAN) to an account",
      (y) =>
        y
          .positional("principal", { type: "string" })
          .option("account", { type: "string", demandOption: true })
          .option("zone", { type: "string", default: "default" })
          .option("role", { choices: ["user", "domain-admin", "root-admin"], default: "user" }),
      async (c, a) => printObject(io, a, await c.ok("POST", "/v1/principals", { principal: a.principal, account: a.account, zone: a.zone, role: a.role })),
    ),
    act("unmap <principal>", "remove a principal's mapping", (y) => y.positional("principal", { type: "string" }), async (c, a) =>
      printObject(io, a, await c.ok("DELETE", `/v1/principals/${enc(String(a.principal))}`))),
  ]);
}
