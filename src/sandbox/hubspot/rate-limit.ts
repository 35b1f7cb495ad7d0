/**
 * HubSpot's three request budgets (API-NOTES §2.3): a rolling 10-second burst window, a separate
 * per-second budget for the search endpoints, and a daily allowance that resets at midnight (UTC
 * here). The 429 bodies are exactly what the SDK's RetryDecorator keys on (policyName / message).
 */
import { randomUUID } from 'node:crypto';

export interface RateLimitOptions {
  tenSecondlyLimit: number;
  searchPerSecondLimit: number;
  dailyLimit: number;
  now: () => number;
}

export type RateDecision =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; status: 429; body: Record<string, unknown>; headers: Record<string, string> };

const WINDOW_MS = 10_000;
const SEARCH_WINDOW_MS = 1_000;
const DAY_MS = 86_400_000;

export class RateLimiter {
  /** Accepted non-search request times inside the rolling window, oldest first. */
  private burst: number[] = [];
  private search: number[] = [];
  private day = -1;
  private usedToday = 0;

  constructor(private readonly options: RateLimitOptions) {}

  /**
   * Books one request. Rejected requests do not consume budget. Search answers carry no
   * `X-HubSpot-RateLimit-*` headers, the others do (with Remaining after this request).
   */
  take(kind: 'search' | 'standard'): RateDecision {
    const now = this.options.now();
    const today = Math.floor(now / DAY_MS);
    if (today !== this.day) {
      this.day = today;
      this.usedToday = 0;
    }
    prune(this.burst, now - WINDOW_MS);
    prune(this.search, now - SEARCH_WINDOW_MS);

    if (this.usedToday >= this.options.dailyLimit) {
      const wait = (today + 1) * DAY_MS - now;
      return this.reject('You have reached your daily limit.', 'DAILY', wait, kind);
    }
    if (kind === 'search') {
      if (this.search.length >= this.options.searchPerSecondLimit) {
        const wait = (this.search[0] ?? now) + SEARCH_WINDOW_MS - now;
        return this.reject('You have reached your secondly limit.', 'SECONDLY', wait, kind);
      }
      this.search.push(now);
      this.usedToday += 1;
      return { ok: true, headers: {} };
    }
    if (this.burst.length >= this.options.tenSecondlyLimit) {
      const wait = (this.burst[0] ?? now) + WINDOW_MS - now;
      return this.reject(
        'You have reached your ten_secondly_rolling limit.',
        'TEN_SECONDLY_ROLLING',
        wait,
        kind,
      );
    }
    this.burst.push(now);
    this.usedToday += 1;
    return { ok: true, headers: this.headers() };
  }

  private headers(): Record<string, string> {
    return {
      'X-HubSpot-RateLimit-Daily': String(this.options.dailyLimit),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, this.options.dailyLimit - this.usedToday)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(WINDOW_MS),
      'X-HubSpot-RateLimit-Max': String(this.options.tenSecondlyLimit),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, this.options.tenSecondlyLimit - this.burst.length)),
    };
  }

  private reject(
    message: string,
    policyName: string,
    waitMs: number,
    kind: 'search' | 'standard',
  ): RateDecision {
    const headers: Record<string, string> = {
      ...(kind === 'search' ? {} : this.headers()),
      'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))),
    };
    return {
      ok: false,
      status: 429,
      body: { status: 'error', message, errorType: 'RATE_LIMIT', correlationId: randomUUID(), policyName },
      headers,
    };
  }
}

function prune(times: number[], before: number): void {
  let drop = 0;
  while (drop < times.length && (times[drop] ?? 0) <= before) drop += 1;
  if (drop > 0) times.splice(0, drop);
}
