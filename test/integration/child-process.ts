/** A `kmipd serve` child process (the built bin/kmipd.js), resolved once it says it is listening. */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../helpers/shared.js";

export function spawnKmipd(serveArgs: readonly string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(REPO_ROOT, "bin/kmipd.js"), "serve", ...serveArgs, "--admin-port", "0"], { stdio: ["ignore", "ignore", "pipe"] });
  return new Promise((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`kmipd did not start: ${err}`)), 20_000);
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("listening on")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => reject(new Error(`kmipd exited with ${code}: ${err}`)));
  });
}
