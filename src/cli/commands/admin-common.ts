/**
 * What the admin commands (hsm-profile, key, account, principal, object) share: how they find the
 * admin API (admin-client.ts), and printing — a table or `key: value` lines, or JSON with --json.
 */
import type { Argv, CommandModule } from "yargs";
import { adminClientFrom, type AdminClient, type ConnectArgs } from "../admin-client.js";
import type { CliIo } from "../io.js";

export interface AdminArgs extends ConnectArgs {
  json?: boolean;
  [k: string]: unknown;
}

export function connectOptions(y: Argv): Argv {
  return y
    .option("config", { alias: "c", type: "string", describe: "TOML settings file (default: ./kmipd.toml if present); gives admin.host / admin.port and certs_dir" })
    .option("certs-dir", { type: "string", describe: "where admin.pem, admin-key.pem and ca.pem are (server.certs_dir)" })
    .option("server", { type: "string", describe: "admin API URL, e.g. https://kms.example:5697 (default from the settings)" })
    .option("json", { type: "boolean", default: false, describe: "print JSON" });
}

/** One subcommand: parse, call the API, print (the run function prints through its own io). */
export function action(setStatus: (code: number) => void, command: string, describe: string, builder: (y: Argv) => Argv, run: (c: AdminClient, a: AdminArgs) => Promise<void>): CommandModule {
  return {
    command,
    describe,
    builder: (y: Argv) => builder(y),
    handler: async (parsed: unknown) => {
      const a = parsed as AdminArgs;
      await run(await adminClientFrom(a), a);
      setStatus(0);
    },
  };
}

/** A group command (`kmipd key <action>`) over its actions. */
export function group(command: string, describe: string, actions: readonly CommandModule[]): CommandModule {
  return {
    command: `${command} <action>`,
    describe,
    builder: (y: Argv) => {
      let b = connectOptions(y);
      for (const a of actions) b = b.command(a);
      return b.demandCommand(1, `name an action: ${actions.map((a) => String(a.command).split(" ")[0]).join(", ")}`);
    },
    handler: () => undefined,
  };
}

export function printJson(io: CliIo, v: unknown): void {
  io.stdout(JSON.stringify(v, null, 2) + "\n");
}

/** Rows as tab-separated columns under a header (or JSON with --json). */
export function printTable(io: CliIo, a: AdminArgs, rows: unknown, columns: readonly [string, (r: Record<string, unknown>) => unknown][]): void {
  if (a.json) return printJson(io, rows);
  const list = rows as Record<string, unknown>[];
  const lines = [columns.map(([h]) => h).join("\t"), ...list.map((r) => columns.map(([, f]) => cell(f(r))).join("\t"))];
  io.stdout(lines.join("\n") + "\n");
}

/** One object as `key: value` lines (nested values as JSON), or JSON with --json. */
export function printObject(io: CliIo, a: AdminArgs, v: unknown): void {
  if (a.json) return printJson(io, v);
  const o = v as Record<string, unknown>;
  io.stdout(Object.entries(o).map(([k, x]) => `${k}: ${cell(x)}`).join("\n") + "\n");
}

function cell(v: unknown): string {
  if (v === undefined || v === null) return "-";
  if (typeof v === "number" && v > 1e12 && v < 1e14) return new Date(v).toISOString(); // Unix ms times
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export const enc = encodeURIComponent;
