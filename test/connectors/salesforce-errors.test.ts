import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, RateLimitedError, TransientApiError } from '../../src/connector/errors.js';
import { API, countUnmatched, leadId, org, recordingGate, sessionConnector } from './salesforce-helpers.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

const read = (gate = recordingGate(), extra = {}) =>
  sessionConnector(gate, extra)
    .readChanges('Lead', null, ['Email'], 10)
    .catch((err: unknown) => err);

describe('batch-level errors', () => {
  it('maps 403 REQUEST_LIMIT_EXCEEDED to a daily RateLimitedError and still reports the usage to the gate', async () => {
    const gate = recordingGate();
    org()
      .get(`${API}/query`)
      .query(true)
      .reply(403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], {
        'Sforce-Limit-Info': 'api-usage=100001/100000',
      });

    const error = await read(gate);

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({
      scope: 'daily',
      retryAfterMs: 15 * 60_000,
      status: 403,
      code: 'REQUEST_LIMIT_EXCEEDED',
    });
    expect(gate.observed).toEqual([
      { lane: 'salesforce', info: { dailyUsed: 100001, dailyLimit: 100000 } },
      // No Retry-After on a daily limit: the error's own wait pauses the shared budget.
      { lane: 'salesforce', info: { retryAfterMs: 15 * 60_000 } },
    ]);
  });

  it('maps a 429 on GET to a burst RateLimitedError with Retry-After, without jsforce retrying it', async () => {
    const scope = org()
      .get(`${API}/query`)
      .query(true)
      .once()
      .reply(429, 'Too Many Requests', { 'Retry-After': '3' });
    const unmatched = countUnmatched();
    const error = await read();
    unmatched.stop();
    expect(scope.isDone()).toBe(true);
    expect(unmatched.count()).toBe(0);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ scope: 'burst', retryAfterMs: 3000, status: 429 });
  });

  it('maps a 500 on GET to TransientApiError after exactly one request', async () => {
    const scope = org()
      .get(`${API}/query`)
      .query(true)
      .once()
      .reply(500, [{ message: 'An unexpected error occurred.', errorCode: 'UNKNOWN_EXCEPTION' }]);
    const error = await read();
    expect(scope.isDone()).toBe(true);
    expect(error).toBeInstanceOf(TransientApiError);
    expect(error).toMatchObject({ status: 500, code: 'UNKNOWN_EXCEPTION' });
  });

  it.each([
    [
      'MALFORMED_QUERY',
      "\nSELECT Id FROM Lead WHERE\n                         ^\nERROR at Row:1:Column:26\nunexpected token: '<EOF>'",
    ],
    ['INVALID_FIELD', "No such column 'Foo__c' on entity 'Lead'."],
  ])('maps 400 %s to BadRequestError', async (errorCode, message) => {
    org().get(`${API}/query`).query(true).reply(400, [{ message, errorCode }]);
    const error = await read();
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, code: errorCode, message });
  });

  it('rejects a query page whose records are not objects as an unexpected response', async () => {
    org()
      .get(`${API}/query`)
      .query(true)
      .reply(200, { totalSize: 1, done: true, records: ['00Q000000000001AAA'] });
    const error = await read();
    expect(error).toMatchObject({ code: 'UNEXPECTED_RESPONSE' });
    expect(String(error)).toMatch(/unexpected Salesforce response/);
  });

  it('maps a dropped connection (ECONNRESET) to TransientApiError', async () => {
    org()
      .get(`${API}/query`)
      .query(true)
      .replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const error = await read();
    expect(error).toBeInstanceOf(TransientApiError);
    expect(error).toMatchObject({ code: 'ECONNRESET' });
    // node-fetch names the URL; its SOQL query string (e-mail addresses) must not reach logs.
    expect((error as Error).message).toContain('/query?…');
    expect((error as Error).message).not.toMatch(/SELECT|q=/);
  });

  it('maps a request that outlives requestTimeoutMs to TransientApiError', async () => {
    // nock 15 `delay` holds back the end of the body, after the headers: the deadline must cover the body too.
    org().get(`${API}/query`).query(true).delay(2_000).reply(200, { totalSize: 0, done: true, records: [] });
    const started = Date.now();
    const error = await read(recordingGate(), { requestTimeoutMs: 100 });
    expect(error).toBeInstanceOf(TransientApiError);
    expect(error).toMatchObject({ code: 'TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('maps a 400 on the collections PATCH (e.g. more than 200 records) to BadRequestError', async () => {
    org()
      .patch(`${API}/composite/sobjects`)
      .reply(400, [
        { message: 'Record limit reached. Maximum allowed records is 200.', errorCode: 'EXCEEDED_ID_LIMIT' },
      ]);
    const error = await sessionConnector()
      .updateRecords('Lead', [{ ref: 'r', id: leadId(1), fields: { Title: 'x' } }])
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ code: 'EXCEEDED_ID_LIMIT' });
  });

  it('rejects names that could inject SOQL before any request is made', async () => {
    const gate = recordingGate();
    const error = await sessionConnector(gate)
      .readChanges('Lead', null, ['Email FROM User --'], 10)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(gate.acquired).toEqual([]);
  });
});
