/**
 * Maps what jsforce throws (HttpApiError with `errorCode`, OAuth errors named after `error`, node-fetch
 * FetchError / AbortError) to the typed batch-level errors of src/connector/errors.ts. The HTTP status
 * and headers come from the response we observed, since jsforce's errors do not carry them.
 */

import {
  ApiError,
  AuthError,
  BadRequestError,
  RateLimitedError,
  TransientApiError,
} from '../../src/connector/errors.js';
import { parseRetryAfterMs } from '../shared/retry-after.js';

export interface ErrorContext {
  /** Status and headers of the last response seen for the failing call, if any arrived. */
  status?: number;
  headers?: Record<string, string>;
  /** Typed failure of the last token request (jsforce rewraps refresh failures as plain Errors). */
  tokenFailure?: ApiError;
  now?: number;
}

/**
 * The org's 24-hour API allowance is a rolling window with no reset time in the 403 body, so wait a
 * while and let `Sforce-Limit-Info` on the next answer tell the gate where the budget stands.
 */
export const DAILY_LIMIT_WAIT_MS = 15 * 60_000;
/** 503 "server unavailable (too many concurrent requests)" and 420/429 rarely send Retry-After. */
export const BURST_WAIT_MS = 10_000;
/** Salesforce's login rate limit (OAuth `rate_limit_exceeded`) is counted per hour. */
const LOGIN_LIMIT_WAIT_MS = 5 * 60_000;

/** OAuth token endpoint `error` values that no retry can fix (help: remoteaccess_oauth_flow_errors). */
const OAUTH_AUTH_ERRORS = new Set([
  'invalid_grant',
  'invalid_client',
  'invalid_client_id',
  'invalid_client_credentials',
  'invalid_request',
  'invalid_scope',
  'unauthorized_client',
  'unsupported_grant_type',
  'unsupported_response_type',
  'inactive_user',
  'inactive_org',
]);

/** The error codes node-fetch reports for a dropped or refused connection (jsforce retries the same set). */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ENOTFOUND',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

const REFRESH_FAILED_PREFIX = 'Unable to refresh session due to:';

interface ErrorFacts {
  name: string;
  message: string;
  errorCode?: string;
  code?: string;
}

function factsOf(err: unknown): ErrorFacts {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const extra = err as Error & { errorCode?: unknown; code?: unknown };
  return {
    name: err.name,
    message: err.message,
    errorCode: typeof extra.errorCode === 'string' ? extra.errorCode : undefined,
    code: typeof extra.code === 'string' ? extra.code : undefined,
  };
}

/** Classifies an HTTP error answer of the REST API (status map: API-NOTES §1.7). */
export function httpError(
  status: number,
  code: string | undefined,
  message: string,
  headers: Record<string, string> = {},
  now: number = Date.now(),
): ApiError {
  const retryAfterMs = parseRetryAfterMs(headers['retry-after'], now);
  if (status === 401) return new AuthError('salesforce', message, status, code);
  if (status === 403 && code === 'REQUEST_LIMIT_EXCEEDED') {
    return new RateLimitedError(
      'salesforce',
      message,
      retryAfterMs ?? DAILY_LIMIT_WAIT_MS,
      'daily',
      status,
      code,
    );
  }
  if (status === 403) return new AuthError('salesforce', message, status, code);
  if (status === 420 || status === 429 || status === 503) {
    return new RateLimitedError('salesforce', message, retryAfterMs ?? BURST_WAIT_MS, 'burst', status, code);
  }
  if (status >= 500 || status === 408) return new TransientApiError('salesforce', message, status, code);
  // A query locator expires after ~15 min idle (API-NOTES §1.3); reading again from the cursor recovers.
  if (code === 'INVALID_QUERY_LOCATOR') return new TransientApiError('salesforce', message, status, code);
  return new BadRequestError('salesforce', message, status, code);
}

function classify(err: unknown, ctx: ErrorContext): ApiError {
  if (err instanceof ApiError) return err;
  const facts = factsOf(err);
  if (facts.message.startsWith(REFRESH_FAILED_PREFIX)) {
    return ctx.tokenFailure ?? new AuthError('salesforce', facts.message, 401);
  }
  if (ctx.status !== undefined && ctx.status >= 400) {
    return httpError(ctx.status, facts.errorCode, facts.message, ctx.headers, ctx.now);
  }
  // Token endpoint failures: jsforce names the Error after the OAuth `error` field.
  if (OAUTH_AUTH_ERRORS.has(facts.name)) return new AuthError('salesforce', facts.message, 400, facts.name);
  if (facts.name === 'rate_limit_exceeded') {
    return new RateLimitedError('salesforce', facts.message, LOGIN_LIMIT_WAIT_MS, 'burst', 400, facts.name);
  }
  const httpStatus = /^ERROR_HTTP_(\d{3})$/.exec(facts.name)?.[1];
  if (httpStatus !== undefined) return httpError(Number(httpStatus), facts.name, facts.message, {}, ctx.now);
  if (facts.code !== undefined && NETWORK_CODES.has(facts.code)) {
    return new TransientApiError('salesforce', facts.message, undefined, facts.code);
  }
  // node-fetch wraps socket failures ("socket hang up") as FetchError; our timeout aborts the fetch.
  if (facts.name === 'FetchError')
    return new TransientApiError('salesforce', facts.message, undefined, facts.code);
  if (facts.name === 'AbortError' || facts.message === 'Request Timeout') {
    return new TransientApiError('salesforce', facts.message, undefined, 'TIMEOUT');
  }
  return new ApiError('salesforce', facts.message, ctx.status, facts.errorCode ?? facts.code);
}

/**
 * node-fetch names the whole URL in its messages ("request to https://…/query?q=SELECT … failed"), and
 * a SOQL query string holds e-mail addresses: they must not reach logs and dead-letter reasons.
 */
export function withoutQueryStrings(message: string): string {
  return message.replace(/(https?:\/\/[^\s?]+)\?\S*/g, '$1?…');
}

/** Always returns a typed ApiError; the original error is kept as `cause`. */
export function toApiError(err: unknown, ctx: ErrorContext = {}): ApiError {
  const mapped = classify(err, ctx);
  if (mapped !== err && mapped.cause === undefined) mapped.cause = err;
  mapped.message = withoutQueryStrings(mapped.message);
  return mapped;
}
