/**
 * The tenancy tests' server is harness.ts's: it exposes the engine's services (directory, HSM
 * profiles, KMS keys) and connects as any principal. These names stay for those tests.
 */
import { expect } from "chai";
import { KmipRequestError } from "../../src/client/index.js";
import { startKmipd, type RunningKmipd, type StartOptions } from "./harness.js";

export type TenancyKmipd = RunningKmipd;

export const startTenancyKmipd = (o: StartOptions = {}): Promise<TenancyKmipd> => startKmipd(o);

/** The KMIP error a request was refused with; fails the test if it succeeded or failed otherwise. */
export async function requestFailure(p: Promise<unknown>): Promise<KmipRequestError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).to.be.instanceOf(KmipRequestError);
  return e as KmipRequestError;
}
