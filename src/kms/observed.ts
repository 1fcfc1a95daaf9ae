/**
 * A key provider whose calls are counted, by HSM profile and result, for /metrics
 * (kmipd_hsm_calls_total, kmipd_hsm_errors_total). The observer has the shape of the server's
 * metrics hook without importing it (kms sits below server).
 */
import type { KeyProvider } from "../keys/types.js";

export type ProviderCallObserver = (profile: string, result: "ok" | "error") => void;

export function observedProvider(p: KeyProvider, profile: string, observe: ProviderCallObserver): KeyProvider {
  const counted = <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      try {
        const r = await f(...a);
        observe(profile, "ok");
        return r;
      } catch (e) {
        observe(profile, "error");
        throw e;
      }
    };
  return {
    kind: p.kind,
    currentKek: counted(() => p.currentKek()),
    generateKek: counted((spec: Parameters<KeyProvider["generateKek"]>[0]) => p.generateKek(spec)),
    wrap: counted((kek: Parameters<KeyProvider["wrap"]>[0], plain: Uint8Array) => p.wrap(kek, plain)),
    unwrap: counted((kek: Parameters<KeyProvider["unwrap"]>[0], blob: Uint8Array) => p.unwrap(kek, blob)),
    rewrap: counted((from: Parameters<KeyProvider["rewrap"]>[0], to: Parameters<KeyProvider["rewrap"]>[1], blob: Uint8Array) => p.rewrap(from, to, blob)),
    destroyKek: counted((ref: Parameters<KeyProvider["destroyKek"]>[0]) => p.destroyKek(ref)),
    healthy: () => p.healthy(),
    describe: () => p.describe(),
    close: () => p.close(),
  };
}
