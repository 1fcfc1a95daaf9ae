/**
 * Retries with exponential back-off, bounded by one deadline per operation (kms.retry.count,
 * kms.retry.delay.ms, kms.operation.timeout.sec). Only transient KeyProviderErrors are retried,
 * and never past the deadline: a caller always has its answer within operationTimeoutMs.
 */
import { KeyProviderError } from "../types.js";

/** Transient, but not worth a retry: the token was probed moments ago (see connection.ts). */
export const FAIL_FAST = "HSM_UNAVAILABLE";

export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly retryCount: number;
  /** Delay before the first retry; doubled before each next one. */
  readonly retryDelayMs: number;
  /** Bound on the whole operation, retries included. */
  readonly operationTimeoutMs: number;
}

/**
 * Run `attempt` until it succeeds, fails for good, or the deadline passes. `attempt` gets an
 * `abandoned()` check: true once the caller has been answered with a timeout, so late work can
 * skip what it has not started.
 */
export async function withRetry<T>(policy: RetryPolicy, what: string, attempt: (abandoned: () => boolean) => Promise<T>): Promise<T> {
  const deadline = Date.now() + policy.operationTimeoutMs;
  for (let i = 0; ; i++) {
    try {
      return await withDeadline(deadline, what, attempt);
    } catch (err) {
      if (!(err instanceof KeyProviderError) || !err.transient || i >= policy.retryCount || err.code === FAIL_FAST) throw err;
      const delay = policy.retryDelayMs * 2 ** i;
      if (Date.now() + delay >= deadline) throw err;
      await sleep(delay);
    }
  }
}

async function withDeadline<T>(deadline: number, what: string, attempt: (abandoned: () => boolean) => Promise<T>): Promise<T> {
  const ms = deadline - Date.now();
  if (ms <= 0) throw timeout(what);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const run = attempt(() => timedOut);
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(timeout(what));
    }, ms);
  });
  try {
    return await Promise.race([run, limit]);
  } finally {
    clearTimeout(timer);
    run.catch(() => undefined); // a late failure after the timeout has no one to tell
  }
}

function timeout(what: string): KeyProviderError {
  return new KeyProviderError(`${what}: the HSM did not answer in time`, true, "TIMEOUT");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
