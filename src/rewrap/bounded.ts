/**
 * Bounded concurrency for the rewrap daemon (kms.rewrap.concurrency): a batch's DEKs are re-wrapped
 * with up to `limit` provider calls in flight, started in the batch's order. The outcomes come back
 * by position, so the daemon applies them in uid order whatever order the calls ended in.
 */

/** How one item's call ended; `undefined` in the result: never started (a stop came first). */
export type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Calls `fn` on every item, at most `limit` at a time, starting them in item order. Once a call
 * fails with an error `stops` accepts (the provider is down), no further item is started; calls in
 * flight are awaited. Items never started are exactly a suffix of `items` (they start in order).
 * Never rejects: every failure is in the result.
 */
export async function settleBounded<I, T>(
  items: readonly I[],
  limit: number,
  fn: (item: I) => Promise<T>,
  stops: (error: unknown) => boolean,
): Promise<Array<Settled<T> | undefined>> {
  const out: Array<Settled<T> | undefined> = new Array<Settled<T> | undefined>(items.length).fill(undefined);
  let next = 0;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped && next < items.length) {
      const i = next++;
      try {
        out[i] = { ok: true, value: await fn(items[i]!) };
      } catch (error) {
        out[i] = { ok: false, error };
        if (stops(error)) stopped = true;
      }
    }
  };
  const workers = Math.max(1, Math.min(Math.floor(limit), items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return out;
}
