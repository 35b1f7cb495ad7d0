/**
 * Retry delays for failed jobs: what the vendor asked for when it said (Retry-After, rate-limit
 * window), otherwise exponential with jitter, capped at 10 minutes.
 */
import { RateLimitedError } from '../connector/errors.js';

export function vendorBackoff(attemptsMade: number, _type?: string, error?: Error): number {
  if (error instanceof RateLimitedError) return error.retryAfterMs;
  const exponential = Math.min(600_000, 1_000 * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(exponential * (0.75 + Math.random() * 0.5));
}
