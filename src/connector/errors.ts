/**
 * Batch-level API failures a connector throws. Per-record failures are not thrown: they come back as
 * `WriteResult`s. The pipeline decides what to do from the class alone, never from vendor text.
 */
import type { SystemName } from './types.js';

export class ApiError extends Error {
  constructor(
    readonly system: SystemName,
    message: string,
    readonly status?: number,
    readonly code?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Too many requests right now (HubSpot 429 burst/secondly, Salesforce 503/420). Retry after the wait. */
export class RateLimitedError extends ApiError {
  constructor(
    system: SystemName,
    message: string,
    /** How long to wait before the next call, from Retry-After or the vendor's window. */
    readonly retryAfterMs: number,
    /** `daily`: the budget for the day is spent (Salesforce REQUEST_LIMIT_EXCEEDED, HubSpot DAILY). */
    readonly scope: 'burst' | 'daily',
    status?: number,
    code?: string,
  ) {
    super(system, message, status, code);
  }
}

/** 5xx, dropped connection, timeout: the same call may succeed later. */
export class TransientApiError extends ApiError {}

/** Credentials are missing, expired beyond refresh or lack a scope: retrying cannot help. */
export class AuthError extends ApiError {}

/** The request itself is wrong (malformed query, unknown field): retrying cannot help. */
export class BadRequestError extends ApiError {}
