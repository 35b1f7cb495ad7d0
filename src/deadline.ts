/**
 * A promise raced against a timer: for calls whose own timeouts do not cover the whole exchange (a
 * stalled response body, a token endpoint, a Redis that accepts and never answers).
 */

/** Rejects with `onTimeout()` when `pending` has not settled within `ms`; the loser's late failure is swallowed. */
export function withDeadline<T>(pending: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  // The losing call may still fail later; that must not surface as an unhandled rejection.
  pending.catch(() => {});
  return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
}
