/**
 * A private SoftHSM2 token for a test: its own SOFTHSM2_CONF and token directory under a temp
 * dir (the Debian default config is unreadable to non-root users: stack-check P14). SoftHSM reads
 * SOFTHSM2_CONF at C_Initialize, which is process-wide, so a test must close every provider on
 * the previous token before it uses a new one.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordPin } from "./secrets.js";

export const SOFTHSM_LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";

export interface SoftHsmToken {
  readonly library: string;
  readonly token: string;
  readonly pin: string;
  readonly soPin: string;
  readonly dir: string;
  readonly tokenDir: string;
  /** Simulate an outage: move the token directory away. */
  takeAway(): void;
  /** End the outage. */
  bringBack(): void;
  /** Another token in the same token directory. */
  addToken(label: string): void;
  remove(): void;
}

/** Like the rest of the suite, a missing system package fails the test with a clear message. */
export function createSoftHsmToken(label = "kmipd-test", pin = "user-pin-87654321", soPin = "so-pin-12345678"): SoftHsmToken {
  recordPin(pin); // test/secrets-scan.test.ts looks for it in every log and CLI output
  recordPin(soPin);
  if (!existsSync(SOFTHSM_LIBRARY)) throw new Error(`SoftHSM2 is not installed (${SOFTHSM_LIBRARY} missing): apt-get install softhsm2`);
  const dir = mkdtempSync(join(tmpdir(), "kmipd-softhsm-"));
  const tokenDir = join(dir, "tokens");
  const away = join(dir, "tokens.away");
  mkdirSync(tokenDir); // must exist before --init-token
  const conf = join(dir, "softhsm2.conf");
  writeFileSync(
    conf,
    [`directories.tokendir = ${tokenDir}`, "objectstore.backend = file", "log.level = ERROR", "slots.removable = false", "slots.mechanisms = ALL", "library.reset_on_fork = false", ""].join("\n"),
  );
  process.env.SOFTHSM2_CONF = conf;
  const init = (l: string) =>
    execFileSync("softhsm2-util", ["--init-token", "--free", "--label", l, "--so-pin", soPin, "--pin", pin], { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: "ignore" });
  init(label);
  return {
    library: SOFTHSM_LIBRARY,
    token: label,
    pin,
    soPin,
    dir,
    tokenDir,
    takeAway: () => renameSync(tokenDir, away),
    bringBack: () => renameSync(away, tokenDir),
    addToken: init,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
