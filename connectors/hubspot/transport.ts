/**
 * Every HubSpot call goes through `send`: gate → SDK → budget headers → typed errors → validated body.
 *
 * Why `client.apiRequest` rather than the generated `crm.objects.*Api` methods: it returns the raw
 * node-fetch Response for every endpoint, success or failure — status, all headers (the
 * X-HubSpot-RateLimit-* figures on success too) and the JSON as sent — with the same auth, base path and
 * User-Agent. The generated methods hide headers unless called as `*WithHttpInfo`, type search `sorts`
 * as `string[]` (objects need a cast, API-NOTES §2.4), and an error body without a JSON Content-Type
 * makes them throw a plain Error that has lost the HTTP status (`ObjectSerializer.parse`).
 */
import type { Client } from '@hubspot/api-client';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { RateLimitedError, TransientApiError } from '../../src/connector/errors.js';
import type { RequestGate } from '../../src/connector/request-gate.js';
import { withDeadline } from '../../src/deadline.js';
import { errorFromResponse, networkError } from './errors.js';
import { budgetFromHeaders, type ResponseHeaders } from './rate-headers.js';

/** The budget lanes: search has its own low per-second limit and no rate headers (API-NOTES §2.3). */
export const HUBSPOT_LANE = 'hubspot';
export const HUBSPOT_SEARCH_LANE = 'hubspot-search';
export type HubSpotLane = typeof HUBSPOT_LANE | typeof HUBSPOT_SEARCH_LANE;

export interface HubSpotRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  qs?: Record<string, string>;
}

export interface TransportDeps {
  client: Client;
  gate: RequestGate;
  timeoutMs: number;
  logger?: Logger;
  now?: () => number;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return withDeadline(promise, ms, () => new Error(`no answer within ${ms} ms`));
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text; // e.g. an HTML 502 page from a proxy: kept for the error message path only
  }
}

export class HubSpotTransport {
  private readonly now: () => number;

  constructor(private readonly deps: TransportDeps) {
    this.now = deps.now ?? Date.now;
  }

  async send<S extends z.ZodType>(
    lane: HubSpotLane,
    request: HubSpotRequest,
    schema: S,
  ): Promise<z.output<S>> {
    const what = `${request.method} ${request.path}`;
    await this.deps.gate.acquire(lane);
    const started = this.now();
    let status: number;
    let headers: ResponseHeaders;
    let body: unknown;
    try {
      const response = await withTimeout(
        this.deps.client.apiRequest({
          method: request.method,
          path: request.path,
          ...(request.body === undefined ? {} : { body: request.body }),
          ...(request.qs === undefined ? {} : { qs: request.qs }),
        }),
        this.deps.timeoutMs,
      );
      status = response.status;
      const collected: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        collected[name.toLowerCase()] = value;
      });
      headers = collected;
      body = parseJson(await withTimeout(response.text(), this.deps.timeoutMs));
    } catch (cause) {
      throw networkError(what, cause);
    }
    this.deps.logger?.debug({ lane, call: what, status, ms: this.now() - started }, 'hubspot call');

    const budget = budgetFromHeaders(headers);
    if (status >= 200 && status < 300) {
      if (budget) this.deps.gate.observe(lane, budget);
      const parsed = schema.safeParse(body);
      if (!parsed.success) {
        // A 2xx we cannot read (truncated body, proxy page): treat like a failed call, not a bad request.
        throw new TransientApiError('hubspot', `HubSpot ${what} → ${status}: unexpected body shape`, status);
      }
      return parsed.data;
    }
    const error = errorFromResponse(what, status, body, headers, this.now());
    const retryAfterMs = error instanceof RateLimitedError ? error.retryAfterMs : undefined;
    if (budget || retryAfterMs !== undefined) {
      this.deps.gate.observe(lane, { ...budget, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
    }
    throw error;
  }
}
