/** `kmipd object show ID`: a managed object's state, owner and KEK (name and version) — never key bytes. */
import type { CommandModule } from "yargs";
import type { CliIo } from "../io.js";
import { action, enc, group, printJson } from "./admin-common.js";

export function objectCommand(io: CliIo, setStatus: (code: number) => void): CommandModule {
  return group("object", "inspect managed objects through the admin API", [
    action(setStatus, "show <id>", "show an object's metadata and the KEK that wraps it", (y) => y.positional("id", { type: "string" }), async (c, a) => {
      const o = (await c.ok("GET", `/v1/objects/${enc(String(a.id))}`)) as Record<string, unknown>;
      if (a.json) return printJson(io, o);
      const kek = o.kek as { id: string; name?: string; version: number } | undefined;
      const lines = [
        `id: ${o.id}`, `type: ${o.objectType}`, `state: ${o.state}`, `account: ${o.ownerAccount}`,
        `kek: ${kek ? `${kek.name ?? kek.id} (id ${kek.id}) version ${kek.version}` : "-"}`,
        ...Object.entries((o.dates ?? {}) as Record<string, string>).map(([k, v]) => `${k}: ${v}`),
      ];
      io.stdout(lines.join("\n") + "\n");
    }),
  ]);
}
