/**
 * Maps HubSpot HTTP failures to the typed errors the pipeline retries on (src/connector/errors.ts).
 * The pipeline decides from the class alone, so every vendor rule lives here.
 */
import {
  type ApiError,
  AuthError,
  BadRequestError,
  RateLimitedError,
  TransientApiError,
} from '../../src/connector/errors.js';
import { parseRetryAfterMs } from '../shared/retry-after.js';
import type { ResponseHeaders } from './rate-headers.js';
import { type ErrorBody, errorBodySchema } from './wire.js';

/** The search API's own per-second limit answers with this exact message (SDK RetryDecorator). */
const SECONDLY_MESSAGE = 'You have reached your secondly limit.';
const BURST_DEFAULT_MS = 10_000;
const SECONDLY_DEFAULT_MS = 1_000;
const DAY_MS = 86_400_000;

/** The parsed vendor body behind each error, for per-record messages after bisection (write-bisect.ts). */
const vendorBodies = new WeakMap<Error, ErrorBody>();

export function vendorBodyOf(error: Error): ErrorBody | undefined {
  return vendorBodies.get(error);
}

export function parseErrorBody(body: unknown): ErrorBody {
  const parsed = errorBodySchema.safeParse(body);
  return parsed.success ? parsed.data : {};
}

/** A human-readable one-liner; never includes headers (they would carry nothing secret, but stay short). */
function describe(what: string, status: number, body: ErrorBody): string {
  const kind = body.category ?? body.policyName ?? 'HTTP error';
  const correlation = body.correlationId ? ` (correlationId ${body.correlationId})` : '';
  return `HubSpot ${what} → ${status} ${kind}: ${body.message ?? '(no message)'}${correlation}`;
}

/** How long a daily-limit pause lasts at most before Lockstep tries again. */
export const DAILY_LIMIT_PROBE_MS = 3_600_000;

/** Milliseconds until the next midnight UTC: when HubSpot's daily budget resets for UTC portals. */
export function msUntilNextUtcMidnight(now: number): number {
  return DAY_MS - (now % DAY_MS);
}

function rateLimited(what: string, body: ErrorBody, headers: ResponseHeaders, now: number): RateLimitedError {
  const message = describe(what, 429, body);
  const daily =
    body.policyName === 'DAILY' ||
    /daily limit/i.test(body.message ?? '') ||
    headers['x-hubspot-ratelimit-daily-remaining'] === '0';
  if (daily) {
    // The daily allowance resets at midnight in the portal's time zone (API-NOTES §6.7), which the API
    // does not tell us: waiting for midnight UTC could overshoot a portal west of UTC by most of a
    // day. So wait until midnight UTC or an hour, whichever comes first, and ask again then.
    const waitMs = Math.min(msUntilNextUtcMidnight(now), DAILY_LIMIT_PROBE_MS);
    return new RateLimitedError('hubspot', message, waitMs, 'daily', 429, 'DAILY');
  }
  const secondly = body.policyName === 'SECONDLY' || body.message === SECONDLY_MESSAGE;
  const interval = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
  const retryAfterMs =
    parseRetryAfterMs(headers['retry-after'], now) ??
    (Number.isFinite(interval) && interval > 0 ? interval : undefined) ??
    (secondly ? SECONDLY_DEFAULT_MS : BURST_DEFAULT_MS);
  return new RateLimitedError(
    'hubspot',
    message,
    retryAfterMs,
    'burst',
    429,
    body.policyName ?? 'RATE_LIMITS',
  );
}

/**
 * `what` names the call (`POST /crm/v3/objects/contacts/batch/update`) for the message.
 * 408/423 join 5xx as transient: a timeout or a record lock (HubSpot answers 423 while a record is
 * being merged) may pass; every other 4xx is the request's own fault.
 */
export function errorFromResponse(
  what: string,
  status: number,
  rawBody: unknown,
  headers: ResponseHeaders,
  now: number,
): ApiError {
  const body = parseErrorBody(rawBody);
  const error = classify(what, status, body, headers, now);
  vendorBodies.set(error, body);
  return error;
}

function classify(
  what: string,
  status: number,
  body: ErrorBody,
  headers: ResponseHeaders,
  now: number,
): ApiError {
  const message = describe(what, status, body);
  if (status === 429) return rateLimited(what, body, headers, now);
  if (status >= 500 || status === 408 || status === 423) {
    return new TransientApiError('hubspot', message, status, body.category);
  }
  // Private-app tokens do not expire, and "401 is not a valid indicator that a new access token must be
  // retrieved" (API-NOTES §2.1): a 401 is fatal, never retried.
  if (status === 401)
    return new AuthError('hubspot', message, status, body.category ?? 'INVALID_AUTHENTICATION');
  if (status === 403 && body.category === 'MISSING_SCOPES') {
    return new AuthError('hubspot', message, status, body.category);
  }
  return new BadRequestError('hubspot', message, status, body.category);
}

/** node-fetch `FetchError` (ECONNRESET, ENOTFOUND…) or our timeout: the call may succeed later. */
export function networkError(what: string, cause: unknown): TransientApiError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const error = new TransientApiError('hubspot', `HubSpot ${what} failed: ${reason}`, undefined, 'NETWORK');
  error.cause = cause;
  return error;
}
