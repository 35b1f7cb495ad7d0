/**
 * The one door every Salesforce REST call goes through: waits on the shared request gate, sends with
 * the session's token (jsforce refreshes and replays once on 401), reports `Sforce-Limit-Info` to the
 * gate and turns failures into typed errors.
 *
 * jsforce's own retry (GETs only, up to 5 times with 0.5–8 s sleeps, API-NOTES §0.1) is switched off:
 * retries belong to one layer, the pipeline, which sees the typed error and the gate's budget. That also
 * keeps every real request behind `gate.acquire`.
 */
import type { HttpRequest, HttpResponse } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api.js';
import type { Logger } from 'pino';
import { RateLimitedError, TransientApiError } from '../../src/connector/errors.js';
import type { RequestGate } from '../../src/connector/request-gate.js';
import { withDeadline } from '../../src/deadline.js';
import { parseRetryAfterMs } from '../shared/retry-after.js';
import { toApiError } from './errors.js';
import { parseLimitInfo } from './limit-info.js';
import type { SalesforceSession } from './session.js';

export const SALESFORCE_LANE = 'salesforce';

export interface RestRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** Path under the version root, e.g. `/query?q=…`, `/composite/sobjects`. */
  path: string;
  body?: unknown;
}

export interface RestClientOptions {
  timeoutMs: number;
  logger?: Logger;
}

export class SalesforceRestClient {
  private closed = false;

  constructor(
    private readonly session: SalesforceSession,
    private readonly gate: RequestGate,
    private readonly options: RestClientOptions,
  ) {}

  /** Sends one request and returns the parsed JSON body; throws a typed ApiError on failure. */
  async request(req: RestRequest): Promise<unknown> {
    if (this.closed) throw new Error('the Salesforce connector is closed');
    try {
      await this.session.ready();
    } catch (err) {
      throw toApiError(err, { tokenFailure: this.session.lastTokenFailure() });
    }
    await this.gate.acquire(SALESFORCE_LANE);

    const { conn } = this.session;
    // A fresh HttpApi per call (what conn.request does internally) so the response event, and with it the
    // status and headers jsforce's errors lack, belongs to this call alone.
    const api = new HttpApi(conn, { retry: { methods: [] }, timeout: this.options.timeoutMs });
    let last: HttpResponse | undefined;
    api.on('response', (response: HttpResponse) => {
      last = response;
      this.observe(response);
    });
    const httpRequest: HttpRequest = {
      method: req.method,
      url: conn._normalizeUrl(req.path),
      ...(req.body === undefined
        ? {}
        : { body: JSON.stringify(req.body), headers: { 'content-type': 'application/json' } }),
    };
    const startedAt = Date.now();
    try {
      return await this.withDeadline(api.request<unknown>(httpRequest));
    } catch (err) {
      const error = toApiError(err, {
        status: last?.statusCode,
        headers: last?.headers,
        tokenFailure: this.session.lastTokenFailure(),
      });
      // Salesforce rarely sends Retry-After (the daily limit is a 403): the wait the error carries
      // pauses the shared budget, so pollers, the other writer and other processes hold off too
      // instead of each hitting the limit again.
      if (error instanceof RateLimitedError)
        this.gate.observe(SALESFORCE_LANE, { retryAfterMs: error.retryAfterMs });
      throw error;
    } finally {
      // The query string holds SOQL with e-mail addresses: log the resource only.
      this.options.logger?.debug(
        {
          method: req.method,
          resource: req.path.split('?')[0],
          status: last?.statusCode,
          ms: Date.now() - startedAt,
        },
        'salesforce request',
      );
    }
  }

  /**
   * jsforce's `timeout` only covers the wait for response headers (its timer is cleared once fetch
   * resolves), so a body that stalls would hang the call; this deadline covers the whole exchange.
   */
  private withDeadline<T>(pending: Promise<T>): Promise<T> {
    const { timeoutMs } = this.options;
    return withDeadline(
      pending,
      timeoutMs,
      () =>
        new TransientApiError(
          'salesforce',
          `no complete answer within ${timeoutMs} ms`,
          undefined,
          'TIMEOUT',
        ),
    );
  }

  close(): void {
    this.closed = true;
  }

  private observe(response: HttpResponse): void {
    const usage = parseLimitInfo(response.headers['sforce-limit-info']);
    const throttled = [420, 429, 503].includes(response.statusCode);
    const retryAfterMs = throttled ? parseRetryAfterMs(response.headers['retry-after']) : undefined;
    if (usage === undefined && retryAfterMs === undefined) return;
    this.gate.observe(SALESFORCE_LANE, { ...usage, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
  }
}
