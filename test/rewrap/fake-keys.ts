/** A fake KMS for the rewrap daemon's tests (daemon.test.ts, daemon-concurrency.test.ts). */
import { KmsError } from "../../src/kms/types.js";
import type { RewrapKeys } from "../../src/rewrap/index.js";

/**
 * A "provider" whose blob is [version, ...payload]: a rewrap rewrites the version byte and must
 * keep the payload. `calls` lists the payload of each call that reached the "HSM" (not refused as
 * unavailable); `latencyMs` makes calls take time so that several overlap, `maxInFlight` records
 * how many did at most.
 */
export class FakeKeys implements RewrapKeys {
  current = 1;
  calls: string[] = [];
  broken = new Set<string>();
  /** Payloads whose next call fails as the HSM being down (once each). */
  unavailableOnce = new Set<string>();
  down = false;
  latencyMs: number | undefined;
  inFlight = 0;
  maxInFlight = 0;
  keyById(id: string) {
    return id === "k" ? { id, name: "key-k", account: "a", currentVersion: this.current, versions: Array.from({ length: this.current }, (_, i) => i + 1) } : undefined;
  }
  async rewrapBlob(_id: string, from: number, to: number, blob: Uint8Array): Promise<Uint8Array> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.latencyMs !== undefined) await new Promise((r) => setTimeout(r, this.latencyMs));
      if (this.down) throw new KmsError("unavailable", "HSM for profile p unavailable; retry later");
      const payload = Buffer.from(blob.subarray(1)).toString();
      if (this.unavailableOnce.delete(payload)) throw new KmsError("unavailable", "HSM for profile p unavailable; retry later");
      this.calls.push(payload);
      if (blob[0] !== from) throw new Error(`blob is not under version ${from}`);
      if (this.broken.has(payload)) throw new Error("integrity check failed");
      return Buffer.concat([Buffer.of(to), Buffer.from(blob.subarray(1))]);
    } finally {
      this.inFlight--;
    }
  }
  async rotate() {
    this.current++;
    return { id: "k", currentVersion: this.current };
  }
  async show() {
    return { id: "k", currentVersion: this.current };
  }
  async migrateBlob(): Promise<Uint8Array> {
    throw new Error("not used here");
  }
}
